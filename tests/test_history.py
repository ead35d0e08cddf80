from interviewer.cli import main
from interviewer.corpus import DIMENSIONS
from interviewer.history import collect, sparkline
from interviewer.store import SessionWriter
from interviewer.transcript import Transcript, Turn


def graded_session(sid, scores, vote="inclined_not_to_hire"):
    t = Transcript(id=sid, round="bar_raiser")
    with SessionWriter.create(t) as w:
        w.append_turn(Turn(role="interviewer", text="Q?"))
        w.append_turn(Turn(role="candidate", text="A."))
        w.append_grade({"vote": vote, "scores": {d: {"score": scores[d], "missing": ["no timing"] if scores[d] < 3
                                                     else []} for d in DIMENSIONS}})


def test_sparkline_scale():
    assert sparkline([1, 2, 3, 4]) == "▁▃▆█"


def test_history_trend_gaps_and_weakest(home, capsys):
    base = dict.fromkeys(DIMENSIONS, 3)
    graded_session("20261101-000000-aaaa", {**base, "risk_escalation": 1})
    graded_session("20261102-000000-bbbb", {**base, "risk_escalation": 2, "sequencing": 4})
    graded_session("20261103-000000-cccc", {**base, "risk_escalation": 2}, vote="inclined_to_hire")
    h = collect()
    assert h.sessions == ["20261101-000000-aaaa", "20261102-000000-bbbb", "20261103-000000-cccc"]
    assert h.scores["risk_escalation"] == [1, 2, 2]
    assert h.weakest == "risk_escalation"
    assert h.gaps[0] == ("no timing", 3)
    assert main(["history"]) == 0
    out = capsys.readouterr().out
    assert "Practise next: risk escalation" in out and "last vote: inclined to hire" in out


def test_history_without_graded_sessions(home, capsys):
    assert main(["history"]) == 0
    assert "no graded sessions yet" in capsys.readouterr().out
