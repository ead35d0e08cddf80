"""The planner: from the answers so far in a thread, which gap a Bar Raiser would probe next.

Pure functions over AnswerSignals; the decision is a pydantic PlannerDecision saved with the turn.
"""

from __future__ import annotations

import re
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
# Follow-ups answered without what they asked for, across families, before the thread notes evasion.
MAX_DODGES = 2


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


_Q = {
    "timing": re.compile(r"\b(?:slip\w*|miss\w*|late|escalat\w+|risk|when did you|how early|first know|deadline)\b", re.I),
    "translation": re.compile(r"\b(?:explain|business leader|non-?technical|executive|in plain|tradeoff|trade-off)\b", re.I),
    "conflict": re.compile(r"\b(?:conflict\w*|disagree\w*|tension|pushed back|push back|competing|resolved?)\b", re.I),
    "data_outcome": re.compile(r"\b(?:cost|result|impact|outcome|measure\w*|what did it (?:cost|change))\b", re.I),
    "staffing": re.compile(r"\b(?:headcount|budget|staff\w*|resources?|people you (?:asked|needed))\b", re.I),
    "mechanism": re.compile(r"\b(?:another team|other team|change their plan|influence|convince|persuade|without authority|"
                            r"didn't report)\b", re.I),
    "sequencing": re.compile(r"\b(?:how would you (?:deliver|launch|run)|deliver it|in what order|sequence)\b", re.I),
}
_OTHER_TEAM_WORK = re.compile(
    r"\b(?:team|they|group)\s+(?:ended up |then |also )?(?:built|build|took on|take on|absorbed|picked up|added|"
    r"implemented|did the|would need to|had to|agreed to move|moved)\b", re.I)
_LATE = re.compile(r"\b(?:when|after|once|by the time)\s+(?:we|it|they|the team)\s+(?:had\s+)?(?:missed|slipped|"
                   r"blew|was late)|\bafter (?:the )?(?:slip|deadline|code freeze|miss)\b", re.I)
_VAGUE_OUTCOME = re.compile(r"\b(?:went (?:well|fine|ahead|smoothly)|(?:was|were) (?:pleased|happy)|successful(?:ly)?|"
                            r"broke the logjam|worked out|on schedule|on time)\b", re.I)
_PROCESS = re.compile(r"\b(?:weekly sync|RACI|risk log|tracker|status (?:report|meeting)|stand-?ups?|program review|"
                      r"launch review|dashboard)\b", re.I)


def salience(family: str, s: AnswerSignals, answer: str, question: str, round_name: str) -> float:
    """How loudly the answer (and the question it answers) calls for this family's probe."""
    score = 0.0
    q = _Q.get(family)
    if q and q.search(question):
        score += 0.5 if round_name == "program_design" else 1.0
    if family == "mechanism":
        if s.vague_influence and not s.has_mechanism:
            score += 1.2 + 0.2 * min(3, len(s.vague_influence))
    elif family == "staffing":
        if _OTHER_TEAM_WORK.search(answer) and not s.has_mechanism:
            score += 1.3
    elif family == "personal_role":
        if s.we_count >= 3 and s.we_count >= 2 * max(1, s.i_count):
            score += (1.2 + 0.1 * min(6, s.we_count - s.i_count)) * (0.4 if round_name == "program_design" else 1.0)
    elif family == "timing":
        if (s.escalation or _LATE.search(answer)) and not s.has_timing:
            score += 1.2
        if _LATE.search(answer):
            score += 1.2
    elif family == "data_outcome":
        if _VAGUE_OUTCOME.search(answer) and s.numbers == 0:
            score += 0.9
        if s.has_mechanism and s.has_timing and s.first_person_share >= 0.5 and not s.has_data:
            score += 0.8
    elif family == "conflict":
        if s.conflict and len(s.teams) < 2:
            score += 1.3
        elif s.conflict:
            score += 0.6
    elif family == "translation":
        if s.architecture_share >= 0.3 and s.business == 0:
            score += 1.0
    elif family == "dependency_discovery":
        if s.dependency and not s.discovery:
            score += 0.7
        if round_name == "program_design" and len(s.teams) < 2:
            score += 0.8
    elif family == "sequencing":
        if round_name == "program_design":
            if s.sequence < 3:
                score += 0.6
            if _PROCESS.search(answer):
                score += 1.0
            if s.architecture_share >= ARCHITECTURE_PULL_BACK:
                score += 1.5
    return score


