"""The installed command, as a user runs it, with the real embedded model."""

import json
import os
import stat

import pytest

from tests.conftest import SENTINEL_KEY, run_cli

pytestmark = pytest.mark.model

ANSWERS = """We worked with the infra team and aligned on the plan, and it went well.
---
I offered the Payments Platform team two of my engineers for three weeks in exchange for moving their API
freeze to week 4. I escalated to my director six weeks before launch, and we shipped two weeks early.
"""


def test_headless_loop_then_grade_with_the_real_model(tmp_path, model_path, home):
    answers = tmp_path / "answers.txt"
    answers.write_text(ANSWERS)
    out = tmp_path / "t.json"
    env = {"OPENAI_API_KEY": SENTINEL_KEY}
    r = run_cli("loop", "--headless", "--answers", str(answers), "--out", str(out), "--seed", "1", env=env)
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert [t["role"] for t in data["turns"]] == ["interviewer", "candidate", "interviewer", "candidate",
                                                  "interviewer"]
    follow = data["turns"][2]
    assert follow["kind"] == "follow_up" and follow["probe_target"]
    assert follow["text"].endswith("?")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600

    g = run_cli("grade", str(out), "--format", "json", env=env)
    assert g.returncode == 0, g.stderr
    grade = json.loads(g.stdout)
    assert grade["backend"].startswith("local:")
    assert set(grade["scores"]) == {"dependency_mapping", "risk_escalation", "sequencing", "influence_mechanism",
                                    "stakeholder_alignment", "business_translation"}
    cand = {i for i, t in enumerate(data["turns"]) if t["role"] == "candidate"}
    for d in grade["scores"].values():
        for q in d["evidence"]:
            assert q["turn"] in cand
    # Temperature 0 and a fixed seed: graded again, the same transcript gets the same vote, scores and quotes.
    again = run_cli("grade", str(out), "--format", "json", env=env)
    assert again.returncode == 0, again.stderr
    regrade = json.loads(again.stdout)
    assert regrade["vote"] == grade["vote"]
    assert regrade["scores"] == grade["scores"]

    # The key given in the environment is written nowhere.
    for root, _dirs, files in os.walk(home):
        for f in files:
            p = os.path.join(root, f)
            if os.path.isfile(p) and os.path.getsize(p) < 50_000_000:
                assert SENTINEL_KEY.encode() not in open(p, "rb").read(), p
    assert SENTINEL_KEY not in r.stdout + r.stderr + g.stdout + g.stderr + again.stdout + again.stderr


def test_doctor_all_green(model_path):
    r = run_cli("doctor")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[FAIL]" not in r.stdout and r.stdout.count("[ok  ]") >= 5


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    for content in (b"", b"\x00\x00", b"\xff\xfe\xfa"):
        p = tmp_path / "bad.txt"
        p.write_bytes(content)
        r = run_cli("grade", str(p))
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
