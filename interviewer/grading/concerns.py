"""Concerns: candidate sentences that show one of a dimension's negative signals ("we got everyone
aligned", "I kept it on the RAID log"), found by the patterns in rubrics/concerns.yaml, one sentence
at a time (a pattern's exclusions, "...unless the sentence names what it caught", read one sentence).

A Bar Raiser writes these down as concerns; the grader shows them and caps the dimension at 2.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, Field

from ..corpus import Dimension
from ..resources import data_root
from .cues import PatternCue, load
from .evidence import sentences_of

DEFAULT = "concerns.yaml"
CAP = 2


class ConcernCue(PatternCue):
    signal: str


class ConcernCues(BaseModel):
    version: str
    dimensions: dict[Dimension, list[ConcernCue]]


class Concern(BaseModel):
    turn: int
    quote: str = Field(description="the candidate's sentence, as said")
    signal: str = Field(description="the rubric's negative signal it shows")


@cache
def load_cues(path: Path | None = None) -> ConcernCues:
    return load(ConcernCues, path or data_root("rubrics") / DEFAULT)


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
