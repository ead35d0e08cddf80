import asyncio
import json

from interviewer.app.replay import ReplayApp, turn_detail
from interviewer.cli import main
from interviewer.transcript import PlannerDecision, Transcript, Turn


def transcript():
    return Transcript(id="t1", round="bar_raiser", turns=[
        Turn(role="interviewer", text="Tell me about a time.", kind="opening"),
        Turn(role="candidate", text="We aligned with infra."),
        Turn(role="interviewer", text="What did you offer them?", kind="follow_up", probe_target="mechanism",
             decision=PlannerDecision(probe_target="mechanism", why="No concrete mechanism yet.",
                                      missing=["mechanism"], present=["personal_role"])),
        Turn(role="candidate", text="I offered two engineers for three weeks."),
    ])


def test_detail_shows_the_decision_and_the_citation():
    text = turn_detail(transcript(), 2, {3: ["influence_mechanism"]})
    assert "probe **mechanism**" in text and "No concrete mechanism yet." in text and "Still missing" in text
    cited = turn_detail(transcript(), 3, {3: ["influence_mechanism"]})
    assert "Cited by the grade as evidence for:** influence mechanism" in cited
    assert "rejected" not in text


def test_detail_says_why_the_models_earlier_tries_were_rejected():
    t = transcript()
    t.turns[2].retry_reasons = ["off the planner's target", "repeats an earlier question"]
    assert "Model tries rejected before this one: off the planner's target; repeats an earlier question." in turn_detail(t, 2, {})
    # A saved session carries them through the JSON round trip.
    again = Transcript.model_validate_json(t.to_json())
    assert "off the planner's target; repeats" in turn_detail(again, 2, {})


def test_replay_steps_through_turns():
    grade = {"vote": "inclined_not_to_hire", "scores": {"influence_mechanism": {"evidence": [{"turn": 3, "quote": "x"}]}}}
    app = ReplayApp(transcript(), grade)

    async def scenario():
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            assert "Turn 0" in app.query_one("#detail-text").source
            await pilot.press("j", "j")
            await pilot.pause()
            assert "No concrete mechanism yet." in app.query_one("#detail-text").source
            assert [("cited" in item.classes) for item in app.query("ListItem")] == [False, False, False, True]

    asyncio.run(scenario())


def test_replay_of_a_bad_file_is_exit_2(tmp_path, capsys):
    p = tmp_path / "x.json"
    p.write_text(json.dumps({"turns": "nope"}))
    assert main(["replay", str(p)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_detail_shows_a_concern_the_grade_noted():
    grade = {"vote": "strong_no_hire", "scores": {"influence_mechanism": {"evidence": [], "concerns": [
        {"turn": 1, "quote": "We aligned with infra.", "signal": "'Win-win' or 'shared goals' with neither named"}]}}}
    app = ReplayApp(transcript(), grade)
    text = turn_detail(transcript(), 1, app.cited, app.concerns)
    assert "Noted by the grade as a concern" in text and "influence mechanism: 'Win-win'" in text
    assert "concern" not in turn_detail(transcript(), 3, app.cited, app.concerns)
