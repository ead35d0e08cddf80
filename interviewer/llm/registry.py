"""Backend registry: the plugin seam. Real backends are registered here; tests register the fake."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import UserError

if TYPE_CHECKING:
    from ..config import Settings
    from .base import ChatModel

Factory = Callable[["Settings"], "ChatModel"]


def _local(settings: Settings) -> ChatModel:
    from .local import LocalModel

    return LocalModel(settings)


def _openai(settings: Settings) -> ChatModel:
    from .openai_backend import OpenAIModel

    return OpenAIModel(settings)


_FACTORIES: dict[str, Factory] = {"local": _local, "openai": _openai}


def register_backend(name: str, factory: Factory) -> None:
    _FACTORIES[name] = factory


def unregister_backend(name: str) -> None:
    _FACTORIES.pop(name, None)


def available_backends() -> list[str]:
    return sorted(_FACTORIES)


def get_model(settings: Settings, name: str | None = None) -> ChatModel:
    """The configured backend. An unknown name is a usage error; it never falls back to another."""
    name = name or settings.backend
    factory = _FACTORIES.get(name)
    if factory is None:
        raise UserError(f"unknown backend {name!r}: choose one of {', '.join(available_backends())}")
    return factory(settings)
