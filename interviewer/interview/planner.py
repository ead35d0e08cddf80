"""The planner: from the answers so far in a thread, which gap a Bar Raiser would probe next.

Functions over AnswerSignals decide what is on the table, what may not be asked again and when to
move on; the learned target model (target_model.py) orders the open gaps. The decision is a pydantic
PlannerDecision saved with the turn.
"""

from __future__ import annotations

import re
from functools import cache

import yaml
from pydantic import BaseModel, Field

from ..resources import data_root
from ..transcript import PlannerDecision, ProbeFamily
from .numerals import digits
from .signals import MECHANISM, TIMING, AnswerSignals, extract, split_sentences, states_result, vague_phrase

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
# Log-odds added to the families of the round's assigned Leadership Principles: a near tie goes to
# what the round is for (not learned: the training answers carry no assigned principles). 0.5 until
# the question joined the reading (target-q), which spreads the scores a little wider.
PRIORITY_BONUS = 1.0
# Families the first follow-up may still target when the regexes read them as present: a date is not
# when the risk was known, 'I offered' is not what was offered, a named team is not how it was staffed,
# a dollar figure is not the business tradeoff. The target model weighs them with the other open gaps.
# Chosen by leave-one-file-out on training/: none 0.660, timing alone 0.683, these four 0.715, all but
# personal_role 0.703, all nine 0.694 (an I-share reads the role reliably: of 401 training answers read as
# giving it, 7% were labeled with it acceptable; 19-36% for the others).
# Later follow-ups never re-ask what the thread answered.
SOFT_PRESENT = {"mechanism", "staffing", "timing", "translation"}
# ...except timing told as the moment of knowing ("in week 3 I read their plan and saw..."): asking
# "when did you know?" then re-asks what the story answered (the simulation's strong persona drew it).
# Leave-one-file-out 0.714 -> 0.700; dev 0.872 and held-out 0.756 either way.
_KNEW = re.compile(r"\b(?:knew|know|found|saw|spotted|noticed|realized|realised|discovered|flagged|raised|told|"
                   r"escalat\w+|warned|caught|read)\b", re.I)
# ...and a mechanism told with what was given and on what terms ("my team would own the tests, about
# three engineer-weeks, if she pulled the format work into March"): a number, a quote or the condition of
# the deal in the sentence that makes the offer. Asking "what did you offer?" then re-asks the story (the
# simulation's strong persona drew it three times once the planner read words).
_TERMS = re.compile(r"\d|[\"“]|\b(?:in return|in exchange|if (?:she|he|they|we|you|their|his|her)|provided (?:that|she|he|they)|"
                    r"as long as|on condition|so long as)\b", re.I)
# The exceptions: the family is told in full when one sentence carries both patterns (read on digits, as
# extract reads timing: "fourteen weeks in, I saw..." is a week told in words).
_TOLD_IN_FULL = {"timing": (TIMING, _KNEW), "mechanism": (MECHANISM, _TERMS)}


def soft_present(family: str, answer: str) -> bool:
    """A family the first follow-up may target although the regexes read it as present."""
    if family not in SOFT_PRESENT:
        return False
    if family not in _TOLD_IN_FULL:
        return True
    first, second = _TOLD_IN_FULL[family]
    return not any(first.search(x) and second.search(x) for x in split_sentences(digits(answer)))


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


def satisfied_in(family: str, answer: str, s: AnswerSignals, round_name: str) -> bool:
    """`satisfied`, read on the text: a result is a number in the same sentence as an outcome, a
    business framing is a consequence in money or customers, not the word "customers" anywhere, and a
    conflict is told with what each side wanted, not only that they disagreed."""
    if family == "data_outcome":
        return states_result(answer)
    if family == "translation":
        return bool(_BUSINESS_CONSEQUENCE.search(answer))
    if family == "sequencing":  # an order of work counts once something defends it
        return satisfied(family, s, round_name) and bool(_BECAUSE.search(answer))
    if family == "conflict":  # a disagreement between two teams counts once both sides' wants are said
        return satisfied(family, s, round_name) and any(_POSITIONS.search(x) for x in split_sentences(answer))
    return satisfied(family, s, round_name)


