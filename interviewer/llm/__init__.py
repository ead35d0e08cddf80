"""The LLM seam: one interface, backends chosen by config (local, openai; fake in tests)."""

from .base import ChatModel, Message
from .registry import available_backends, get_model, register_backend, unregister_backend

__all__ = ["ChatModel", "Message", "available_backends", "get_model", "register_backend", "unregister_backend"]
