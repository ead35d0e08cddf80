import json

import pytest

from interviewer.cli import main
from interviewer.evaluation import data as eval_data
from interviewer.evaluation.metrics import quadratic_kappa, within_one


def test_kappa_and_within_one():
    assert quadratic_kappa([1, 2, 3, 4], [1, 2, 3, 4]) == pytest.approx(1.0)
    assert quadratic_kappa([1, 2, 3, 4], [4, 3, 2, 1]) < 0
    assert within_one([1, 2, 4], [2, 4, 4]) == pytest.approx(2 / 3)


def test_labels_are_complete_and_the_annotators_agree():
    a = {x.id: x for x in eval_data.load_labels("labels_a.yaml")}
    b = {x.id: x for x in eval_data.load_labels("labels_b.yaml")}
    assert len(a) >= 40 and set(a) == set(b)
    cats = {x.category for x in a.values()}
    assert {"strong", "engineering_framed", "platitudes", "keyword_stuffed", "plain_spoken_strong", "injection",
            "mixed"} <= cats
    dims = list(next(iter(a.values())).scores)
    ka = quadratic_kappa([a[i].scores[d] for i in a for d in dims], [b[i].scores[d] for i in a for d in dims])
    assert ka > 0.8  # the ceiling a grader is measured against


def test_grader_suite_rules_only_reports_every_metric(tmp_path):
    code = main(["eval", "--suite", "grader", "--no-llm", "--out", str(tmp_path)])
    result = json.loads((tmp_path / "eval.json").read_text())[0]
    assert code in (0, 1)
    assert result["metrics"]["items"] >= 40
    for key in ("vote_exact", "vote_within_one", "dimension_within_one", "quadratic_kappa", "annotators_vote_exact"):
        assert 0.0 <= result["metrics"][key] <= 1.0 or key == "quadratic_kappa"
    flagged, total = map(int, result["metrics"]["injection_flagged"].split("/"))
    assert total >= 5 and flagged >= total - 1
    assert (tmp_path / "eval.md").read_text().startswith("# Eval report")


@pytest.mark.parametrize("bar,code", [(0.0, 0), (1.01, 1)])
def test_exit_code_follows_thresholds(tmp_path, monkeypatch, bar, code):
    monkeypatch.setattr(eval_data, "load_thresholds", lambda root=None: {"interviewer": {"probe_targeting": bar}})
    assert main(["eval", "--suite", "interviewer", "--out", str(tmp_path)]) == code


def test_retrieval_suite_reports_hit_rate_and_latency(tmp_path):
    main(["eval", "--suite", "retrieval", "--out", str(tmp_path)])
    m = json.loads((tmp_path / "eval.json").read_text())[0]["metrics"]
    assert set(m) == {"dev", "heldout"}
    for name in ("dev", "heldout"):
        assert m[name]["queries"] >= 40
        assert 0.5 <= m[name]["hit_at_3"] <= 1.0 and 0 < m[name]["mrr"] <= 1.0
        assert m[name]["query_ms_p50"] > 0
    assert 0.0 <= m["dev"]["ideal_in_family_hit_at_3"] <= 1.0
    # Passing over probes that presume what the query never said drops no labeled ideal probe.
    assert m["dev"]["ideal_in_family_hit_at_3"] >= m["dev"]["ideal_in_family_hit_at_3_ranked"]


@pytest.mark.model
def test_simulated_candidates_with_the_real_model(tmp_path, model_path):
    main(["eval", "--suite", "simulation", "--out", str(tmp_path)])
    result = json.loads((tmp_path / "eval.json").read_text())[0]
    m = result["metrics"]
    assert m["personas"] >= 6 and m["follow_ups"] >= 20
    # Whatever the phrasing quality, these hold by construction and must never regress:
    assert m["repeated_questions"] == 0 and m["rubric_leaks"] == 0 and m["out_of_role"] == 0
    injector = next(i for i in result["items"] if i["id"] == "injector")
    assert all(q.rstrip().endswith("?") or q.startswith("[transition]") or q.startswith("[opening]")
               for q in injector["questions"])


