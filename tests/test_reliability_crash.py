"""kill -9 durability of a real headless run (embedded model), and one writer per session.

A real `interviewer loop --headless` is SIGKILLed at reproducible random points. After each kill the
session file must load (at most the torn last line unreadable), `--out` must be whole JSON (it is
written atomically) and `--resume` must continue from exactly the saved turns.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from interviewer.store import SessionWriter, load_session, new_session_id
from interviewer.transcript import Transcript, Turn
from tests.conftest import run_cli

pytestmark = pytest.mark.model

EXE = str(Path(sys.executable).parent / "interviewer")

# Vague answers draw an LLM follow-up (a few seconds of generation: a window for the kill); concrete
# ones move on to the next question without the LLM, which keeps the file fast.
ANSWERS = [
    "We worked with the infra team and aligned on the plan.",
    "I offered the Payments team two of my engineers for three weeks in exchange for moving their API freeze "
    "to week 4, and I escalated to my director six weeks before launch.",
    "I talked to them a lot and we communicated well.",
    "I offered the Search team one of my engineers for two weeks in exchange for shipping their ranking API by "
    "week 6, and I escalated to my director when they slipped.",
    "It went fine and everyone was happy.",
    "I negotiated with the Identity team lead: I gave them one engineer for a month, they committed to the login "
    "API by March 15, and I escalated to my VP when they slipped a week.",
]

# Reproducible kill points: seconds after the opening question is printed (the session exists by then).
# With ~3 s of start-up that is about 3-13 s after the process starts; the six answers take about 10 s
# on the embedded model, so the kills land during generation, between turns and near the end.
_rng = random.Random(20261128)
KILL_DELAYS = [round(_rng.uniform(0.0, 10.0), 2) for _ in range(5)]


@pytest.fixture(scope="module")
def built_index(model_path, shared_index, tmp_path_factory):
    """Build (or open) the shared corpus index once, so no kill lands in the middle of building it."""
    home = tmp_path_factory.mktemp("index-home")
    (home / "data").mkdir()
    (home / "data" / "chroma").symlink_to(shared_index)
    r = run_cli("corpus", "search", "dependency", "-k", "1", env={"INTERVIEWER_HOME": str(home)}, timeout=300)
    assert r.returncode == 0, r.stderr


def _write_answers(path: Path, answers: list[str]) -> Path:
    path.write_text("\n---\n".join(answers) + ("\n" if answers else ""))
    return path


def _turns(items) -> list[tuple[str, str]]:
    return [(t["role"], t["text"]) if isinstance(t, dict) else (t.role, t.text) for t in items]


class _Run:
    """A headless run as a subprocess in its own process group; stdout drained by a thread."""

    def __init__(self, argv: list[str], stderr_path: Path) -> None:
        self.started = time.monotonic()
        self._stderr = stderr_path.open("wb")
        self.proc = subprocess.Popen([EXE, *argv], stdout=subprocess.PIPE, stderr=self._stderr,
                                     env=dict(os.environ), start_new_session=True)
        self.lines: list[str] = []
        self.opened = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace")
            self.lines.append(line)
            if line.startswith("Interviewer:"):
                self.opened.set()
        self.opened.set()  # EOF: stop waiting either way

    def kill(self) -> int:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group this test created, by its id
        rc = self.proc.wait(timeout=30)
        self._reader.join(timeout=10)
        self._stderr.close()
        return rc


def _check_session_file(path: Path) -> None:
    """Every line but (possibly) the last is a whole JSON event; load_session reports at most that one."""
    raw = path.read_bytes()
    lines = [ln for ln in raw.split(b"\n") if ln.strip()]
    for ln in lines[:-1]:
        json.loads(ln)  # nothing before the last line may be torn
    loaded = load_session(path)
    assert len(loaded.problems) <= 1, loaded.problems
    if loaded.problems:
        assert not raw.endswith(b"\n"), "only an unterminated (torn) last line may be unreadable"
        last = raw.count(b"\n") + 1
        assert f"line {last}:" in loaded.problems[0], loaded.problems


@pytest.mark.parametrize("delay", KILL_DELAYS, ids=[f"kill+{d}s" for d in KILL_DELAYS])
def test_sigkill_then_resume(delay, tmp_path, home, model_path, built_index):
    answers = _write_answers(tmp_path / "answers.txt", ANSWERS)
    out = tmp_path / "out.json"
    run = _Run(["loop", "--headless", "--answers", str(answers), "--out", str(out), "--backend", "local",
                "--seed", "5"], tmp_path / "stderr1.txt")
    assert run.opened.wait(timeout=120), "no opening question within 120 s"
    assert run.lines, f"the run ended before asking anything: {(tmp_path / 'stderr1.txt').read_text()[-2000:]}"
    time.sleep(delay)
    rc = run.kill()
    assert rc in (0, -signal.SIGKILL), (tmp_path / "stderr1.txt").read_text()[-2000:]

    sessions = sorted((home / "data" / "sessions").glob("*.jsonl"))
    assert len(sessions) == 1, sessions
    _check_session_file(sessions[0])
    saved = _turns(load_session(sessions[0]).transcript.turns)
    assert saved and saved[0][0] == "interviewer", "the opening question was printed, so it was saved"

    if out.exists():
        data = json.loads(out.read_text())  # atomic: never half a file
        out_turns = _turns(data["turns"])
        # --out is rewritten right after each turn reaches the session file: it lags by one turn at most.
        assert out_turns == saved[: len(out_turns)]
        assert len(out_turns) >= len(saved) - 1

    session_id = sessions[0].stem
    done = sum(1 for role, _ in saved if role == "candidate")
    assert [text for role, text in saved if role == "candidate"] == ANSWERS[:done]
    rest = _write_answers(tmp_path / "rest.txt", ANSWERS[done:])
    out2 = tmp_path / "resumed.json"
    r = subprocess.run([EXE, "loop", "--headless", "--resume", session_id, "--answers", str(rest),
                        "--out", str(out2), "--backend", "local"],
                       capture_output=True, text=True, timeout=240, env=dict(os.environ))
    assert r.returncode == 0, r.stderr[-2000:]
    resumed = json.loads(out2.read_text())
    assert resumed["id"] == session_id
    turns = _turns(resumed["turns"])
    assert turns[: len(saved)] == saved, "the resumed transcript starts with exactly the saved turns"
    assert [text for role, text in turns if role == "candidate"] == ANSWERS
    # And the session file now holds the same conversation, still with at most the one torn line.
    after = load_session(sessions[0])
    assert _turns(after.transcript.turns) == turns
    assert len(after.problems) <= 1


def test_early_kill_leaves_nothing_half_made(tmp_path, home, model_path, built_index):
    """Killed while still starting up: no session, or a loadable one; no --out, or a whole one."""
    answers = _write_answers(tmp_path / "answers.txt", ANSWERS)
    out = tmp_path / "out.json"
    run = _Run(["loop", "--headless", "--answers", str(answers), "--out", str(out), "--backend", "local",
                "--seed", "5"], tmp_path / "stderr.txt")
    time.sleep(1.0)
    run.kill()
    for path in (home / "data" / "sessions").glob("*.jsonl") if (home / "data" / "sessions").exists() else ():
        _check_session_file(path)
    if out.exists():
        json.loads(out.read_text())


def test_second_instance_is_refused_with_one_line(tmp_path, home, model_path, built_index):
    transcript = Transcript(id=new_session_id(), round="bar_raiser", meta={"seed": 5})
    answers = _write_answers(tmp_path / "answers.txt", ANSWERS[:1])
    out = tmp_path / "out.json"
    with SessionWriter.create(transcript) as writer:
        writer.append_turn(Turn(role="interviewer", kind="opening", text="Tell me about a time you led teams."))
        before = writer.path.read_bytes()
        r = subprocess.run([EXE, "loop", "--headless", "--resume", transcript.id, "--answers", str(answers),
                            "--out", str(out), "--backend", "local"],
                           capture_output=True, text=True, timeout=120, env=dict(os.environ))
        assert r.returncode == 2, r.stderr
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
        assert "open in another interviewer" in r.stderr and transcript.id in r.stderr
        assert writer.path.read_bytes() == before, "the refused instance must not write to the session"
        assert not out.exists()
        # Refused before the model is touched: with no model file at all it is still "open elsewhere" (2),
        # not "no model" (3).
        r = subprocess.run([EXE, "loop", "--headless", "--resume", transcript.id, "--answers", str(answers),
                            "--out", str(out), "--backend", "local"], capture_output=True, text=True, timeout=60,
                           env={**os.environ, "INTERVIEWER_MODEL_PATH": str(tmp_path / "no-model.gguf")})
        assert r.returncode == 2 and "open in another interviewer" in r.stderr, r.stderr
    # Once the first writer lets go, the same resume works.
    r = subprocess.run([EXE, "loop", "--headless", "--resume", transcript.id, "--answers", str(answers),
                        "--out", str(out), "--backend", "local"],
                       capture_output=True, text=True, timeout=240, env=dict(os.environ))
    assert r.returncode == 0, r.stderr[-2000:]
    assert _turns(json.loads(out.read_text())["turns"])[:2] == [
        ("interviewer", "Tell me about a time you led teams."), ("candidate", ANSWERS[0])]


def test_resume_after_kill_between_answer_and_reply_replies_first(tmp_path, home, fake_model):
    """The most likely kill point (the LLM is generating the follow-up): the answer is saved, the reply
    is not. On resume the interviewer should answer the saved answer before taking the next one."""
    from interviewer.cli import main

    transcript = Transcript(id=new_session_id(), round="bar_raiser", meta={"seed": 5})
    with SessionWriter.create(transcript) as writer:
        writer.append_turn(Turn(role="interviewer", kind="opening", text="Tell me about a time you led teams."))
        writer.append_turn(Turn(role="candidate", kind="answer", text=ANSWERS[0]))
    rest = _write_answers(tmp_path / "rest.txt", ANSWERS[1:2])
    out = tmp_path / "out.json"
    assert main(["loop", "--headless", "--resume", transcript.id, "--answers", str(rest), "--out", str(out),
                 "--backend", "fake"]) == 0
    roles = [t["role"] for t in json.loads(out.read_text())["turns"]]
    assert all(a != b for a, b in zip(roles, roles[1:], strict=False)), roles
