"""The word reading: how strong the candidate's words read as a whole, on the level scale.

TF-IDF over the candidate's words (sublinear term frequency, l2 norm, as scikit-learn's
TfidfVectorizer computes it) times ridge weights fitted on calibration transcripts' mean level.
Fitted, the weights say what the rubric says in words: rubric vocabulary ("alignment",
"visibility", "dependencies", "made sure") reads weak, the words of specifics ("week", "asked",
"said", "cost", "option", named people as "she"/"he") read strong. It is one input of the level
model (grading/level_model.py), stored beside it in rubrics/levels.json; scikit-learn is needed to
fit it, never to grade.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
from pydantic import BaseModel, PrivateAttr, model_validator

# scikit-learn's default token pattern, on lower-cased text: words of two or more characters.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
ALPHA = 1.0
MIN_DF = 2  # a word in one calibration transcript only says who wrote it


class WordReading(BaseModel):
    terms: list[str]
    idf: list[float]
    coef: list[float]
    intercept: float
    _index: dict[str, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _same_length(self) -> WordReading:
        if not len(self.terms) == len(self.idf) == len(self.coef):
            raise ValueError("terms, idf and coef must have one length")
        self._index = {t: i for i, t in enumerate(self.terms)}
        return self

    def read(self, text: str) -> float:
        counts = Counter(t for t in _TOKEN.findall(text.lower()) if t in self._index)
        if not counts:
            return self.intercept
        weights = {t: (1.0 + math.log(c)) * self.idf[self._index[t]] for t, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return self.intercept + sum(w / norm * self.coef[self._index[t]] for t, w in weights.items())

    @classmethod
    def from_sklearn(cls, vectorizer, ridge) -> WordReading:
        terms = vectorizer.get_feature_names_out()
        return cls(terms=[str(t) for t in terms], idf=[float(v) for v in vectorizer.idf_],
                   coef=[float(v) for v in ridge.coef_], intercept=float(ridge.intercept_))


def candidate_words(candidate_texts: list[tuple[int, str]]) -> str:
    """What the reading reads: every candidate turn (already sanitized), in order."""
    return " ".join(text for _, text in candidate_texts)


def fit(texts: list[str], y: np.ndarray) -> WordReading:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import Ridge

    vectorizer = TfidfVectorizer(min_df=MIN_DF, sublinear_tf=True).fit(texts)
    return WordReading.from_sklearn(vectorizer, Ridge(alpha=ALPHA).fit(vectorizer.transform(texts), y))


def out_of_fold(texts: list[str], y: np.ndarray, folds: int = 10, seed: int = 0) -> np.ndarray:
    """Each transcript's reading from a model fitted without it (and without the rest of its fold), so
    the level model learns how far to trust the reading on transcripts it has never seen."""
    from sklearn.model_selection import KFold

    out = np.zeros(len(texts))
    for a, b in KFold(min(folds, len(texts)), shuffle=True, random_state=seed).split(texts):
        model = fit([texts[i] for i in a], y[a])
        out[b] = [model.read(texts[i]) for i in b]
    return out
