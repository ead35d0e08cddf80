"""The planner: from the answers so far in a thread, which gap a Bar Raiser would probe next.

Pure functions over AnswerSignals; the decision is a pydantic PlannerDecision saved with the turn.
"""

from __future__ import annotations

from functools import cache

import yaml
from pydantic import BaseModel, Field

from ..resources import data_root
from ..transcript import PlannerDecision, ProbeFamily
from .signals import AnswerSignals, extract, vague_phrase

ORDER: dict[str, list[str]] = {
    "bar_raiser": ["mechanism", "personal_role", "timing", "staffing", "dependency_discovery", "data_outcome",
                   "conflict", "translation", "sequencing"],
    "leadership_principles": ["mechanism", "personal_role", "data_outcome", "timing", "conflict",
                              "dependency_discovery", "staffing", "translation", "sequencing"],
    "program_design": ["dependency_discovery", "sequencing", "timing", "mechanism", "staffing", "translation",
                       "conflict", "data_outcome", "personal_role"],
}
# What must be on the table before the interviewer moves on from a question.
CORE: dict[str, set[str]] = {
    "bar_raiser": {"mechanism", "timing", "personal_role"},
    "leadership_principles": {"mechanism", "personal_role", "data_outcome"},
    "program_design": {"dependency_discovery", "sequencing", "timing"},
}
ARCHITECTURE_PULL_BACK = 0.45
MAX_ASKS_PER_FAMILY = 2


@cache
def reasons() -> dict:
    return yaml.safe_load((data_root("prompts") / "planner_reasons.yaml").read_text(encoding="utf-8"))


class ThreadState(BaseModel):
    """One opening question and its follow-ups."""

    question_id: str | None = None
    question_text: str = ""
    answers: list[str] = Field(default_factory=list)
    asked: list[ProbeFamily] = Field(default_factory=list)
    evaded: list[ProbeFamily] = Field(default_factory=list)

    @property
    def depth(self) -> int:
        return len(self.asked)

    def combined(self) -> AnswerSignals:
        return extract("\n".join(self.answers))


def satisfied(family: str, s: AnswerSignals, round_name: str) -> bool:
    """Whether the thread's answers already carry what this family probes for."""
    if family == "mechanism":
        return s.has_mechanism
    if family == "staffing":
        return s.has_mechanism and len(s.teams) >= 1
    if family == "timing":
        return s.has_timing
    if family == "dependency_discovery":
        return len(s.teams) >= 2 and (s.discovery > 0 or (round_name == "program_design" and s.dependency > 0))
    if family == "sequencing":
        return s.sequence >= 3 if round_name == "program_design" else s.sequence >= 2
    if family == "conflict":
        return s.conflict > 0 and len(s.teams) >= 2
    if family == "personal_role":
        return s.i_count > 0 and s.first_person_share >= 0.5
    if family == "data_outcome":
        return s.has_data
    if family == "translation":
        return s.business > 0
    raise ValueError(family)


def _relevant(family: str, s: AnswerSignals, round_name: str) -> bool:
    """Some families only make sense when the story opens the door to them."""
    if family == "staffing":
        return s.dependency > 0 or bool(s.vague_influence) or len(s.teams) >= 2
    if family == "conflict":
        return s.conflict > 0 or round_name == "leadership_principles"
    if family == "translation":
        return round_name == "program_design" or s.architecture_share > 0.2
    return True


def _detail(family: str, s: AnswerSignals, answer: str) -> str:
    phrase = vague_phrase(answer)
    if family in ("mechanism", "staffing") and phrase:
        return f" (\"{phrase}\")"
    if family == "personal_role" and s.we_count:
        return f" ({s.we_count} times 'we', {s.i_count} 'I')"
    return ""


def decide(thread: ThreadState, round_name: str, *, max_depth: int, priority: list[str] | None = None) -> PlannerDecision:
    """Drill into the highest-priority open gap, or move on."""
    combined = thread.combined()
    last = extract(thread.answers[-1]) if thread.answers else AnswerSignals()
    order = list(dict.fromkeys((priority or []) + ORDER[round_name]))
    present = [f for f in order if satisfied(f, combined, round_name)]
    missing = [f for f in order if f not in present and _relevant(f, combined, round_name)]
    r = reasons()

    # A family asked twice and still not answered is evasion: note it once and do not ask again.
    evasion_now = [f for f in missing if thread.asked.count(f) >= MAX_ASKS_PER_FAMILY and f not in thread.evaded]
    blocked = set(thread.evaded) | set(evasion_now)
    # Never ask again what this thread already answered; ask a family at most twice.
    open_gaps = [f for f in missing if f not in blocked]

    core_done = CORE[round_name] <= set(present)
    if thread.depth >= max_depth:
        return PlannerDecision(present=present, missing=missing, action="move_on", why=r["move_on_depth"],
                               evasion=bool(evasion_now))
    if core_done and thread.depth >= 1:
        return PlannerDecision(present=present, missing=missing, action="move_on", why=r["move_on_covered"],
                               evasion=bool(evasion_now))
    if not open_gaps:
        why = r["move_on_evasion"].format(family=evasion_now[0]) if evasion_now else r["move_on_covered"]
        return PlannerDecision(present=present, missing=missing, action="move_on", why=why, evasion=bool(evasion_now))

    if round_name == "program_design" and last.architecture_share >= ARCHITECTURE_PULL_BACK and "sequencing" in open_gaps:
        target = "sequencing"
        why = r["pull_back"].format(share=last.architecture_share)
    else:
        # Prefer a family not asked yet in this thread; a second ask only when nothing else is open.
        fresh = [f for f in open_gaps if f not in thread.asked]
        target = (fresh or open_gaps)[0]
        why = r["reasons"][target].format(detail=_detail(target, combined, thread.answers[-1] if thread.answers else ""))
    if evasion_now:
        why += " " + r["move_on_evasion"].format(family=evasion_now[0]).split(";")[0] + "."
    return PlannerDecision(present=present, missing=missing, probe_target=target, action="drill", why=why,
                           evasion=bool(evasion_now))
