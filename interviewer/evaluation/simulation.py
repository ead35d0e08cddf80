"""Simulated candidates: scripted personas answer the interviewer's follow-ups, so the interviewer
is measured end to end: does it drill into the gap, stop when the mechanism is given, never repeat,
never leak the rubric, stay in role under injection."""

from __future__ import annotations

import statistics
import time
from collections import Counter

from pydantic import BaseModel
from rapidfuzz import fuzz

from ..config import Settings
from ..corpus import default_corpus
from ..interview.engine import Interview
from ..interview.realizer import _LEAK, MAX_RETRIES
from ..interview.planner import soft_present
from ..interview.signals import extract
from ..llm.base import ChatModel
from ..retrieval import LexicalRetriever
from ..transcript import ProbeFamily, RoundName
from .data import _load, evals_root
from .results import SuiteResult, at_least

MAX_ANSWERS = 7


class Persona(BaseModel):
    id: str
    round: RoundName
    expect_first_probe: list[ProbeFamily]
    gives_mechanism: bool
    # program_design: the corpus scenario the persona's plan answers (else the session's seed picks one).
    scenario: str | None = None
    # bar_raiser and leadership_principles: the bank question the persona's story answers (else the
    # session's seed picks one, and every persona of a round hears the same question).
    question: str | None = None
    opening: str
    answers: dict[str, str]


def mechanism_reasks(turns: list) -> int:
    """Follow-ups asking for a mechanism in a thread whose answer already put one on the table.

    The answer to a thread's question counts only when it tells the mechanism in full, as the planner
    reads it (planner.soft_present): its first follow-up may ask for a mechanism the coarse regex only
    glimpsed ("I took over our card fraud program" is no trade; the overclaimer, asked about a program it
    inherited, was asked what it gave in return, its own expected first probe)."""
    reasked = 0
    given_in: set[str | None] = set()
    for i, t in enumerate(turns):
        opened = i and turns[i - 1].kind in ("opening", "transition")
        if t.role == "candidate" and extract(t.text).has_mechanism and not (opened and soft_present("mechanism", t.text)):
            given_in.add(turns[i - 1].question_id if i else None)
        if t.kind == "follow_up" and t.probe_target == "mechanism" and t.question_id in given_in:
            reasked += 1
    return reasked


def run_persona(persona: Persona, model: ChatModel | None, settings: Settings) -> dict:
    corpus = default_corpus()
    iv = Interview.start(settings, corpus, model, round_name=persona.round, seed=11, persist=False,
                         retriever=LexicalRetriever(corpus), scenario=persona.scenario, question=persona.question)
    iv.opening()
    iv.answer(persona.opening)
    for _ in range(MAX_ANSWERS - 1):
        if iv.finished:
            break
        last = iv.transcript.turns[-1]
        if last.kind == "follow_up" and last.probe_target:
            reply = persona.answers.get(last.probe_target, persona.answers["default"])
        else:
            reply = persona.answers["default"]
        iv.answer(reply)
    turns = iv.transcript.turns
    questions = [t for t in turns if t.role == "interviewer"]
    follow = [t for t in turns if t.kind == "follow_up"]
    rejected = [t for t in follow if t.fallback and "rejected" in (getattr(t, "fallback_reason", "") or "")]
    repeats = sum(1 for i, a in enumerate(questions) for b in questions[:i]
                  if fuzz.token_set_ratio(a.text.lower(), b.text.lower()) >= 88)
    leaks = sum(1 for t in questions if _LEAK.search(t.text))
    out_of_role = sum(1 for t in follow if not t.text.rstrip().endswith("?"))
    reasked = mechanism_reasks(turns)
    return {
        "id": persona.id, "round": persona.round, "follow_ups": len(follow), "rejected": len(rejected),
        "fallback_any": sum(1 for t in follow if t.fallback), "repeats": repeats, "leaks": leaks,
        "out_of_role": out_of_role, "mechanism_reasked": reasked,
        "first_probe": follow[0].probe_target if follow else None,
        "first_probe_ok": bool(follow) and follow[0].probe_target in persona.expect_first_probe,
        "evasion_noted": any(t.decision is not None and t.decision.evasion for t in questions),
        "questions": [f"[{t.probe_target or t.kind}{_tries(t)}] {t.text}" for t in questions],
        # Answer on disk -> follow-up on disk (planner, retrieval and every try), by how many tries it took.
        "seconds_by_tries": [(0 if t.fallback else getattr(t, "retries", 0) + 1,
                              round((t.at - turns[i - 1].at).total_seconds(), 2))
                             for i, t in enumerate(turns) if t.kind == "follow_up" and i and t.at and turns[i - 1].at],
        "trimmed": sum(1 for t in follow if getattr(t, "trimmed", False)),
        "retried": sum(1 for t in follow if getattr(t, "retried", False)),
        "retried_and_passed": sum(1 for t in follow if getattr(t, "retried", False) and not t.fallback),
        "passed_on_last_try": sum(1 for t in follow if getattr(t, "retries", 0) == MAX_RETRIES and not t.fallback),
        "last_try_copies": sum(1 for t in follow if getattr(t, "retries", 0) == MAX_RETRIES and not t.fallback
                               and copies_probe(t.text, t.probe_target)),
        "copies": sum(1 for t in follow if not t.fallback and copies_probe(t.text, t.probe_target)),
        "echoed": sum(1 for t in follow if getattr(t, "echoed", False)),
        "first_try_problems": [t.retry_reasons[0] for t in follow if getattr(t, "retry_reasons", None)],
        "rejections": [{"family": t.probe_target, "reason": getattr(t, "fallback_reason", None),
                        "model_said": getattr(t, "rejected_text", None)} for t in rejected],
    }


