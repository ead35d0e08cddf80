"""The realizer: the LLM phrases one follow-up from retrieved probes; a validator keeps it in role.

When the model's question fails validation, or the backend fails, the best retrieved probe with its
slots filled is asked instead, and the turn records that it was a fallback and why.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from functools import cache, lru_cache

from pydantic import BaseModel, Field
from rapidfuzz import fuzz

from ..corpus import Probe
from ..errors import BackendError
from ..llm.base import ChatModel, Message
from ..resources import prompt_text
from ..transcript import PlannerDecision
from ..retrieval import ProbeRetriever
from ..retrieval.lexical import content_terms
from .presumptions import unsupported
from .signals import extract, split_sentences, told_as_plan, vague_phrase

MAX_WORDS = 45
# Every prompt token costs prefill time on 2 cores (~100 tokens/s): the model sees the sentences of
# the answer that bear on the gap, not the whole answer.
ANSWER_WORDS_IN_PROMPT = 90
_LEAK = re.compile(
    r"\b(?:rubric|scor(?:e|ed|ing)|level [1-4]|dimension|evaluator|grader|strong[_ ]hire|no[_ ]hire|"
    r"bar raiser notes?|probe|planner|system prompt|my instructions|as an ai|language model)\b",
    re.IGNORECASE,
)
# "How did you ensure..." asks for a summary, the opposite of a probe: the 1.5B model's favourite.
_GENERIC = re.compile(r"^\s*(?:how did you (?:ensure|make sure)|what (?:specific )?(?:steps|actions|measures) did you take "
                      r"to (?:ensure|make sure|address))", re.IGNORECASE)
# Words a Bar Raiser does not say to a TPM: "leverage your authority" presumes an authority the role does
# not have, and consultant phrasing invites a consultant's answer. Allowed when the candidate said them,
# every word of the phrase (the question may quote the candidate's own word back).
_CORPORATE = re.compile(r"\b(?:leverag\w*|synerg\w*|your authority|ensure the success|drive alignment|"
                        r"move the needle|best practices?)\b", re.IGNORECASE)
_ROLE = re.compile(r"^\s*(?:candidate|interviewer|answer|question|follow-up)\s*:|^\s*(?:great|good|excellent|thanks)\b",
                   re.IGNORECASE)
# The prompt speaks of "the candidate"; the small model sometimes carries that into the question.
_THIRD_PERSON = re.compile(r"\bthe (?:candidate|interviewee)(?:'s)?\b", re.IGNORECASE)


# Streamed pieces of the follow-up; None means the stream restarts (a second try begins).
TokenCallback = Callable[[str | None], None]
PROBLEM_OFF_TARGET = "off the planner's target"
PROBLEM_GENERIC = "generic, asks for a summary"
PROBLEM_ECHO = "echoes its instruction, not the candidate's words"  # retried once, then asked (`echoed`)
PROBLEM_CORPORATE = "corporate speak the candidate did not use"
PROBLEM_THIRD_PERSON = "speaks of the candidate instead of to them"
PROBLEM_REPEAT = "repeats an earlier question"
PROBLEM_PAST = "asks about a plan as if it had happened"
PROBLEM_PRESUMES = "takes as given what the candidate did not say"
# Problems a second try can mend: the question drifted off the gap, asked for a summary, spoke corporate,
# echoed the prompt's `ask` line instead of asking about what the candidate said, spoke of "the
# candidate", repeated an earlier question, asked what happened in a plan that has not run, or took as
# given something the candidate never said ("that trade").
RETRY_ON = (PROBLEM_OFF_TARGET, PROBLEM_GENERIC, PROBLEM_CORPORATE, PROBLEM_ECHO, PROBLEM_THIRD_PERSON, PROBLEM_REPEAT,
            PROBLEM_PAST, PROBLEM_PRESUMES)
RETRY_NOTE = "That does not ask the candidate {ask}. Write one question that does. Output only the question."
CORPORATE_NOTE = ("Say it in plain words, as one engineer asks another; a TPM has no authority over other teams. "
                  "Output only the question.")
THIRD_PERSON_NOTE = "Ask the candidate directly, as \"you\". Output only the question."
# A pressed gap (asked once, dodged) is asked again: the model tends to write the same question twice.
REPEAT_NOTE = ("You asked that already and the answer did not give it. Ask again about what they just said, "
               "in different words. Output only the question.")
ECHO_NOTE = ("That repeats your instruction. Ask it about what the candidate actually said, using their own words{anchor}. "
             "Output only the question.")
PRESUMES_NOTE = ("They never mentioned {what}. Ask about what they did say, without assuming one. "
                 "Output only the question.")
PAST_NOTE = ("They have not run this plan yet. Ask what they would do, with \"would\" or \"will\", not what they "
             "did. Output only the question.")
# The last try, after the retry failed too: the model is handed another retrieved probe of the same
# family (one it has not seen) to fit to the answer. In the session-14 simulations the retry mended 9 of
# 16 first questions; the other 7 fell back to the draft.
LAST_NOTE = "Still not it. Fit this question to what they said instead: \"{draft}\" Output only the question."
MAX_RETRIES = 2
# Retrieved probes the realizer works from: the draft, the last try's other probe, the fallbacks.
CANDIDATES = 4
# Told to a plan (a program_design answer in "I'd..."): the small model carries its draft's past tense
# into "When did you know...?" for a launch that has not happened (29 of 40 training/ plans, session 14).
# (Quoting the words instead, 'ask it with "would" or "will"', drew yes/no questions opening "Would..." in
# 22 of 40; with this note, 0.)
PLAN_NOTE = " They describe a plan they have not run yet, so ask what they would do, not what they did."
_PAST_ASK = re.compile(r"\b(?:did|were|was|had) (?:you|they|the|it|your|that|this|each|anyone|a|an|any)\b|"
                       r"\bwas going to\b|\bwhat happened\b", re.I)
# How close (rapidfuzz ratio, 0-100) a question may come to its family's `ask` line before it counts as
# an echo; measured on 54 model questions: the echoes scored 76-91, the grounded questions below 73.
ECHO_RATIO = 75
# How close a question may come to any earlier one, and to the thread's own question: the small model
# sometimes hands the opening back ("What is your plan for delivering live shopping video to our iOS
# and Android apps...?", 83 and 87 against it in the session-14 simulations), while no follow-up on
# target in those six runs (about 400) scored above 73 against its thread's question.
REPEAT_RATIO = 88
RESTATE_RATIO = 80


def _retry_note(problem: str, family: str | None, answer: str, plan: bool = False, presumed: str | None = None) -> str:
    if problem == PROBLEM_PRESUMES:
        return PRESUMES_NOTE.format(what=presumed or "that")
    if problem == PROBLEM_ECHO:
        anchor = _anchor(answer)
        return ECHO_NOTE.format(anchor=f' (for example "{anchor}")' if anchor else "")
    if problem == PROBLEM_THIRD_PERSON:
        return THIRD_PERSON_NOTE
    if problem == PROBLEM_CORPORATE:
        return CORPORATE_NOTE
    if problem == PROBLEM_REPEAT:
        return REPEAT_NOTE
    if problem == PROBLEM_PAST:
        return PAST_NOTE
    return RETRY_NOTE.format(ask=family_ask(family, plan))


class RealizedQuestion(BaseModel):
    text: str
    fallback: bool = False
    fallback_reason: str | None = None
    probe_id: str | None = None
    trimmed: bool = Field(False, description="the model's output was cut to its first question")
    rejected_text: str | None = Field(None, description="the model's output that failed validation")
    retries: int = Field(0, description="how many more times the model was asked (at most MAX_RETRIES), after "
                                        "questions that failed a check a retry can mend (RETRY_ON)")
    retry_reasons: list[str] = Field(default_factory=list, description="why each retried try was rejected")
    echoed: bool = Field(False, description="asked although it rewords the family's ask line, after a retry")

    @property
    def retried(self) -> bool:
        """The model's first question failed a check a retry can mend; it was asked again."""
        return self.retries > 0


