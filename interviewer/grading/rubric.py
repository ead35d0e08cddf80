"""The rubric as data (rubrics/*.yaml) and the debrief rule that turns levels into a vote."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from ..corpus import DIMENSIONS, Dimension, Principle
from ..errors import UserError
from ..resources import data_root
from ..transcript import ProbeFamily

Vote = Literal["strong_hire", "inclined_to_hire", "inclined_not_to_hire", "strong_no_hire"]
VOTES: tuple[str, ...] = Vote.__args__  # type: ignore[attr-defined]
DEFAULT_RUBRIC = "tpm_influence.yaml"


class RubricDimension(BaseModel):
    key: Dimension
    name: str
    question: str
    levels: dict[int, str]
    positive_signals: list[str]
    negative_signals: list[str]
    probe_families: list[ProbeFamily] = Field(min_length=1)
    principles: list[Principle] = Field(min_length=1)
    strong_answer: str


class VoteThresholds(BaseModel):
    strong_hire_avg: float = 3.5
    inclined_to_hire_avg: float = 2.75
    strong_no_hire_avg: float = 1.75


class VoteRule(BaseModel):
    description: str
    thresholds: VoteThresholds


class Rubric(BaseModel):
    version: str
    name: str
    scale: dict[int, str]
    dimensions: list[RubricDimension]
    vote: VoteRule

    def dimension(self, key: str) -> RubricDimension:
        return next(d for d in self.dimensions if d.key == key)

    def decide_vote(self, levels: dict[str, int]) -> Vote:
        """The debrief rule, first match wins (stated in words in the rubric file)."""
        t = self.vote.thresholds
        values = [levels[d] for d in DIMENSIONS]
        avg = sum(values) / len(values)
        if avg < t.strong_no_hire_avg or (levels["influence_mechanism"] == 1 and levels["dependency_mapping"] == 1):
            return "strong_no_hire"
        if avg >= t.strong_hire_avg and min(values) >= 3:
            return "strong_hire"
        if avg >= t.inclined_to_hire_avg and levels["influence_mechanism"] >= 3 and sum(v <= 2 for v in values) <= 1:
            return "inclined_to_hire"
        return "inclined_not_to_hire"


def load_rubric(path: Path | None = None) -> Rubric:
    path = Path(path) if path else data_root("rubrics") / DEFAULT_RUBRIC
    if not path.is_file():
        raise UserError(f"rubric file {path} does not exist")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rubric = Rubric.model_validate(data)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise UserError(f"{path}: line {mark.line + 1 if mark else '?'}: broken YAML") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        raise UserError(f"{path}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from None
    keys = [d.key for d in rubric.dimensions]
    if sorted(keys) != sorted(DIMENSIONS):
        raise UserError(f"{path}: the rubric must define exactly the six dimensions {', '.join(DIMENSIONS)}")
    return rubric
