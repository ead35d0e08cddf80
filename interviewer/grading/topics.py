"""Which dimensions each interviewer question asks about (rubrics/question_topics.yaml), and so which
candidate answers a dimension is read in: an answer is evidence for what it was asked."""

from __future__ import annotations

from functools import cache

from ..resources import data_root
from ..transcript import Transcript
from .cues import DimensionCues, load


@cache
def load_topics() -> DimensionCues:
    return load(DimensionCues, data_root("rubrics") / "question_topics.yaml")


def asks_about(dimension: str, question: str) -> bool:
    cue = load_topics().dimensions.get(dimension)  # type: ignore[call-overload]
    return bool(cue and question and cue.matches(question))


def questions_before(transcript: Transcript) -> dict[int, str]:
    """For each candidate turn, the interviewer's question it answers (the last one before it)."""
    out: dict[int, str] = {}
    last = ""
    for index, turn in enumerate(transcript.turns):
        if turn.role == "interviewer":
            last = turn.text
        elif turn.role == "candidate":
            out[index] = last
    return out


def answers_to(dimension: str, questions: dict[int, str], candidate_texts: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The candidate's (sanitized) answers to the questions about `dimension`."""
    return [(i, text) for i, text in candidate_texts if asks_about(dimension, questions.get(i, ""))]