def _relevant(family: str, s: AnswerSignals, round_name: str) -> bool:
    """Some families only make sense when the story opens the door to them."""
    if family == "staffing":
        return s.dependency > 0 or bool(s.vague_influence) or len(s.teams) >= 2
    if family == "conflict":
        return s.conflict > 0 or round_name == "leadership_principles"
    if family == "translation":
        return round_name == "program_design" or s.architecture_share > 0.2 or s.business > 0
    return True


_Q = {
    "timing": re.compile(r"\b(?:slip\w*|miss\w*|late|escalat\w+|risk|when did you|how early|first know|deadline|"
                         r"coming|before others)\b", re.I),
    "translation": re.compile(r"\b(?:explain|business leader|non-?technical|executives?|in plain|tradeoff|trade-off|"
                              r"leadership|bad news|fund\w*|VP|engineering (?:constraint|decision))\b", re.I),
    "conflict": re.compile(r"\b(?:conflict\w*|disagree\w*|tension|pushed back|push back|competing|resolved?)\b", re.I),
    "data_outcome": re.compile(r"\b(?:cost|result|impact|outcome|measure\w*|what did it (?:cost|change))\b", re.I),
    "staffing": re.compile(r"\b(?:headcount|budget|staff\w*|resources?|people you (?:asked|needed))\b", re.I),
    "mechanism": re.compile(r"\b(?:another team|other team|change their plan|influence|convince|persuade|without authority|"
                            r"didn't report)\b", re.I),
    "sequencing": re.compile(r"\b(?:how would you (?:deliver|launch|run)|deliver it|in what order|sequenc\w*|order|"
                             r"plann?(?:ed|ing)? (?:the )?(?:delivery|work)|what came first|phases?)\b", re.I),
    "dependency_discovery": re.compile(r"\b(?:depend\w*|surprise\w*|blocked|upstream|see coming|unexpected)\b", re.I),
}
_OTHER_TEAM_WORK = re.compile(
    r"\b(?:team|they|group)\s+(?:ended up |then |also )?(?:built|build|took on|take on|absorbed|picked up|added|"
    r"implemented|did the|would need to|had to|agreed to move|moved)\b", re.I)
_LATE = re.compile(r"\b(?:when|after|once|by the time)\s+(?:we|it|they|the team)\s+(?:had\s+)?(?:missed|slipped|"
                   r"blew|was late)|\bafter (?:the )?(?:slip|deadline|code freeze|miss)\b", re.I)
_VAGUE_OUTCOME = re.compile(r"\b(?:went (?:well|fine|ahead|smoothly)|(?:was|were) (?:pleased|happy)|successful(?:ly)?|"
                            r"broke the logjam|worked out|on schedule|on time)\b", re.I)
_BUSINESS_CONSEQUENCE = re.compile(
    r"\b(?:revenue|margin|GMV|conversion|churn|penalt\w+|lost sales|profit|sales)\b|\$\s?\d|\bdollars?\b|"
    r"\bcost(?:s|ing)? (?:us|them|the business)\b|\bwould cost\b|\bper (?:order|user|customer|month|package)\b|"
    r"\bcustomers? (?:would|will|could|were|are) (?:lose|see|stop|leave|churn|wait|get|be)\b", re.I)
# Told to a business audience in engineering words: the translation gap.
_AUDIENCE = re.compile(r"\b(?:VP|SVP|CFO|COO|CEO|CMO|GM|general manager|finance|marketing|sales|merchandising|"
                       r"leadership|executives?|business (?:owner|lead|side|stakeholders?)|director of \w+|head of \w+)\b")
