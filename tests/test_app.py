"""The terminal app under textual's Pilot, with the fake model in the backend seam."""

import asyncio

from interviewer.app.main import InterviewApp, ReportScreen
from interviewer.app.widgets import ChatInput, ChatMessage
from interviewer.config import Settings
from interviewer.corpus import default_corpus
from interviewer.interview.engine import Interview
from interviewer.interview.realizer import PROBLEM_OFF_TARGET
from interviewer.retrieval import LexicalRetriever
from interviewer.store import load_session


def make_app(fake_model, **kw):
    settings = Settings(backend="fake", **kw)
    corpus = default_corpus()
    interview = Interview.start(settings, corpus, None, seed=1, retriever=LexicalRetriever(corpus))
    return InterviewApp(settings, interview=interview, model_factory=lambda: fake_model)


async def answer(app, pilot, text):
    box = app.query_one(ChatInput)
    box.insert(text)
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


def test_opening_question_then_streamed_follow_up_saved(fake_model):
    fake_model.replies = ["You said it went well. What changed for the infra team, in numbers?"]
    app = make_app(fake_model)

    async def scenario():
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            messages = app.query(ChatMessage)
            assert len(messages) == 1 and messages[0].role == "interviewer"
            await answer(app, pilot, "We aligned with infra and it went well.")
            texts = [(m.role, m.raw) for m in app.query(ChatMessage)]
            assert texts[1] == ("candidate", "We aligned with infra and it went well.")
            assert texts[2] == ("interviewer", "You said it went well. What changed for the infra team, in numbers?")
            assert app.query_one(ChatInput).text == ""
            await pilot.press("ctrl+q")

    asyncio.run(scenario())
    saved = load_session(app.interview.writer.path).transcript
    assert [t.role for t in saved.turns] == ["interviewer", "candidate", "interviewer"]
    assert saved.turns[2].probe_target is not None


def test_ctrl_j_adds_a_new_line_instead_of_sending(fake_model):
    app = make_app(fake_model)

    async def scenario():
        async with app.run_test(size=(100, 30)) as pilot:
            box = app.query_one(ChatInput)
            box.insert("first line")
            await pilot.press("ctrl+j")
            box.insert("second line")
            await pilot.pause()
            assert box.text == "first line\nsecond line"
            assert len(app.query(ChatMessage)) == 1

    asyncio.run(scenario())


def test_practice_mode_shows_the_hint(fake_model):
    app = make_app(fake_model, mode="practice")

    async def scenario():
        async with app.run_test(size=(100, 30)) as pilot:
            await answer(app, pilot, "We aligned with infra and it went well.")
            hints = [str(h.render()) for h in app.query("Hint")]
            assert hints and "Hint:" in hints[0]

    asyncio.run(scenario())


def test_end_round_then_grade_shows_the_report(fake_model):
    fake_model.default = '{"quotes": []}'
    app = make_app(fake_model)

    async def scenario():
        async with app.run_test(size=(100, 30)) as pilot:
            await answer(app, pilot, "I offered two engineers in exchange for the API freeze in week 4.")
            app.action_end_round()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.interview.finished
            assert "questions do you have" in app.query(ChatMessage)[-1].raw
            app.action_grade()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, ReportScreen)
            assert "Mock loop assessment" in app.screen.markdown

    asyncio.run(scenario())
    assert load_session(app.interview.writer.path).grades, "the grade is saved in the session"


def test_model_that_fails_to_load_is_said_on_screen(fake_model):
    from interviewer.errors import BackendUnavailable

    def broken():
        raise BackendUnavailable("cannot reach http://127.0.0.1:9; fix: start the server")

    app = make_app(fake_model)
    app.model_factory = broken

    async def scenario():
        async with app.run_test(size=(100, 30)) as pilot:
            await answer(app, pilot, "We aligned with infra.")
            notice = str(app.query_one("#notice").render())
            assert "could not be loaded" in notice
            follow = app.query(ChatMessage)[-1]
            assert follow.role == "interviewer" and follow.raw.endswith("?")

    asyncio.run(scenario())


def test_candidate_text_with_brackets_is_not_markup(fake_model):
    fake_model.default = "What did you offer [them]?"
    app = make_app(fake_model, mode="practice")

    async def scenario():
        async with app.run_test(size=(100, 30)) as pilot:
            await answer(app, pilot, "We worked with the [bold]infra[/bold] team and aligned [on] it.")
            hint = str(app.query("Hint")[0].render())
            assert "[bold]infra[/bold]" in hint  # shown as typed, not styled
            assert app.query(ChatMessage)[1].raw.startswith("We worked with the [bold]infra[/bold]")

    asyncio.run(scenario())


def test_an_error_whose_text_has_brackets_is_shown_as_text(fake_model, monkeypatch):
    """An exception's text ("[type=missing, ...]" from pydantic) is not markup: shown as it is, the app
    keeps running (read as markup, the notice itself raised)."""
    app = make_app(fake_model)

    def broken(*args, **kwargs):
        raise ValueError("2 validation errors for TargetModel [type=missing, input_value={'v': 1}]")

    async def scenario():
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            monkeypatch.setattr(app.interview, "answer", broken)
            await answer(app, pilot, "We aligned with infra.")
            await pilot.pause()
            assert any("[type=missing" in n.message for n in app._notifications)
            await pilot.pause(0.3)
            # The notice is drawn with its text as it is (read as markup, drawing it raised).
            assert "[type=missing" in app.export_screenshot().replace("&#160;", " ")

    asyncio.run(scenario())


