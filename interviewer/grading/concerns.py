"""Concerns: candidate sentences that show one of a dimension's negative signals ("we got everyone
aligned", "I kept it on the RAID log"), found by the patterns in rubrics/concerns.yaml, one sentence
at a time (a pattern's exclusions, "...unless the sentence names what it caught", read one sentence).

A Bar Raiser writes these down as concerns; the grader shows them and caps the dimension at 2.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, field_validator

from ..corpus import Dimension
from ..errors import UserError
from ..resources import data_root
from .evidence import sentences_of

DEFAULT = "concerns.yaml"
CAP = 2


class ConcernCue(BaseModel):
    signal: str
    patterns: list[str] = Field(min_length=1)
    examples: list[str] = Field(default_factory=list, description="sentences the patterns must find")
    counter_examples: list[str] = Field(default_factory=list, description="strong sentences they must not")

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for p in value:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"pattern {p!r} does not compile: {exc}") from None
        return value

    def matches(self, sentence: str) -> bool:
        return any(p.search(sentence) for p in _compiled(tuple(self.patterns)))


class ConcernCues(BaseModel):
    version: str
    dimensions: dict[Dimension, list[ConcernCue]]


class Concern(BaseModel):
    turn: int
    quote: str = Field(description="the candidate's sentence, as said")
    signal: str = Field(description="the rubric's negative signal it shows")


@cache
def _compiled(patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(p, re.I) for p in patterns]


@cache
def load_cues(path: Path | None = None) -> ConcernCues:
    path = path or data_root("rubrics") / DEFAULT
    try:
        return ConcernCues.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise UserError(f"{path}: {str(exc).splitlines()[0]}") from None


def find(dimension: str, candidate_texts: list[tuple[int, str]], cues: ConcernCues | None = None) -> list[Concern]:
    """Every candidate sentence showing one of the dimension's negative signals (first signal wins)."""
    cues = cues or load_cues()
    found: list[Concern] = []
    for index, text in candidate_texts:
        for q in sentences_of(index, text):
            cue = next((c for c in cues.dimensions.get(dimension, []) if c.matches(q.quote)), None)
            if cue is not None:
                found.append(Concern(turn=index, quote=q.quote, signal=cue.signal))
    return found
