import pytest

from interviewer.corpus import DIMENSIONS
from interviewer.grading.grader import grade_transcript
from interviewer.grading.rubric import load_rubric
from interviewer.grading.topics import answers_to, asks_about, load_topics, questions_before
from interviewer.transcript import Transcript, Turn
from tests.conftest import assert_cue_holds


@pytest.mark.parametrize("dim", DIMENSIONS)
def test_each_dimension_finds_its_questions_and_spares_the_others(dim):
    assert_cue_holds(load_topics().dimensions[dim], at_least=12)


def test_a_question_may_ask_about_several_dimensions_or_none():
    both = "When did you tell leadership, and how did you explain the cost to the CFO?"
    assert asks_about("risk_escalation", both) and asks_about("business_translation", both)
    assert not any(asks_about(d, "Then what?") for d in DIMENSIONS)
    assert not asks_about("risk_escalation", "")


def _transcript(question: str, answer: str) -> Transcript:
    return Transcript(id="t", round="bar_raiser", turns=[
        Turn(role="interviewer", text="Tell me about the hardest program you ran."),
        Turn(role="candidate", text="We were moving label printing to the new carrier API for the holiday peak."),
        Turn(role="interviewer", text=question),
        Turn(role="candidate", text=answer),
    ])


def test_each_answer_is_paired_with_the_question_before_it():
    t = _transcript("When did you know it would slip?", "Week three.")
    assert questions_before(t) == {1: "Tell me about the hardest program you ran.", 3: "When did you know it would slip?"}
    texts = [(1, t.turns[1].text), (3, "Week three.")]
    assert answers_to("risk_escalation", questions_before(t), texts) == [(3, "Week three.")]
    assert answers_to("influence_mechanism", questions_before(t), texts) == []


def test_a_plain_answer_to_the_escalation_question_is_escalation_evidence():
    """No escalation vocabulary at all: the question makes it evidence, the same words after an
    unrelated question are not."""
    answer = "Week three of twelve. I walked into Dana's office with the burn-down and two dates."
    rubric = load_rubric()
    asked = grade_transcript(_transcript("When did you know it would slip?", answer), rubric, None)
    unrelated = grade_transcript(_transcript("Then what?", answer), rubric, None)
    quotes = [q.quote for q in asked.scores["risk_escalation"].evidence]
    assert any("Week three of twelve" in q or "Dana's office" in q for q in quotes)
    assert not any("Dana's office" in q.quote for q in unrelated.scores["risk_escalation"].evidence)
