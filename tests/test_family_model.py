"""Probe search's family model: shipped weights match the checkout, it ranks gaps, and it refits."""

import json
from pathlib import Path

import pytest

from interviewer.config import Settings
from interviewer.corpus import default_corpus
from interviewer.retrieval import family_model as fm
from interviewer.retrieval.index import CorpusIndex

TRAINING = Path(__file__).resolve().parent.parent / "training"
REFIT = "refit: python -m interviewer.retrieval.family_model training/retrieval_queries_*.yaml " \
        "--out models/retrieval_family.json"


def test_shipped_model_was_fitted_on_this_checkouts_training_files_and_corpus():
    model = fm.load_model()
    _, digest = fm.load_queries(sorted(TRAINING.glob("retrieval_queries_*.yaml")))
    assert model.trained_on == digest, REFIT
    assert model.corpus == default_corpus().content_hash, REFIT
    assert model.families == fm.FAMILIES and model.queries >= 400
    assert 0.5 < model.leave_one_file_out["mean"] <= 1.0


@pytest.mark.parametrize("text, family", [
    ("We all worked really hard as a team and the team delivered the migration; we owned it end to end.",
     "personal_role"),
    ("Their director said no at first, but after a couple of conversations she came around and her team "
     "built the endpoint for us.", "mechanism"),
    ("No word on what the launch plan does first: every workstream starts in week one and nothing says "
     "which piece the date hangs on.", "sequencing"),
])
def test_the_family_the_text_leaves_out_comes_first_in_probe_search(text, family):
    hits = CorpusIndex(Settings()).search_probes(text, k=9, round_name="bar_raiser")
    families = [h.metadata["family"] for h in hits]
    assert family in families[:3]
    # One probe per family until every family has had its best: the top three are three gaps.
    assert len(set(families)) == len(families) == 9
    scores = [h.metadata["family_score"] for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_a_family_filter_ranks_probes_by_score_alone():
    hits = CorpusIndex(Settings()).search_probes("we aligned with infra", k=5, family="mechanism")
    assert all(h.metadata["family"] == "mechanism" and "family_score" not in h.metadata for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_fit_writes_a_loadable_model_with_its_cross_validation(tmp_path):
    out = tmp_path / "family.json"
    files = [str(TRAINING / "retrieval_queries_a.yaml"), str(TRAINING / "retrieval_queries_b.yaml")]
    assert fm.main(files + ["--out", str(out)]) == 0
    model = fm.FamilyModel.model_validate(json.loads(out.read_text()))
    assert model.queries == 288 and model.families == fm.FAMILIES
    assert set(model.leave_one_file_out) == {"retrieval_queries_a.yaml", "retrieval_queries_b.yaml", "mean"}
    assert len(model.reading_coef) == 9 and len(model.reading_coef[0]) == 384 and len(model.choice_coef) == 5


def test_fit_refuses_a_missing_file_or_an_unknown_family_in_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        fm.main([str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "o.json")])
    assert exc.value.code == 2 and "nope.yaml" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("queries:\n  - {id: q1, query: hello there, family: vibes, round: bar_raiser}\n")
    with pytest.raises(SystemExit) as exc:
        fm.main([str(bad), "--out", str(tmp_path / "o.json")])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "vibes" in err and err.count("\n") == 1
    assert not (tmp_path / "o.json").exists()
