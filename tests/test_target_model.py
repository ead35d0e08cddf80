import json
from pathlib import Path

import pytest

from interviewer.interview import target_model as tm
from interviewer.interview.planner import ThreadState, decide

TRAINING = Path(__file__).resolve().parent.parent / "training"


def test_shipped_model_was_fitted_on_the_training_files_in_this_checkout():
    """A change to training/ without a refit would leave the planner on stale weights."""
    model = tm.load_model()
    _, digest = tm.load_cases(sorted(TRAINING.glob("planner_cases_*.yaml")))
    assert model.trained_on == digest, "refit: python -m interviewer.interview.target_model " \
                                       "training/planner_cases_*.yaml --out models/planner_target.json"
    assert model.cases >= 400
    assert 0.3 < model.leave_one_file_out["mean"] <= 1.0


def test_model_orders_gaps_by_what_the_answer_leaves_out():
    we_story = ("We set up the program, we ran the weekly syncs, we worked through the blockers with the "
                "shipping team, and we launched in March, two weeks early, cutting failed labels by 30 percent. "
                "We offered them our adapter in exchange for the API change.")
    no_number = ("I offered the Label team two of my engineers for three weeks in exchange for moving their API "
                 "freeze; I told their director in week 2. It was a huge success and everyone was happy with it.")
    # Of the gaps the answer leaves out, the role comes first (the date and the offer read as present
    # but stay open to the first follow-up: planner.soft_present).
    scores = tm.scores_for(we_story, "Tell me about a launch.", "bar_raiser")
    s = tm.extract(we_story)
    left_out = [f for f in tm.FAMILIES if not tm.P.satisfied_in(f, we_story, s, "bar_raiser")]
    assert max(left_out, key=scores.get) == "personal_role"
    scores = tm.scores_for(no_number, "Tell me about a result you're proud of.", "bar_raiser")
    assert scores["data_outcome"] > scores["mechanism"]


def test_the_question_informs_the_reading():
    """The same vague answer reads differently after a question about winning a team over than after
    one about when a slip was known: what was asked says which gap matters."""
    answer = "I was transparent, I listened to their concerns and I kept them involved. Over time it worked out."
    model = tm.load_model()
    won_over = model.reading(answer, "How did you win the skeptical team over?")
    slipped = model.reading(answer, "When did you first know the date would slip?")
    m, t = tm.FAMILIES.index("mechanism"), tm.FAMILIES.index("timing")
    assert won_over[m] > slipped[m] and slipped[t] > won_over[t]


def test_priority_families_win_a_near_tie_in_the_lp_round():
    vague = "We worked closely with the infra team and aligned on the plan. It went well and we shipped."
    plain = decide(ThreadState(question_text="Tell me about a time.", answers=[vague]), "leadership_principles",
                   max_depth=4)
    steered = decide(ThreadState(question_text="Tell me about a time.", answers=[vague]), "leadership_principles",
                     max_depth=4, priority=["mechanism"])
    assert steered.probe_target == "mechanism"
    assert plain.probe_target in ("mechanism", "data_outcome", "personal_role")  # all 'we', no lever, no result


def test_fit_writes_a_loadable_model_with_its_cross_validation(tmp_path):
    out = tmp_path / "target.json"
    files = [str(TRAINING / "planner_cases_a.yaml"), str(TRAINING / "planner_cases_b.yaml")]
    assert tm.main(files + ["--out", str(out)]) == 0
    data = json.loads(out.read_text())
    model = tm.TargetModel.model_validate(data)
    assert model.cases == 144
    assert set(model.leave_one_file_out) == {"planner_cases_a.yaml", "planner_cases_b.yaml", "mean"}
    # One weight per word of the answer's vocabulary, then per word of the question's.
    assert len(model.reading_coef) == len(tm.FAMILIES)
    assert len(model.reading_coef[0]) == len(model.answer_words.terms) + len(model.question_words.terms)
    assert "week" in model.answer_words.terms
    assert len(model.choice.trees) == tm.CHOICE_TREES["max_iter"]
    width = tm.family_rows("x", "y", "bar_raiser", [0.0] * 9).shape[1]
    assert max(f for tree in model.choice.trees for f in tree.feature) < width


def test_fit_refuses_a_missing_file_in_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        tm.main([str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "o.json")])
    assert exc.value.code == 2
    assert "nope.yaml" in capsys.readouterr().err


def test_the_first_follow_up_may_ask_when_though_a_date_was_said_and_later_ones_never_re_ask(monkeypatch):
    """A date read as timing is not when the risk was known; the first follow-up may still ask it
    (planner.soft_present). Once the thread is under way, what it answered is never asked again."""
    story = ("I set up the program, I ran the weekly syncs, I worked through the blockers with the shipping "
             "team, and we launched in March, two weeks early, cutting failed labels by 30 percent.")
    # Whether timing leads the open gaps is the model's call (the fits since session 13 put how the blockers
    # were found first). What is tested here is the planner's pool: with every family scored alike, the
    # round's steer decides among the gaps it offers, and on the first follow-up timing is one of them...
    monkeypatch.setattr(tm, "scores_for", lambda *a, **k: dict.fromkeys(tm.FAMILIES, 0.0))
    first = decide(ThreadState(question_text="Tell me about a launch.", answers=[story]), "bar_raiser", max_depth=4,
                   priority=["timing"])
    assert first.probe_target == "timing" and "timing" not in first.present and "timing" in first.missing
    # ...and once the thread is under way, the same steer cannot make it re-ask what the story told.
    later = decide(ThreadState(question_text="Tell me about a launch.", answers=[story, "I kept going."],
                               asked=["mechanism"]), "bar_raiser", max_depth=4, priority=["timing"])
    assert later.probe_target != "timing" and "timing" in later.present


def test_several_fold_shuffles_make_the_choice_model_depend_less_on_one_of_them(monkeypatch):
    """Which fold an answer falls in is arbitrary; the choice model fitted on several shuffles' readings
    moves less when the shuffles change than one fitted on a single shuffle (its scores of the answers'
    choice rows, compared across two sets of shuffles)."""
    cases, _ = tm.load_cases([TRAINING / "planner_cases_a.yaml", TRAINING / "planner_cases_b.yaml"])
    Y = tm._labels(cases)
    original = tm._out_of_fold_reading

    rows, _, _, _ = tm._choice_set(cases, original(cases, Y, 999))

    def scores(shuffles, offset):
        monkeypatch.setattr(tm, "_out_of_fold_reading", lambda cases, Y, seed=0: original(cases, Y, seed + offset))
        return tm._fit_choice(cases, Y, shuffles).raw(rows)

    one = abs(scores(1, 0) - scores(1, 100)).mean()
    several = abs(scores(tm.OOF_SHUFFLES, 0) - scores(tm.OOF_SHUFFLES, 100)).mean()
    assert several < 0.7 * one
