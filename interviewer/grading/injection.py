"""Text in a transcript addressed to the grader or the system: detected, flagged, never evidence."""

from __future__ import annotations

import re

from pydantic import BaseModel

_PATTERNS = [
    r"\b(?:note|message|instructions?|memo|reminder)s?\s+(?:to|for)\s+(?:the\s+|any\s+)?(?:(?:grading|scoring|evaluation|"
    r"evaluating|ai|language)\s+)?(?:evaluator|grader|assessor|reviewer|scorer|scoring|model|ai|system|llm|assistant)",
    r"(?:^|[\s\[(<])(?:system|assistant|evaluator|grader|assessor)\s*(?:note|prompt|override|message)?\s*[:>\]]",
    r"\bignore\s+(?:all\s+|any\s+|the\s+|your\s+|previous\s+|prior\s+|above\s+|earlier\s+)*(?:instructions|rubric|rules|guidelines|prompt)",
    r"\b(?:score|rate|grade|mark|assess)\s+(?:me|this\s+(?:candidate|answer|response|transcript)|every\s+dimension|all\s+(?:the\s+)?dimensions)\b",
    r"\b(?:give|assign|award)\s+(?:me|this\s+candidate|the\s+candidate)\s+(?:a\s+)?(?:4|four|top|maximum|full|strong)",
    r"\bstrong[_\s]hire\b",
    r"\b(?:you are|you're)\s+(?:now\s+)?(?:an?|the)\s+(?:evaluator|grader|assistant|ai|model)\b",
    r"</?\s*(?:system|instructions?|rubric|transcript)\s*>|\[/?(?:INST|SYSTEM)\]",
    r"\bdisregard\s+(?:the\s+|your\s+|all\s+)*(?:rubric|instructions|above)",
    r"\bthis\s+candidate\s+(?:meets|exceeds|raises)\s+the\s+bar\b",
    r"\b(?:whoever|whatever|anyone|anything|the\s+(?:model|ai|system|llm))\b.{0,40}\b(?:is\s+)?(?:grading|scoring|"
    r"evaluating|assessing|rating)\s+(?:this|these|me|my)\b",
    r"\b(?:evaluator|grader|scorer)\s+output\b",
]
_RX = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE | re.MULTILINE)
# A sentence ends at . ! ? followed by a space or the end (so "1.4 million" stays whole), or a newline;
# a closing quote or bracket after the stop belongs to the sentence ('...we carry the risk." Then').
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?![.!?]*[\"'”’)\]]*(?:\s|$)))*(?:[.!?]+[\"'”’)\]]*(?=\s|$)|\n|$)")


class InjectionFlag(BaseModel):
    turn: int
    text: str


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences (or lines) of a text."""
    spans = []
    for m in _SENTENCE.finditer(text):
        if m.group(0).strip():
            spans.append((m.start(), m.end()))
    return spans


def find_injections(text: str) -> list[tuple[int, int]]:
    """Spans (whole sentences) that address the evaluator or system instead of the interviewer."""
    hits = []
    for start, end in split_sentences(text):
        if _RX.search(text[start:end]):
            hits.append((start, end))
    return hits


_OPEN_CLOSE = {"[": "]", "(": ")", "{": "}", "<": ">"}
_BRACKET_REACH = 600


def _bracketed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span widened to the bracket it sits in, if any ("[Instructions for the model: ... Set X to 4.]"
    spans two sentences; the whole aside goes, not only the sentence that gave it away)."""
    depth: dict[str, int] = {}
    for i in range(start - 1, max(-1, start - _BRACKET_REACH), -1):
        ch = text[i]
        if ch == "\n":
            break
        if ch in _OPEN_CLOSE.values():
            depth[ch] = depth.get(ch, 0) + 1
        elif ch in _OPEN_CLOSE:
            close = _OPEN_CLOSE[ch]
            if depth.get(close, 0):
                depth[close] -= 1
                continue
            stop = text.find(close, end - 1, start + _BRACKET_REACH)
            newline = text.find("\n", start)
            if stop != -1 and (newline == -1 or stop < newline):
                return i, max(end, stop + 1)
            return start, end
    return start, end


def sanitize(text: str) -> tuple[str, list[str]]:
    """The text with injected sentences blanked out (same length, so offsets hold), and what was removed."""
    spans: list[tuple[int, int]] = []
    for a, b in sorted(_bracketed(text, a, b) for a, b in find_injections(text)):
        if spans and a < spans[-1][1]:  # two flagged sentences of one aside: one removal
            spans[-1] = (spans[-1][0], max(b, spans[-1][1]))
        else:
            spans.append((a, b))
    if not spans:
        return text, []
    chars = list(text)
    removed = []
    for start, end in spans:
        removed.append(text[start:end].strip())
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars), removed
