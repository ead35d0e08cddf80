import json
from pathlib import Path

import pytest

from interviewer.grading import calibrate
from interviewer.grading.features import dimension_features, names
from interviewer.grading.level_model import LevelModel, load_level_model
from interviewer.resources import data_root


def test_shipped_model_matches_the_features_and_says_where_it_came_from():
    m = load_level_model()
    assert m.features == names()
    assert m.trained_on["transcripts"] >= 40
    assert 0 < m.trained_on["loo_quadratic_kappa"] <= 1


def test_more_specific_evidence_scores_higher():
    m = load_level_model()
    vague = [(1, "We aligned with the infra team and communicated well. It went fine.")]
    specific = [(1, "In week 3 I offered the Payments Platform team two of my engineers for four weeks in exchange "
                    "for moving their API freeze; I told their director we would own the adapter. We launched 2 weeks "
                    "early and cut failed payments by 30 percent, because the freeze came first.")]
    d = "influence_mechanism"
    low, _ = m.score(d, dimension_features(d, vague, reading=m.read(vague)))
    high, _ = m.score(d, dimension_features(d, specific, reading=m.read(specific)))
    assert high > low + 0.5
    assert m.level(high) > m.level(low)


def test_calibrate_writes_a_loadable_model(tmp_path):
    out = tmp_path / "levels.json"
    assert calibrate.main([str(data_root("evals") / "labels_b.yaml"), "--out", str(out), "--version", "t"]) == 0
    data = json.loads(out.read_text())
    assert data["trained_on"]["transcripts"] >= 40 and "loo_quadratic_kappa" in data["trained_on"]
    model = LevelModel.model_validate(data)
    assert len(model.coef) == len(model.features) == len(names())


def test_calibrate_on_two_annotators_fits_their_mean_and_reports_both(tmp_path):
    out = tmp_path / "levels.json"
    root = data_root("evals")
    assert calibrate.main([str(root / "labels_a.yaml"), str(root / "labels_b.yaml"), "--out", str(out)]) == 0
    trained = json.loads(out.read_text())["trained_on"]
    assert trained["labels"][1].endswith("labels_b.yaml")
    assert 0 < trained["loo_quadratic_kappa_annotator2"] <= 1
    assert trained["annotators_dimension_exact"] > 0.5  # the two label files agree on most levels
    data = calibrate.dataset([root / "labels_a.yaml", root / "labels_b.yaml"])
    assert data.Y.shape == (len(data.groups), 2) and len(set(data.groups)) * 6 == len(data.groups)
    assert set(data.words) == set(data.groups) and all(data.words.values())
    assert all(turns and all(isinstance(i, int) for i, _ in turns) for turns in data.texts.values())


def test_calibrate_adds_single_annotator_transcripts_and_reports_them_apart(tmp_path):
    out = tmp_path / "levels.json"
    root = data_root("evals")
    extra = Path(__file__).resolve().parent.parent / "calibration" / "extra" / "labels_e.yaml"
    assert calibrate.main([str(root / "labels_a.yaml"), "--extra", str(extra), "--out", str(out)]) == 0
    trained = json.loads(out.read_text())["trained_on"]
    assert trained["transcripts"] == 42 + 12 and trained["extra"][0].endswith("labels_e.yaml")
    assert "loo_quadratic_kappa_annotator2" not in trained  # one annotator on the main set
    assert 0 < trained["loo_quadratic_kappa_extra"] <= 1 and "loo_dimension_exact_extra" in trained


def test_an_answer_is_read_for_the_question_it_answers():
    """The same plain answer moves a dimension's score when it answers the question about that dimension."""
    m = load_level_model()
    answer = "Week three of twelve. I walked into Dana's office with the burn-down, two dates and what each one cost."
    texts = [(1, answer)]
    d = "risk_escalation"
    unasked = dimension_features(d, texts, reading=m.read(texts))
    asked = dimension_features(d, texts, asked=[answer], reading=m.read(texts))
    assert unasked["asked"] == 0.0 and asked["asked"] == 1.0 and asked["asked_timing_density"] > 0
    assert m.score(d, asked)[0] != m.score(d, unasked)[0]


def test_calibrate_refuses_a_missing_file_in_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        calibrate.main([str(tmp_path / "none.yaml"), "--out", str(tmp_path / "l.json")])
    assert exc.value.code == 2 and "none.yaml" in capsys.readouterr().err
