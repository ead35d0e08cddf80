"""Property tests: hostile transcript files and config files are read, or refused with one line.

For any input, the importers and the config loader either return a Transcript/Settings or raise
UserError whose message is a single line; never any other exception. `interviewer grade` on any file
returns 0 or 2, and on 2 prints exactly one line. The HTML report escapes everything it quotes.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, currently_in_test_context, example, given, settings
from hypothesis import event as _event
from hypothesis import strategies as st

from interviewer.cli import main
from interviewer.config import Settings, load_settings
from interviewer.errors import UserError
from interviewer.importers import load_transcript
from interviewer.transcript import PROBE_FAMILIES, Transcript

FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
FUZZ_CLI = settings(FUZZ, max_examples=150)

ROUNDS = ["bar_raiser", "leadership_principles", "program_design"]
SUFFIXES = [".txt", ".json", ".jsonl", ".md", ""]


def event(name: str) -> None:
    """Outcome counts for --hypothesis-show-statistics (a no-op outside a property test)."""
    if currently_in_test_context():
        _event(name)


def _one_line(exc: UserError) -> None:
    msg = str(exc)
    assert msg.strip(), "an error must say what is wrong"
    assert "\n" not in msg and "\r" not in msg, f"not one line: {msg!r}"


def _loaded_or_one_line(load):
    """`load()`'s result, or None when it refused with one clear line (counted either way)."""
    try:
        result = load()
    except UserError as exc:
        _one_line(exc)
        event("refused")
        return None
    event("loaded")
    return result


def _load(path: Path) -> Transcript | None:
    transcript = _loaded_or_one_line(lambda: load_transcript(path))
    if transcript is None:
        return None
    assert isinstance(transcript, Transcript)
    assert transcript.candidate_turns(), "a loaded transcript always has something to grade"
    return transcript


def _file(home: Path, suffix: str, data: bytes) -> Path:
    folder = home / "fuzz"
    folder.mkdir(exist_ok=True)
    path = folder / f"transcript{suffix}"
    path.write_bytes(data)
    return path


# ----- strategies ---------------------------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)

roles = st.sampled_from(["interviewer", "candidate", "Candidate", "", "judge"]) | json_values
turn_like = st.fixed_dictionaries(
    {"role": roles, "text": st.text(max_size=200) | json_values},
    optional={
        "kind": st.sampled_from(["opening", "follow_up", "closing", "answer", "transition", "x"]) | json_values,
        "probe_target": st.sampled_from([*PROBE_FAMILIES, "nope"]) | json_values,
        "decision": st.fixed_dictionaries({}, optional={"why": json_values, "evasion": json_values,
                                                        "missing": json_values, "action": json_values}) | json_values,
        "at": st.sampled_from(["2026-01-01T00:00:00Z", "yesterday", ""]) | json_values,
        "question_id": json_values,
    },
) | json_values
header_fields = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=20) | json_values,
        "round": st.sampled_from([*ROUNDS, "onsite"]) | json_values,
        "created": st.sampled_from(["2026-11-28T04:00:00+00:00", "not a date"]) | json_values,
        "meta": json_values,
        "turns": json_values,
        "source": json_values,
    },
)
valid_turns = st.fixed_dictionaries({"role": st.sampled_from(["interviewer", "candidate"]),
                                     "text": st.text(max_size=200)},
                                    optional={"kind": st.sampled_from(["opening", "follow_up", "answer"])})
transcript_like = st.builds(lambda h, turns: {**h, "turns": turns}, header_fields,
                            st.lists(turn_like, max_size=6) | st.lists(valid_turns, max_size=6) | json_values)

session_events = st.one_of(
    st.builds(lambda i, t: {"v": 1, "event": "turn", "index": i, "turn": t}, st.integers(0, 20), valid_turns),
    st.builds(lambda i, t: {"event": "turn", "index": i, "turn": t}, json_values, turn_like),
    st.builds(lambda m: {"event": "meta", "meta": m}, json_values),
    st.builds(lambda g: {"event": "grade", "grade": g}, json_values),
    st.builds(lambda r: {"event": "end", "reason": r}, json_values),
    st.builds(lambda h: {**h, "event": "start"}, header_fields),
    json_values,
)


