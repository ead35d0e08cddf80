"""Agreement metrics. Kappa comes from scikit-learn rather than being written again here."""

from __future__ import annotations

from collections.abc import Sequence

VOTE_ORDER = ["strong_no_hire", "inclined_not_to_hire", "inclined_to_hire", "strong_hire"]


def vote_rank(vote: str) -> int:
    return VOTE_ORDER.index(vote)


def exact(a: Sequence, b: Sequence) -> float:
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a) if a else 0.0


def within_one(a: Sequence[int], b: Sequence[int]) -> float:
    return sum(abs(x - y) <= 1 for x, y in zip(a, b, strict=True)) / len(a) if a else 0.0


def quadratic_kappa(a: Sequence[int], b: Sequence[int]) -> float:
    from sklearn.metrics import cohen_kappa_score

    if not a:
        return 0.0
    if len(set(a) | set(b)) == 1:
        return 1.0  # perfect agreement on a single category; sklearn would divide by zero
    return float(cohen_kappa_score(list(a), list(b), weights="quadratic", labels=[1, 2, 3, 4]))


def confusion(expected: Sequence[str], got: Sequence[str]) -> list[list[int]]:
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(list(expected), list(got), labels=VOTE_ORDER).tolist()
