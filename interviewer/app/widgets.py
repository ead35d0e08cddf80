"""Widgets of the loop screen: the chat input and the messages."""

from __future__ import annotations

from textual import events
from textual.app import RenderResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Markdown, Static, TextArea


class ChatInput(TextArea):
    """Enter sends; Ctrl+J (or Shift+Enter / Alt+Enter where the terminal reports them) adds a new line.

    Pasted text keeps its line breaks: a paste arrives as one event, not as Enter presses.
    Enter is handled in the widget's own key handler, not as a priority binding: a priority binding
    runs ahead of keys still queued for the widget, which sent half-typed answers.
    """

    BINDINGS = [
        Binding("enter", "submit", "Send"),  # shown in the footer; handled in _on_key, in order
        Binding("ctrl+j,shift+enter,alt+enter", "newline", "New line", key_display="Ctrl+J"),
    ]

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.prevent_default()
            event.stop()
            self.action_submit()
            return
        await super()._on_key(event)

    class Submitted(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def action_submit(self) -> None:
        text = self.text.strip()
        if text:
            self.post_message(self.Submitted(text))
            self.clear()

    def action_newline(self) -> None:
        self.insert("\n")


class ChatMessage(Markdown):
    """One turn. The interviewer's text streams into it as it is generated."""

    DEFAULT_CSS = """
    ChatMessage { margin: 0 1 1 1; padding: 0 1; }
    ChatMessage.interviewer { border-left: thick $accent; }
    ChatMessage.candidate { border-left: thick $success; background: $boost; }
    ChatMessage > MarkdownBlock:last-child { margin-bottom: 0; }  /* the bar ends with the text */
    """

    def __init__(self, role: str, text: str = "") -> None:
        super().__init__(text, classes=role)
        self.role = role
        self.raw = text

    async def set_text(self, text: str) -> None:
        self.raw = text
        await self.update(text)


class Hint(Static):
    """The practice-mode hint; it quotes the candidate's words, so it is never read as markup."""

    DEFAULT_CSS = "Hint { color: $text-muted; margin: 0 2 1 2; text-style: italic; }"

    def __init__(self, text: str) -> None:
        super().__init__(text, markup=False)


MIN_WIDTH, MIN_HEIGHT = 60, 16


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


class TooSmall(Static):
    """Shown instead of the layout while the terminal is below the minimum size (see InterviewApp)."""

    DEFAULT_CSS = """
    TooSmall { display: none; width: 1fr; height: 1fr; content-align: center middle; text-align: center;
               color: $warning; text-style: bold; padding: 0 1; }
    """

    def render(self) -> RenderResult:
        width, height = self.app.size
        return (f"Terminal too small: need at least {MIN_WIDTH}×{MIN_HEIGHT}, have {width}×{height}\n\n"
                "Enlarge the window to continue. Your session is saved and nothing is lost.")
