import pytest

from interviewer.grading.evidence import TRIGGERS, evidence_cues, relevant_sentences, trigger
from tests.conftest import assert_cue_holds


@pytest.mark.parametrize("dim", list(TRIGGERS))
def test_plain_cues_find_their_examples_and_spare_vocabulary(dim):
    assert_cue_holds(evidence_cues().dimensions[dim], at_least=12)


def test_a_plainly_told_dependency_is_evidence_the_keywords_alone_miss():
    sentence = "It wasn't on anybody's list, and their plan for the spring had no site work in it at all."
    assert not TRIGGERS["dependency_mapping"].search(sentence)
    assert trigger("dependency_mapping").search(sentence)
    [(score, quote)] = relevant_sentences("dependency_mapping", [(1, sentence)])
    assert quote.turn == 1 and quote.quote == sentence
    # Vocabulary alone is still not evidence.
    assert relevant_sentences("dependency_mapping", [(1, "I mapped all the dependencies and drove alignment.")]) == []


def test_a_cue_with_unless_spares_what_its_exclusions_find_and_refuses_a_broken_one():
    from interviewer.grading.cues import PatternCue

    cue = PatternCue(patterns=[r"\bmy (?:vp|director) (?:asked|told) their\b"], unless=[r"\bin exchange\b", r"\bif\b"])
    assert cue.matches("My VP asked their VP to put it on the roadmap.")
    assert not cue.matches("My director told their director we'd lend two engineers in exchange for the slot.")
    assert not cue.matches("If they refused, my director asked their director.")
    assert PatternCue(patterns=[r"\bslipped\b"]).matches("It slipped.")  # no exclusions: the patterns decide
    with pytest.raises(ValueError, match="does not compile"):
        PatternCue(patterns=["ok"], unless=["(unclosed"])
