"""Labeled eval data (evals/): transcripts with two annotators' labels, thresholds."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from ..corpus import Dimension
from ..errors import UserError
from ..grading.rubric import Vote
from ..resources import data_root


class Label(BaseModel):
    id: str
    file: str
    vote: Vote
    scores: dict[Dimension, int]
    rationale: str = ""
    round: str | None = None
    category: str | None = None


def evals_root() -> Path:
    return data_root("evals")


def _load(path: Path) -> dict:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"eval data {path} is missing") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise UserError(f"{path}: line {mark.line + 1 if mark else '?'}: broken YAML") from None


def load_labels(name: str, root: Path | None = None) -> list[Label]:
    path = (root or evals_root()) / name
    data = _load(path)
    try:
        return [Label.model_validate(item) for item in data["items"]]
    except (ValidationError, KeyError, TypeError) as exc:
        raise UserError(f"{path}: invalid labels ({str(exc).splitlines()[0]})") from None


def load_thresholds(root: Path | None = None) -> dict:
    return _load((root or evals_root()) / "thresholds.yaml")
