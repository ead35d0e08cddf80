"""The `openai` backend: any OpenAI-compatible endpoint (OpenAI, Azure, Ollama, vLLM, llama.cpp's server)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import BackendError, BackendUnavailable
from .base import ChatModel, Message, as_dicts
from .ratelimit import RateLimiter

if TYPE_CHECKING:
    from ..config import Settings


def safe_url(url: str | None) -> str:
    """The URL without any user:password part, fit to print."""
    if not url:
        return "https://api.openai.com/v1 (default)"
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


class OpenAIModel(ChatModel):
    backend = "openai"

    def __init__(self, settings: Settings) -> None:
        import openai  # deferred: the import alone costs a noticeable part of a second

        self._openai = openai
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        if not key:
            if not settings.openai_base_url:
                raise BackendUnavailable(
                    "the openai backend needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server); "
                    "fix: export OPENAI_API_KEY=... or use --backend local"
                )
            key = "not-needed"  # local servers (llama.cpp, Ollama, vLLM) accept any key
        url = settings.openai_base_url
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise BackendUnavailable(f"OPENAI_BASE_URL {safe_url(url)!r} is not an http(s) URL; fix the URL")
        self._url = safe_url(url)
        self._model = settings.openai_model
        # The client retries connection errors, 408/409/429/5xx with exponential backoff and
        # honours Retry-After; we only choose how many times and how long.
        self._client = openai.OpenAI(api_key=key, base_url=url, timeout=settings.request_timeout,
                                     max_retries=settings.max_retries)
        self._structured = settings.openai_structured
        self._mode_lock = threading.Lock()
        self._pace = RateLimiter(settings.requests_per_minute)
        self.grade_words = settings.grade_words or None  # a remote model reads every word unless told

    @property
    def model_id(self) -> str:
        return f"openai:{self._model}"

    def _translate(self, exc: Exception) -> BackendError:
        oa = self._openai
        if isinstance(exc, oa.AuthenticationError):
            return BackendUnavailable(f"{self._url} rejected the API key (HTTP 401); fix: check OPENAI_API_KEY")
        if isinstance(exc, oa.NotFoundError):
            return BackendUnavailable(
                f"{self._url} has no model {self._model!r} (HTTP 404); fix: set INTERVIEWER_OPENAI_MODEL"
            )
        if isinstance(exc, oa.APITimeoutError):
            return BackendError(f"{self._url} did not answer in time; fix: check the server or raise request_timeout")
        if isinstance(exc, oa.APIConnectionError):
            return BackendUnavailable(f"cannot reach {self._url}; fix: start the server or correct OPENAI_BASE_URL")
        if isinstance(exc, oa.APIStatusError):
            return BackendError(f"{self._url} answered HTTP {exc.status_code}")
        return BackendError(f"{self._url}: {type(exc).__name__}")

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 256, temperature: float = 0.2,
               stop: Sequence[str] | None = None) -> Iterator[str]:
        self._pace.wait()
        try:
            chunks = self._client.chat.completions.create(
                model=self._model, messages=as_dicts(messages), max_tokens=max_tokens,
                temperature=temperature, stop=list(stop) if stop else None, stream=True,
            )
        except self._openai.OpenAIError as exc:
            raise self._translate(exc) from None
        finished = False
        try:
            for chunk in chunks:
                if chunk.choices and chunk.choices[0].finish_reason:
                    finished = True
                if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except self._openai.OpenAIError as exc:
            # The server answered, then the stream broke: not "cannot reach" (tests/test_faults.py).
            raise BackendError(f"{self._url} broke off its reply mid-stream ({type(exc).__name__})") from None
        if not finished:
            # A cut close-delimited stream just ends (partial event dropped): truncated, not a reply.
            raise BackendError(f"{self._url} ended its reply mid-stream (no finish_reason)")

    def _response_format(self, schema: dict[str, Any], mode: str) -> dict[str, Any]:
        if mode == "json_schema":
            return {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema, "strict": False}}
        # llama.cpp's servers take the schema beside json_object and compile it to a grammar.
        return {"type": "json_object", "schema": schema}

    def chat_json(self, messages: Sequence[Message], schema: dict[str, Any], *, max_tokens: int = 512,
                  temperature: float = 0.0) -> str:
        mode = "json_schema" if self._structured == "auto" else self._structured
        try:
            reply = self._create_json(messages, schema, mode, max_tokens, temperature)
        except self._openai.APIStatusError as exc:
            if self._structured != "auto" or mode != "json_schema" or exc.status_code in (401, 404, 429):
                raise self._translate(exc) from None
            # Servers that reject json_schema (llama.cpp's answer 400, 422 or even 500) get
            # json_object + schema from now on; if that fails too, the caller gets that error.
            with self._mode_lock:
                self._structured = "json_object"
            try:
                reply = self._create_json(messages, schema, "json_object", max_tokens, temperature)
            except self._openai.OpenAIError as exc2:
                raise self._translate(exc2) from None
        except self._openai.OpenAIError as exc:
            raise self._translate(exc) from None
        return reply

    def _create_json(self, messages, schema, mode, max_tokens, temperature) -> str:
        self._pace.wait()
        out = self._client.chat.completions.create(
            model=self._model, messages=as_dicts(messages), max_tokens=max_tokens, temperature=temperature,
            response_format=self._response_format(schema, mode),
        )
        return out.choices[0].message.content or ""

    def close(self) -> None:
        self._client.close()
