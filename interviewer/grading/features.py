"""Transcript-level evidence properties per dimension: the inputs of the level model.

Every feature is a count or share over the candidate's own (sanitized) words, so each is checkable
and can be named in the report ("2 sentences with a concrete mechanism, none with a number").
"""

from __future__ import annotations

import math
import re

from ..corpus import DIMENSIONS
from ..interview.signals import extract
from .evidence import CORE, relevant_sentences

_REASONING = re.compile(r"\b(?:because|so that|otherwise|which meant|instead of|rather than|the reason|since|"
                        r"that's why|that is why|would have)\b", re.I)

FEATURES = [
    "relevant", "core", "timing", "numbers", "mechanism", "teams", "reasoning", "i_share",
    "jargon_density", "vague_density", "numbers_density", "timing_density", "architecture_share",
    "relevant_share", "core_share", "specific_share",
]


def dimension_features(dimension: str, candidate_texts: list[tuple[int, str]],
                       relevant: list[str] | None = None) -> dict[str, float]:
    """The raw properties for one dimension (counts are log-scaled by the model, not here).
    `relevant`: the dimension's relevant sentences, when the caller has found them already."""
    joined = "\n".join(t for _, t in candidate_texts)
    g = extract(joined)
    rel = relevant if relevant is not None else [q.quote for _, q in relevant_sentences(dimension, candidate_texts)]
    r = extract(" ".join(rel)) if rel else None
    words = max(1, g.words)
    sentences = max(1, sum(1 for _ in re.finditer(r"[.!?](?:\s|$)", joined)))
    return {
        "relevant": float(len(rel)),
        "core": float(sum(1 for s in rel if CORE[dimension].search(s))),
        "timing": float(len(r.timing)) if r else 0.0,
        "numbers": float(r.numbers) if r else 0.0,
        "mechanism": float(len(r.mechanism) + r.quoted_speech) if r else 0.0,
        "teams": float(len(r.teams)) if r else 0.0,
        "reasoning": float(sum(1 for s in rel if _REASONING.search(s))),
        "i_share": r.first_person_share if r else 0.0,
        "jargon_density": 100.0 * g.jargon / words,
        "vague_density": len(g.vague_influence) / sentences,
        "numbers_density": 100.0 * g.numbers / words,
        "timing_density": 100.0 * len(g.timing) / words,
        "architecture_share": g.architecture_share,
        "relevant_share": len(rel) / sentences,
        "core_share": sum(1 for q in rel if CORE[dimension].search(q)) / sentences,
        "specific_share": sum(1 for q in rel if _specific(q)) / max(1, len(rel)),
    }


def _specific(sentence: str) -> bool:
    s = extract(sentence)
    return s.has_timing or s.numbers > 0 or s.has_mechanism or bool(s.teams)


def vector(dimension: str, raw: dict[str, float]) -> list[float]:
    """Model input: log-scaled counts, shares as they are, and a one-hot of the dimension."""
    out = []
    for name in FEATURES:
        v = raw[name]
        out.append(math.log1p(v) if name in ("relevant", "core", "timing", "numbers", "mechanism", "teams",
                                              "reasoning") else v)
    out.extend(1.0 if d == dimension else 0.0 for d in DIMENSIONS)
    return out


def names() -> list[str]:
    return FEATURES + [f"dim:{d}" for d in DIMENSIONS]
