"""The mock loop in the terminal: the opening question at once, the model loading behind it,
follow-ups streamed as they are generated, every turn saved the moment it exists."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static

from ..config import Settings
from ..errors import InterviewerError
from ..transcript import Turn
from .widgets import ChatInput, ChatMessage, Hint, TooSmall, too_small

ROUND_TITLES = {"bar_raiser": "Bar Raiser", "leadership_principles": "Leadership Principles",
                "program_design": "Program design"}


def export_report(report, fmt: str, folder: Path | None = None) -> Path:
    """Write the report as Markdown or HTML next to the user, never over an existing file."""
    from ..grading.report import to_html, to_markdown
    from ..store import write_atomic

    folder = folder or Path.cwd()
    suffix = {"markdown": "md", "html": "html"}[fmt]
    path = folder / f"interviewer-report-{report.transcript_id}.{suffix}"
    n = 1
    while path.exists():
        path = folder / f"interviewer-report-{report.transcript_id}-{n}.{suffix}"
        n += 1
    write_atomic(path, to_markdown(report) if fmt == "markdown" else to_html(report), mode=0o600)
    return path


class ReportScreen(Screen):
    DEFAULT_CLASSES = "-size-guarded"
    BINDINGS = [Binding("escape", "back", "Back"), Binding("m", "export('markdown')", "Export Markdown"),
                Binding("h", "export('html')", "Export HTML"), Binding("ctrl+q", "app.quit", "Quit")]

    def __init__(self, markdown: str, report=None, *, standalone: bool = False) -> None:
        super().__init__()
        self.markdown = markdown
        self.report = report
        self.standalone = standalone  # `interviewer grade` in a terminal: Back leaves the app

    def action_back(self) -> None:
        if self.standalone:
            self.app.exit()
        else:
            self.app.pop_screen()

    def action_export(self, fmt: str) -> None:
        if self.report is None:
            return
        self.notify(f"Exported to {export_report(self.report, fmt)}", markup=False)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(self.markdown, id="report")
        yield Footer()
        yield TooSmall()


class InterviewApp(App):
    TITLE = "interviewer"
    CSS = """
    #status { dock: top; height: 1; background: $primary; color: $text; padding: 0 1; }
    #chat { height: 1fr; }
    ChatInput { dock: bottom; height: 6; margin: 0 1; }
    #notice { dock: bottom; height: auto; color: $warning; padding: 0 1; }
    /* Below the minimum size the screens we own show one message instead of a broken layout; the
       widgets stay mounted (hidden), so the conversation and any worker carry on untouched. */
    InterviewApp.-too-small Screen.-size-guarded > * { display: none; }
    InterviewApp.-too-small Screen.-size-guarded > TooSmall { display: block; }
    """
    BINDINGS = [Binding("ctrl+q", "quit", "Quit (saved)", priority=True)]

    def __init__(self, settings: Settings, *, interview=None, model_factory=None, resume_problems=(),
                 index_factory=None) -> None:
        super().__init__()
        self.settings = settings
        self.interview = interview
        self.model_factory = model_factory
        self.index_factory = index_factory
        self.resume_problems = list(resume_problems)
        self.model = None
        self.model_error: str | None = None
        self.model_ready = threading.Event()
        self.practice = interview.transcript.meta.get("mode", settings.mode) == "practice" if interview else False
        self._engine_lock = threading.Lock()
        self._streaming: ChatMessage | None = None
        self._too_small = False
        self._focus_before_small = None

    # ----- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="status", markup=False)
        yield VerticalScroll(id="chat")
        yield Static(id="notice", markup=False)  # messages carry user text and URLs: never markup
        yield ChatInput(id="input", show_line_numbers=False)
        yield Footer()
        yield TooSmall()

    async def on_mount(self) -> None:
        self.screen.add_class("-size-guarded")
        chat = self.query_one("#chat", VerticalScroll)
        for turn in self.interview.transcript.turns:
            await chat.mount(ChatMessage(turn.role, turn.text))
        if not self.interview.transcript.turns:
            turn = self.interview.opening()
            await chat.mount(ChatMessage(turn.role, turn.text))
        for problem in self.resume_problems:
            self.notify(f"damaged session: {problem}", severity="warning", timeout=10, markup=False)
        chat.scroll_end(animate=False)
        self.update_status()
        self.check_size(self.size.width, self.size.height)
        self.focus_input()
        # Both loaders below import numpy (llama.cpp's bindings and the grader's decoding; Chroma's
        # embeddings). Two threads importing it at once can hand one a partially initialised module
        # ("cannot import name 'NDArray'"), so it is imported once here, first.
        import numpy  # noqa: F401

        self.load_model()
        self.load_index()
        if self.interview.reply_pending:  # saved just before a crash or quit: reply to it first
            self._streaming = ChatMessage("interviewer", "…")
            await chat.mount(self._streaming)
            self.query_one(ChatInput).disabled = True
            self.answer_worker(None)
        if self.interview.finished:
            self.set_notice("This round has ended. Ctrl+P → Grade now, or Ctrl+Q to quit.")

    # ----- minimum terminal size ---------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        # Runs before App._on_resize, so self.size is still the old size here: use the event's.
        self.check_size(event.size.width, event.size.height)

    def check_size(self, width: int, height: int) -> None:
        """Below the minimum, hide the layout behind the TooSmall message and take the focus off the
        (hidden) answer box so no keystroke lands in it unseen; give it back when the size returns."""
        for screen in self.screen_stack:
            for message in screen.query(TooSmall):
                message.refresh()  # it shows the current size
        small = too_small(width, height)
        if small == self._too_small:
            return
        self._too_small = small
        self.set_class(small, "-too-small")
        if small:
            self._focus_before_small = self.focused
            self.screen.set_focus(None)
            return
        widget, self._focus_before_small = self._focus_before_small, None
        if widget is not None and widget.is_attached and widget.screen is self.screen:
            widget.focus()
        else:
            for box in self.screen.query(ChatInput):
                box.focus()

    def focus_input(self) -> None:
        """Focus the answer box, or remember it for when the terminal is big enough again."""
        box = self.query_one(ChatInput)
        if self._too_small:
            self._focus_before_small = box
        else:
            box.focus()

    def update_status(self) -> None:
        iv = self.interview
        parts = [ROUND_TITLES.get(iv.transcript.round, iv.transcript.round)]
        if iv.principles:
            names = [iv.corpus.principle(p).name for p in iv.principles if iv.corpus.principle(p)]
            parts.append("LPs: " + ", ".join(names))
        budget = iv.transcript.meta.get("time_budget_minutes", self.settings.time_budget_minutes)
        parts.append(f"time {iv.minutes_used:.0f}/{budget} min")
        parts.append(f"depth {iv.thread.depth}/{iv.transcript.meta.get('max_depth', self.settings.max_depth)}")
        parts.append("practice" if self.practice else "realistic")
        if not self.model_ready.is_set():
            parts.append("loading model…")
        self.query_one("#status", Static).update(" · ".join(parts))

    def set_notice(self, text: str) -> None:
        self.query_one("#notice", Static).update(text)

    # ----- background loading -------------------------------------------------------------------
    @work(thread=True, group="load")
    def load_model(self) -> None:
        try:
            self.model = self.model_factory() if self.model_factory else None
            self.interview.realizer.model = self.model
        except InterviewerError as exc:
            self.model_error = str(exc)
            self.call_from_thread(self.set_notice, f"The model could not be loaded: {exc}. "
                                                   "Follow-ups now come from the probe library.")
        finally:
            self.model_ready.set()
            self.call_from_thread(self.update_status)

    @work(thread=True, group="load")
    def load_index(self) -> None:
        if self.index_factory is None:
            return
        try:
            retriever = self.index_factory()
        except Exception as exc:  # the lexical ranker keeps working; say so
            self.call_from_thread(self.notify, f"corpus index unavailable ({type(exc).__name__}); "
                                               "using lexical probe ranking", severity="warning")
            return
        self.interview.realizer.retriever = retriever

    # ----- the conversation ---------------------------------------------------------------------
    @on(ChatInput.Submitted)
    async def on_answer(self, event: ChatInput.Submitted) -> None:
        if self.interview.finished:
            self.notify("This round has ended: Ctrl+P → Grade now.")
            return
        chat = self.query_one("#chat", VerticalScroll)
        await chat.mount(ChatMessage("candidate", event.text))
        self._streaming = ChatMessage("interviewer", "…")
        await chat.mount(self._streaming)
        chat.scroll_end(animate=False)
        self.query_one(ChatInput).disabled = True
        self.answer_worker(event.text)

    @work(thread=True, group="engine")
    def answer_worker(self, text: str | None) -> None:
        """Answer `text`, or (None) reply to the answer already saved."""
        self.model_ready.wait(timeout=600)
        streamed: list[str] = []

        def on_token(piece: str | None) -> None:
            if piece is None:  # the model's first question was rejected; a second try streams
                streamed.clear()
            else:
                streamed.append(piece)
            self.call_from_thread(self._show_stream, "".join(streamed) or "…")

        with self._engine_lock:
            try:
                turn = (self.interview.answer(text, on_token=on_token) if text is not None
                        else self.interview.reply_if_pending(on_token=on_token))
            except Exception as exc:  # noqa: BLE001 - shown to the user, the session file is intact
                # markup=False: an error's text ("[type=missing]") is not Rich markup; read as markup it raised in turn.
                self.call_from_thread(self.notify, f"error: {exc}", severity="error", markup=False)
                return
        self.call_from_thread(self._show_turn, turn)

    async def _show_stream(self, text: str) -> None:
        if self._streaming is not None:
            await self._streaming.set_text(text)
            self.query_one("#chat", VerticalScroll).scroll_end(animate=False)

    async def _show_turn(self, turn: Turn) -> None:
        chat = self.query_one("#chat", VerticalScroll)
        if self._streaming is not None:
            await self._streaming.set_text(turn.text)
            self._streaming = None
        if self.model_error is not None:
            self.set_notice(f"The model could not be loaded: {self.model_error}. "
                            "Follow-ups come from the probe library.")
        elif turn.fallback and getattr(turn, "fallback_reason", None):
            self.set_notice(f"This follow-up came from the probe library ({turn.fallback_reason}).")
        elif self.model_error is None:
            self.set_notice("")
        if self.practice and turn.decision is not None and turn.decision.why:
            await chat.mount(Hint(f"Hint: {turn.decision.why}"))
        chat.scroll_end(animate=False)
        self.update_status()
        self.query_one(ChatInput).disabled = False
        self.focus_input()
        if self.interview.finished and turn.role == "candidate":
            self.set_notice("Round complete. Grading…")
            self.grade_worker()

    # ----- commands (Ctrl+P) --------------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("End round", "Close the round now and invite your questions", self.action_end_round)
        yield SystemCommand("Skip question", "Move on to another opening question", self.action_skip)
        yield SystemCommand("Toggle practice mode", "Show what each answer was missing", self.action_toggle_practice)
        yield SystemCommand("Grade now", "Grade the transcript so far", self.action_grade)
        yield SystemCommand("Export", "Write the transcript as JSON to the current folder", self.action_export)
        yield SystemCommand("Copy last question", "Copy the interviewer's last question to the clipboard",
                            self.action_copy_last)
        yield SystemCommand("Copy transcript", "Copy the whole conversation as Markdown to the clipboard",
                            self.action_copy_transcript)

    def action_toggle_practice(self) -> None:
        self.practice = not self.practice
        self.update_status()
        self.notify(f"{'Practice' if self.practice else 'Realistic'} mode")

    def action_skip(self) -> None:
        self._engine_action("skip")

    def action_end_round(self) -> None:
        self._engine_action("end_round")

    @work(thread=True, group="engine")
    def _engine_action(self, name: str) -> None:
        with self._engine_lock:
            if self.interview.finished:
                self.call_from_thread(self.notify, "This round has already ended.")
                return
            turn = getattr(self.interview, name)()
        self.call_from_thread(self._append_turn, turn)

    async def _append_turn(self, turn: Turn) -> None:
        await self.query_one("#chat", VerticalScroll).mount(ChatMessage(turn.role, turn.text))
        self.query_one("#chat", VerticalScroll).scroll_end(animate=False)
        self.update_status()

    def action_grade(self) -> None:
        if not self.interview.transcript.candidate_turns():
            self.notify("Nothing to grade yet: answer a question first.")
            return
        self.set_notice("Grading…")
        self.grade_worker()

    @work(thread=True, group="grade", exclusive=True)
    def grade_worker(self) -> None:
        from ..grading.grader import grade_transcript
        from ..grading.report import to_markdown
        from ..grading.rubric import load_rubric

        self.model_ready.wait(timeout=600)
        with self._engine_lock:
            report = grade_transcript(self.interview.transcript, load_rubric(), self.model)
            if self.interview.writer:
                self.interview.writer.append_grade(report.model_dump(mode="json"))
        self.call_from_thread(self.set_notice, f"Vote: {report.vote.replace('_', ' ')}")
        self.call_from_thread(self.push_screen, ReportScreen(to_markdown(report), report))

    def transcript_markdown(self) -> str:
        lines = []
        for turn in self.interview.transcript.turns:
            lines += [f"**{turn.role.capitalize()}:** {turn.text}", ""]
        return "\n".join(lines)

    def action_copy_last(self) -> None:
        last = next((t for t in reversed(self.interview.transcript.turns) if t.role == "interviewer"), None)
        if last is not None:
            # OSC 52: works over SSH and in most terminals (tmux needs set-clipboard on).
            self.copy_to_clipboard(last.text)
            self.notify("Copied the last question")

    def action_copy_transcript(self) -> None:
        self.copy_to_clipboard(self.transcript_markdown())
        self.notify(f"Copied {len(self.interview.transcript.turns)} turns as Markdown")

    def action_export(self) -> None:
        from ..store import write_atomic

        stem = f"interviewer-{self.interview.transcript.id}"
        path = Path.cwd() / f"{stem}.json"
        n = 1
        while path.exists():  # never overwrite a file the user has
            path = Path.cwd() / f"{stem}-{n}.json"
            n += 1
        write_atomic(path, self.interview.transcript.to_json() + "\n", mode=0o600)
        self.notify(f"Exported to {path}", markup=False)

    async def action_quit(self) -> None:
        self.interview.close()
        self.exit(0)


class ReportApp(App):
    """`interviewer grade FILE` in a terminal: the report screen on its own."""

    TITLE = "interviewer report"

    def __init__(self, report) -> None:
        super().__init__()
        self.report = report

    def on_mount(self) -> None:
        from ..grading.report import to_markdown

        self.push_screen(ReportScreen(to_markdown(self.report), self.report, standalone=True))


def run_app(settings: Settings, *, resume: str | None = None, principles=None, seed=None, pick: bool = True,
            question: str | None = None) -> int:
    """Cheap checks before the UI (so a missing model is exit 3 and one line), then the app."""
    from ..corpus import default_corpus
    from ..interview.engine import Interview
    from ..llm import get_model
    from ..retrieval import LexicalRetriever
    from ..store import SessionWriter, list_sessions, load_session, resolve_session

    if settings.backend == "local" and settings.model_path is None:
        from ..llm.model_file import ensure_model

        ensure_model()  # joins the chunks on first use (a few seconds); raises with the fix if missing
    elif settings.backend not in ("local", "openai"):
        get_model(settings)  # an unknown backend is a usage error before any UI
    corpus = default_corpus()
    problems: list[str] = []
    if not resume and pick and list_sessions():
        from .picker import NEW, SessionPicker

        choice = SessionPicker(round_name=settings.round).run()
        if choice is None:
            return 0
        if choice != NEW:
            resume = choice
    if resume:
        path = resolve_session(resume)
        loaded = load_session(path)
        problems = loaded.problems
        interview = Interview(loaded.transcript, corpus=corpus, settings=settings, model=None,
                              writer=SessionWriter.resume(path), retriever=LexicalRetriever(corpus))
    else:
        interview = Interview.start(settings, corpus, None, principles=principles, seed=seed,
                                    retriever=LexicalRetriever(corpus), question=question)

    def index_factory():
        from ..retrieval.index import CorpusIndex, VectorRetriever

        index = CorpusIndex(settings, corpus)
        index.ensure()
        return VectorRetriever(index)

    app = InterviewApp(settings, interview=interview, model_factory=lambda: get_model(settings),
                       resume_problems=problems, index_factory=index_factory)
    try:
        app.run()
    finally:
        interview.close()
        if app.model is not None:
            app.model.close()
    print(f"session {interview.transcript.id} saved in {interview.writer.path if interview.writer else '-'}")
    return 0
