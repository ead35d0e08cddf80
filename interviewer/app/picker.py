"""The session picker: shown by `interviewer loop` when saved sessions exist, and by
`interviewer sessions` in a terminal. New session, resume, export, delete (with confirmation)."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Label, ListItem, ListView, Static

from ..store import SessionSummary, list_sessions, load_session, write_atomic

NEW = "__new__"


class Confirm(ModalScreen[bool]):
    BINDINGS = [Binding("y", "yes", "Yes"), Binding("n,escape", "no", "No")]
    DEFAULT_CSS = """
    Confirm { align: center middle; }
    Confirm > Vertical { width: 64; height: auto; border: thick $error; background: $surface; padding: 1 2; }
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False)
            yield Static("y: yes   n: no", markup=False)

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)


def describe(s: SessionSummary) -> str:
    when = s.created.strftime("%Y-%m-%d %H:%M") if s.created else "????-??-?? ??:??"
    status = (s.vote or s.ended or "open").replace("_", " ")
    damaged = f" · {s.problems} damaged line(s)" if s.problems else ""
    return f"{when}  {s.round.replace('_', ' '):<22} {s.turns:>3} turns  {status}{damaged}"


class SessionPicker(App[str | None]):
    """Returns NEW, a session path to resume, or None (quit)."""

    TITLE = "interviewer"
    SUB_TITLE = "sessions"
    BINDINGS = [Binding("enter", "open", "Open", show=True), Binding("e", "export", "Export"),
                Binding("d", "delete", "Delete"), Binding("q,ctrl+q", "quit_picker", "Quit")]

    def __init__(self, directory: Path | None = None, round_name: str = "bar_raiser") -> None:
        super().__init__()
        self.directory = directory
        self.round_name = round_name
        self.rows: list[SessionSummary] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("Enter opens · e exports to the current folder · d deletes", id="help")
        yield ListView(id="sessions")
        yield Footer()

    async def on_mount(self) -> None:
        await self.refresh_rows()
        self.query_one(ListView).focus()

    async def refresh_rows(self) -> None:
        self.rows = list_sessions(self.directory)
        view = self.query_one(ListView)
        await view.clear()
        await view.extend([ListItem(Static(f"+ New {self.round_name.replace('_', ' ')} session", markup=False))]
                          + [ListItem(Static(describe(row), markup=False)) for row in self.rows])
        view.index = 0

    def _selected(self) -> SessionSummary | None:
        index = self.query_one(ListView).index
        return None if not index else self.rows[index - 1]

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        self.action_open()

    def action_open(self) -> None:
        row = self._selected()
        self.exit(NEW if row is None else row.path)

    def action_export(self) -> None:
        row = self._selected()
        if row is None:
            return
        path = Path.cwd() / f"interviewer-{row.id}.json"
        n = 1
        while path.exists():
            path = Path.cwd() / f"interviewer-{row.id}-{n}.json"
            n += 1
        write_atomic(path, load_session(Path(row.path)).transcript.to_json() + "\n", mode=0o600)
        self.notify(f"Exported to {path}", markup=False)

    def action_delete(self) -> None:
        row = self._selected()
        if row is None:
            return

        async def done(yes: bool | None) -> None:
            if yes:
                Path(row.path).unlink(missing_ok=True)
                Path(row.path + ".lock").unlink(missing_ok=True)
                self.notify(f"Deleted session {row.id}")
                await self.refresh_rows()

        self.push_screen(Confirm(f"Delete session {row.id} ({row.turns} turns)? This cannot be undone."), done)

    def action_quit_picker(self) -> None:
        self.exit(None)
