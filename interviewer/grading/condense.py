"""What the model reads of a long transcript when grading.

On two cores the embedded model reads about 80 tokens a second, so a 45-minute interview (several
thousand candidate words) would take minutes to prefill and could overflow its context. Past a word
budget the model is shown, turn by turn and in the candidate's order, the sentences most likely to be
evidence: first those with something checkable in them (timing, a number, a mechanism, a named team),
then by how much they read like any of the six dimensions (grading/relevance.py), each answer
keeping its share of the budget. A gap is shown as "…" so the model does not quote across it.
Text without sentence ends (an unpunctuated caption file) is read in pieces of at most PIECE_WORDS
words. Only the model's view is condensed: the rule scan, the level model and quote verification
read every sentence.
"""

from __future__ import annotations

from pydantic import BaseModel

from ..corpus import DIMENSIONS
from ..interview.signals import extract
from .evidence import specific
from .injection import split_sentences
from .relevance import SentenceRelevance

GAP = "…"
# Longer than any sentence of the labeled and calibration transcripts (98 words at most), so only a
# run-on without sentence ends is cut, and then it can still fit the budget.
PIECE_WORDS = 120


class Condensed(BaseModel):
    """The turns as the model reads them, and how much of the candidate's words that is."""

    turns: list[tuple[int, str]]
    words_shown: int
    words_total: int
    sentences_shown: int
    sentences_total: int

    @property
    def condensed(self) -> bool:
        return self.sentences_shown < self.sentences_total

    def note(self, budget: int) -> str:
        return (f"the model read the {self.sentences_shown} most specific of {self.sentences_total} candidate "
                f"sentences ({self.words_shown} of {self.words_total} words; grade_words is {budget}); "
                "the rules read every sentence")


def _score(relevance: SentenceRelevance, sentence: str) -> tuple[bool, float]:
    return specific(extract(sentence)), max(relevance.probability(d, sentence) for d in DIMENSIONS)


def _cut(words: list[str]) -> list[list[str]]:
    return [words[k:k + PIECE_WORDS] for k in range(0, len(words), PIECE_WORDS)]


def condense(turns: list[tuple[int, str]], budget: int | None, relevance: SentenceRelevance) -> Condensed:
    """`turns` as (turn index, text); a budget of None or 0 shows every word."""
    pieces = [(i, " ".join(chunk)) for i, text in turns for a, b in split_sentences(text)
              for chunk in _cut(text[a:b].split())]
    words = [len(s.split()) for _, s in pieces]
    total = sum(words)
    if not budget or total <= budget:
        return Condensed(turns=turns, words_shown=total, words_total=total,
                         sentences_shown=len(pieces), sentences_total=len(pieces))
    # Each answer keeps its share of the budget, so every question stays represented; what the shares
    # leave over goes to the best sentences anywhere. Highest score first, the earlier sentence first
    # among equals; a sentence that does not fit is skipped and a shorter one may still fit.
    scores = [_score(relevance, s) for _, s in pieces]
    ranked = sorted(range(len(pieces)), key=lambda k: (not scores[k][0], -scores[k][1], k))
    kept: set[int] = set()
    for index, _ in turns:
        mine = [k for k in ranked if pieces[k][0] == index]
        room = budget * sum(words[k] for k in mine) // total
        for k in mine:
            if words[k] <= room:
                kept.add(k)
                room -= words[k]
    room = budget - sum(words[k] for k in kept)
    for k in ranked:
        if k not in kept and words[k] <= room:
            kept.add(k)
            room -= words[k]
    used = budget - room
    parts: dict[int, list[str]] = {index: [] for index, _ in turns}
    for k, (index, sentence) in enumerate(pieces):
        if k in kept:
            parts[index].append(sentence)
        elif parts[index][-1:] != [GAP]:
            parts[index].append(GAP)
    return Condensed(turns=[(index, " ".join(parts[index])) for index, _ in turns], words_shown=used,
                     words_total=total, sentences_shown=len(kept), sentences_total=len(pieces))
