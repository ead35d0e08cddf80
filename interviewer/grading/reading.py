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

import numpy as np
from pydantic import model_validator

from ..tfidf import Tfidf, vectorizer

ALPHA = 1.0
MIN_DF = 2  # a word in one calibration transcript only says who wrote it


class WordReading(Tfidf):
    coef: list[float]
    intercept: float

    @model_validator(mode="after")
    def _coef_per_term(self) -> WordReading:
        if len(self.coef) != len(self.terms):
            raise ValueError("terms, idf and coef must have one length")
        return self

    def read(self, text: str) -> float:
        return self.linear(text, self.coef, self.intercept)

    @classmethod
    def from_sklearn(cls, fitted_vectorizer, ridge) -> WordReading:
        return cls(**Tfidf.fields_from_sklearn(fitted_vectorizer), coef=[float(v) for v in ridge.coef_],
                   intercept=float(ridge.intercept_))


def candidate_words(candidate_texts: list[tuple[int, str]]) -> str:
    """What the reading reads: every candidate turn (already sanitized), in order."""
    return " ".join(text for _, text in candidate_texts)


def fit(texts: list[str], y: np.ndarray) -> WordReading:
    from sklearn.linear_model import Ridge

    words = vectorizer(MIN_DF).fit(texts)
    return WordReading.from_sklearn(words, Ridge(alpha=ALPHA).fit(words.transform(texts), y))


def out_of_fold(texts: list[str], y: np.ndarray, folds: int = 10, seed: int = 0) -> np.ndarray:
    """Each transcript's reading from a model fitted without it (and without the rest of its fold), so
    the level model learns how far to trust the reading on transcripts it has never seen."""
    from sklearn.model_selection import KFold

    out = np.zeros(len(texts))
    for a, b in KFold(min(folds, len(texts)), shuffle=True, random_state=seed).split(texts):
        model = fit([texts[i] for i in a], y[a])
        out[b] = [model.read(texts[i]) for i in b]
    return out
