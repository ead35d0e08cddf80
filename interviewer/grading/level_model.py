"""The level model: a linear scorer over evidence properties and the word reading of the whole
transcript, fitted on labeled calibration transcripts and stored as data (rubrics/levels.json, the
word reading's weights and the sentence relevance inside it). At grade time it is plain arithmetic."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pydantic import BaseModel

from ..resources import data_root
from .features import names, vector
from .reading import WordReading, candidate_words
from .relevance import SentenceRelevance

DEFAULT = "levels.json"
class LevelModel(BaseModel):
    version: str
    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    thresholds: list[float]
    trained_on: dict
    reading: WordReading
    relevance: SentenceRelevance

    def read(self, candidate_texts: list[tuple[int, str]]) -> float:
        """The word reading of the candidate's turns: the `reading` input of every dimension."""
        return self.reading.read(candidate_words(candidate_texts))

    def score(self, dimension: str, raw: dict[str, float]) -> tuple[float, list[tuple[str, float]]]:
        x = vector(dimension, raw)
        parts = [(n, c * (v - m) / s) for n, c, v, m, s in zip(self.features, self.coef, x, self.mean, self.scale,
                                                                strict=True)]
        return self.intercept + sum(p for _, p in parts), parts

    def level(self, value: float) -> int:
        return 1 + sum(value >= t for t in self.thresholds)


@cache
def load_level_model(path: Path | None = None) -> LevelModel:
    path = path or data_root("rubrics") / DEFAULT
    model = LevelModel.model_validate(json.loads(path.read_text(encoding="utf-8")))
    if model.features != names():
        raise ValueError(f"{path} was fitted on other features; refit it (python -m interviewer.grading.calibrate)")
    return model
