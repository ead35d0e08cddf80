"""Which probe family a text calls for: the family ranking of probe search.

Nearest-neighbour search over the corpus finds probes about the answer's *topic*; a probe is chosen
for what the answer *leaves out*, and MiniLM similarity alone reads that poorly (hit@3 0.71 on the
held-out set). This model learns the ranking from training/retrieval_queries_*.yaml (answer excerpts
and gap notes labeled with a family, written apart from evals/ and the corpus, never used to measure).
Two logistic regressions, stored as plain numbers in models/retrieval_family.json:

- a reading: P(family | the text's MiniLM vector), multinomial, fitted on the training queries;
- a choice: P(this is the family) for one (text, family) pair from five numbers: the family's nearest
  `sounds_like` fragment, the mean of its three nearest, its nearest probe text (round-filtered, as
  the search is), the corpus prior (ProbeRanker's, fitted on the corpus alone) and the reading, both
  as log-probabilities.

Probes within a family are still ranked by ProbeRanker. Refit with
`python -m interviewer.retrieval.family_model training/retrieval_queries_*.yaml --out models/retrieval_family.json`;
it prints leave-one-file-out hit@3, stored beside the weights.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from ..fitting import leave_one_file_out, load_labeled, rounded
from ..resources import data_root
from ..transcript import PROBE_FAMILIES

FAMILIES = list(PROBE_FAMILIES)
# Chosen by leave-one-file-out hit@3 on training/ (never on evals/): a C grid of 1/3/10 for the
# reading and 0.1/1 for the choice, with and without each feature group.
READING_C = 10.0
CHOICE_C = 1.0
MODEL_FILE = "retrieval_family.json"
_EPS = 1e-6


class FamilyScore(BaseModel):
    family: str
    score: float


class FamilyModel(BaseModel):
    version: str
    trained_on: str
    corpus: str  # content hash of the corpus whose vectors gave the similarity features
    families: list[str]
    queries: int
    leave_one_file_out: dict[str, float]
    reading_coef: list[list[float]]
    reading_intercept: list[float]
    choice_coef: list[float]
    choice_intercept: float

    def reading(self, vector: np.ndarray) -> np.ndarray:
        z = np.asarray(self.reading_coef) @ np.asarray(vector, dtype=float) + np.asarray(self.reading_intercept)
        z = np.exp(z - z.max())
        return z / z.sum()

    def rank(self, ranker, view, candidates: list[str]) -> list[FamilyScore]:
        """Families with a candidate probe, best first, by the choice model's log-odds; `view` is the
        query as ProbeRanker.view made it."""
        rows = _rows(ranker.family_features(view, candidates, self.families), self.reading(view.vector))
        z = rows @ np.asarray(self.choice_coef) + self.choice_intercept
        out = [FamilyScore(family=f, score=round(float(s), 4)) for f, s, ok in
               zip(self.families, z, ~np.isnan(rows).any(axis=1), strict=True) if ok]
        return sorted(out, key=lambda r: (-r.score, r.family))


def _rows(features: np.ndarray, reading: np.ndarray) -> np.ndarray:
    """Per family: [nearest fragment, mean of three nearest, nearest probe, log prior, log reading]."""
    x = np.array(features, dtype=float)
    x[:, 3] = np.log(x[:, 3] + _EPS)
    return np.hstack([x, np.log(np.asarray(reading) + _EPS)[:, None]])


@cache
def load_model(path: Path | None = None) -> FamilyModel:
    path = path or data_root("models") / MODEL_FILE
    model = FamilyModel.model_validate_json(path.read_text(encoding="utf-8"))
    if model.families != FAMILIES:
        raise ValueError(f"{path}: fitted for families {model.families}, not {FAMILIES}; refit it")
    return model


# ----- fitting ----------------------------------------------------------------------------------
def load_queries(paths: list[Path]) -> tuple[list[dict], str]:
    queries, digest = load_labeled(paths, "queries")
    for q in queries:
        if q["family"] not in FAMILIES:
            raise ValueError(f"{q['file']}: {q['id']}: unknown family {q['family']!r}")
    return queries, digest


def corpus_ranker(corpus):
    """A ProbeRanker over freshly encoded corpus probes and fragments: what the index stores."""
    from ..embeddings import default_encoder
    from .index import _documents
    from .probe_ranker import ProbeRanker

    _, docs, metas = _documents(corpus)
    keep = [n for n, m in enumerate(metas) if m["kind"] in ("probe", "symptom")]
    vectors = default_encoder().encode([docs[n] for n in keep])
    return ProbeRanker([metas[n]["item"] for n in keep], [metas[n]["family"] for n in keep],
                       [metas[n]["kind"] for n in keep], vectors)


def _candidates(corpus, round_name: str | None) -> list[str]:
    return [p.id for p in corpus.probes if round_name is None or round_name in p.rounds]


def _fit_reading(V: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=READING_C, max_iter=3000).fit(V, y)


def _read(model, V: np.ndarray) -> np.ndarray:
    order = [list(model.classes_).index(f) for f in FAMILIES]
    return model.predict_proba(V)[:, order]


def _out_of_fold_reading(V: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Readings by models that never saw the query, so the choice learns how far to trust them."""
    from sklearn.model_selection import KFold

    out = np.zeros((len(V), len(FAMILIES)))
    for a, b in KFold(5, shuffle=True, random_state=0).split(V):
        out[b] = _read(_fit_reading(V[a], y[a]), V[b])
    return out