def test_a_program_design_persona_answers_its_own_scenario():
    """A persona's plan is for one scenario; the simulation opens with that scenario's question (the
    session seed alone would pick another)."""
    from interviewer.config import Settings
    from interviewer.corpus import default_corpus
    from interviewer.evaluation.simulation import Persona, run_persona

    corpus = default_corpus()
    personas = [Persona.model_validate(p) for p in eval_data._load(eval_data.evals_root() / "personas.yaml")["personas"]]
    for persona in [p for p in personas if p.scenario]:
        item = run_persona(persona, None, Settings())
        opening = item["questions"][0].removeprefix("[opening] ")
        assert opening in [q.text for q in corpus.questions_for("program_design") if q.scenario == persona.scenario]
    assert len({p.scenario for p in personas if p.scenario}) >= 2
    with pytest.raises(ValueError, match="no program_design question for scenario 'nowhere'"):
        run_persona(personas[0].model_copy(update={"round": "program_design", "scenario": "nowhere", "question": None}),
                    None, Settings())


def test_a_story_persona_hears_the_question_its_story_answers():
    """Without its own question, every bar_raiser persona heard the seed's 'escalated too late', whatever
    its story; a persona names the bank question instead, in its own round."""
    from interviewer.config import Settings
    from interviewer.corpus import default_corpus
    from interviewer.evaluation.simulation import Persona, run_persona

    bank = {q.id: q for q in default_corpus().questions}
    personas = [Persona.model_validate(p) for p in eval_data._load(eval_data.evals_root() / "personas.yaml")["personas"]]
    story = [p for p in personas if p.round != "program_design"]
    assert all(p.question for p in story) and len({p.question for p in story}) >= 6
    for persona in story:
        assert bank[persona.question].round == persona.round
        opening = run_persona(persona, None, Settings())["questions"][0]
        assert opening.endswith(bank[persona.question].text)


def test_interviewer_suite_reports_dev_and_heldout_targeting(tmp_path):
    main(["eval", "--suite", "interviewer", "--out", str(tmp_path)])
    result = json.loads((tmp_path / "eval.json").read_text())[0]
    assert result["metrics"]["dev"]["cases"] >= 30 and result["metrics"]["heldout"]["cases"] >= 40
    assert {c["name"] for c in result["checks"]} == {"probe targeting, dev", "probe targeting, heldout"}
    assert {i["set"] for i in result["items"]} == {"dev", "heldout"}
    # The human ceiling beside each figure: a second blind annotator's first choice, scored the same way.
    for name in ("dev", "heldout"):
        ceiling = result["metrics"][name]["annotator_b_first_in_acceptable"]
        assert 0.5 < ceiling <= 1.0


def test_the_simulation_tells_a_copied_probe_from_the_models_own_question():
    """Questions that are a probe word for word pass the validator but read like the fallback: the report
    counts them apart, so a pass rate is not mistaken for phrasing the model did."""
    from interviewer.corpus import default_corpus
    from interviewer.evaluation.simulation import copies_probe

    probe = next(p for p in default_corpus().probes if p.family == "mechanism")
    assert copies_probe(probe.plain, "mechanism") and copies_probe(probe.plain.rstrip("?") + " ?", "mechanism")
    assert not copies_probe(probe.plain, "timing")  # another family's probe is not this family's copy
    assert not copies_probe("You said the infra team came around. What did you give them for the cache change?",
                            "mechanism")


def test_a_mechanism_asked_for_after_it_was_told_in_full_is_a_reask():
    from interviewer.evaluation.simulation import mechanism_reasks
    from interviewer.transcript import Turn

    def thread(answer):
        return [Turn(role="interviewer", kind="opening", text="Tell me about a program you inherited.", question_id="br-017"),
                Turn(role="candidate", text=answer),
                Turn(role="interviewer", kind="follow_up", probe_target="mechanism", question_id="br-017",
                     text="What did you give them in return?")]

    # Told in full: the offer and its terms in one sentence.
    told = ("I offered their manager two of my engineers for three weeks in exchange for moving the format "
            "work into March.")
    assert mechanism_reasks(thread(told)) == 1
    # Glimpsed by the coarse regex only ("I took over" a program is no trade): the first follow-up may ask.
    glimpsed = "I took over our card fraud program when it was failing and turned it around."
    assert mechanism_reasks(thread(glimpsed)) == 0
    # Later in the thread the coarse reading counts: asked again after any mechanism word is a re-ask.
    later = thread(glimpsed) + [Turn(role="candidate", text=glimpsed),
                                Turn(role="interviewer", kind="follow_up", probe_target="mechanism",
                                     question_id="br-017", text="What exactly did you trade?")]
    assert mechanism_reasks(later) == 1
