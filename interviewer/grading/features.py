"""Transcript-level evidence properties per dimension: the inputs of the level model.

Every feature is a count or share over the candidate's own (sanitized) words, so each is checkable
and can be named in the report ("2 sentences with a concrete mechanism, none with a number").
"""

from __future__ import annotations

import math
import re

from ..corpus import DIMENSIONS
from ..interview.signals import extract
from .evidence import CORE, relevant_sentences, specific

_REASONING = re.compile(r"\b(?:because|so that|otherwise|which meant|instead of|rather than|the reason|since|"
                        r"that's why|that is why|would have)\b", re.I)

FEATURES = [
    "relevant", "core", "timing", "numbers", "mechanism", "teams", "reasoning", "i_share",
    "jargon_density", "vague_density", "numbers_density", "timing_density", "architecture_share",
    "relevant_share", "core_share", "specific_share",
    # The same properties over the answers to the questions about the dimension (grading/topics.py).
    "asked", "asked_answers", "asked_timing_density", "asked_numbers_density", "asked_mechanism_density",
    "asked_teams_density", "asked_vague_density", "asked_jargon_density", "asked_core_share",
    # How strong the candidate's words read as a whole (grading/reading.py): the same for every dimension.
    "reading",
]
_COUNTS = ("relevant", "core", "timing", "numbers", "mechanism", "teams", "reasoning", "asked_answers")


def dimension_features(dimension: str, candidate_texts: list[tuple[int, str]],
                       relevant: list[str] | None = None, asked: list[str] | None = None, *,
                       reading: float) -> dict[str, float]:
    """The raw properties for one dimension (counts are log-scaled by the model, not here).
    `relevant`: the dimension's relevant sentences, when the caller has found them already;
    `asked`: the candidate's answers to the questions about the dimension (none when not given);
    `reading`: the word reading of the whole transcript (the level model's, or out-of-fold when fitting)."""
    joined = "\n".join(t for _, t in candidate_texts)
    g = extract(joined)
    rel = relevant if relevant is not None else [q.quote for _, q in relevant_sentences(dimension, candidate_texts)]
    r = extract(" ".join(rel)) if rel else None
    words = max(1, g.words)
    sentences = _sentence_count(joined)
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
        "specific_share": sum(1 for q in rel if specific(extract(q))) / max(1, len(rel)),
        **_asked(dimension, asked or []),
        "reading": reading,
    }


def _asked(dimension: str, answers: list[str]) -> dict[str, float]:
    if not answers:
        return {name: 0.0 for name in FEATURES if name.startswith("asked")}
    text = " ".join(answers)
    s = extract(text)
    words = max(1, s.words)
    sentences = _sentence_count(text)
    return {
        "asked": 1.0,
        "asked_answers": float(len(answers)),
        "asked_timing_density": 100.0 * len(s.timing) / words,
        "asked_numbers_density": 100.0 * s.numbers / words,
        "asked_mechanism_density": 100.0 * (len(s.mechanism) + s.quoted_speech) / words,
        "asked_teams_density": 100.0 * len(s.teams) / words,
        "asked_vague_density": len(s.vague_influence) / sentences,
        "asked_jargon_density": 100.0 * s.jargon / words,
        "asked_core_share": len(CORE[dimension].findall(text)) / sentences,
    }


def _sentence_count(text: str) -> int:
    return max(1, sum(1 for _ in re.finditer(r"[.!?](?:\s|$)", text)))


def vector(dimension: str, raw: dict[str, float]) -> list[float]:
    """Model input: log-scaled counts, shares as they are, and a one-hot of the dimension."""
    out = []
    for name in FEATURES:
        v = raw[name]
        out.append(math.log1p(v) if name in _COUNTS else v)
    out.extend(1.0 if d == dimension else 0.0 for d in DIMENSIONS)
    return out


def names() -> list[str]:
    return FEATURES + [f"dim:{d}" for d in DIMENSIONS]