def test_resumed_session_replies_to_the_saved_answer_first(fake_model):
    from interviewer.store import SessionWriter, load_session
    from interviewer.transcript import Transcript, Turn

    fake_model.replies = ["What exactly did you give the infra team?"]
    settings = Settings(backend="fake")
    corpus = default_corpus()
    t = Transcript(id="20261128-000000-abcd", round="bar_raiser", meta={"seed": 1})
    with SessionWriter.create(t) as w:
        opening = next(q for q in corpus.questions if q.id == "br-001")  # the bank's own text, as a session saves it
        w.append_turn(Turn(role="interviewer", kind="opening", text=opening.text, question_id=opening.id))
        w.append_turn(Turn(role="candidate", kind="answer", text="We aligned with infra and it went well."))
        path = w.path
    loaded = load_session(path)
    interview = Interview(loaded.transcript, corpus=corpus, settings=settings, model=None,
                          writer=SessionWriter.resume(path), retriever=LexicalRetriever(corpus))
    app = InterviewApp(settings, interview=interview, model_factory=lambda: fake_model)

    async def scenario():
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.query(ChatMessage)[-1].raw == "What exactly did you give the infra team?"
            assert not app.query_one(ChatInput).disabled

    asyncio.run(scenario())
    interview.close()
    assert [x.role for x in load_session(path).transcript.turns] == ["interviewer", "candidate", "interviewer"]


def test_copy_commands_put_text_on_the_clipboard(fake_model):
    fake_model.replies = ["What did you trade?"]
    app = make_app(fake_model)

    async def scenario():
        async with app.run_test(size=(100, 30)) as pilot:
            await answer(app, pilot, "We aligned with infra.")
            app.action_copy_last()
            assert app.clipboard == "What did you trade?"
            app.action_copy_transcript()
            assert app.clipboard.startswith("**Interviewer:** ") and "**Candidate:** We aligned with infra." in app.clipboard

    asyncio.run(scenario())


def test_report_screen_exports_markdown_and_html(fake_model, tmp_path, monkeypatch):
    from interviewer.app.main import ReportApp
    from interviewer.grading.grader import grade_transcript
    from interviewer.grading.rubric import load_rubric
    from interviewer.importers import parse_plain_text

    monkeypatch.chdir(tmp_path)
    t = parse_plain_text("Interviewer: Tell me.\nCandidate: I offered <b>two</b> engineers in week 3.\n", name="x.txt")
    app = ReportApp(grade_transcript(t, load_rubric(), None))

    async def scenario():
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("m", "h", "h")
            await pilot.pause()
            await pilot.press("escape")

    asyncio.run(scenario())
    names = sorted(p.name for p in tmp_path.glob("interviewer-report-*"))
    assert names == ["interviewer-report-x-1.html", "interviewer-report-x.html", "interviewer-report-x.md"]
    assert "&lt;b&gt;two&lt;/b&gt;" in (tmp_path / "interviewer-report-x.html").read_text()


def test_resuming_a_damaged_session_opens_what_can_be_read_and_says_what_not(fake_model):
    from interviewer.store import SessionWriter, load_session
    from interviewer.transcript import Transcript, Turn

    settings = Settings(backend="fake")
    corpus = default_corpus()
    t = Transcript(id="20261128-000000-dmg0", round="bar_raiser", meta={"seed": 1})
    with SessionWriter.create(t) as w:
        opening = next(q for q in corpus.questions if q.id == "br-001")  # the bank's own text, as a session saves it
        w.append_turn(Turn(role="interviewer", kind="opening", text=opening.text, question_id=opening.id))
        path = w.path
    with path.open("ab") as fh:
        fh.write(b'{"v": 1, "event": "turn", "turn": {"role": "cand')  # torn by a crash
    loaded = load_session(path)
    interview = Interview(loaded.transcript, corpus=corpus, settings=settings, model=None,
                          writer=SessionWriter.resume(path), retriever=LexicalRetriever(corpus))
    app = InterviewApp(settings, interview=interview, model_factory=lambda: fake_model,
                       resume_problems=loaded.problems)

    async def scenario():
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert [m.raw for m in app.query(ChatMessage)] == [opening.text]
            notes = [n.message for n in app._notifications]
            assert any("damaged session" in n and "line 3" in n for n in notes)

    asyncio.run(scenario())
    interview.close()


def test_a_retried_follow_up_replaces_the_rejected_stream(fake_model):
    drift = "How did the infra director's plan compare to the payments director's view?"
    final = "What exactly did you offer infra in return, and when?"
    fake_model.replies = [drift, final]
    app = make_app(fake_model)
    shown: list[str] = []
    show = app._show_stream

    async def spy(text):
        shown.append(text)
        await show(text)

    app._show_stream = spy

    async def scenario():
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await answer(app, pilot, "We aligned with the infra team and they came around.")
            assert [m.raw for m in app.query(ChatMessage)][-1] == final
            await pilot.press("ctrl+q")

    asyncio.run(scenario())
    assert drift in shown  # the first try streamed...
    after = shown[shown.index(drift) + 1:]
    assert after[0] == "…" and after[-1] == final  # ...then the screen cleared and the second try streamed
    assert not any(drift in text for text in after)
    saved = load_session(app.interview.writer.path).transcript.turns[2]
    assert saved.retried and saved.retry_reasons == [PROBLEM_OFF_TARGET]