COPY_RATIO = 90


def copies_probe(question: str, family: str | None) -> bool:
    """The question is one of its family's probes (any of its wordings) nearly word for word."""
    q = question.lower()
    return any(fuzz.ratio(q, wording.lower()) >= COPY_RATIO
               for p in default_corpus().probes if p.family == family
               for wording in (p.text, p.plain, p.plan) if wording)


def _tries(turn) -> str:
    """How the question came to be asked, when not on the model's first try."""
    if turn.fallback:
        return ", fallback"
    retries = getattr(turn, "retries", 0)  # set on every retried turn by the engine the simulation drives
    return f", try {retries + 1}" if retries else ""


def _by_tries(items: list[dict]) -> dict[int, list[float]]:
    out: dict[int, list[float]] = {}
    for item in items:
        for tries, seconds in item["seconds_by_tries"]:
            out.setdefault(tries, []).append(seconds)
    return out


def run(model: ChatModel | None, settings: Settings, thresholds: dict) -> SuiteResult:
    start = time.perf_counter()
    personas = [Persona.model_validate(p) for p in _load(evals_root() / "personas.yaml")["personas"]]
    items = [run_persona(p, model, settings) for p in personas]
    follow = sum(i["follow_ups"] for i in items)
    passed = 1 - sum(i["rejected"] for i in items) / max(1, follow)
    metrics = {
        "personas": len(items), "follow_ups": follow, "validator_pass_rate": round(passed, 3),
        "repeated_questions": sum(i["repeats"] for i in items), "rubric_leaks": sum(i["leaks"] for i in items),
        "out_of_role": sum(i["out_of_role"] for i in items),
        "first_probe_on_target": round(sum(i["first_probe_ok"] for i in items) / len(items), 3),
        "mechanism_reasked_after_given": sum(i["mechanism_reasked"] for i in items),
        "evasive_persona_evasion_noted": [i["evasion_noted"] for i in items if i["id"] == "evasive"],
        # Passed only after being cut to the model's first question (counted as passing; shown apart).
        "trimmed_to_first_question": sum(i["trimmed"] for i in items),
        # Passed on the model's second try, after an off-target first question (counted as passing;
        # shown apart, with the first-try rate, because each retry costs a second generation).
        "retried": sum(i["retried"] for i in items),
        "retried_and_passed": sum(i["retried_and_passed"] for i in items),
        # Of those, passed only on the last try, fitting another retrieved probe to the answer.
        "passed_on_last_try": sum(i["passed_on_last_try"] for i in items),
        # Model questions that are a probe of their family word for word (ratio >= COPY_RATIO): they pass
        # the validator, but a template asked as the fallback would read the same. Shown apart, overall
        # and on the last try, which hands the model a probe to fit.
        "last_try_copies": sum(i["last_try_copies"] for i in items),
        "model_questions_copying_a_probe": round(sum(i["copies"] for i in items)
                                                 / max(1, follow - sum(i["rejected"] for i in items)), 3),
        # Asked although it still rewords the family's ask line after the retry (counted as passing).
        "echoed_after_retry": sum(i["echoed"] for i in items),
        # What the tries cost: median seconds from answer to follow-up, by tries (0: the fallback).
        "median_seconds_by_tries": {str(k): round(statistics.median(v), 2) for k, v in sorted(_by_tries(items).items())},
        # Why first tries were retried: what a better prompt would have to mend.
        "first_try_problems": dict(Counter(p for i in items for p in i["first_try_problems"]).most_common()),
        "first_try_pass_rate": round(1 - (sum(i["rejected"] for i in items) + sum(i["retried_and_passed"] for i in items))
                                     / max(1, follow), 3),
    }
    t = thresholds.get("simulation", {})
    checks = [
        at_least("follow-ups pass the validator without fallback", passed, t.get("validator_pass_rate", 0.95)),
        at_least("first probe on the persona's gap", metrics["first_probe_on_target"], t.get("first_probe", 0.75)),
    ]
    for name in ("repeated_questions", "rubric_leaks", "out_of_role", "mechanism_reasked_after_given"):
        checks.append(at_least(f"{name.replace('_', ' ')} = 0", 1.0 if metrics[name] == 0 else 0.0, 1.0))
    return SuiteResult(suite="simulation", backend=model.model_id if model else "no model (probe library)",
                       metrics=metrics, checks=checks, items=items,
                       worst=[i for i in items if not i["first_probe_ok"] or i["rejected"]][:5],
                       seconds=round(time.perf_counter() - start, 1))
