import json

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import Ridge

from interviewer.grading import reading
from interviewer.grading.level_model import load_level_model
from interviewer.grading.reading import WordReading

TEXTS = [
    "In week three I asked the ledger team's director for two engineers; she said yes if we took the on-call.",
    "We drove alignment across all the stakeholders and made sure leadership had visibility.",
    "I offered the vendor an early renewal, and they moved our install to week 9, two weeks ahead.",
    "It was a true partnership and I made sure everyone felt heard. Alignment alignment alignment.",
    "Six weeks out I told Dana the date would slip by 3 weeks unless payments froze the API first.",
    "I communicated effectively and built strong relationships with the key stakeholders.",
]
Y = np.array([3.7, 1.3, 3.5, 1.2, 3.4, 1.5])


def test_the_stored_reading_scores_as_sklearn_does_after_a_round_trip_through_json():
    vectorizer = TfidfVectorizer(min_df=1, sublinear_tf=True).fit(TEXTS)
    ridge = Ridge(alpha=1.0).fit(vectorizer.transform(TEXTS), Y)
    stored = WordReading.model_validate_json(WordReading.from_sklearn(vectorizer, ridge).model_dump_json())
    new = ["Week 9: she asked for two engineers, and I said yes, alignment or not.", "nothing known here",
           "WEEK week Week weeks, the ledger director!", ""]
    np.testing.assert_allclose([stored.read(t) for t in new], ridge.predict(vectorizer.transform(new)), atol=1e-12)


def test_fit_learns_that_specifics_read_stronger_than_rubric_vocabulary():
    texts = TEXTS * 2  # every word in at least two transcripts, past MIN_DF
    model = reading.fit(texts, np.concatenate([Y, Y]))
    plain = "In week 4 I asked the director for two engineers and she said yes."
    vague = "I made sure of alignment with all the stakeholders and leadership visibility."
    assert model.read(plain) > model.read(vague) + 0.5


def test_out_of_fold_readings_never_see_their_own_transcript():
    texts = TEXTS * 2
    y = np.concatenate([Y, Y])
    oof = reading.out_of_fold(texts, y, folds=len(texts))  # one transcript per fold: leave one out
    for i in (0, 7):
        rest = [t for j, t in enumerate(texts) if j != i]
        assert oof[i] == pytest.approx(reading.fit(rest, np.delete(y, i)).read(texts[i]))
    assert not np.allclose(oof, [reading.fit(texts, y).read(t) for t in texts])


def test_the_shipped_level_model_carries_its_reading_and_its_out_of_fold_agreement():
    m = load_level_model()
    assert len(m.reading.terms) > 500 and m.trained_on["reading_out_of_fold_r"] > 0.5
    strong = [(1, "Eight weeks out I asked Priya, the payments director, for two engineers; in return I offered "
                  "to take their on-call for a month. She said yes, and we shipped on the 14th.")]
    vague = [(1, "I drove alignment with all the stakeholders, made sure leadership had visibility and built "
                 "strong relationships across the organization.")]
    assert m.read(strong) > m.read(vague) + 1.0


def test_a_reading_with_mismatched_lists_is_refused():
    with pytest.raises(ValueError, match="one length"):
        WordReading(terms=["a", "b"], idf=[1.0], coef=[0.1, 0.2], intercept=2.0)
    data = json.loads(WordReading(terms=["week"], idf=[1.0], coef=[1.0], intercept=2.5).model_dump_json())
    assert WordReading.model_validate(data).read("") == 2.5
