"""The interface every chat backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any, Literal

from pydantic import BaseModel


class Message(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


def as_dicts(messages: Sequence[Message]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]


class ChatModel(ABC):
    """A chat model. Implementations must be safe to call from one worker thread at a time."""

    #: backend name as the user selects it ("local", "openai", ...)
    backend: str = "abstract"
    #: the most candidate words the grader shows this model (grading/condense.py); None: every word
    grade_words: int | None = None

    @property
    @abstractmethod
    def model_id(self) -> str:
        """What is recorded in grades and caches: backend and model, never a key or URL secret."""

    @abstractmethod
    def stream(self, messages: Sequence[Message], *, max_tokens: int = 256, temperature: float = 0.2,
               stop: Sequence[str] | None = None) -> Iterator[str]:
        """Yield the reply in pieces as they are generated."""

    def chat(self, messages: Sequence[Message], *, max_tokens: int = 256, temperature: float = 0.2,
             stop: Sequence[str] | None = None) -> str:
        return "".join(self.stream(messages, max_tokens=max_tokens, temperature=temperature, stop=stop))

    @abstractmethod
    def chat_json(self, messages: Sequence[Message], schema: dict[str, Any], *, max_tokens: int = 512,
                  temperature: float = 0.0) -> str:
        """Return raw JSON text, constrained to `schema` in whatever form this backend accepts."""

    def ping(self) -> str:
        """A tiny prompt that proves the backend answers (used by `interviewer doctor`)."""
        return self.chat([Message(role="user", content="Reply with the single word: ready")], max_tokens=8,
                         temperature=0.0)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (model memory, HTTP pools)."""
