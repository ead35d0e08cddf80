import pytest

from interviewer.cli import main
from interviewer.errors import UserError
from interviewer.importers import load_transcript

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Priya Shah>Tell me about a time another team had to change their plan.

00:00:05.000 --> 00:00:09.000
<v Sam Lee>I ran the token migration. I offered two engineers for three weeks

00:00:09.000 --> 00:00:12.000
<v Sam Lee>in exchange for moving their API freeze to week 4.

00:00:13.000 --> 00:00:15.000
<v Priya Shah>When did you escalate?

00:00:16.000 --> 00:00:19.000
<v Sam Lee>Six weeks before launch, to my director.
"""
SRT = """1
00:00:01,000 --> 00:00:04,000
Interviewer: Tell me about a time you escalated.

2
00:00:05,000 --> 00:00:09,000
Candidate: In week 3 I took it to my director with two options.
"""
MD = """# Mock interview with a friend

**Interviewer:** Tell me about a conflict between two directors.

**Candidate:** The payments director wanted the launch in March,
the risk director wanted more review. I proposed a 5% rollout.

**Interviewer:** What did each of them get?
**Candidate:** Payments got the date; risk got a kill switch.
"""


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_vtt_voices_first_speaker_is_the_interviewer(tmp_path):
    t = load_transcript(write(tmp_path, "call.vtt", VTT))
    assert [x.role for x in t.turns] == ["interviewer", "candidate", "interviewer", "candidate"]
    assert t.turns[1].text == ("I ran the token migration. I offered two engineers for three weeks in exchange for "
                               "moving their API freeze to week 4.")
    assert t.source == "vtt"


def test_speakers_flag_overrides_the_heuristic(tmp_path):
    t = load_transcript(write(tmp_path, "call.vtt", VTT), speakers="Sam Lee=candidate,Priya Shah=interviewer")
    assert t.turns[0].role == "interviewer"
    t2 = load_transcript(write(tmp_path, "call.vtt", VTT), speakers="Priya Shah=candidate,Sam Lee=interviewer")
    assert t2.turns[0].role == "candidate"


def test_srt_with_role_names(tmp_path):
    t = load_transcript(write(tmp_path, "call.srt", SRT))
    assert [(x.role, x.text[:9]) for x in t.turns] == [("interviewer", "Tell me a"), ("candidate", "In week 3")]


def test_markdown_chat_export(tmp_path):
    t = load_transcript(write(tmp_path, "chat.md", MD))
    assert [x.role for x in t.turns] == ["interviewer", "candidate", "interviewer", "candidate"]
    assert t.turns[1].text.endswith("I proposed a 5% rollout.")


@pytest.mark.parametrize("name,text,message", [
    ("x.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nno speakers here\n", "no speaker names"),
    ("x.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v A>q\n\n00:00:03.000 --> 00:00:04.000\n<v B>a\n\n"
              "00:00:05.000 --> 00:00:06.000\n<v C>c\n", "cannot tell the role"),
    ("x.srt", "1\nnot a time line\nhello\n", "not valid SRT"),
])
def test_caption_problems_are_one_line(tmp_path, name, text, message):
    with pytest.raises(UserError, match=message):
        load_transcript(write(tmp_path, name, text))


def test_grade_cli_takes_speakers(tmp_path, capsys):
    p = write(tmp_path, "call.vtt", VTT)
    assert main(["grade", str(p), "--format", "json", "--backend", "openai", "--speakers", "Sam=judge"]) == 2
    assert "--speakers takes" in capsys.readouterr().err
