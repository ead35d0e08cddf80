"""Pattern cues kept as data (rubrics/*.yaml): case-insensitive regexes read one sentence at a time,
each set carrying the sentences it must find and the ones it must spare, so a test can hold the file
to its own examples."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, Field, field_validator

from ..corpus import Dimension
from ..errors import UserError


class PatternCue(BaseModel):
    patterns: list[str] = Field(min_length=1)
    unless: list[str] = Field(default_factory=list,
                              description="patterns that spare a sentence the patterns found: exclusions shared by "
                                          "all of them, written once instead of as a lookahead in each")
    examples: list[str] = Field(default_factory=list, description="sentences the patterns must find")
    counter_examples: list[str] = Field(default_factory=list, description="sentences they must not")

    @field_validator("patterns", "unless")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for p in value:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"pattern {p!r} does not compile: {exc}") from None
        return value

    def matches(self, sentence: str) -> bool:
        if compiled(tuple(self.patterns)).search(sentence) is None:
            return False
        return not self.unless or compiled(tuple(self.unless)).search(sentence) is None


class DimensionCues(BaseModel):
    """A cue file with one pattern set per rubric dimension (evidence.yaml, question_topics.yaml)."""

    version: str
    dimensions: dict[Dimension, PatternCue]


@cache
def compiled(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


M = TypeVar("M", bound=BaseModel)


def load(model: type[M], path: Path) -> M:
    """A cue file, or one line naming the file and what is wrong with it."""
    try:
        # libyaml's loader when present: these files are read on every grade, and the pure-Python
        # one takes a tenth of a second over them.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return model.model_validate(yaml.load(path.read_text(encoding="utf-8"), Loader=loader))  # noqa: S506
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise UserError(f"{path}: {str(exc).splitlines()[0]}") from None
