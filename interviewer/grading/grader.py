"""Grade a transcript: per dimension, extract evidence (LLM) + scan (rules), verify every quote
against the candidate's turns, decide the level by rule, map to Leadership Principles, vote.

How the parts combine:
- text aimed at the grader is removed (and flagged) before anything reads the transcript;
- the rule scan finds every candidate sentence that bears on a dimension; rubric vocabulary with
  no hard specific (timing, number, mechanism) is not evidence;
- the level comes from the level model (rubrics/levels.json): a linear scorer over checkable
  properties of that evidence (timing, numbers, mechanism, named teams, first person, reasoning,
  vocabulary density...), fitted on a labeled calibration set, with its cross-validated agreement
  stored beside the weights. It reads the same properties over the answers to the interviewer's
  questions about the dimension (rubrics/question_topics.yaml): an answer is read for what it was
  asked, as a Bar Raiser reads it; and one input is the same for every dimension, the word reading
  of the whole transcript (grading/reading.py: how strong the candidate's words read, learned from
  the calibration set, so rubric vocabulary reads weak and the words of specifics read strong);
- past its word budget (config grade_words: 1,200 for the embedded model) the model reads each
  answer's most specific sentences (grading/condense.py), and the report says how much it read;
  the rule scan, the level model and quote verification read every word;
- the LLM proposes quotes; a quote counts only once found in a candidate turn. Verified quotes are
  shown first, and where the rule scan found nothing they lift a dimension from 1 to 2 (relevant,
  not shown to be specific). With no sentence of its own a dimension is at most a 2, whatever the
  model says, and one relevant sentence is at most a 3 (exemplary takes more than one sentence).
  A specific sentence (timing, a number, a mechanism, a named team) in the answer to a question
  about the dimension is such a sentence of its own, whatever its words; so is, where the scan found
  none and the level model reads a 3 or better, the specific sentence that reads most like the
  dimension by its words (grading/relevance.py), when it is likely enough: it backs a 3, no more;
- a sentence that shows one of the dimension's negative signals (rubrics/concerns.yaml: "we got
  everyone aligned", "it's all in the RAID log") is a concern: shown with the signal it shows, and
  the dimension is at most a 2, whatever else the transcript says (grading/concerns.py);
- a program_design round with a known corpus scenario is checked against it (grading/delivery.py):
  a plan that names fewer than half of the scenario's teams is at most a 3 on dependency mapping,
  one with neither the contract to close first nor the critical path at most a 3 on sequencing, and
  each weak dimension's "missing" says what this scenario's strong plan would have contained.
"""

from __future__ import annotations

import hashlib
from functools import cache

from ..corpus import Corpus, Scenario, default_corpus
from ..errors import BackendError, StructuredOutputError, UserError
from ..interview.signals import extract
from ..llm.base import ChatModel, Message
from ..llm.structured import structured
from ..resources import prompt_text
from ..transcript import Transcript
from . import concerns as concern_cues
from .condense import condense
from .delivery import DeliveryCheck, check as check_delivery
from .depmap import build as build_dependency_map
from .evidence import Quote, answer_sentences, evidence_cues, features, most_specific, relevant_sentences, verify
from .features import dimension_features
from .level_model import LevelModel, load_level_model
from .injection import sanitize
from .relevance import THRESHOLD as RELEVANCE_THRESHOLD
from .models import DimensionGrade, Extraction, GradeReport, GradeStats, PrincipleEvidence
from .rubric import Rubric
from .topics import answers_to, load_topics, questions_before

TURN_WORDS_IN_PROMPT = 350
MAX_EVIDENCE = 4
# Every labeled transcript the level model was fitted on has four or more answers; on one or two short
# answers its density features run high (a date and a number in 40 words) and it read a single vague
# answer as 4s and a hire. A Bar Raiser does not write a hire on that little: below this, at most 2.
MIN_ANSWERS = 3
THIN_CAP = 2

_MISSING_TEXT = {
    "named": "no named team, person or counterpart",
    "timing": "no timing (weeks or dates relative to the deadline)",
    "mechanism": "no concrete mechanism (what was offered, traded or said)",
    "numbers": "no measurable outcome",
    "first_person": "no personal role ('I' rather than 'we')",
    "reasoning": "no reasoning behind the choice",
    "core": "the dimension's core move is not shown",
}


