"""Probe retrieval for the realizer: candidates of one family, ranked by relevance to the answer.

The lexical ranker needs nothing loaded; a vector ranker (Chroma) plugs in with the same method.
"""

from __future__ import annotations

import re
from typing import Protocol

from ..corpus import Corpus, Probe

_WORD = re.compile(r"[a-z']+")
_STOP = frozenset("the a an and or to of in on for with you your did what how when was were it that this they them "
                  "i we is be at by as from do".split())


def content_terms(text: str) -> set[str]:
    """The words of a text that carry its content (no stop words, three letters or more)."""
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


class ProbeRetriever(Protocol):
    def probes(self, family: str, round_name: str, query: str, k: int = 3) -> list[Probe]: ...


class LexicalRetriever:
    """Ranks a family's probes by word overlap between their `when`/`text` and the answer."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self._terms = {p.id: content_terms(p.when + " " + p.plain) for p in corpus.probes}

    def probes(self, family: str, round_name: str, query: str, k: int = 3) -> list[Probe]:
        pool = self.corpus.probes_for(family, round_name) or self.corpus.probes_for(family)
        q = content_terms(query)
        ranked = sorted(pool, key=lambda p: (-len(q & self._terms[p.id]), p.id))
        return ranked[:k]
