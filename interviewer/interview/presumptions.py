"""What a follow-up takes as given: a question may speak of "that trade" or "their first no" only when
the thread has said something of the kind (prompts/presumptions.yaml).

A probe is chosen for the gap, and its wording was written for the answer its `when` describes; asked
of a vaguer answer, "What did that trade cost you?" puts a trade in the candidate's mouth. The realizer
passes over presuming probes and retries a model question that presumes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..resources import prompt_text


@dataclass(frozen=True)
class Presumption:
    what: str
    asked: re.Pattern[str]
    said: re.Pattern[str]


@cache
def presumptions() -> tuple[Presumption, ...]:
    import yaml

    data = yaml.safe_load(prompt_text("presumptions.yaml"))
    return tuple(Presumption(what=p["what"], asked=re.compile(p["asked"], re.I), said=re.compile(p["said"], re.I))
                 for p in data["presumptions"])


def unsupported(question: str, said: str) -> str | None:
    """What the question takes as given that nothing in `said` (the thread's question and the
    candidate's answers in it) supports, e.g. "a trade"; None when it presumes nothing unsaid."""
    for p in presumptions():
        if p.asked.search(question) and not p.said.search(said):
            return p.what
    return None