_TECH = re.compile(r"\b(?:pods?|cluster\w*|autoscal\w+|partition\w*|consumer group|JVM|heap|garbage collect\w*|GC|"
                   r"shuffle|spark|instances?|p9\d|endpoints?|microservices?|TTL|rebalanc\w+|threads?|CPU|memory|ETL|"
                   r"schema|API|SDK|CDN|DNS|TLS|OAuth|tokens?|Kafka|shard\w*|replica\w*|cache\w*|latency|queue\w*|"
                   r"index\w*|database|DB|Kubernetes|k8s|lambda|serverless|container\w*|pipeline|batch job|cron|"
                   r"feature flags?|config\w*|deploy\w*|rollback|load balanc\w+|throughput|QPS|RPS)\b")
_VAGUE_WHEN = re.compile(r"\b(?:early(?: on)?|as soon as|right away|immediately|in time|well (?:ahead|in advance)|"
                         r"at some point|eventually|ahead of time|in advance|proactively|before it became)\b", re.I)
_RAISED = re.compile(r"\b(?:escalat\w+|flagged|raised|told|informed|alerted|warned|heads-up|let \w+ know)\b", re.I)
_LATE_FOUND = re.compile(r"\b(?:turned out|surprise\w*|found out|last minute|late in|out of nowhere|caught us|"
                         r"hadn't (?:known|realized|accounted)|didn't know|came up|blindsided|we learned|only then|"
                         r"nobody (?:knew|had)|no one (?:knew|had))\b", re.I)
_CAPACITY = re.compile(r"\b(?:into their (?:sprint|roadmap|quarter|plan)|found (?:the )?capacity|made room|freed up|"
                       r"carved out|secured (?:the )?(?:resourcing|headcount|engineers|capacity)|got (?:\w+ )?engineers|"
                       r"lent us|loaned|on loan|picked (?:it )?up|took it on|staffed)\b", re.I)
_BIG_WORDS = re.compile(r"\b(?:huge|big|great|massive|real|clear) (?:success|win|improvement|impact)|"
                        r"significant(?:ly)?|much (?:faster|better|more|less|cheaper)|a lot (?:faster|better|more|less|of money)|"
                        r"really well|great results|well received|positive (?:feedback|impact)|improved\b", re.I)
_ORDERED = re.compile(r"\b(?:first|then|after that|next|followed|last|phase \w+|in (?:three|two|four) phases|"
                      r"went (?:first|last))\b", re.I)
# Two sides' positions in one sentence ("finance wanted to hold the date while merchandising needed ..."):
# 'disagreed' with two teams named is a conflict told, not its content (training/: of 21 answers the
# old reading counted as a conflict told, 16 were labeled with conflict as an acceptable probe).
_POSITIONS = re.compile(r"\b(?:wanted|needed|insisted on|pushed for|argued for|preferred)\b.{3,120}?"
                        r"\b(?:wanted|needed|insisted on|pushed for|argued for|preferred)\b", re.I)
_BECAUSE = re.compile(r"\b(?:because|so that|otherwise|since|the reason|which meant|that way|to avoid|to de-?risk)\b", re.I)
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
        if _CAPACITY.search(answer):
            score += 1.0
    elif family == "personal_role":
        if s.we_count >= 4 and s.we_count >= 2 * s.i_count + 2:
            score += (1.0 + 0.1 * min(6, s.we_count - s.i_count)) * (0.4 if round_name == "program_design" else 1.0)
    elif family == "timing":
        if (s.escalation or _LATE.search(answer)) and not s.has_timing:
            score += 1.2
        if _LATE.search(answer):
            score += 1.2
        if _VAGUE_WHEN.search(answer) and _RAISED.search(answer):
            score += 1.0  # "I flagged it early": early by how much?
    elif family == "data_outcome":
        if _VAGUE_OUTCOME.search(answer) and s.numbers == 0:
            score += 0.9
        if _BIG_WORDS.search(answer) and not satisfied_in("data_outcome", answer, s, round_name):
            score += 1.0
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
        if _AUDIENCE.search(answer) and len(_TECH.findall(answer)) >= 3 and not _BUSINESS_CONSEQUENCE.search(answer):
            score += 1.8
    elif family == "dependency_discovery":
        if s.dependency and not s.discovery:
            score += 0.7
        if _LATE_FOUND.search(answer):
            score += 1.2
        if round_name == "program_design" and len(s.teams) < 2:
            score += 0.8
    elif family == "sequencing":
        if len(_ORDERED.findall(answer)) >= 2 and not _BECAUSE.search(answer):
            score += 0.9  # an order of work, never defended
        if round_name == "program_design":
            if s.sequence < 3:
                score += 0.6
            if _PROCESS.search(answer):
                score += 1.0
            if s.architecture_share >= ARCHITECTURE_PULL_BACK:
                score += 1.5
    return score