def dodged(thread: ThreadState, round_name: str) -> list[str]:
    """The families whose follow-up was answered without what it asked for (in that answer and in
    the thread so far): a candidate who changes the subject on every probe dodges across families."""
    out = []
    for n, family in enumerate(thread.asked, start=1):
        if n >= len(thread.answers):
            break
        so_far = extract("\n".join(thread.answers[:n + 1]))
        if not satisfied(family, extract(thread.answers[n]), round_name) and not satisfied(family, so_far, round_name):
            out.append(family)
    return out


def _late_escalation(answer: str) -> bool:
    return bool(_LATE.search(answer))


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
    present = [f for f in order if satisfied(f, combined, round_name)
               and not (f == "timing" and thread.answers and _late_escalation(thread.answers[-1]) and thread.depth == 0)]
    missing = [f for f in order if f not in present and _relevant(f, combined, round_name)]
    r = reasons()

    # A family asked twice and still not answered is evasion: note it once and do not ask again.
    evasion_now = [f for f in missing if thread.asked.count(f) >= MAX_ASKS_PER_FAMILY and f not in thread.evaded]
    # So is dodging across families: the latest answer is the MAX_DODGES-th follow-up answered
    # without what it asked for (noted once, on the answer that completes the count).
    dodges = dodged(thread, round_name)
    cross_family = (len(dodges) == MAX_DODGES and len(thread.answers) == len(thread.asked) + 1
                    and dodges[-1] == thread.asked[-1] and len(set(dodges)) > 1)
    blocked = set(thread.evaded) | set(evasion_now)
    # Never ask again what this thread already answered; ask a family at most twice.
    open_gaps = [f for f in missing if f not in blocked]

    core_done = CORE[round_name] <= set(present)
    evaded = bool(evasion_now) or cross_family
    dodge_note = r["evasion_across"].format(families=" and ".join(dodges)) if cross_family and not evasion_now else ""
    if thread.depth >= max_depth:
        return PlannerDecision(present=present, missing=missing, action="move_on",
                               why=_with(r["move_on_depth"], dodge_note), evasion=evaded)
    if core_done and thread.depth >= 1:
        return PlannerDecision(present=present, missing=missing, action="move_on",
                               why=_with(r["move_on_covered"], dodge_note), evasion=evaded)
    if not open_gaps:
        why = r["move_on_evasion"].format(family=evasion_now[0]) if evasion_now else r["move_on_covered"]
        return PlannerDecision(present=present, missing=missing, action="move_on", why=_with(why, dodge_note),
                               evasion=evaded)

    answer = thread.answers[-1] if thread.answers else ""
    # Prefer a family not asked yet in this thread; a second ask only when nothing else is open.
    fresh = [f for f in open_gaps if f not in thread.asked] or open_gaps
    # The loudest gap wins; the round's order breaks ties (and is the prior when nothing is loud).
    ranked = sorted(fresh, key=lambda f: (-(salience(f, last, answer, thread.question_text, round_name)
                                             + 0.3 - 0.03 * order.index(f)), order.index(f)))
    target = ranked[0]
    if round_name == "program_design" and target == "sequencing" and last.architecture_share >= ARCHITECTURE_PULL_BACK:
        why = r["pull_back"].format(share=last.architecture_share)
    else:
        why = r["reasons"][target].format(detail=_detail(target, combined, answer))
    if evasion_now:
        why += " " + r["move_on_evasion"].format(family=evasion_now[0]).split(";")[0] + "."
    return PlannerDecision(present=present, missing=missing, probe_target=target, action="drill",
                           why=_with(why, dodge_note), evasion=evaded)


def _with(why: str, note: str) -> str:
    return f"{why} {note}" if note else why
