"""The dependency map of a transcript: the teams the candidate named and which of them their own
sentences tie together. Shown in the report (a list) and the HTML report (a picture)."""

from __future__ import annotations

import math
import re

from pydantic import BaseModel, Field

from ..interview.signals import _TEAM
from .injection import split_sentences

_LEAD = re.compile(r"^(?:the|our|their|my|a|an)\s+", re.I)
_TAIL = re.compile(r"\s+(?:team|org|organization|group|squad)$", re.I)
# A role named by what it runs ("the sales director", "their payments lead"): the team pattern keeps only
# a capitalised qualifier, so two lower-case directors would both become "Director". Here the map keeps
# the qualifier, and two people stay two nodes.
_ROLE = re.compile(r"\b(?:[Tt]he|[Oo]ur|[Tt]heir|[Mm]y|[Hh]is|[Hh]er)\s+"
                   r"((?:(?!same\b|other\b|own\b|new\b|whole\b|two\b|both\b)[a-z][\w-]*\s+){1,2}"
                   r"(?:VP|director|lead|manager|principal engineer|PM|GM|head))\b")
_LINK = re.compile(r"\b(?:depend\w*|block\w*|waiting on|needed|need|relied on|rely on|owned|owns|built|build|"
                   r"asked|gave|offered|traded|lent|review\w*|sign[- ]off|integrat\w+|handoff|called)\b", re.I)


class Edge(BaseModel):
    a: str
    b: str
    turn: int
    quote: str
    kind: str = Field(description="dependency (a dependency word ties them) or mention (named together)")


class DependencyMap(BaseModel):
    nodes: list[str] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)

    def svg_layout(self, size: int = 420) -> list[tuple[str, float, float]]:
        """Nodes on a circle: (name, x, y) for the HTML picture."""
        r = size / 2 - 70
        n = max(1, len(self.nodes))
        return [(name, size / 2 + r * math.cos(2 * math.pi * i / n - math.pi / 2),
                 size / 2 + r * math.sin(2 * math.pi * i / n - math.pi / 2)) for i, name in enumerate(self.nodes)]


def _norm(name: str) -> str:
    # The tail goes with the space before it, so "Our team" or "the group" alone leaves no name at all.
    name = _TAIL.sub("", " " + _LEAD.sub("", " ".join(name.split()))).lstrip()
    return name[:1].upper() + name[1:] if name else name


def build(candidate_texts: list[tuple[int, str]], limit: int = 12) -> DependencyMap:
    nodes: dict[str, None] = {}
    edges: list[Edge] = []
    seen: set[tuple[str, str]] = set()
    for turn, text in candidate_texts:
        for start, end in split_sentences(text):
            sentence = " ".join(text[start:end].split())
            names = list(dict.fromkeys(n for n in (_norm(found) for found in _names(sentence)) if n))
            for name in names:
                nodes.setdefault(name, None)
            kind = "dependency" if _LINK.search(sentence) else "mention"
            for a, b in zip(names, names[1:], strict=False):
                key = tuple(sorted((a, b)))
                if key in seen:
                    continue
                seen.add(key)
                edges.append(Edge(a=a, b=b, turn=turn, quote=sentence, kind=kind))
    # One node per team: "Label" and "Shipping label" are the same team, named once in full.
    alias = _aliases(list(nodes))
    merged: list[Edge] = []
    pairs: set[tuple[str, str]] = set()
    for e in edges:
        a, b = alias[e.a], alias[e.b]
        key = tuple(sorted((a, b)))
        if a == b or key in pairs:
            continue
        pairs.add(key)
        merged.append(e.model_copy(update={"a": a, "b": b}))
    kept = list(dict.fromkeys(alias[n] for n in nodes))[:limit]
    return DependencyMap(nodes=kept, edges=[e for e in merged if e.a in kept and e.b in kept])


def _names(sentence: str) -> list[str]:
    """The teams and roles of one sentence in the order they are named; a qualified role replaces the
    bare role word the team pattern found inside it."""
    roles = [(m.start(1), m.end(1), m.group(1)) for m in _ROLE.finditer(sentence)]
    found = [(m.start(), m.end(), m.group(0)) for m in _TEAM.finditer(sentence)
             if not any(a <= m.start() and m.end() <= b for a, b, _ in roles)]
    return [name for _, _, name in sorted(found + roles)]


def _aliases(names: list[str]) -> dict[str, str]:
    """Each name -> the longest name that ends with it as whole words ("Label" -> "Shipping label")."""
    out = {}
    for name in names:
        longer = [other for other in names if other != name and len(other) > len(name)
                  and re.search(rf"(?:^|\s){re.escape(name.lower())}$", other.lower())]
        out[name] = max(longer, key=len) if longer else name
    return out