valid_header = st.fixed_dictionaries({"id": st.text(max_size=20), "round": st.sampled_from(ROUNDS)},
                                     optional={"meta": st.dictionaries(st.text(max_size=8), json_values, max_size=3)})


@st.composite
def session_files(draw) -> bytes:
    start = {**draw(valid_header | header_fields), "v": 1, "event": "start"}
    lines = [json.dumps(start)] + [json.dumps(e) for e in draw(st.lists(session_events, max_size=8))]
    if draw(st.booleans()):  # a torn or damaged line somewhere
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, draw(st.text(max_size=40)))
    if draw(st.booleans()):  # a torn last write
        cut = draw(st.integers(0, len(lines[-1])))
        lines[-1] = lines[-1][:cut]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


plain_lines = st.one_of(
    st.builds(lambda label, text: f"{label}{text}",
              st.sampled_from(["Interviewer:", "Candidate:", "candidate :", "  INTERVIEWER:\t", "Candidate"]),
              st.text(max_size=60)),
    st.builds(lambda key, value: f"# {key}: {value}",
              st.sampled_from(["round", "id", "date", "Round", "x-y"]), st.sampled_from(ROUNDS + ["onsite", ""])
              | st.text(max_size=20)),
    st.sampled_from(["#", "---", "", "   ", "# just a comment"]),
    st.text(max_size=60),
)
plain_texts = st.builds(lambda lines, sep: sep.join(lines), st.lists(plain_lines, max_size=12),
                        st.sampled_from(["\n", "\r\n", "\r"]))


# Inputs that mostly load, so the grader and the report renderer see hostile text too.
turn_pairs = st.lists(st.tuples(st.sampled_from(["Interviewer", "Candidate"]), st.text(max_size=300)), max_size=6)
gradable_texts = st.builds(lambda first, rest: "\n".join(f"{r}: {t}" for r, t in [("Candidate", first), *rest]),
                           st.text(max_size=300), turn_pairs)
gradable_json = st.builds(lambda first, rest: {"turns": [{"role": r.lower(), "text": t}
                                                         for r, t in [("Candidate", first), *rest]]},
                          st.text(min_size=1, max_size=300), turn_pairs)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


# ----- importers ----------------------------------------------------------------------------------

@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
@example(data=b"[" * 100_000, suffix=".json")
@example(data=b'{"a":' * 100_000, suffix=".txt")
@example(data=b'{"event": "start", "id": "x"}\n' + b"[" * 100_000 + b"\n", suffix=".jsonl")
def test_arbitrary_bytes(home, data, suffix):
    _load(_file(home, suffix, data))


