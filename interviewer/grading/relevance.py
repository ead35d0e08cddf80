"""Which dimension a sentence speaks to, read by its words: the grader's second look for a dimension
the cue scan (grading/evidence.py, rubrics/evidence.yaml) found no sentence for.

One logistic regression per dimension over TF-IDF of single candidate sentences, fitted on the
calibration transcripts' sentences labeled by the cue scan itself. It learns the scan's words and
carries them past its patterns: "In week 2 I sent every team lead the same written question: what
has to be true in your system the morning after cutover?" reads as dependency mapping, though no
pattern names it. Stored in rubrics/levels.json beside the word reading; scikit-learn fits it,
grading is arithmetic.
"""

from __future__ import annotations

import math

from pydantic import model_validator

from ..corpus import DIMENSIONS, Dimension
from ..interview.signals import extract
from ..tfidf import Tfidf, vectorizer
from .evidence import Quote, relevant_sentences, sentences_of, specific

MIN_DF = 2
C = 1.0  # scikit-learn's default; the threshold below was chosen with it
# How likely the nearest sentence must be to back a 3. Chosen on calibration/ alone (leave one
# transcript out with the grader's caps, 96 transcripts): 0.3, 0.4 and 0.5 gave votes of
# 0.79/0.75/0.73, 0.79/0.75/0.73 and 0.77/0.73/0.71 against annotators C, D and E-H, and 0.4 kept
# every vote within one on C and D where 0.3 let one E-H vote fall two away.
THRESHOLD = 0.4


class SentenceRelevance(Tfidf):
    coef: dict[Dimension, list[float]]
    intercept: dict[Dimension, float]

    @model_validator(mode="after")
    def _coef_per_term(self) -> SentenceRelevance:
        if sorted(self.coef) != sorted(DIMENSIONS) or any(len(c) != len(self.terms) for c in self.coef.values()):
            raise ValueError("one coefficient per term for each of the six dimensions")
        return self

    def probability(self, dimension: str, sentence: str) -> float:
        return 1.0 / (1.0 + math.exp(-self.linear(sentence, self.coef[dimension], self.intercept[dimension])))

    def nearest(self, dimension: str, candidate_texts: list[tuple[int, str]]) -> tuple[Quote, float] | None:
        """The specific sentence (timing, a number, a mechanism or a named team) that reads most like
        the dimension, and how likely; None when the candidate said nothing specific."""
        scored = [(self.probability(dimension, q.quote), q) for index, text in candidate_texts
                  for q in sentences_of(index, text) if specific(extract(q.quote))]
        if not scored:
            return None
        p, q = max(scored, key=lambda item: item[0])  # first of equals: the earlier sentence
        return q, p


def labeled_sentences(candidate_texts: list[tuple[int, str]]) -> list[tuple[str, dict[str, int]]]:
    """Each candidate sentence with, per dimension, whether the cue scan finds it relevant: the
    training data of the reading."""
    found = {d: {q.quote for _, q in relevant_sentences(d, candidate_texts)} for d in DIMENSIONS}
    return [(q.quote, {d: int(q.quote in found[d]) for d in DIMENSIONS})
            for index, text in candidate_texts for q in sentences_of(index, text)]


def fit(labeled: list[tuple[str, dict[str, int]]]) -> SentenceRelevance:
    from sklearn.linear_model import LogisticRegression

    sentences = [s for s, _ in labeled]
    words = vectorizer(MIN_DF).fit(sentences)
    X = words.transform(sentences)
    coef, intercept = {}, {}
    for d in DIMENSIONS:
        # Balanced: a dimension's sentences are a small share of all; its probability is then read
        # against even odds, not against how rare the dimension's talk is.
        model = LogisticRegression(C=C, class_weight="balanced", max_iter=2000).fit(X, [y[d] for _, y in labeled])
        coef[d], intercept[d] = [float(v) for v in model.coef_[0]], float(model.intercept_[0])
    return SentenceRelevance(**Tfidf.fields_from_sklearn(words), coef=coef, intercept=intercept)
