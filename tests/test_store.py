import json
import stat

import pytest

from interviewer.errors import UserError
from interviewer.store import SessionWriter, list_sessions, load_session, new_session_id, write_atomic
from interviewer.transcript import Transcript, Turn


def new_transcript(**kw):
    return Transcript(id=new_session_id(), round="bar_raiser", **kw)


def test_every_turn_is_on_disk_at_once(home):
    t = new_transcript()
    with SessionWriter.create(t) as w:
        w.append_turn(Turn(role="interviewer", text="Tell me about a time.", kind="opening"))
        # Read back while the writer is still open: the turn is already there.
        assert len(load_session(w.path).transcript.turns) == 1
        w.append_turn(Turn(role="candidate", text="I did X."))
        loaded = load_session(w.path)
    assert [x.role for x in loaded.transcript.turns] == ["interviewer", "candidate"]
    assert loaded.problems == []


def test_session_file_is_private(home):
    with SessionWriter.create(new_transcript()) as w:
        mode = stat.S_IMODE(w.path.stat().st_mode)
    assert mode == 0o600


def test_torn_last_line_is_reported_and_resume_continues(home):
    t = new_transcript()
    with SessionWriter.create(t) as w:
        w.append_turn(Turn(role="interviewer", text="Q1?"))
        w.append_turn(Turn(role="candidate", text="A1."))
        path = w.path
    # A crash in the middle of a write: half a JSON line, no newline.
    with path.open("ab") as fh:
        fh.write(b'{"v": 1, "event": "turn", "index": 2, "turn": {"role": "interv')
    loaded = load_session(path)
    assert len(loaded.transcript.turns) == 2
    assert len(loaded.problems) == 1 and "line 4" in loaded.problems[0]
    with SessionWriter.resume(path) as w:
        w.append_turn(Turn(role="interviewer", text="Q2?"))
    again = load_session(path)
    assert [x.text for x in again.transcript.turns] == ["Q1?", "A1.", "Q2?"]
    assert len(again.problems) == 1  # the torn line stays isolated, the new event is intact


def test_one_writer_per_session(home):
    with SessionWriter.create(new_transcript()) as w:
        with pytest.raises(UserError, match="open in another interviewer"):
            SessionWriter.resume(w.path)


def test_existing_session_file_is_not_overwritten(home):
    t = new_transcript()
    with SessionWriter.create(t):
        pass
    with pytest.raises(UserError, match="not overwriting"):
        SessionWriter.create(t)


def test_list_sessions_shows_vote_after_grade(home):
    t = new_transcript()
    with SessionWriter.create(t) as w:
        w.append_turn(Turn(role="interviewer", text="Q?"))
        w.append_grade({"vote": "inclined_to_hire"})
    rows = list_sessions()
    assert [(r.id, r.turns, r.vote) for r in rows] == [(t.id, 1, "inclined_to_hire")]


def test_not_a_session(home, tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text(json.dumps({"event": "turn"}) + "\n")
    with pytest.raises(UserError, match="not an interviewer session"):
        load_session(p)


def test_write_atomic_replaces_whole_file(tmp_path):
    (tmp_path / "w").mkdir()
    p = tmp_path / "w" / "out.json"
    write_atomic(p, "first")
    write_atomic(p, "second")
    assert p.read_text() == "second"
    assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert [x.name for x in p.parent.iterdir()] == ["out.json"]


def test_a_session_saved_with_a_byte_order_mark_still_loads_and_grades(home, tmp_path):
    from interviewer.importers import load_transcript

    with SessionWriter.create(new_transcript()) as w:
        w.append_turn(Turn(role="interviewer", text="Tell me about a time.", kind="opening"))
        w.append_turn(Turn(role="candidate", text="I offered them two engineers in week 3."))
    copy = tmp_path / "bom.jsonl"
    copy.write_bytes(b"\xef\xbb\xbf" + w.path.read_bytes())
    loaded = load_session(copy)
    assert loaded.problems == [] and len(loaded.transcript.turns) == 2
    assert load_transcript(copy).turns[1].text.startswith("I offered")
