"""Every labeled set the grader is fitted or judged on holds together: each item names a transcript that
loads, six levels 1-4, and the vote the rubric's debrief rule gives from those levels."""

from pathlib import Path

import pytest
import yaml

from interviewer.corpus import DIMENSIONS
from interviewer.grading.rubric import load_rubric
from interviewer.importers import load_transcript

ROOT = Path(__file__).resolve().parent.parent
SETS = sorted([*ROOT.glob("calibration/labels*.yaml"), *ROOT.glob("calibration/extra/labels_*.yaml"),
               *ROOT.glob("evals/labels_*.yaml")])


def test_the_labeled_sets_are_all_found():
    names = {p.name for p in SETS}
    assert {"labels.yaml", "labels_d.yaml", "labels_a.yaml", "labels_b.yaml"} <= names
    assert {f"labels_{x}.yaml" for x in "efghijklmn"} <= names


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_each_item_loads_and_its_vote_follows_the_rubric_rule(path):
    rubric = load_rubric()
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) and items
    for item in items:
        file = path.parent / item["file"]
        if not file.exists():
            file = path.parent / "transcripts" / item["file"]
        transcript = load_transcript(file)
        assert transcript.round == item.get("round", transcript.round), item["id"]
        assert sum(1 for _ in transcript.candidate_turns()) >= 3, item["id"]
        assert sorted(item["scores"]) == sorted(DIMENSIONS) and all(v in (1, 2, 3, 4) for v in item["scores"].values())
        assert rubric.decide_vote(item["scores"]) == item["vote"], item["id"]
