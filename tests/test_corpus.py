from collections import Counter

import pytest

from interviewer.corpus import DIMENSIONS, PRINCIPLES, default_corpus, load_corpus
from interviewer.errors import UserError
from interviewer.resources import data_root
from interviewer.transcript import PROBE_FAMILIES


def test_corpus_sizes_meet_the_brief():
    c = default_corpus()
    rounds = Counter(q.round for q in c.questions)
    assert len(c.questions) >= 60 and min(rounds.values()) >= 15
    families = Counter(p.family for p in c.probes)
    assert set(families) == set(PROBE_FAMILIES) and min(families.values()) >= 15
    for dim in DIMENSIONS:
        levels = Counter(e.level for e in c.exemplars if e.dimension == dim)
        assert sum(levels.values()) >= 6 and set(levels) == {1, 2, 3, 4}
    assert sorted(p.key for p in c.principles) == sorted(PRINCIPLES)
    assert len(c.scenarios) >= 10


def test_every_lp_can_open_an_lp_round_and_every_scenario_is_asked():
    c = default_corpus()
    firsts = {q.principles[0] for q in c.questions_for("leadership_principles")}
    assert firsts == set(PRINCIPLES)
    asked = {q.scenario for q in c.questions_for("program_design")}
    assert asked == {s.id for s in c.scenarios}


def test_probes_are_single_questions():
    for p in default_corpus().probes:
        for text in (p.text, p.plain):
            assert text.count("?") == 1 and text.rstrip().endswith("?"), p.id


def copy_corpus(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    for f in data_root("corpus").glob("*.yaml"):
        (root / f.name).write_text(f.read_text())
    return root


def test_unknown_family_names_file_and_line(tmp_path):
    root = copy_corpus(tmp_path)
    p = root / "probes.yaml"
    lines = p.read_text().splitlines()
    idx = next(i for i, line in enumerate(lines) if line.strip().startswith("family:"))
    lines[idx] = lines[idx].split("family:")[0] + "family: vibes"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(UserError) as err:
        load_corpus(root)
    assert "probes.yaml" in str(err.value) and f"line {idx}" in str(err.value) and "family" in str(err.value)


def test_broken_yaml_names_the_line(tmp_path):
    root = copy_corpus(tmp_path)
    (root / "questions.yaml").write_text("version: 1\nquestions:\n  - id: [unclosed\n")
    with pytest.raises(UserError, match=r"questions.yaml: line \d+: broken YAML"):
        load_corpus(root)


def test_content_hash_changes_with_content(tmp_path):
    root = copy_corpus(tmp_path)
    before = load_corpus(root).content_hash
    p = root / "principles.yaml"
    p.write_text(p.read_text() + "\n# edited\n")
    assert load_corpus(root).content_hash != before
