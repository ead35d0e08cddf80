"""Progress across graded sessions: per-dimension trend, recurring gaps, what to practise next."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pydantic import BaseModel, Field

from .corpus import DIMENSIONS
from .store import load_session
from . import paths

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int]) -> str:
    """Scores 1-4 as bars, oldest first."""
    return "".join(BARS[min(7, max(0, round((v - 1) / 3 * 7)))] for v in values)


class History(BaseModel):
    sessions: list[str] = Field(default_factory=list)
    votes: list[str] = Field(default_factory=list)
    scores: dict[str, list[int]] = Field(default_factory=dict)
    gaps: list[tuple[str, int]] = Field(default_factory=list)
    weakest: str | None = None


def collect(directory: Path | None = None) -> History:
    directory = directory or paths.sessions_dir()
    h = History(scores={d: [] for d in DIMENSIONS})
    gaps: Counter[str] = Counter()
    for path in sorted(directory.glob("*.jsonl")):  # ids start with the date: sorted is oldest first
        try:
            loaded = load_session(path)
        except Exception:  # a damaged file is skipped here; `interviewer sessions` shows it
            continue
        if not loaded.grades:
            continue
        grade = loaded.grades[-1]
        scores = grade.get("scores", {})
        if not all(d in scores for d in DIMENSIONS):
            continue
        h.sessions.append(loaded.transcript.id)
        h.votes.append(grade.get("vote", "?"))
        for d in DIMENSIONS:
            h.scores[d].append(int(scores[d]["score"]))
            gaps.update(scores[d].get("missing", []))
    h.gaps = gaps.most_common(5)
    if h.sessions:
        recent = {d: sum(v[-3:]) / len(v[-3:]) for d, v in h.scores.items()}
        h.weakest = min(recent, key=lambda d: (recent[d], DIMENSIONS.index(d)))
    return h


def render(h: History) -> str:
    if not h.sessions:
        return "no graded sessions yet: finish a round in `interviewer loop` (it grades at the end)"
    lines = [f"{len(h.sessions)} graded sessions, oldest first; last vote: {h.votes[-1].replace('_', ' ')}", ""]
    for d in DIMENSIONS:
        v = h.scores[d]
        lines.append(f"{d.replace('_', ' '):<24} {sparkline(v):<12} last {v[-1]}  mean {sum(v) / len(v):.1f}")
    if h.gaps:
        lines += ["", "Recurring gaps:"] + [f"  {n}× {gap}" for gap, n in h.gaps]
    lines += ["", f"Practise next: {h.weakest.replace('_', ' ')} (lowest over your last three sessions)"]
    return "\n".join(lines)