@cache
def _system() -> str:
    return prompt_text("realizer_system.md").strip()


@cache
def _template() -> str:
    return prompt_text("realizer_user.md")


def clip_answer(answer: str, limit: int = ANSWER_WORDS_IN_PROMPT, focus: str | None = None) -> str:
    """The answer within `limit` words: the sentence holding `focus` (the phrase the follow-up
    quotes) first, then the last sentences (what was just said), in their original order."""
    words = answer.split()
    if len(words) <= limit:
        return answer.strip()
    sentences = split_sentences(" ".join(words))
    chosen: set[int] = set()
    budget = limit
    order = [i for i, x in enumerate(sentences) if focus and focus in x] + list(range(len(sentences) - 1, -1, -1))
    for i in order:
        n = len(sentences[i].split())
        if i in chosen or n > budget:
            continue
        chosen.add(i)
        budget -= n
    if not chosen:  # one enormous sentence: keep its end
        return "[...] " + " ".join(words[-limit:])
    parts, last = [], -1
    for i in sorted(chosen):
        if i != last + 1:
            parts.append("[...]")
        parts.append(sentences[i])
        last = i
    return " ".join(parts)


@cache
def _intent_data() -> dict:
    import yaml

    return yaml.safe_load(prompt_text("probe_intent.yaml"))


