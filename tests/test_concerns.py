import pytest

from interviewer.errors import UserError
from interviewer.grading import concerns
from interviewer.grading.grader import grade_transcript
from interviewer.grading.report import to_html, to_markdown
from interviewer.grading.rubric import load_rubric
from interviewer.importers import parse_plain_text

from tests.conftest import assert_cue_holds
from tests.test_grader import STRONG

# STRONG's influence answer, then a sentence that shows an empty mechanism ("the relationship did it").
WITH_CONCERN = STRONG.replace(
    'we carry the risk."\n',
    'we carry the risk." Honestly it worked because I built strong relationships with their team over the years.\n')


def cases():
    for dim, cues in concerns.load_cues().dimensions.items():
        for cue in cues:
            yield dim, cue


@pytest.mark.parametrize(("dim", "cue"), list(cases()), ids=lambda v: v if isinstance(v, str) else v.signal[:40])
def test_every_cue_finds_its_examples_and_spares_strong_sentences(dim, cue):
    assert_cue_holds(cue, at_least=3)


def test_every_signal_is_the_rubrics_own_words():
    rubric = load_rubric()
    for dim, cue in cases():
        assert cue.signal in rubric.dimension(dim).negative_signals


def test_a_concern_caps_the_dimension_and_is_shown_with_its_signal():
    plain = grade_transcript(parse_plain_text(STRONG, name="t.txt"), load_rubric(), None)
    flagged = grade_transcript(parse_plain_text(WITH_CONCERN, name="t.txt"), load_rubric(), None)
    assert plain.scores["influence_mechanism"].score >= 3 and not plain.scores["influence_mechanism"].concerns
    d = flagged.scores["influence_mechanism"]
    assert d.score == 2
    [c] = d.concerns
    assert c.turn == 3 and c.quote.startswith("Honestly it worked because I built strong relationships")
    assert "strong relationships" in c.signal and "at most 2" in d.reason
    # Only that dimension has a concern, and the report says what was noted.
    assert [k for k, v in flagged.scores.items() if v.concerns] == ["influence_mechanism"]
    assert "Concerns a Bar Raiser would write down" in to_markdown(flagged)
    assert "I built strong relationships" in to_html(flagged)


def test_patterns_read_one_sentence_at_a_time():
    # The exclusion ("...nothing it caught") is in the next sentence: it must not hide the concern.
    texts = [(1, "We tracked all the dependencies in a Jira board. Later the mobile team found a bug.")]
    [c] = concerns.find("dependency_mapping", texts)
    assert c.quote == "We tracked all the dependencies in a Jira board."
    assert concerns.find("dependency_mapping", [(1, "Our dependency tracker caught the schema change in week 2.")]) == []


def test_a_broken_cue_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "concerns.yaml"
    bad.write_text("version: x\ndimensions:\n  sequencing:\n    - signal: s\n      patterns: ['(unclosed']\n")
    with pytest.raises(UserError, match="concerns.yaml"):
        concerns.load_cues(bad)
