"""A program_design round against its corpus scenario: did the plan surface what a strong delivery
plan must (the teams, the contract to close first, where the critical path runs, the review cycles
that gate the date, the dependency nobody lists)?

Deterministic word matching over the candidate's own sentences: each finding carries the sentence
that showed it, so the report can quote it. The scenario comes from the session (the app records
it), a `# scenario:` line in a text transcript, or `interviewer grade --scenario ID`.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from ..corpus import Scenario
from .evidence import Quote, sentences_of

_WORD = re.compile(r"[a-z][a-z0-9'-]+")
# Words too common in delivery talk to tell one team, gate or path from another.
_GENERIC = frozenset(
    "the and for with from that this their them they its into over under team teams platform service services tools "
    "tooling group org engineering product program launch review reviews new all any each one two three before after "
    "must need needs needed what which when where while about also only than then there these those would could should "
    "have has had been being were will can not but per via out own owns owned other same more most first last data "
    "system systems support app apps api apis week weeks month months date dates time lead contract contracts "
    "interface critical path runs through between agreed agree agreement first".split())
_CONTRACT = re.compile(r"\b(?:contract|interface|api|schema|spec)\w*\b[^.]{0,160}\b(?:first|before|lock\w*|agree\w*|"
                       r"freez\w*|sign\w* off|clos\w+)\b|\b(?:first|lock|agree|freeze|close)\w*\b[^.]{0,60}"
                       r"\b(?:contract|interface|api|spec)\b", re.I)
_CRITICAL = re.compile(r"\b(?:critical path|longest (?:lead|pole)|sets? the date|gates? the date|long pole|"
                       r"(?:that|this)'s the (?:date|path))\b", re.I)
_GATE = re.compile(r"\b(?:review|approval|sign-?off|certif\w+|assessment|audit|filing|freeze|notice|notif\w+|"
                   r"licens\w+|permit\w*|consultation|inspection|pen test)\b", re.I)
_SUFFIX = frozenset("team teams platform tools tooling group org services".split())
# Words that name a team only together with the rest of its name ("Customer Service", not "customer").
_COMMON = frozenset("customer customers user users order orders product products risk account accounts content "
                    "store search mobile web data business".split())


def _terms(text: str) -> set[str]:
    return {w.strip("'-") for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _GENERIC}


class Finding(BaseModel):
    what: str
    found: bool
    evidence: Quote | None = None


class DeliveryCheck(BaseModel):
    scenario: str
    title: str
    teams_named: list[str] = Field(default_factory=list)
    teams_missed: list[str] = Field(default_factory=list)
    contract_first: Finding
    critical_path: Finding
    review_gates: list[Finding] = Field(default_factory=list)
    hidden_dependency: Finding
    coverage: float = Field(description="share of the scenario's checks the plan surfaced (0-1)")

    def gaps(self) -> list[str]:
        """What a strong plan for this scenario would have contained, in the report's words."""
        out = []
        if self.teams_missed:
            out.append(f"the teams this scenario needs but the plan never named: {', '.join(self.teams_missed)}")
        if not self.contract_first.found:
            out.append(f"the contract to close first: {self.contract_first.what}")
        if not self.critical_path.found:
            out.append(f"where the critical path runs: {self.critical_path.what}")
        missed_gates = [g.what for g in self.review_gates if not g.found]
        if missed_gates:
            out.append(f"the review cycles that gate the date: {'; '.join(missed_gates)}")
        if not self.hidden_dependency.found:
            out.append(f"the dependency nobody lists: {self.hidden_dependency.what}")
        return out


def _best_sentence(sentences: list[Quote], terms: set[str], need: int,
                   pattern: re.Pattern[str] | None = None) -> Quote | None:
    """The candidate sentence sharing the most of `terms` (at least `need`), and matching `pattern` if given."""
    best, best_n = None, 0
    for q in sentences:
        if pattern is not None and not pattern.search(q.quote):
            continue
        n = len(terms & _terms(q.quote))
        if n >= need and n > best_n:
            best, best_n = q, n
    return best


def _team_named(name: str, text_terms: set[str], text: str) -> bool:
    """Named by a distinctive word of its name ("Risk and Fraud" by "fraud"), or by the name itself
    without its generic words ("Customer Service Tools" by "customer service")."""
    if _terms(name) - _COMMON & text_terms:
        return True
    words = name.lower().split()
    core = " ".join(words[:-1] if len(words) > 1 and words[-1] in _SUFFIX else words)
    return bool(core) and re.search(rf"\b{re.escape(core)}\b", text) is not None


def check(scenario: Scenario, candidate_texts: list[tuple[int, str]]) -> DeliveryCheck:
    sentences = [q for index, text in candidate_texts for q in sentences_of(index, text)]
    all_terms = set().union(*(_terms(q.quote) for q in sentences)) if sentences else set()

    flat = " ".join(q.quote.lower() for q in sentences)
    named = [t.name for t in scenario.teams if _team_named(t.name, all_terms, flat)]
    missed = [t.name for t in scenario.teams if t.name not in named]

    contract_terms = _terms(scenario.contract_first)
    contract = _best_sentence(sentences, contract_terms, 2, _CONTRACT)
    critical_terms = _terms(scenario.critical_path)
    critical = (_best_sentence(sentences, critical_terms, 2, _CRITICAL)
                or _best_sentence(sentences, critical_terms, 3))
    gates = []
    for gate in scenario.review_gates:
        hit = _best_sentence(sentences, _terms(gate.name), 1, _GATE)
        gates.append(Finding(what=f"{gate.name} (~{gate.lead_time_weeks:g} weeks)", found=hit is not None, evidence=hit))
    hidden = _best_sentence(sentences, _terms(scenario.hidden_dependency), 3)

    findings = [bool(contract), bool(critical), hidden is not None] + [g.found for g in gates]
    team_share = len(named) / len(scenario.teams)
    coverage = (team_share + sum(findings)) / (1 + len(findings))
    return DeliveryCheck(
        scenario=scenario.id, title=scenario.title, teams_named=named, teams_missed=missed,
        contract_first=Finding(what=scenario.contract_first.split(".")[0], found=contract is not None, evidence=contract),
        critical_path=Finding(what=scenario.critical_path.split(".")[0], found=critical is not None, evidence=critical),
        review_gates=gates,
        hidden_dependency=Finding(what=scenario.hidden_dependency.split(".")[0], found=hidden is not None,
                                  evidence=hidden),
        coverage=round(coverage, 3),
    )