@cache
def _intent() -> dict[str, re.Pattern[str]]:
    return {family: re.compile(pattern, re.I) for family, pattern in _intent_data()["families"].items()}


def family_ask(family: str | None, plan: bool = False) -> str:
    """What a follow-up of this family must get the candidate to say (prompts/probe_intent.yaml), of a
    plan not yet run when `plan`."""
    return _intent_data()["plan_asks" if plan else "asks"].get(family or "", "what the draft asks")


def off_target(question: str, family: str | None) -> bool:
    """The question asks about nothing its family asks about (prompts/probe_intent.yaml)."""
    pattern = _intent().get(family or "")
    return pattern is not None and not pattern.search(question)


_IRREGULAR = {"said": "say", "says": "say", "told": "tell", "got": "get", "gave": "give", "gotten": "get"}


def _stems(text: str) -> set[str]:
    # "offer" and "offered" are one word here: a five-letter prefix is stem enough for this check.
    return {_IRREGULAR.get(w, w)[:5] for w in content_terms(text)}


def echoes_ask(question: str, family: str | None, answer: str, plan: bool = False) -> bool:
    """The question is its family's `ask` line reworded, with no word of the answer beyond the ask's own."""
    ask = family_ask(family, plan) if family else ""
    if not ask or fuzz.ratio(question.lower(), ask.lower()) < ECHO_RATIO:
        return False
    return not (_stems(question) - _stems(ask)) & _stems(answer)


def _anchor(answer: str) -> str | None:
    """The candidate's own words a grounded question can name: a vague phrase worth quoting, or a team."""
    return vague_phrase(answer) or next(iter(extract(answer).teams), None)


def problems_with(question: str, previous: Sequence[str], family: str | None = None,
                  answer: str | None = None, plan: bool = False, opening: str | None = None,
                  said: str | None = None) -> str | None:
    """Why a generated follow-up cannot be asked, or None when it can. With `family`, it must also
    ask what that probe family asks; with `answer` too, it must not merely echo the family's ask line;
    with `plan`, it must not ask what happened in a plan that has not run; with `opening` (the thread's
    question), it must not restate it; with `said` (the thread so far), it must not take as given what
    was never said."""
    q = question.strip()
    if not q:
        return "empty"
    if q.count("?") != 1 or not q.endswith("?"):
        return "not exactly one question"
    sentences = split_sentences(q)
    if len(sentences) > 2:
        return "more than two sentences"
    if len(q.split()) > MAX_WORDS:
        return "too long"
    if _LEAK.search(q):
        return "mentions the assessment"
    if _ROLE.search(q) or "\n" in q:
        return "out of role"
    if _THIRD_PERSON.search(q):
        return PROBLEM_THIRD_PERSON
    if _GENERIC.search(q):
        return PROBLEM_GENERIC
    if any(not _stems(m.group(0)) <= _stems(answer or "") for m in _CORPORATE.finditer(q)):
        return PROBLEM_CORPORATE
    for prev in previous:
        if fuzz.token_set_ratio(q.lower(), prev.lower()) >= REPEAT_RATIO:
            return PROBLEM_REPEAT
    if opening and fuzz.token_set_ratio(q.lower(), opening.lower()) >= RESTATE_RATIO:
        return PROBLEM_REPEAT
    if off_target(q, family):
        return PROBLEM_OFF_TARGET
    if plan and _PAST_ASK.search(q):
        return PROBLEM_PAST
    if answer is not None and echoes_ask(q, family, answer, plan):
        return PROBLEM_ECHO
    if said is not None and unsupported(q, said):
        return PROBLEM_PRESUMES
    return None


