"""Probe ranking: retrieve candidates from the index, then rerank them.

An answer is embedded near answers about the same *topic*; a probe is chosen for what the answer
*leaves out*. Two corpus-grounded signals close that gap (measured in evals/: retrieval suite):
- each probe's `sounds_like` fragments (what a candidate says when the gap is there) are indexed
  beside it, and a probe scores by its nearest fragment plus its own `when`/question text;
- a family prior: a logistic regression over the same fragment vectors, P(family | answer), fitted
  from the corpus when the index opens (about 0.2 s; no eval data is ever used to fit it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel

# Weights of the three parts; chosen on evals/retrieval.yaml (the dev set, best of a small grid),
# checked on evals/heldout/ (never tuned on).
W_PROBE = 0.5
W_PRIOR = 0.6
PRIOR_C = 3.0


class RankedProbe(BaseModel):
    item: str
    family: str
    score: float
    fragment: float
    probe: float
    prior: float


@dataclass(frozen=True)
class QueryView:
    """One query as the ranker sees it: its vector, its similarity to every stored row and the corpus
    prior. Made once per query, then read by both the probe ranking and the family model."""
    vector: np.ndarray
    sims: np.ndarray
    prior: dict[str, float]


class ProbeRanker:
    """Holds the probe and fragment vectors of one index build and the family prior fitted on them."""

    def __init__(self, items: list[str], families: list[str], kinds: list[str], vectors: np.ndarray) -> None:
        from sklearn.linear_model import LogisticRegression

        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.family_of = {i: f for i, f, k in zip(items, families, kinds, strict=True) if k == "probe"}
        # Rows of each probe's own text and of its fragments, so ranking a candidate is two lookups.
        self._probe_row: dict[str, int] = {}
        self._fragment_rows: dict[str, list[int]] = {}
        for row, (item, kind) in enumerate(zip(items, kinds, strict=True)):
            if kind == "probe":
                self._probe_row[item] = row
            else:
                self._fragment_rows.setdefault(item, []).append(row)
        self.prior = LogisticRegression(C=PRIOR_C, max_iter=2000).fit(self.vectors, np.array(families))
        self.classes = list(self.prior.classes_)

    def family_probabilities(self, query_vector: np.ndarray) -> dict[str, float]:
        p = self.prior.predict_proba(np.asarray(query_vector, dtype=np.float32)[None])[0]
        return {c: float(v) for c, v in zip(self.classes, p, strict=True)}

    def view(self, query_vector: np.ndarray) -> QueryView:
        q = np.asarray(query_vector, dtype=np.float32)
        return QueryView(vector=q, sims=self.vectors @ q, prior=self.family_probabilities(q))

    def family_features(self, view: QueryView, candidates: list[str], families: list[str]) -> np.ndarray:
        """Per family, over its candidate probes: [nearest fragment, mean of the three nearest fragments,
        nearest probe text, corpus prior]. NaN for a family with no candidate (the family model skips it)."""
        fragments: dict[str, list[float]] = {f: [] for f in families}
        probes: dict[str, list[float]] = {f: [] for f in families}
        for item in dict.fromkeys(candidates):
            family = self.family_of.get(item)
            if family not in probes:
                continue
            fragments[family].extend(float(v) for v in view.sims[self._fragment_rows.get(item, [])])
            probes[family].append(float(view.sims[self._probe_row[item]]))
        out = np.full((len(families), 4), np.nan)
        for i, f in enumerate(families):
            if probes[f]:
                near = sorted(fragments[f], reverse=True)[:3] or [0.0]
                out[i] = [near[0], float(np.mean(near)), max(probes[f]), view.prior.get(f, 0.0)]
        return out

    def rank(self, view: QueryView, candidates: list[str], k: int) -> list[RankedProbe]:
        """Score each candidate probe id: nearest fragment + W_PROBE * probe text + W_PRIOR * P(family)."""
        out = []
        for item in dict.fromkeys(candidates):
            rows = self._fragment_rows.get(item)
            fragment = float(view.sims[rows].max()) if rows else 0.0
            probe = float(view.sims[self._probe_row[item]]) if item in self._probe_row else 0.0
            family = self.family_of.get(item, "")
            p = view.prior.get(family, 0.0)
            out.append(RankedProbe(item=item, family=family, score=round(fragment + W_PROBE * probe + W_PRIOR * p, 4),
                                   fragment=round(fragment, 4), probe=round(probe, 4), prior=round(p, 4)))
        out.sort(key=lambda r: (-r.score, r.item))
        return out[:k]
