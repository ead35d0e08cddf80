"""A program_design round is graded on its delivery plan against the corpus scenario."""

import json
from pathlib import Path

import pytest

from interviewer.cli import main
from interviewer.corpus import default_corpus
from interviewer.grading.delivery import check
from interviewer.grading.grader import grade_transcript
from interviewer.grading.report import to_html, to_markdown
from interviewer.grading.rubric import load_rubric
from interviewer.importers import load_transcript

DATA = Path(__file__).parent / "data"


def _grade(name: str, **kw):
    return grade_transcript(load_transcript(DATA / name), load_rubric(), None, **kw)


def test_a_delivery_plan_is_checked_against_its_scenario():
    plan = _grade("pd-wallet-plan.txt")
    d = plan.delivery
    assert d is not None and d.scenario == "payments-wallet"
    assert d.teams_missed == [] and len(d.teams_named) == 7
    assert d.contract_first.found and d.critical_path.found and d.hidden_dependency.found
    assert all(g.found for g in d.review_gates) and d.coverage == 1.0
    # Every finding quotes the candidate's own sentence, from a candidate turn.
    transcript = load_transcript(DATA / "pd-wallet-plan.txt")
    for finding in [d.contract_first, d.critical_path, d.hidden_dependency, *d.review_gates]:
        turn = transcript.turns[finding.evidence.turn]
        assert turn.role == "candidate" and finding.evidence.quote in " ".join(turn.text.split())


def test_an_architecture_answer_surfaces_nothing_and_is_told_what_the_plan_lacked():
    arch = _grade("pd-wallet-architecture.txt")
    d = arch.delivery
    assert d.coverage < 0.1 and d.teams_named == []
    assert not d.contract_first.found and not d.critical_path.found
    missing = " ".join(arch.scores["sequencing"].missing)
    assert "contract to close first" in missing and "PCI DSS" in missing and "Procurement" in missing
    assert any("architecture" in n for n in arch.notes)
    assert arch.vote in ("strong_no_hire", "inclined_not_to_hire")


def test_naming_few_of_the_scenarios_teams_caps_dependency_mapping_at_3():
    scenario = default_corpus().scenario("payments-wallet")
    text = [(1, "In week one I found that Payments Platform's ledger waited on Legal's balance caps, so I traded "
                "two of my engineers for their schema review and escalated to the director in week three.")]
    d = check(scenario, text)
    assert len(d.teams_named) < len(d.teams_missed)
    from interviewer.grading.grader import _delivery_cap

    assert _delivery_cap("dependency_mapping", 4, d) == 3
    assert _delivery_cap("influence_mechanism", 4, d) == 4


def test_the_scenario_comes_from_the_session_the_flag_or_not_at_all(tmp_path):
    transcript = load_transcript(DATA / "pd-wallet-plan.txt")
    transcript.meta.pop("scenario")
    rubric = load_rubric()
    assert grade_transcript(transcript, rubric, None).delivery is None
    # The opening question's scenario, as the app records it on the turn.
    question = next(q for q in default_corpus().questions if q.scenario == "payments-wallet")
    transcript.turns[0].question_id = question.id
    assert grade_transcript(transcript, rubric, None).delivery.scenario == "payments-wallet"
    # An explicit scenario wins, even on another round.
    other = grade_transcript(transcript, rubric, None, scenario="identity-passkeys")
    assert other.delivery.scenario == "identity-passkeys" and other.delivery.coverage < 0.5


def test_reports_show_the_delivery_section_escaped():
    report = _grade("pd-wallet-plan.txt")
    md = to_markdown(report)
    assert "## Delivery plan against the scenario: Digital wallet launch in three countries" in md
    html = to_html(report)
    assert "Delivery plan against the scenario" in html and "can&#39;t finalize" in html


def test_grade_cli_scenario_flag(capsys):
    assert main(["grade", str(DATA / "pd-wallet-architecture.txt"), "--format", "json", "--scenario", "nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown scenario 'nope'" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["pd-wallet-plan.txt"])
def test_grade_json_carries_the_check(name, fake_model, capsys):
    fake_model.default = '{"quotes": []}'
    assert main(["grade", str(DATA / name), "--format", "json", "--backend", "fake"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["delivery"]["scenario"] == "payments-wallet" and data["delivery"]["coverage"] == 1.0