_LABEL = re.compile(r"^(?:\*\*)?(?:interviewer|bar raiser|follow-?up(?: question)?|question|q)(?:\*\*)?\s*:\s*", re.I)


def first_question(text: str) -> str | None:
    """The model's first question, with at most one sentence leading into it. Small models often add
    a second question, a preamble or a speaker label; the first question is still their own words.
    None when there is no question to keep."""
    q = _LABEL.sub("", text.strip()).strip().strip('"').strip()
    end = q.find("?")
    if end < 0:
        return None
    sentences = split_sentences(q[:end + 1])
    return " ".join(sentences[-2:]).strip().strip('"').strip() or None


_DETERMINER = re.compile(r"^(?:(The|Their)|(Our|My|our|my))\b")


# People named by role: the signals list them among the teams, with a determiner ("The CFO called me")
# or as the bare role word ("I went to the director").
_ROLE_WORDS = r"(?:S?VP|director|principal engineer|PM|GM|SDM|CTO|CFO|CEO|COO|CMO|manager|executive producer)"
_BARE_ROLE = re.compile(rf"^{_ROLE_WORDS}$", re.I)
# No work comes off a CFO's plate: a {team} slot takes the next real team, or none.
_PERSON = re.compile(rf"^(?:(?:the|their|our|my|his|her) )?{_ROLE_WORDS}$", re.I)


def as_object(team: str) -> str:
    """A team as the candidate named it, said by the interviewer mid-sentence: 'The warehouse team'
    becomes 'the warehouse team', the candidate's 'our platform team' becomes 'your platform team', and
    a bare role gets its article back ('director' -> 'the director', not "take off director's plate")."""
    if _BARE_ROLE.match(team):
        return f"the {team}"
    return _DETERMINER.sub(lambda m: m.group(1).lower() if m.group(1) else "your", team)


@lru_cache(maxsize=8)
def _slot_teams(answer: str) -> tuple[str, ...]:
    """The teams a {team} slot may name, people left out. One follow-up fills up to a dozen probes from
    the same answer, before its first token; extracting the signals takes ~1.6 ms a time."""
    return tuple(t for t in extract(answer).teams if not _PERSON.match(t))


def fill_probe(probe: Probe, answer: str, plan: bool = False) -> str:
    """The probe with the candidate's words in its slots; for a plan, its plan wording when it has one."""
    teams = _slot_teams(answer)
    if plan and probe.plan:
        # Plan wordings have no slots; "the other team" names the team the plan named first.
        return probe.plan.replace("the other team", as_object(teams[0]), 1) if teams else probe.plan
    phrase = vague_phrase(answer)
    text = probe.text
    if "{quote}" in text:
        if not phrase:
            return probe.plain
        text = text.replace("{quote}", phrase)
    if "{team}" in text:
        if not teams:
            return probe.plain
        text = text.replace("{team}", as_object(teams[0]))  # every probe puts the slot mid-sentence
    return text


def _other_probe(candidates: list[Probe], draft: str, answer: str, plan: bool) -> Probe | None:
    """The first retrieved probe whose wording differs from the draft the model already had."""
    return next((p for p in candidates if fill_probe(p, answer, plan) != draft), None)


def candidate_probes(retriever: ProbeRetriever, family: str, round_name: str, answer: str, said: str,
                     plan: bool = False) -> list[Probe]:
    """The retrieved probes a follow-up is worked from, best first. Twice as many are retrieved as are
    kept, so those whose wording takes as given what `said` never said ("that trade") can be passed
    over and CANDIDATES remain; when every one presumes, they are kept as they are."""
    retrieved = retriever.probes(family, round_name, answer, k=2 * CANDIDATES)
    return ([p for p in retrieved if not unsupported(fill_probe(p, answer, plan), said)] or retrieved)[:CANDIDATES]