@FUZZ
@given(text=st.text(max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_text(home, text, suffix):
    _load(_file(home, suffix, _utf8(text)))


@FUZZ
@given(text=plain_texts, suffix=st.sampled_from([".txt", ".md", ""]), bom=st.booleans())
def test_plain_text_like(home, text, suffix, bom):
    _load(_file(home, suffix, (b"\xef\xbb\xbf" if bom else b"") + _utf8(text)))


@FUZZ
@given(value=transcript_like | json_values, suffix=st.sampled_from([".json", ".txt"]), indent=st.sampled_from([None, 2]))
@example(value={"id": "x", "turns": [{"role": "candidate", "text": "I did it."}], "meta": [1, 2]},
         suffix=".json", indent=None)
def test_structured_but_wrong_json(home, value, suffix, indent):
    _load(_file(home, suffix, json.dumps(value, indent=indent).encode()))


@FUZZ
@given(data=session_files(), suffix=st.sampled_from([".jsonl", ".txt", ".json"]))
@example(data=b'{"event":"start","id":"x","meta":[1,2]}\n{"event":"turn","turn":{"role":"candidate","text":"hi"}}\n',
         suffix=".jsonl")
@example(data=b'{"event":"start","id":"x","meta":"ab"}\n{"event":"turn","turn":{"role":"candidate","text":"hi"}}\n',
         suffix=".jsonl")
@example(data=b'{"event":"start","id":"x"}\n{"event":"meta","meta":["abc"]}\n'
              b'{"event":"turn","turn":{"role":"candidate","text":"hi"}}\n', suffix=".jsonl")
def test_session_file_like(home, data, suffix):
    _load(_file(home, suffix, data))


def test_a_good_session_file_still_loads(home):
    """The properties above must not be satisfied by refusing everything."""
    data = (b'{"v":1,"event":"start","id":"s1","round":"program_design","meta":{"seed":3}}\n'
            b'{"v":1,"event":"turn","index":0,"turn":{"role":"interviewer","text":"Q?"}}\n'
            b'{"v":1,"event":"meta","meta":{"mode":"practice"}}\n'
            b'{"v":1,"event":"turn","index":1,"turn":{"role":"candidate","text":"I did X."}}\n{"v":1,"ev')
    t = _load(_file(home, ".jsonl", data))
    assert t is not None and t.round == "program_design" and [x.text for x in t.turns] == ["Q?", "I did X."]
    assert t.meta == {"seed": 3, "mode": "practice"}


# ----- config -------------------------------------------------------------------------------------

FIELDS = list(Settings.model_fields) + ["OPENAI_API_KEY", "unknown_key"]
toml_scalars = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True).map(lambda f: "nan" if f != f else ("inf" if f == float("inf")
                                                                   else "-inf" if f == float("-inf") else repr(f))),
    st.sampled_from(["true", "false", "1979-05-27T07:32:00Z", "07:32:00", "1979-05-27"]),
    st.text(max_size=30).map(lambda s: json.dumps(s, ensure_ascii=False)),
    st.sampled_from(['"local"', '"openai"', '"auto"', '"json_object"', '"practice"', '"program_design"', '"~/x"']),
)
toml_values = st.recursive(toml_scalars, lambda inner: st.lists(inner, max_size=3).map(lambda v: f"[{', '.join(v)}]")
                           | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=2).map(
                               lambda d: "{" + ", ".join(f"{k} = {v}" for k, v in d.items()) + "}"), max_leaves=6)
toml_keys = st.sampled_from(FIELDS) | st.text(max_size=12).map(lambda s: json.dumps(s, ensure_ascii=False))
toml_lines = st.one_of(
    st.builds(lambda k, v: f"{k} = {v}", toml_keys, toml_values),
    st.builds(lambda k: f"[{k}]", toml_keys),
    st.sampled_from(["", "# comment", "[[x]]"]),
)
good_toml_lines = st.sampled_from([
    'backend = "openai"', "n_ctx = 4096", 'round = "program_design"', "max_depth = 3", 'mode = "practice"',
    "chroma_port = 8001", 'openai_api_key = "sk-x"', "request_timeout = 1.5", 'user_docs = "~/docs"',
    'openai_structured = "json_object"', "n_threads = 2", "time_budget_minutes = 30", 'model_path = "/x.gguf"',
])
toml_docs = st.lists(toml_lines, max_size=8).map("\n".join) | st.lists(good_toml_lines, max_size=6).map("\n".join) \
    | st.builds(lambda good, bad: "\n".join([*good, bad]), st.lists(good_toml_lines, max_size=4), toml_lines)


def _settings_or_one_line(home: Path, data: bytes) -> Settings | None:
    (home / "config").mkdir(exist_ok=True)
    (home / "config" / "config.toml").write_bytes(data)
    result = _loaded_or_one_line(load_settings)
    assert result is None or isinstance(result, Settings)
    return result


@FUZZ
@given(data=st.binary(max_size=2000))
def test_config_arbitrary_bytes(home, data):
    _settings_or_one_line(home, data)


@FUZZ
@given(text=st.text(max_size=2000))
def test_config_arbitrary_text(home, text):
    _settings_or_one_line(home, _utf8(text))


@FUZZ
@given(doc=toml_docs)
@example(doc='"bad\\nkey" = 1')
@example(doc="n_ctx = 1e400")
@example(doc="model_path = \"a\\u0000b\"")
def test_config_structured_toml(home, doc):
    _settings_or_one_line(home, _utf8(doc))


