"""TF-IDF stored as data (terms and their idf), computed as scikit-learn's TfidfVectorizer computes it
with sublinear term frequency: lower-cased words of two or more characters, tf = 1 + log(count),
times idf, l2-normalised. The readings built on it (grading/reading.py, interview/target_model.py)
are fitted with scikit-learn and scored with this, so sklearn is never needed at run time."""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
from pydantic import BaseModel, PrivateAttr, model_validator

# scikit-learn's default token pattern, on lower-cased text.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def vectorizer(min_df: int):
    """The scikit-learn vectorizer this module reproduces (for fitting)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(min_df=min_df, sublinear_tf=True)


class Tfidf(BaseModel):
    terms: list[str]
    idf: list[float]
    _index: dict[str, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _build_index(self) -> Tfidf:
        if len(self.terms) != len(self.idf):
            raise ValueError("terms and idf must have one length")
        self._index = {t: i for i, t in enumerate(self.terms)}
        return self

    def weights(self, text: str) -> dict[int, float]:
        """The text's non-zero entries: term index -> normalised weight."""
        counts = Counter(i for i in (self._index.get(t) for t in _TOKEN.findall(text.lower())) if i is not None)
        raw = {i: (1.0 + math.log(c)) * self.idf[i] for i, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in raw.values()))
        return {i: w / norm for i, w in raw.items()} if norm else {}

    def linear(self, text: str, coef: list[float], intercept: float) -> float:
        """A linear model over the text's weights (a ridge score, a logistic log-odds)."""
        return intercept + sum(w * coef[i] for i, w in self.weights(text).items())

    def dense(self, text: str) -> np.ndarray:
        out = np.zeros(len(self.terms))
        for i, w in self.weights(text).items():
            out[i] = w
        return out

    @staticmethod
    def fields_from_sklearn(fitted) -> dict:
        return {"terms": [str(t) for t in fitted.get_feature_names_out()], "idf": [float(v) for v in fitted.idf_]}