class Realizer:
    def __init__(self, model: ChatModel | None, retriever: ProbeRetriever) -> None:
        self.model = model
        self.retriever = retriever

    def fallback(self, candidates: list[Probe], answer: str, previous: Sequence[str], reason: str,
                 plan: bool = False) -> RealizedQuestion:
        for probe in candidates:
            text = fill_probe(probe, answer, plan)
            if problems_with(text, previous) is None:
                return RealizedQuestion(text=text, fallback=True, fallback_reason=reason, probe_id=probe.id)
        probe = candidates[0]
        return RealizedQuestion(text=(plan and probe.plan) or probe.plain, fallback=True, fallback_reason=reason,
                                probe_id=probe.id)

    def follow_up(self, *, question: str, answer: str, decision: PlannerDecision, round_name: str,
                  previous: Sequence[str], on_token: TokenCallback | None = None,
                  earlier: Sequence[str] = ()) -> RealizedQuestion:
        """`earlier`: the candidate's earlier answers in this thread; with the question and `answer`,
        what a follow-up may take as given."""
        assert decision.probe_target is not None
        # A program_design round asks for a plan: follow-ups to one ask what the candidate would do.
        plan = round_name == "program_design" and told_as_plan(answer)
        said = "\n".join([question, *earlier, answer])
        candidates = candidate_probes(self.retriever, decision.probe_target, round_name, answer, said, plan)
        fresh = [p for p in candidates if problems_with(fill_probe(p, answer, plan), previous) is None] or candidates
        if self.model is None:
            return self.fallback(fresh, answer, previous, "no model loaded", plan)
        # The best retrieved probe, slots filled with the candidate's words, is the draft the model
        # adapts; it is also what is asked if the model's question fails validation.
        draft = fill_probe(fresh[0], answer, plan)
        nonce = secrets.token_hex(4)
        excerpt = clip_answer(answer, focus=vague_phrase(answer)).replace(nonce, "")
        user = _template().format(question=question, answer=excerpt, nonce=nonce, draft=draft,
                                  ask=family_ask(decision.probe_target, plan), tense=PLAN_NOTE if plan else "")
        messages = [Message(role="system", content=_system()), Message(role="user", content=user)]
        family = decision.probe_target
        probe_id = fresh[0].id if fresh else None
        retries = 0
        reasons: list[str] = []
        while True:
            try:
                text = self._generate(messages, on_token)
            except BackendError as exc:
                return self.fallback(fresh, answer, previous, f"backend error: {exc}", plan)
            problem = problems_with(text, previous, family, answer, plan, question, said)
            done = RealizedQuestion(text=text, probe_id=probe_id, retries=retries, retry_reasons=reasons)
            if not problem:
                return done
            if retries and problem == PROBLEM_ECHO:
                # Worded from the ask line twice, but otherwise a valid question on the target: asked,
                # and marked, rather than swapped for a template.
                return done.model_copy(update={"echoed": True})
            kept = first_question(text)
            if kept and kept != text and problems_with(kept, previous, family, answer, plan, question, said) is None:
                return done.model_copy(update={"text": kept, "trimmed": True})
            if retries == MAX_RETRIES or problem not in RETRY_ON:
                break
            # Another try in the same conversation (the prefix stays cached, so only the note is
            # prefilled): the small model drifts off the gap about one follow-up in six. The first
            # retry says what was wrong; the last hands over another probe to fit.
            retries += 1
            reasons.append(problem)
            note = _retry_note(problem, family, answer, plan, unsupported(text, said))
            if retries == MAX_RETRIES and (other := _other_probe(fresh, draft, answer, plan)):
                probe_id, note = other.id, LAST_NOTE.format(draft=fill_probe(other, answer, plan))
            if on_token:
                on_token(None)  # the stream restarts: the UI drops what it showed of the rejected question
            messages = messages + [Message(role="assistant", content=text), Message(role="user", content=note)]
        realized = self.fallback(fresh, answer, previous, f"model output rejected: {problem}", plan)
        realized.rejected_text = text[:400]
        realized.retries = retries
        realized.retry_reasons = reasons
        return realized

    def _generate(self, messages: list[Message], on_token: TokenCallback | None) -> str:
        pieces: list[str] = []
        for piece in self.model.stream(messages, max_tokens=70, temperature=0.3, stop=["\n\n"]):
            pieces.append(piece)
            if on_token:
                on_token(piece)
        return " ".join("".join(pieces).split()).strip().strip('"').strip()
