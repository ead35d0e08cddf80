"""The session engine: opening question, answer -> planner -> realizer -> follow-up, every turn saved.

Used by the terminal app and by `interviewer loop --headless` alike.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import cache

import yaml

from ..config import Settings
from ..corpus import Corpus, Question
from ..llm.base import ChatModel
from ..resources import data_root
from ..store import SessionWriter, new_session_id
from ..transcript import PlannerDecision, Transcript, Turn, now
from .planner import ThreadState, decide, reasons
from .realizer import Realizer, TokenCallback
from ..retrieval import LexicalRetriever, ProbeRetriever

WORDS_PER_MINUTE = 150.0
MINUTES_PER_QUESTION = 0.3
CLOSING_RESERVE_MINUTES = 5.0
MAX_ANSWER_CHARS = 60_000  # a 20,000-word paste is kept in the transcript up to this size

TurnCallback = Callable[[int, Turn], None]


@cache
def lines() -> dict:
    return yaml.safe_load((data_root("prompts") / "lines.yaml").read_text(encoding="utf-8"))


def spoken_minutes(transcript: Transcript) -> float:
    """Interview time used, estimated from what was said: the same in the app, headless and on resume."""
    total = 0.0
    for turn in transcript.turns:
        if turn.role == "candidate":
            total += len(turn.text.split()) / WORDS_PER_MINUTE
        else:
            total += MINUTES_PER_QUESTION
    return total


def pick_principles(corpus: Corpus, rng: random.Random, k: int = 3) -> list[str]:
    firsts = sorted({q.principles[0] for q in corpus.questions_for("leadership_principles")})
    return rng.sample(firsts, k=min(k, len(firsts)))


def question_plan(corpus: Corpus, round_name: str, rng: random.Random, principles: list[str],
                  scenario: str | None, first: str | None = None) -> list[Question]:
    """The opening questions this session will ask, in order; `first` (a question id) opens it."""
    plan = _plan(corpus, round_name, rng, principles, scenario)
    return sorted(plan, key=lambda q: q.id != first) if first else plan


def _plan(corpus: Corpus, round_name: str, rng: random.Random, principles: list[str],
          scenario: str | None) -> list[Question]:
    pool = corpus.questions_for(round_name)
    if round_name == "leadership_principles" and principles:
        ranked = [q for p in principles for q in pool if q.principles[0] == p]
        seen = {q.id for q in ranked}
        rest = [q for q in pool if q.id not in seen and set(q.principles) & set(principles)]
        rng.shuffle(rest)
        return ranked + rest
    if round_name == "program_design":
        same = [q for q in pool if q.scenario == scenario]
        others = [q for q in pool if q.scenario != scenario]
        rng.shuffle(others)
        return same + others
    pool = list(pool)
    rng.shuffle(pool)
    return pool


def opening_question(corpus: Corpus, question: str, *, round_name: str | None = None, scenario: str | None = None,
                     principles: list[str] | None = None) -> Question:
    """The bank question a session is asked to open with; ValueError for an unknown id, or for a round,
    scenario or principles that contradict it."""
    opening = next((q for q in corpus.questions if q.id == question), None)
    if opening is None:
        raise ValueError(f"no question {question!r} in the question bank")
    if round_name and round_name != opening.round:
        raise ValueError(f"question {question!r} belongs to the {opening.round} round, not {round_name}")
    if scenario and scenario != opening.scenario:
        raise ValueError(f"question {question!r} is not about scenario {scenario!r}")
    if principles and opening.round == "leadership_principles" and not set(principles) & set(opening.principles):
        raise ValueError(f"question {question!r} assesses {', '.join(opening.principles)}, "
                         f"none of {', '.join(principles)}")
    return opening


class Interview:
    def __init__(self, transcript: Transcript, *, corpus: Corpus, settings: Settings, model: ChatModel | None,
                 writer: SessionWriter | None = None, retriever: ProbeRetriever | None = None,
                 on_turn: TurnCallback | None = None) -> None:
        self.transcript = transcript
        self.corpus = corpus
        self.settings = settings
        self.writer = writer
        self.on_turn = on_turn
        self.realizer = Realizer(model, retriever or LexicalRetriever(corpus))
        meta = transcript.meta
        rng = random.Random(meta.get("seed", 0))
        self.principles: list[str] = meta.get("principles", [])
        self.plan = question_plan(corpus, transcript.round, rng, self.principles, meta.get("scenario"),
                                  meta.get("question"))
        self.thread = ThreadState()
        self.finished = False
        self._replay_state()

    # ----- construction -------------------------------------------------------------------------
    @classmethod
    def start(cls, settings: Settings, corpus: Corpus, model: ChatModel | None, *, round_name: str | None = None,
              principles: list[str] | None = None, seed: int | None = None, persist: bool = True,
              on_turn: TurnCallback | None = None, retriever: ProbeRetriever | None = None,
              scenario: str | None = None, question: str | None = None) -> Interview:
        """A new session. `question` (a question-bank id) is asked first: the round, the scenario and
        the first principle follow from it (see opening_question)."""
        opening = None
        if question is not None:
            opening = opening_question(corpus, question, round_name=round_name, scenario=scenario,
                                       principles=principles)
            round_name, scenario = opening.round, opening.scenario
        round_name = round_name or settings.round
        seed = seed if seed is not None else random.SystemRandom().randrange(1 << 30)
        rng = random.Random(seed)
        meta: dict = {"seed": seed, "mode": settings.mode, "time_budget_minutes": settings.time_budget_minutes,
                      "max_depth": settings.max_depth}
        if opening is not None:
            meta["question"] = opening.id
        if round_name == "leadership_principles":
            meta["principles"] = principles or pick_principles(corpus, rng)
            if opening is not None and not principles:
                # The round assesses the question's own principle, with others drawn as usual.
                others = [p for p in meta["principles"] if p != opening.principles[0]]
                meta["principles"] = [opening.principles[0], *others][:3]
        if round_name == "program_design":
            scenarios = [q.scenario for q in corpus.questions_for("program_design") if q.scenario]
            if scenario is not None and scenario not in scenarios:
                raise ValueError(f"no program_design question for scenario {scenario!r}")
            meta["scenario"] = scenario or rng.choice(scenarios)
        transcript = Transcript(id=new_session_id(), round=round_name, created=now(),
                                backend=model.model_id if model else None, source="session", meta=meta)
        writer = SessionWriter.create(transcript) if persist else None
        return cls(transcript, corpus=corpus, settings=settings, model=model, writer=writer, on_turn=on_turn,
                   retriever=retriever)

    def _replay_state(self) -> None:
        """Rebuild the thread and the finished flag from saved turns (resume)."""
        for turn in self.transcript.turns:
            if turn.role == "interviewer":
                if turn.kind in ("opening", "transition") or (turn.kind is None and turn.probe_target is None):
                    self.thread = ThreadState(question_id=turn.question_id, question_text=turn.text)
                elif turn.kind == "follow_up" and turn.probe_target:
                    self.thread.asked.append(turn.probe_target)
                    if turn.decision and turn.decision.evasion:
                        self._note_evasion(turn.decision)
                elif turn.kind == "closing":
                    self.finished = True
            else:
                self.thread.answers.append(turn.text)
        self.finished = self.finished and bool(self.transcript.turns) and self.transcript.turns[-1].role == "candidate"

    # ----- state --------------------------------------------------------------------------------
    @property
    def minutes_used(self) -> float:
        return spoken_minutes(self.transcript)

    @property
    def asked_ids(self) -> set[str]:
        return {t.question_id for t in self.transcript.turns if t.question_id}

    @property
    def awaiting_answer(self) -> bool:
        return bool(self.transcript.turns) and self.transcript.turns[-1].role == "interviewer" and not self.finished

    def previous_questions(self) -> list[str]:
        return [t.text for t in self.transcript.turns if t.role == "interviewer"]

    def _append(self, turn: Turn) -> Turn:
        turn.at = turn.at or now()
        self.transcript.turns.append(turn)
        if self.writer:
            self.writer.append_turn(turn)
        if self.on_turn:
            self.on_turn(len(self.transcript.turns) - 1, turn)
        return turn

    def _note_evasion(self, decision: PlannerDecision) -> None:
        for family in decision.missing:
            if self.thread.asked.count(family) >= 2 and family not in self.thread.evaded:
                self.thread.evaded.append(family)

    # ----- the conversation ---------------------------------------------------------------------
    def _next_question(self) -> Question | None:
        asked = self.asked_ids
        return next((q for q in self.plan if q.id not in asked), None)

    def opening(self) -> Turn:
        """The first question: from the bank, no LLM, so it shows instantly."""
        if self.transcript.turns:
            return self.transcript.turns[-1]
        question = self._next_question()
        if question is None:
            raise RuntimeError(f"the question bank has no {self.transcript.round} questions")
        text = question.text
        if self.principles:
            names = [self.corpus.principle(p).name for p in self.principles if self.corpus.principle(p)]
            text = lines()["lp_intro"].format(principles=", ".join(names)) + " " + text
        self.thread = ThreadState(question_id=question.id, question_text=question.text)
        return self._append(Turn(role="interviewer", kind="opening", text=text, question_id=question.id))

    def _close(self, why: str) -> Turn:
        self.finished = True
        decision = PlannerDecision(action="close", why=why)
        turn = self._append(Turn(role="interviewer", kind="closing", text=lines()["closing"], decision=decision))
        return turn

    def _move_on(self, decision: PlannerDecision) -> Turn:
        budget = float(self.transcript.meta.get("time_budget_minutes", self.settings.time_budget_minutes))
        if self.minutes_used >= budget - CLOSING_RESERVE_MINUTES:
            return self._close(f"{decision.why} {decision_lines('close_time')}")
        question = self._next_question()
        if question is None:
            return self._close(f"{decision.why} {decision_lines('close_bank')}")
        same_scenario = self.transcript.round == "program_design" and question.scenario == self.transcript.meta.get("scenario")
        lead = lines()["transition_program_design" if same_scenario else "transition"]
        self.thread = ThreadState(question_id=question.id, question_text=question.text)
        return self._append(Turn(role="interviewer", kind="transition", text=f"{lead} {question.text}",
                                 question_id=question.id, decision=decision))

    def answer(self, text: str, on_token: TokenCallback | None = None) -> Turn:
        """Record the candidate's answer, then produce (and save) the interviewer's next turn."""
        if self.finished:
            raise RuntimeError("this session has ended")
        text = (text or "").strip()[:MAX_ANSWER_CHARS]
        self._append(Turn(role="candidate", kind="answer", text=text))
        if self.transcript.turns[-2].kind != "closing":
            self.thread.answers.append(text)
        return self._reply(on_token)

    @property
    def reply_pending(self) -> bool:
        """The last saved turn is an answer the interviewer has not replied to (a crash or quit
        while the follow-up was being generated)."""
        return not self.finished and bool(self.transcript.turns) and self.transcript.turns[-1].role == "candidate"

    def reply_if_pending(self, on_token: TokenCallback | None = None) -> Turn | None:
        return self._reply(on_token) if self.reply_pending else None

    def _reply(self, on_token: TokenCallback | None = None) -> Turn:
        turns = self.transcript.turns
        text = turns[-1].text
        if len(turns) >= 2 and turns[-2].kind == "closing":
            self.end("completed")
            return turns[-1]
        max_depth = int(self.transcript.meta.get("max_depth", self.settings.max_depth))
        priority = self._priority()
        decision = decide(self.thread, self.transcript.round, max_depth=max_depth, priority=priority)
        if decision.evasion:
            self._note_evasion(decision)
        if decision.action != "drill":
            return self._move_on(decision)
        realized = self.realizer.follow_up(
            question=self.thread.question_text, answer=text, decision=decision, round_name=self.transcript.round,
            previous=self.previous_questions(), on_token=on_token, earlier=self.thread.answers[:-1],
        )
        self.thread.asked.append(decision.probe_target)
        turn = Turn(role="interviewer", kind="follow_up", text=realized.text, probe_target=decision.probe_target,
                    question_id=self.thread.question_id, decision=decision, fallback=realized.fallback,
                    probe_id=realized.probe_id)
        if realized.fallback_reason:
            turn.fallback_reason = realized.fallback_reason  # type: ignore[attr-defined]
        if realized.rejected_text:
            turn.rejected_text = realized.rejected_text  # type: ignore[attr-defined]
        if realized.trimmed:
            turn.trimmed = True  # type: ignore[attr-defined]
        if realized.retried:
            turn.retried = True  # type: ignore[attr-defined]
            turn.retries = realized.retries  # type: ignore[attr-defined]
            turn.retry_reasons = realized.retry_reasons  # type: ignore[attr-defined]
        if realized.echoed:
            turn.echoed = True  # type: ignore[attr-defined]
        return self._append(turn)

    def skip(self) -> Turn:
        """The candidate asks for another question."""
        if self.finished:
            raise RuntimeError("this session has ended")
        return self._move_on(PlannerDecision(action="move_on", why="Skipped at the candidate's request."))

    def end_round(self) -> Turn:
        """The candidate ends the round early: the interviewer closes as it would at the time limit."""
        if self.finished:
            return self.transcript.turns[-1]
        return self._close("Ended at the candidate's request.")

    def _priority(self) -> list[str]:
        families: list[str] = []
        for key in self.principles:
            note = self.corpus.principle(key)
            if note:
                families.extend(note.probe_families)
        return list(dict.fromkeys(families))

    def end(self, reason: str) -> None:
        self.finished = True
        if self.writer:
            self.writer.append_end(reason)

    def close(self) -> None:
        if self.writer:
            self.writer.close()


def decision_lines(key: str) -> str:
    return reasons()[key]
