"""A fake chat model for unit tests: canned replies, every prompt recorded.

It is registered through the same seam as the real backends (register_backend), by tests only:
nothing in the app selects it, so it can never stand in for a real model silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .base import ChatModel, Message

Reply = str | Callable[[Sequence[Message]], str] | Exception


class FakeChatModel(ChatModel):
    backend = "fake"

    def __init__(self, replies: Sequence[Reply] = (), default: Reply | None = None) -> None:
        self.replies: list[Reply] = list(replies)
        self.default = default
        self.prompts: list[list[Message]] = []
        self.schemas: list[dict[str, Any] | None] = []

    @property
    def model_id(self) -> str:
        return "fake:canned"

    def _next(self, messages: Sequence[Message], schema: dict[str, Any] | None) -> str:
        self.prompts.append(list(messages))
        self.schemas.append(schema)
        if self.replies:
            reply = self.replies.pop(0)
        elif self.default is not None:
            reply = self.default
        else:
            raise AssertionError("FakeChatModel ran out of canned replies")
        if isinstance(reply, Exception):
            raise reply
        return reply(messages) if callable(reply) else reply

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 256, temperature: float = 0.2,
               stop: Sequence[str] | None = None) -> Iterator[str]:
        text = self._next(messages, None)
        for i, word in enumerate(text.split(" ")):
            yield word if i == 0 else " " + word

    def chat_json(self, messages: Sequence[Message], schema: dict[str, Any], *, max_tokens: int = 512,
                  temperature: float = 0.0) -> str:
        return self._next(messages, schema)