def _stack(features: np.ndarray, readings: np.ndarray) -> np.ndarray:
    return np.stack([_rows(f, r) for f, r in zip(features, readings, strict=True)])


def _fit_choice(F: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    target = np.array([[f == label for f in FAMILIES] for label in y]).reshape(-1)
    return LogisticRegression(C=CHOICE_C, max_iter=5000).fit(F.reshape(-1, F.shape[2]), target)


def _hit_at_3(choice, F: np.ndarray, y: np.ndarray) -> float:
    z = choice.decision_function(F.reshape(-1, F.shape[2])).reshape(len(F), len(FAMILIES))
    top = np.argsort(-z, axis=1)[:, :3]
    return float(np.mean([FAMILIES.index(label) in t for label, t in zip(y, top, strict=True)]))


def fit(paths: list[Path]) -> FamilyModel:
    from ..corpus import default_corpus
    from ..embeddings import default_encoder

    queries, digest = load_queries(paths)
    corpus = default_corpus()
    ranker = corpus_ranker(corpus)
    V = default_encoder().encode([q["query"] for q in queries])
    y = np.array([q["family"] for q in queries])
    features = np.stack([ranker.family_features(ranker.view(v), _candidates(corpus, q.get("round")), FAMILIES)
                         for v, q in zip(V, queries, strict=True)])

    def score(a: np.ndarray) -> float:
        choice = _fit_choice(_stack(features[a], _out_of_fold_reading(V[a], y[a])), y[a])
        return _hit_at_3(choice, _stack(features[~a], _read(_fit_reading(V[a], y[a]), V[~a])), y[~a])

    by_file = leave_one_file_out([q["file"] for q in queries], score)
    reading = _fit_reading(V, y)
    choice = _fit_choice(_stack(features, _out_of_fold_reading(V, y)), y)
    order = [list(reading.classes_).index(f) for f in FAMILIES]
    return FamilyModel(
        version=f"family-{digest[:8]}", trained_on=digest, corpus=corpus.content_hash, families=FAMILIES,
        queries=len(queries), leave_one_file_out=by_file,
        reading_coef=[rounded(reading.coef_[i]) for i in order], reading_intercept=rounded(reading.intercept_[order]),
        choice_coef=rounded(choice.coef_[0]), choice_intercept=rounded(choice.intercept_)[0])


def main(argv: list[str] | None = None) -> int:
    from ..fitting import fit_main

    return fit_main(argv, prog="python -m interviewer.retrieval.family_model",
                    description="Fit probe search's family model on labeled queries (training/).",
                    inputs="YAML files of labeled queries", out="models/retrieval_family.json", fit=fit,
                    summary=lambda m: {"version": m.version, "queries": m.queries, "leave_one_file_out": m.leave_one_file_out})


if __name__ == "__main__":
    raise SystemExit(main())
