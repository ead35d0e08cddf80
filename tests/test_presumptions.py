"""A follow-up takes as given only what the thread said: "What did that trade cost you?" is not asked
of "We aligned with the team and it worked out" (prompts/presumptions.yaml)."""

import pytest

from interviewer.corpus import default_corpus
from interviewer.interview.presumptions import unsupported
from interviewer.interview.realizer import PROBLEM_PRESUMES, Realizer
from interviewer.llm.fake import FakeChatModel
from interviewer.transcript import PlannerDecision

VAGUE = "We aligned with the team and it worked out."
OFFERED = "I offered the fraud team two of my engineers for a sprint, and they built our hook."


@pytest.mark.parametrize("question,said,presumed", [
    ("What did that trade cost you or your own team?", VAGUE, "a trade"),
    ("What did that trade cost you or your own team?", OFFERED, None),
    ("What exactly did you offer them?", VAGUE, None),  # asks; presumes nothing
    ("What changed between their first no and the yes?", VAGUE, "a refusal"),
    ("What changed between their first no and the yes?", "Payments pushed back hard at first.", None),
    ("Before you pulled in their director, what had you tried?", "I went to their manager.", "a director or executive"),
    ("Before you pulled in their director, what had you tried?", "I asked their VP for help.", None),
    ("What did you say in that meeting?", VAGUE, "a meeting"),
    ("What did you say in that meeting?", "I sat down with their lead on Monday.", None),
    ("What came out of that escalation within a week?", VAGUE, "an escalation"),
    ("When you went to the principal engineer, what moved them?", VAGUE, "a senior engineer"),
    ("How did you explain the delay to the CFO?", VAGUE, "a delay"),
    ("What was on the page you put in front of them?", VAGUE, "something shown to them"),
    ("What was on the page you put in front of them?", "We talked it through and got on the same page.",
     "something shown to them"),
    ("What was on the page you put in front of them?", "I presented it at their ops review.", None),
    ("What was the first sentence of that doc?", VAGUE, "a document"),
    ("What was the first sentence of that doc?", "I wrote a one-pager for their director.", None),
    # "what did that delay on your side" uses delay as a verb: it presumes nothing.
    ("Did you lend engineers to them, and what did that delay on your side?", VAGUE, None),
])
def test_a_question_presumes_only_what_was_said(question, said, presumed):
    assert unsupported(question, said) == presumed


def test_every_probe_presumes_only_what_the_answers_it_was_written_for_say():
    """A probe's wording fits its own `sounds_like` answers: a probe that presumed more than they say
    would be passed over for exactly the answers it exists for."""
    misfits = [(p.id, wording, fragment[:60])
               for p in default_corpus().probes
               for wording in (p.text, p.plain, p.plan) if wording
               for fragment in p.sounds_like if unsupported(wording, fragment)]
    assert misfits == []


class Listed:
    """A retriever that returns the named probes in order, so the test decides what retrieval found."""

    def __init__(self, *ids: str) -> None:
        by_id = {p.id: p for p in default_corpus().probes}
        self.found = [by_id[i] for i in ids]
        self.asked_for: list[int] = []

    def probes(self, family, round_name, query, k=3):
        self.asked_for.append(k)
        return self.found[:k]


def follow_up(model, retriever, answer, *, question="Tell me about a time you needed another team's help.",
              earlier=()):
    return Realizer(model, retriever).follow_up(
        question=question, answer=answer, decision=PlannerDecision(probe_target="mechanism", why="no mechanism"),
        round_name="bar_raiser", previous=[], earlier=earlier)


def test_a_presuming_probe_is_passed_over_for_the_draft_and_the_fallback():
    retriever = Listed("mechanism-09", "mechanism-07", "mechanism-01")
    q = follow_up(None, retriever, VAGUE)
    assert q.probe_id == "mechanism-01" and "trade" not in q.text
    assert retriever.asked_for == [8]  # twice the probes needed, so four can remain

    model = FakeChatModel(["What did the team get out of agreeing to work with you?"])
    follow_up(model, Listed("mechanism-09", "mechanism-01"), VAGUE)
    assert "Draft follow-up: What did the other team get out of agreeing" in model.prompts[0][-1].content


def test_the_probe_is_kept_when_the_candidate_said_it():
    q = follow_up(None, Listed("mechanism-09", "mechanism-01"), OFFERED)
    assert q.probe_id == "mechanism-09" and q.text == "What did that trade cost you or your own team?"


def test_an_earlier_answer_or_the_question_in_the_thread_counts_as_said():
    q = follow_up(None, Listed("mechanism-09", "mechanism-01"), "It took them two sprints.", earlier=[OFFERED])
    assert q.probe_id == "mechanism-09"
    q = follow_up(None, Listed("timing-07", "mechanism-01"), VAGUE, question="Tell me about a time you escalated.")
    assert q.probe_id == "timing-07"


def test_when_every_probe_presumes_they_are_kept_rather_than_asking_nothing():
    q = follow_up(None, Listed("mechanism-09"), VAGUE)
    assert q.probe_id == "mechanism-09" and q.fallback


def test_a_model_question_that_presumes_is_retried_with_what_was_never_said():
    model = FakeChatModel(["What did that trade cost you or your own team?",
                           "What exactly did you offer the team to get them aligned?"])
    q = follow_up(model, Listed("mechanism-01", "mechanism-02"), VAGUE)
    assert not q.fallback and q.retry_reasons == [PROBLEM_PRESUMES]
    assert q.text == "What exactly did you offer the team to get them aligned?"
    assert "They never mentioned a trade." in model.prompts[1][-1].content


def test_a_model_question_that_keeps_presuming_falls_back_to_a_probe_that_does_not():
    model = FakeChatModel(default="What did that trade cost you or your own team?")
    q = follow_up(model, Listed("mechanism-09", "mechanism-01", "mechanism-02"), VAGUE)
    assert q.fallback and PROBLEM_PRESUMES in q.fallback_reason
    assert q.probe_id in {"mechanism-01", "mechanism-02"} and unsupported(q.text, VAGUE) is None


def test_the_engine_hands_the_realizer_the_threads_earlier_answers(monkeypatch):
    from interviewer.config import Settings
    from interviewer.interview.engine import Interview

    seen: list[tuple[str, list[str]]] = []
    real = Realizer.follow_up

    def spy(self, **kwargs):
        seen.append((kwargs["answer"], list(kwargs["earlier"])))
        return real(self, **kwargs)

    monkeypatch.setattr(Realizer, "follow_up", spy)
    iv = Interview.start(Settings(), default_corpus(), None, round_name="bar_raiser", seed=3, persist=False,
                         retriever=Listed("mechanism-09", "mechanism-01"))
    iv.opening()
    first = "We aligned with the payments team and it worked out."
    iv.answer(first)
    iv.answer("It all went fine in the end.")
    assert seen[0] == (first, [])
    assert seen[1] == ("It all went fine in the end.", [first])
