"""The `local` backend: llama.cpp in-process (llama-cpp-python) with the packaged model."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BackendError, BackendUnavailable
from .base import ChatModel, Message, as_dicts
from .lookup_decoding import LookupDecoder
from .model_file import MODEL_NAME, ensure_model

if TYPE_CHECKING:
    from ..config import Settings


def fits_schema(text: str, schema: dict[str, Any]) -> bool:
    """Whether `text` is one JSON value, nothing around it, that the JSON schema accepts."""
    import jsonschema

    try:
        jsonschema.validate(json.loads(text), schema)
    except (ValueError, jsonschema.ValidationError, jsonschema.SchemaError):
        return False
    return True


# The grader's word budget for this model (config grade_words): a 2,300-token transcript took 52-71 s
# to grade in full on 2 cores, against a bar of 60 s; at 1,200 words the model reads ~1,400 tokens of it.
LOCAL_GRADE_WORDS = 1200


class LocalModel(ChatModel):
    backend = "local"

    def __init__(self, settings: Settings, progress=None) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise BackendUnavailable(
                f"llama-cpp-python is not installed ({exc.name}); fix: pip install llama-cpp-python==0.3.36"
            ) from None
        if settings.model_path is not None:
            path = Path(settings.model_path).expanduser()
            if not path.is_file():
                raise BackendUnavailable(f"model_path {path} does not exist; fix: point model_path at a GGUF file")
            self._name = path.stem
        else:
            path = ensure_model(progress)
            self._name = MODEL_NAME
        self.path = path
        threads = settings.n_threads or max(1, os.cpu_count() or 1)
        try:
            self._llm = Llama(model_path=str(path), n_ctx=settings.n_ctx, n_threads=threads,
                              n_threads_batch=threads, verbose=False)
        except Exception as exc:  # llama.cpp raises ValueError/RuntimeError on a bad file
            raise BackendUnavailable(
                f"the embedded model at {path} could not be loaded ({exc}); fix: delete it and run `interviewer doctor`"
            ) from None
        # About 80 prompt tokens a second on two cores: a long transcript is condensed for grading.
        words = LOCAL_GRADE_WORDS if settings.grade_words is None else settings.grade_words
        self.grade_words = words or None
        # llama.cpp is not re-entrant: one generation at a time.
        self._lock = threading.Lock()
        self._lookup = LookupDecoder.for_model(self._llm)

    @property
    def model_id(self) -> str:
        return f"local:{self._name}"

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 256, temperature: float = 0.2,
               stop: Sequence[str] | None = None) -> Iterator[str]:
        with self._lock:
            try:
                chunks = self._llm.create_chat_completion(
                    as_dicts(messages), max_tokens=max_tokens, temperature=temperature,
                    stop=list(stop) if stop else None, stream=True,
                )
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            except ValueError as exc:  # e.g. prompt longer than the context window
                raise BackendError(f"the embedded model refused the request: {exc}") from None

    def chat_json(self, messages: Sequence[Message], schema: dict[str, Any], *, max_tokens: int = 512,
                  temperature: float = 0.0) -> str:
        with self._lock:
            try:
                if temperature == 0.0:
                    # llama.cpp's schema grammar checks every candidate token of a 151k vocabulary, which
                    # more than doubles the time per token (grading a 2,300-token transcript: 66 s -> 55-62 s
                    # without it). Greedy decoding that already fits the schema takes the tokens the grammar
                    # would have allowed, so a draft that fits is kept; only one that does not is redone
                    # under the grammar.
                    text, finish = self._greedy(messages, max_tokens)
                    if finish == "stop" and fits_schema(text, schema):
                        return text
                out = self._llm.create_chat_completion(
                    as_dicts(messages), max_tokens=max_tokens, temperature=temperature,
                    response_format={"type": "json_object", "schema": schema},
                )
            except (ValueError, RuntimeError) as exc:  # RuntimeError: llama_decode failed
                raise BackendError(f"the embedded model refused the request: {exc}") from None
        return out["choices"][0]["message"]["content"] or ""

    def _greedy(self, messages: Sequence[Message], max_tokens: int) -> tuple[str, str]:
        """Greedy decoding: with prompt-lookup proposals when the model's own chat template formats the
        prompt (fewer decode steps; on a near tie a token can differ, see lookup_decoding.py), else
        through create_chat_completion."""
        if self._lookup is not None:
            return self._lookup.complete(messages, max_tokens)
        draft = self._llm.create_chat_completion(as_dicts(messages), max_tokens=max_tokens, temperature=0.0)
        return draft["choices"][0]["message"]["content"] or "", draft["choices"][0].get("finish_reason") or ""

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False))

    def close(self) -> None:
        llm = getattr(self, "_llm", None)
        if llm is not None:
            llm.close()
            self._llm = None