def test_config_good_file_is_read(home):
    s = _settings_or_one_line(home, b'backend = "openai"\nn_ctx = 4096\nround = "program_design"\n')
    assert s is not None and (s.backend, s.n_ctx, s.round) == ("openai", 4096, "program_design")
    assert _settings_or_one_line(home, b"n_ctx = 12\n") is None


# ----- the CLI ------------------------------------------------------------------------------------

def _grade_cli(home: Path, capsys, suffix: str, data: bytes) -> None:
    path = _file(home, suffix, data)
    capsys.readouterr()
    code = main(["grade", str(path), "--backend", "fake"])
    out, err = capsys.readouterr()
    event(f"exit {code}")  # --hypothesis-show-statistics shows how many inputs were graded vs refused
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err
    if code == 2:
        assert err.endswith("\n") and err.count("\n") == 1, f"not one line on stderr: {err!r}"
        assert err.startswith("interviewer: ")
    else:
        assert out.strip(), "a grade prints a report"


cli_inputs = st.one_of(
    st.tuples(st.binary(max_size=2000) | plain_texts.map(_utf8) | session_files()
              | transcript_like.map(lambda v: json.dumps(v).encode()), st.sampled_from(SUFFIXES)),
    st.tuples(gradable_texts.map(_utf8), st.sampled_from([".txt", ".md", ""])),
    st.tuples(gradable_json.map(lambda v: json.dumps(v).encode()), st.sampled_from([".json", ".txt"])),
)


@FUZZ_CLI
@given(case=cli_inputs)
@example(case=(b"Candidate: I offered the Payments team two engineers for three weeks.\n", ".txt"))
def test_grade_cli_exit_0_or_2(home, fake_model, capsys, case):
    data, suffix = case
    fake_model.default = '{"quotes": []}'
    _grade_cli(home, capsys, suffix, data)


def test_grade_cli_good_file_is_graded(home, fake_model, capsys):
    fake_model.default = '{"quotes": []}'
    path = _file(home, ".txt", b"# round: bar_raiser\nInterviewer: Tell me.\nCandidate: I offered two engineers.\n")
    assert main(["grade", str(path), "--backend", "fake"]) == 0
    out = capsys.readouterr().out
    assert "Mock loop assessment" in out and "fake:canned" in out


# ----- the HTML report ----------------------------------------------------------------------------

PAYLOADS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>']


def test_html_report_escapes_the_transcript():
    from interviewer.grading.grader import grade_transcript
    from interviewer.grading.report import to_html
    from interviewer.grading.rubric import load_rubric

    script, img, svg = PAYLOADS
    transcript = Transcript.model_validate({
        "id": f"t{svg}", "round": "bar_raiser",
        "turns": [
            {"role": "interviewer", "text": "Tell me about a time you aligned several teams."},
            {"role": "candidate", "text": f"I escalated to my director {script} six weeks before launch because "
                                          f"the Payments team's API freeze was slipping by two weeks."},
            {"role": "interviewer", "text": "What did you offer them?", "kind": "follow_up",
             "probe_target": "mechanism",
             "decision": {"evasion": True, "why": f"Asked twice {img}", "probe_target": "mechanism"}},
            {"role": "candidate", "text": f"I offered the Payments team two of my engineers {img} for three weeks "
                                          f"in exchange for moving their API freeze to week 4, and we cut "
                                          f"checkout latency by 30% {svg}."},
            {"role": "candidate", "text": f"I sequenced the migration behind a feature flag {svg} so the Search "
                                          f"team could ship first, in week 2, and I owned the dependency tracker."},
        ],
    })
    report = grade_transcript(transcript, load_rubric(), None)
    html = to_html(report)
    for raw in PAYLOADS:
        assert raw not in html, f"unescaped in the HTML report: {raw}"
    # The report draws one SVG of its own (the dependency map); none may come from the transcript.
    assert "<script" not in html.lower() and "<img" not in html.lower() and html.lower().count("<svg") == 1
    # The test means something only if the hostile text reached the report (escaped).
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&#34;&gt;&lt;svg onload=alert(1)&gt;" in html or "&quot;&gt;&lt;svg onload=alert(1)&gt;" in html
