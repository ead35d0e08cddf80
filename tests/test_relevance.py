"""The sentence relevance: the grader's second look for a dimension the cue scan found nothing for."""

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from interviewer.corpus import DIMENSIONS
from interviewer.grading import grader, relevance
from interviewer.grading.grader import grade_transcript
from interviewer.grading.level_model import load_level_model
from interviewer.grading.relevance import SentenceRelevance
from interviewer.grading.rubric import load_rubric
from interviewer.importers import load_transcript
from interviewer.llm.fake import FakeChatModel
from interviewer.tfidf import Tfidf

EXTRA = Path(__file__).resolve().parent.parent / "calibration" / "extra"
SENTENCES = [
    "The payments team depended on our ledger feed, and nobody had it on their roadmap.",
    "In week 6 I raised the risk with my director and brought two options.",
    "I offered two engineers for a month in exchange for the endpoint by May.",
    "The director of sales wanted the whole region at once; operations wanted three stores first.",
    "I explained it to the CFO as 40,000 dollars a week of late fees.",
    "We agreed the API contract first, before either team wrote code.",
]


def _labels(i: int) -> dict[str, int]:
    return {d: int(k == i) for k, d in enumerate(DIMENSIONS)}


def test_the_stored_relevance_scores_as_sklearn_does_after_a_round_trip_through_json():
    texts = SENTENCES * 2
    labels = [_labels(i % 6) for i in range(len(texts))]
    vectorizer = TfidfVectorizer(min_df=1, sublinear_tf=True).fit(texts)
    X = vectorizer.transform(texts)
    models = {d: LogisticRegression(class_weight="balanced", max_iter=2000).fit(X, [y[d] for y in labels])
              for d in DIMENSIONS}
    stored = SentenceRelevance.model_validate_json(SentenceRelevance(
        **Tfidf.fields_from_sklearn(vectorizer), coef={d: m.coef_[0].tolist() for d, m in models.items()},
        intercept={d: float(m.intercept_[0]) for d, m in models.items()}).model_dump_json())
    new = ["The ledger team depended on a feed nobody had planned.", "unknown words only", ""]
    for d, m in models.items():
        np.testing.assert_allclose([stored.probability(d, t) for t in new],
                                   m.predict_proba(vectorizer.transform(new))[:, 1], atol=1e-12)


def test_fit_learns_the_scan_labels_and_nearest_picks_only_specific_sentences():
    model = relevance.fit([(s, _labels(i)) for i, s in enumerate(SENTENCES)] * 2)
    texts = [(1, "It was a great partnership overall. The billing team relied on a feed that nobody had listed, "
                 "so in week 3 I asked their lead.")]
    quote, p = model.nearest("dependency_mapping", texts)
    assert "billing team relied" in quote.quote and quote.turn == 1 and p > 0.5
    assert model.nearest("dependency_mapping", [(1, "It was a great partnership overall.")]) is None


def test_a_relevance_with_a_missing_dimension_is_refused():
    with pytest.raises(ValueError, match="six dimensions"):
        SentenceRelevance(terms=["week"], idf=[1.0], coef={"sequencing": [0.1]}, intercept={"sequencing": 0.0})


def test_the_shipped_level_model_carries_a_relevance_fitted_on_the_calibration_sentences():
    m = load_level_model().relevance
    assert len(m.terms) > 500
    told = "In week 2 I sent every team lead the same question: what has to be true in your system, and who gives it to you?"
    assert m.probability("dependency_mapping", told) > m.probability("business_translation", told)
    assert m.probability("business_translation", "That cost 40,000 dollars in revenue a week.") > 0.5


def test_a_dimension_with_no_cue_sentence_gets_a_3_only_with_a_quote_that_reads_like_it(monkeypatch):
    """l-lp-strong-01 tells its dependency mapping in words no cue pattern knows; the annotator gave it 3."""
    transcript = load_transcript(EXTRA / "l-lp-strong-01.txt")
    grade = grade_transcript(transcript, load_rubric(), None).scores["dependency_mapping"]
    assert grade.score == 3
    assert "reads most like it" in grade.reason
    assert [q.quote for q in grade.evidence] == [next(
        q for q in grade.evidence if "every team lead the same written question" in q.quote).quote]
    said = " ".join(t.text for _, t in transcript.candidate_turns())
    assert grade.evidence[0].quote in " ".join(said.split())  # the candidate's own words

    monkeypatch.setattr(grader, "RELEVANCE_THRESHOLD", 1.01)  # no sentence likely enough: no quote, at most 2
    grade = grade_transcript(transcript, load_rubric(), None).scores["dependency_mapping"]
    assert grade.score == 2 and "without a quote of its own" in grade.reason and not grade.evidence


def test_the_second_look_backs_a_3_with_the_models_quotes_too_and_never_more():
    """With a model proposing a verified quote for the dimension, the grade is the rules path's: the
    model's quote is shown first, the sentence that reads like the dimension beside it, and the level
    stays 3 (it used to be 2 whatever the scorer read, once the model had quoted anything)."""
    model = FakeChatModel(default=json.dumps({"quotes": [
        {"turn": 1, "quote": "At a mobile operator I ran the migration of 1.4 million prepaid customers"}]}))
    transcript = load_transcript(EXTRA / "l-lp-strong-01.txt")
    grade = grade_transcript(transcript, load_rubric(), model).scores["dependency_mapping"]
    assert grade.llm_quotes_verified == 1 and grade.score == 3
    assert grade.evidence[0].source == "llm" and grade.evidence[0].quote.startswith("At a mobile operator")
    assert any("every team lead the same written question" in q.quote for q in grade.evidence[1:])
