"""SVG snapshots of the terminal app (pytest-textual-snapshot), and the too-small-terminal guard under Pilot.

The app is built as in tests/test_app.py (the fake chat model through the backend seam, seed 1). What
could differ between runs is pinned here: the session id (it is printed in the report) and the text
cursor's blink phase. The status bar is deterministic by design (time is estimated from the words
said, not from the clock), and every snapshot waits for the workers, so "loading model…" is gone.

Update the snapshots with `pytest tests/test_app_snapshots.py --snapshot-update` and look at them.
"""

import asyncio

import pytest

from interviewer.app.main import InterviewApp, ReportScreen
from interviewer.app.widgets import ChatInput, ChatMessage, TooSmall
from interviewer.config import Settings
from interviewer.corpus import default_corpus
from interviewer.interview import engine
from interviewer.interview.engine import Interview
from interviewer.retrieval import LexicalRetriever

SIZE = (100, 30)
ANSWER = "We aligned with infra and it went well."
FOLLOW_UP = "You said it went well. What changed for the infra team, in numbers?"


@pytest.fixture
def fixed_session_id(monkeypatch):
    monkeypatch.setattr(engine, "new_session_id", lambda: "20260101-000000-snap")


def make_app(fake_model, **kw):
    settings = Settings(backend="fake", **kw)
    corpus = default_corpus()
    interview = Interview.start(settings, corpus, None, seed=1, retriever=LexicalRetriever(corpus))
    return InterviewApp(settings, interview=interview, model_factory=lambda: fake_model)


