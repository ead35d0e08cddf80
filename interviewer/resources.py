"""Locate the data folders (prompts/, rubrics/, models/, corpus/) in a wheel or in a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_root(name: str) -> Path:
    """The wheel ships them as interviewer/_data/<name>; a checkout has them at the repo top."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"data folder {name!r} is missing from this installation")


def prompt_text(name: str) -> str:
    return (data_root("prompts") / name).read_text(encoding="utf-8")