@cache
def _prompt(name: str) -> str:
    return prompt_text(name).strip()


_SHOWN = {"named": "named counterparts", "timing": "timing", "mechanism": "a concrete mechanism",
          "numbers": "numbers", "first_person": "first person", "reasoning": "reasoning"}


def _reason(f) -> str:
    has = [text for key, text in _SHOWN.items() if getattr(f, key)]
    lacks = [text for key, text in _SHOWN.items() if not getattr(f, key)]
    out = f"{f.breadth} relevant sentence{'s' if f.breadth != 1 else ''}"
    if has:
        out += "; shows " + ", ".join(has)
    if lacks:
        out += "; lacks " + ", ".join(lacks)
    return out


def _clip(text: str, limit: int = TURN_WORDS_IN_PROMPT) -> str:
    words = text.split()
    return text if len(words) <= limit else " ".join(words[:limit]) + " [...]"


def _overlaps(a: Quote, b: Quote) -> bool:
    return a.turn == b.turn and (a.quote in b.quote or b.quote in a.quote)


def _merge(first: list[Quote], second: list[Quote], limit: int = MAX_EVIDENCE) -> list[Quote]:
    out: list[Quote] = []
    for q in first + second:
        if not any(_overlaps(q, kept) for kept in out):
            out.append(q)
    return out[:limit]


def _stats(transcript: Transcript, texts: list[tuple[int, str]], reading: float) -> GradeStats:
    joined = "\n".join(t for _, t in texts)
    s = extract(joined)
    with_data = sum(1 for _, t in texts if extract(t).numbers > 0)
    evasions = []
    for turn in transcript.turns:
        if turn.role == "interviewer" and turn.decision is not None and turn.decision.evasion:
            evasions.append(turn.decision.why)
    return GradeStats(candidate_words=s.words, i_count=s.i_count, we_count=s.we_count,
                      i_share=round(s.first_person_share, 3),
                      answers_with_data=round(with_data / len(texts), 3) if texts else 0.0,
                      architecture_share=s.architecture_share, evasions=evasions, word_reading=round(reading, 2))


def _extract_llm(model: ChatModel, base: list[Message], dim, candidate_texts) -> tuple[list[Quote], int, str | None]:
    ask = _prompt("grader_extract.md").format(question=dim.question, signals="; ".join(dim.positive_signals[:4]))
    messages = base[:-1] + [Message(role="user", content=base[-1].content + "\n\n" + ask)]
    try:
        result = structured(model, messages, Extraction, max_tokens=320)
    except (BackendError, StructuredOutputError) as exc:
        return [], 0, str(exc)
    verified, dropped = [], 0
    for q in result.quotes:
        checked = verify(q.quote, q.turn, candidate_texts)
        if checked is None:
            dropped += 1
        else:
            verified.append(checked)
    return verified, dropped, None


def scenario_for(transcript: Transcript, corpus: Corpus, requested: str | None = None) -> tuple[Scenario | None, str | None]:
    """The corpus scenario a program_design transcript was run on: asked for by the user, recorded by
    the app (meta), or the scenario of its opening question. Returns (scenario, note)."""
    if requested:
        found = corpus.scenario(requested)
        if found is None:
            known = ", ".join(s.id for s in corpus.scenarios)
            raise UserError(f"unknown scenario {requested!r}; known: {known}")
        return found, None
    if transcript.round != "program_design":
        return None, None
    recorded = transcript.meta.get("scenario")
    if not recorded:
        opening = next((t.question_id for t in transcript.turns if t.role == "interviewer" and t.question_id), None)
        question = next((q for q in corpus.questions if q.id == opening), None)
        recorded = question.scenario if question else None
    if not recorded:
        return None, None
    found = corpus.scenario(str(recorded))
    return found, None if found else f"scenario {recorded!r} is not in the corpus; the plan was not checked against one"


_DELIVERY_DIMENSIONS = {"dependency_mapping", "sequencing", "risk_escalation"}


def _nearest(level_model: LevelModel, dimension: str, value: float, candidate_texts: list[tuple[int, str]]) -> Quote | None:
    """Where the cue scan found no sentence but the level model reads a 3 or better, the quote that
    would back it: the specific sentence reading most like the dimension, if it is likely enough
    (grading/relevance.py). None leaves the dimension at most 2, without a quote of its own."""
    if level_model.level(value) < 3:
        return None
    found = level_model.relevance.nearest(dimension, candidate_texts)
    return found[0] if found is not None and found[1] >= RELEVANCE_THRESHOLD else None


