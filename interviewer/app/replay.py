"""`interviewer replay FILE`: step through a transcript; for every follow-up, the planner's decision
and why it was asked; the turns the grade cites are marked."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, ListItem, ListView, Markdown, Static

from ..transcript import Transcript


def turn_detail(transcript: Transcript, index: int, cited: dict[int, list[str]],
                concerns: dict[int, list[str]] | None = None) -> str:
    turn = transcript.turns[index]
    lines = [f"### Turn {index} · {turn.role}", "", turn.text, ""]
    d = turn.decision
    if turn.role == "interviewer" and d is not None:
        lines += ["---", f"**Planner:** {d.action.replace('_', ' ')}"
                  + (f" → probe **{d.probe_target.replace('_', ' ')}**" if d.probe_target else ""), "",
                  f"**Why:** {d.why}", ""]
        if d.present:
            lines += [f"On the table: {', '.join(x.replace('_', ' ') for x in d.present)}", ""]
        if d.missing:
            lines += [f"Still missing: {', '.join(x.replace('_', ' ') for x in d.missing)}", ""]
        if d.evasion:
            lines += ["**Evasion noted** (asked twice without an answer)", ""]
        reasons = getattr(turn, "retry_reasons", None) or []
        if reasons:  # the model's earlier tries, rejected by the validator
            lines += [f"Model tries rejected before this one: {'; '.join(reasons)}.", ""]
        if turn.fallback:
            lines += [f"Asked from the probe library ({getattr(turn, 'fallback_reason', None) or 'fallback'}).", ""]
    if index in cited:
        lines += ["", "---", "**Cited by the grade as evidence for:** "
                  + ", ".join(x.replace("_", " ") for x in cited[index])]
    if concerns and index in concerns:
        lines += ["", "**Noted by the grade as a concern:**", *(f"- {c}" for c in concerns[index])]
    return "\n".join(lines)


class ReplayApp(App):
    TITLE = "interviewer replay"
    CSS = """
    #turns { width: 40%; border-right: solid $accent; }
    #detail { width: 60%; padding: 0 1; }
    ListItem.cited { background: $success 20%; }
    """
    BINDINGS = [Binding("ctrl+q,q", "quit", "Quit"), Binding("j", "next", "Next"), Binding("k", "prev", "Previous")]

    def __init__(self, transcript: Transcript, grade: dict | None = None, problems: list[str] | None = None) -> None:
        super().__init__()
        self.transcript = transcript
        self.cited: dict[int, list[str]] = {}
        self.concerns: dict[int, list[str]] = {}
        for dim, data in ((grade or {}).get("scores") or {}).items():
            for q in data.get("evidence", []):
                self.cited.setdefault(int(q["turn"]), []).append(dim)
            for c in data.get("concerns", []):  # absent from grades made before concerns existed
                self.concerns.setdefault(int(c["turn"]), []).append(f"{dim.replace('_', ' ')}: {c['signal']}")
        self.problems = problems or []
        self.sub_title = f"{transcript.id} · {transcript.round.replace('_', ' ')}" + (
            f" · vote: {grade['vote'].replace('_', ' ')}" if grade else " · not graded")

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            items = []
            for i, t in enumerate(self.transcript.turns):
                label = f"{i:>2} {'IV' if t.role == 'interviewer' else 'C '} "
                if t.probe_target:
                    label += f"[{t.probe_target}] "
                label += t.text.replace("\n", " ")[:60]
                items.append(ListItem(Static(label, markup=False), classes="cited" if i in self.cited else ""))
            yield ListView(*items, id="turns")
            with VerticalScroll(id="detail"):
                yield Markdown(id="detail-text")
        yield Footer()

    def on_mount(self) -> None:
        for p in self.problems:
            self.notify(f"damaged session: {p}", severity="warning", timeout=10, markup=False)
        self.query_one(ListView).focus()
        self.show(0)

    def show(self, index: int) -> None:
        if self.transcript.turns:
            self.query_one("#detail-text", Markdown).update(turn_detail(self.transcript, index, self.cited, self.concerns))

    def on_list_view_highlighted(self, event: ListView.Highlighted) -> None:
        if event.list_view.index is not None:
            self.show(event.list_view.index)

    def action_next(self) -> None:
        self.query_one(ListView).action_cursor_down()

    def action_prev(self) -> None:
        self.query_one(ListView).action_cursor_up()
