import numpy as np
import pytest

from interviewer.tfidf import Tfidf, vectorizer

DOCS = ["In week 3 I asked the Ledger team for two engineers.", "We aligned with all the stakeholders.",
        "Week 9: the ledger team said yes, and we shipped in week 12.", "I asked; they said no. I asked again."]


def test_stored_tfidf_equals_sklearn_after_a_round_trip_through_json():
    fitted = vectorizer(min_df=1).fit(DOCS)
    stored = Tfidf.model_validate_json(Tfidf(**Tfidf.fields_from_sklearn(fitted)).model_dump_json())
    new = DOCS + ["WEEK week weeks, Ledger!", "nothing we know", ""]
    np.testing.assert_allclose(np.stack([stored.dense(t) for t in new]), fitted.transform(new).toarray(), atol=1e-12)


def test_min_df_leaves_out_words_of_one_document_and_mismatched_lists_are_refused():
    fitted = vectorizer(min_df=2).fit(DOCS)
    stored = Tfidf(**Tfidf.fields_from_sklearn(fitted))
    assert "asked" in stored.terms and "stakeholders" not in stored.terms
    assert stored.weights("stakeholders aligned") == {}
    with pytest.raises(ValueError, match="one length"):
        Tfidf(terms=["a", "b"], idf=[1.0])