def _delivery_cap(key: str, level: int, delivery: DeliveryCheck) -> int:
    if key == "dependency_mapping" and len(delivery.teams_named) * 2 < len(delivery.teams_named) + len(delivery.teams_missed):
        return min(level, 3)
    if key == "sequencing" and not (delivery.contract_first.found or delivery.critical_path.found):
        return min(level, 3)
    return level


def grade_transcript(transcript: Transcript, rubric: Rubric, model: ChatModel | None,
                     corpus: Corpus | None = None, scenario: str | None = None) -> GradeReport:
    corpus = corpus or default_corpus()
    found_scenario, scenario_note = scenario_for(transcript, corpus, scenario)
    flags: list[dict] = []
    candidate_texts: list[tuple[int, str]] = []
    for index, turn in transcript.candidate_turns():
        clean, removed = sanitize(turn.text)
        flags.extend({"turn": index, "text": r} for r in removed)
        candidate_texts.append((index, clean))

    base: list[Message] = []
    notes: list[str] = [scenario_note] if scenario_note else []
    level_model = load_level_model()
    if model is not None:
        # Past the model's word budget it reads the most specific sentences (grading/condense.py).
        view = condense(candidate_texts, model.grade_words, level_model.relevance)
        if view.condensed:
            notes.append(view.note(model.grade_words or 0))
        # The model sees each turn with its whitespace collapsed, so blanked injected text leaves no trace,
        # and the nonce comes from what it sees: the same words always make the same prompt (greedy
        # decoding then gives the same quotes), and a transcript cannot contain the nonce of its own hash.
        # A word budget bounds the whole prompt; without one, each answer is cut at TURN_WORDS_IN_PROMPT.
        seen = [(i, " ".join((t if model.grade_words else _clip(t)).split())) for i, t in view.turns]
        nonce = hashlib.sha256("\n".join(f"{i}\t{t}" for i, t in seen).encode()).hexdigest()[:12]
        turns = "\n".join(f"[turn {i}] {t.replace(nonce, '')}" for i, t in seen)
        block = _prompt("grader_transcript.md").format(nonce=nonce, turns=turns)
        # System prompt and transcript first, identical for all six calls: the model prefills them once.
        base = [Message(role="system", content=_prompt("grader_system.md")), Message(role="user", content=block)]

    scores: dict[str, DimensionGrade] = {}
    delivery = check_delivery(found_scenario, candidate_texts) if found_scenario else None
    questions = questions_before(transcript)
    answers = sum(1 for _, text in candidate_texts if text.strip())
    reading = level_model.read(candidate_texts)
    for dim in rubric.dimensions:
        llm_quotes, dropped, error = ([], 0, None)
        if model is not None:
            llm_quotes, dropped, error = _extract_llm(model, base, dim, candidate_texts)
        scored = relevant_sentences(dim.key, candidate_texts)  # once per dimension, used three ways below
        asked = answers_to(dim.key, questions, candidate_texts)
        # The level model reads the scan's sentences and the answers to the questions about the
        # dimension; the specific sentences of those answers are evidence too (shown, and counted by the caps).
        raw = dimension_features(dim.key, candidate_texts, relevant=[q.quote for _, q in scored],
                                 asked=[text for _, text in asked], reading=reading)
        scored = scored + answer_sentences(dim.key, asked, scored)
        evidence = _merge(llm_quotes, most_specific(scored))
        relevant = [q for _, q in scored]
        value, _parts = level_model.score(dim.key, raw)
        nearest = None if relevant else _nearest(level_model, dim.key, value, candidate_texts)
        if nearest is not None:
            relevant = [nearest]
            evidence = _merge(llm_quotes, relevant)
        pool = _merge(llm_quotes, relevant, limit=1000)
        f = features(dim.key, [q.quote for q in pool])
        f.breadth = len(pool)
        if not relevant:
            # No sentence bears on it directly: the transcript's specifics may still say it is not a 1
            # (the level model reads them), but without a quote of its own it cannot be more than a 2.
            level = 2 if llm_quotes else min(level_model.level(value), 2)
            if llm_quotes:
                reason = "relevant quotes, none specific"
            elif level == 1:
                reason = "no evidence in the candidate's words"
            else:
                reason = "no sentence bears on it directly; at most 2 without a quote of its own"
        else:
            # One sentence cannot be exemplary: it is at most a 3; nor can a dimension backed by the second look.
            level = min(level_model.level(value), 3 if nearest is not None else 2 + len(pool))
            reason = _reason(f)
            if nearest is not None:
                reason = f"no sentence uses the dimension's cue words; the one that reads most like it is quoted; {reason}"
        concerns = concern_cues.find(dim.key, candidate_texts)
        if concerns and level > concern_cues.CAP:
            level = concern_cues.CAP
            reason += f"; at most {concern_cues.CAP}: {concerns[0].signal[0].lower()}{concerns[0].signal[1:]}"
        if answers < MIN_ANSWERS and level > THIN_CAP:
            level = THIN_CAP
            reason += f"; at most {THIN_CAP}: too few answers to judge"
        if delivery is not None:
            level = _delivery_cap(dim.key, level, delivery)
        missing = [text for key, text in _MISSING_TEXT.items() if not getattr(f, key)] if level < 4 else []
        if delivery is not None and level < 4 and dim.key in _DELIVERY_DIMENSIONS:
            missing += delivery.gaps()
        exemplar = next((e.text for e in corpus.exemplars if e.dimension == dim.key and e.level == 4), None)
        scores[dim.key] = DimensionGrade(
            score=level, name=dim.name, descriptor=dim.levels[level], reason=reason,
            evidence=evidence if level > 1 or f.relevant else [], concerns=concerns, features=f, missing=missing,
            strong_answer=dim.strong_answer if level < 4 else None, exemplar=exemplar if level < 3 else None,
            probe_family=dim.probe_families[0] if level < 3 else None,
            llm_quotes_verified=len(llm_quotes), llm_quotes_dropped=dropped, llm_error=error,
        )
        if error:
            notes.append(f"{dim.key}: the model could not extract evidence ({error}); graded on the rule scan only")

    levels = {k: v.score for k, v in scores.items()}
    vote = rubric.decide_vote(levels)
    avg = sum(levels.values()) / len(levels)
    vote_reason = f"average {avg:.2f}; influence_mechanism {levels['influence_mechanism']}; lowest {min(levels.values())}"

    principles: dict[str, PrincipleEvidence] = {}
    for dim in rubric.dimensions:
        grade = scores[dim.key]
        if grade.score < 3 or not grade.evidence:
            continue
        for key in dim.principles:
            note = corpus.principle(key)
            entry = principles.setdefault(key, PrincipleEvidence(key=key, name=note.name if note else key,
                                                                 dimensions=[], evidence=[]))
            entry.dimensions.append(dim.key)
            entry.evidence = _merge(entry.evidence, grade.evidence[:1], limit=3)

    stats = _stats(transcript, candidate_texts, reading)
    if transcript.round == "program_design" and stats.architecture_share >= 0.4:
        notes.append(f"{stats.architecture_share:.0%} of the candidate's words were spent on architecture, "
                     "not on how the program gets delivered")
    if delivery is not None:
        notes.append(f"the plan was checked against the scenario \"{delivery.title}\": "
                     f"{delivery.coverage:.0%} of what a strong delivery plan surfaces")
    if flags:
        notes.append("text addressed to the evaluator was ignored")
    if answers < MIN_ANSWERS:
        notes.append(f"only {answers} answer{'s' if answers != 1 else ''}: too little to grade "
                     f"any dimension above {THIN_CAP} (a loop question draws several answers)")
    return GradeReport(
        transcript_id=transcript.id, round=transcript.round, vote=vote, vote_reason=vote_reason, scores=scores,
        leadership_principles=list(principles.values()),
        # Everything in rubrics/ that decides a level is named, so a grade says what graded it.
        rubric_version="+".join([rubric.version, level_model.version, concern_cues.load_cues().version,
                                 evidence_cues().version, load_topics().version]),
        backend=model.model_id if model is not None else "rules-only", stats=stats, injection_flags=flags,
        notes=notes, dependency_map=build_dependency_map(candidate_texts), delivery=delivery,
    )
