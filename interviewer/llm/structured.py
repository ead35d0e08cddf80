"""Structured output: pydantic model -> JSON schema -> backend's constrained form -> validated object.

Small models sometimes return JSON that parses but does not validate; they are asked again with the
validation error (at most `retries` times), then the caller gets StructuredOutputError to handle.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import StructuredOutputError
from .base import ChatModel, Message

T = TypeVar("T", bound=BaseModel)


def _short_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def structured(model: ChatModel, messages: Sequence[Message], output: type[T], *, retries: int = 2,
               max_tokens: int = 512, temperature: float = 0.0) -> T:
    schema = output.model_json_schema()
    convo = list(messages)
    last = ""
    for _attempt in range(retries + 1):
        raw = model.chat_json(convo, schema, max_tokens=max_tokens, temperature=temperature)
        try:
            return output.model_validate_json(raw)
        except ValidationError as exc:
            last = _short_error(exc)
            convo = list(messages) + [
                Message(role="assistant", content=raw[:2000]),
                Message(role="user", content=f"That JSON is not valid: {last}. Reply again with JSON only, "
                                             f"matching this schema: {json.dumps(schema)}"),
            ]
    raise StructuredOutputError(f"{model.model_id} gave no valid {output.__name__} after {retries + 1} tries ({last})")