# The probes that pull an architecture answer back to delivery: which teams, what runs first, when, who staffs it.
_DELIVERY = {"sequencing", "dependency_discovery", "timing", "staffing"}


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
    joined = "\n".join(thread.answers)
    present = [f for f in order if satisfied_in(f, joined, combined, round_name)
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
    # Never ask again what this thread already answered; ask a family at most twice. The first
    # follow-up may target any gap (the target model weighs how relevant it is, as it was trained
    # to); later ones stay within the gaps this story opened.
    pool = missing if thread.depth else [f for f in order if f not in present or soft_present(f, joined)]
    open_gaps = [f for f in pool if f not in blocked]

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
    # A Bar Raiser refuses the summary: a core gap asked once and answered without it is asked once
    # more, before anything else (a second miss is evasion, noted above).
    last_asked = thread.asked[-1] if thread.asked else None
    if (last_asked in CORE[round_name] and last_asked in open_gaps and thread.asked.count(last_asked) == 1
            and len(thread.answers) == len(thread.asked) + 1):
        why = r["press"].format(family=last_asked.replace("_", " ")) + " " + \
            r["reasons"][last_asked].format(detail=_detail(last_asked, combined, answer))
        return PlannerDecision(present=present, missing=missing, probe_target=last_asked, action="drill",
                               why=_with(why, dodge_note), evasion=evaded)
    # Otherwise prefer a family not asked yet in this thread; a second ask only when nothing else is open.
    fresh = [f for f in open_gaps if f not in thread.asked] or open_gaps
    # The learned target model orders the open gaps (its inputs include the salience cues); the
    # round's order breaks ties.
    from .target_model import scores_for

    scores = scores_for(answer, thread.question_text, round_name, last)
    for f in priority or []:
        scores[f] += PRIORITY_BONUS
    target = min(fresh, key=lambda f: (-scores[f], order.index(f)))
    if target not in missing:
        missing = [f for f in order if f == target or f in missing]
        present = [f for f in present if f != target]
    in_architecture = round_name == "program_design" and last.architecture_share >= ARCHITECTURE_PULL_BACK
    if in_architecture and target in _DELIVERY:
        why = r["pull_back"].format(share=last.architecture_share)
    elif in_architecture and target == "translation":
        # Labeled answers of this kind draw the business tradeoff as often as delivery (training/ a-n: a rule
        # forcing delivery scored 23 of 34 where the model's choice scored 34; 7 of 11 against 9 on o-v,
        # then held in reserve).
        why = r["pull_back_business"].format(share=last.architecture_share)
    else:
        why = r["reasons"][target].format(detail=_detail(target, combined, answer))
    if evasion_now:
        why += " " + r["move_on_evasion"].format(family=evasion_now[0]).split(";")[0] + "."
    return PlannerDecision(present=present, missing=missing, probe_target=target, action="drill",
                           why=_with(why, dodge_note), evasion=evaded)


def _with(why: str, note: str) -> str:
    return f"{why} {note}" if note else why