async def settle(pilot):
    """Workers done (model loaded, answer streamed, grade written), then a steady cursor."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for box in pilot.app.query(ChatInput):
        box.cursor_blink = False
    await pilot.pause()


async def type_answer(pilot, text):
    """Typed key by key (about 60 ms a key under Pilot), then Enter sends."""
    await pilot.press(*text, "enter")
    await settle(pilot)


async def answer(pilot, text):
    """Inserted at once, as tests/test_app.py does, then Enter sends."""
    pilot.app.query_one(ChatInput).insert(text)
    await pilot.press("enter")
    await settle(pilot)


def visible_messages(app):
    return [m for m in app.screen.query(TooSmall) if m.display]


# ----- snapshots ----------------------------------------------------------------------------------
def test_snapshot_opening_question(fake_model, fixed_session_id, snap_compare):
    app = make_app(fake_model)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_snapshot_answer_and_follow_up(fake_model, fixed_session_id, snap_compare):
    fake_model.replies = [FOLLOW_UP]
    app = make_app(fake_model)

    async def run_before(pilot):
        await type_answer(pilot, ANSWER)
        assert [m.raw for m in app.query(ChatMessage)][1:] == [ANSWER, FOLLOW_UP]

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_practice_mode_hint(fake_model, fixed_session_id, snap_compare):
    fake_model.replies = [FOLLOW_UP]
    app = make_app(fake_model, mode="practice")

    async def run_before(pilot):
        await answer(pilot, ANSWER)
        assert app.query("Hint")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_report_after_end_round_and_grade(fake_model, fixed_session_id, snap_compare):
    fake_model.replies = [FOLLOW_UP]
    fake_model.default = '{"quotes": []}'
    app = make_app(fake_model)

    async def run_before(pilot):
        await answer(pilot, "I offered two engineers in exchange for the API freeze in week 4.")
        app.action_end_round()
        await settle(pilot)
        app.action_grade()
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_terminal_too_small(fake_model, fixed_session_id, snap_compare):
    app = make_app(fake_model)
    assert snap_compare(app, terminal_size=(50, 12), run_before=settle)


# ----- the minimum size under Pilot ---------------------------------------------------------------
def test_too_small_at_start_shows_the_message_then_the_layout_returns(fake_model):
    fake_model.replies = [FOLLOW_UP]
    app = make_app(fake_model)

    async def scenario():
        async with app.run_test(size=(50, 12)) as pilot:
            await settle(pilot)
            [message] = visible_messages(app)
            assert str(message.render()).startswith("Terminal too small: need at least 60×16, have 50×12")
            assert not app.query_one("#chat").display and not app.query_one(ChatInput).display
            assert app.focused is not app.query_one(ChatInput)
            await pilot.press(*"lost", "enter")  # nothing can be typed into the hidden box
            assert app.query_one(ChatInput).text == ""

            await pilot.resize_terminal(*SIZE)
            await pilot.pause()
            assert not visible_messages(app)
            assert app.query_one("#chat").display and app.query_one(ChatInput).display
            assert app.focused is app.query_one(ChatInput)
            await answer(pilot, ANSWER)
            assert [m.raw for m in app.query(ChatMessage)][1:] == [ANSWER, FOLLOW_UP]

    asyncio.run(scenario())


@pytest.mark.parametrize("small", [(59, 30), (100, 15)])
def test_shrinking_keeps_the_session_and_restores_it(fake_model, small):
    fake_model.replies = [FOLLOW_UP]
    app = make_app(fake_model)

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            box = app.query_one(ChatInput)
            box.insert("We aligned with infra and then")
            await pilot.pause()
            assert not visible_messages(app)

            await pilot.resize_terminal(*small)
            await pilot.pause()
            [message] = visible_messages(app)
            assert f"have {small[0]}×{small[1]}" in str(message.render())
            assert not app.query_one("#status").display and app.focused is None

            await pilot.resize_terminal(55, 14)  # still too small: the size shown follows
            await pilot.pause()
            assert "have 55×14" in str(visible_messages(app)[0].render())

            await pilot.resize_terminal(60, 16)  # exactly the minimum is enough
            await pilot.pause()
            assert not visible_messages(app)
            assert app.focused is box and box.text == "We aligned with infra and then"
            assert len(app.query(ChatMessage)) == 1 and app.interview.transcript.turns[-1].role == "interviewer"
            await pilot.press("enter")
            await settle(pilot)
            assert [m.raw for m in app.query(ChatMessage)][1:] == ["We aligned with infra and then", FOLLOW_UP]

    asyncio.run(scenario())


def test_report_screen_is_guarded_too(fake_model):
    fake_model.default = '{"quotes": []}'
    app = make_app(fake_model)

    async def scenario():
        async with app.run_test(size=SIZE) as pilot:
            await answer(pilot, "I offered two engineers in exchange for the API freeze in week 4.")
            app.action_grade()
            await settle(pilot)
            assert isinstance(app.screen, ReportScreen)
            await pilot.resize_terminal(40, 10)
            await pilot.pause()
            [message] = visible_messages(app)
            assert "have 40×10" in str(message.render())
            assert not app.screen.query_one("#report").parent.display
            await pilot.resize_terminal(*SIZE)
            await pilot.pause()
            assert not visible_messages(app) and app.screen.query_one("#report").parent.display
            await pilot.press("escape")
            await pilot.pause()
            assert not isinstance(app.screen, ReportScreen)

    asyncio.run(scenario())


def test_snapshot_session_picker(home, snap_compare):
    from datetime import datetime, timezone

    from interviewer.app.picker import SessionPicker
    from interviewer.store import SessionWriter
    from interviewer.transcript import Transcript, Turn

    for i, rnd in enumerate(["bar_raiser", "program_design"]):
        t = Transcript(id=f"2026110{i + 1}-090000-000{i}", round=rnd,
                       created=datetime(2026, 11, i + 1, 9, 0, tzinfo=timezone.utc))
        with SessionWriter.create(t) as w:
            w.append_turn(Turn(role="interviewer", text="Q?"))
            w.append_turn(Turn(role="candidate", text="A."))
            if i == 0:
                w.append_grade({"vote": "inclined_to_hire"})
    assert snap_compare(SessionPicker(), terminal_size=SIZE)


def test_snapshot_replay(snap_compare):
    from interviewer.app.replay import ReplayApp
    from tests.test_replay import transcript

    grade = {"vote": "inclined_not_to_hire",
             "scores": {"influence_mechanism": {"evidence": [{"turn": 3, "quote": "I offered two engineers"}]}}}
    assert snap_compare(ReplayApp(transcript(), grade), press=["j", "j"], terminal_size=(120, 30))
