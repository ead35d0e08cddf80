"""As a person would: tmux runs `interviewer loop` with the real model; type, see a follow-up,
quit with Ctrl+Q, find the session file, reopen it with --resume and see the conversation."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.model, pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")]

EXE = str(Path(sys.executable).parent / "interviewer")


class Tmux:
    """One tmux server of its own (socket -L name), so nothing else on the machine shares it."""

    def __init__(self, name: str, home: Path) -> None:
        self.name = name
        self.home = home

    def _run(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.name, *args], **kwargs)

    def start(self, *args: str) -> None:
        cmd = " ".join([f"INTERVIEWER_HOME={self.home}", EXE, *args, "; sleep 60"])
        # A server that is still shutting down from kill() can refuse the first new session.
        for _attempt in range(3):
            done = self._run("new-session", "-d", "-s", self.name, "-x", "110", "-y", "34", cmd,
                             capture_output=True, text=True)
            if done.returncode == 0:
                return
            time.sleep(0.5)
        raise AssertionError(f"tmux would not start a session: {done.stderr.strip()}")

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-t", self.name, capture_output=True, text=True).stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self._run("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys, check=True)

    def wait_for(self, predicate, timeout: float = 90.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.screen()
            if predicate(text):
                return text
            time.sleep(0.3)
        raise AssertionError(f"screen never matched:\n{self.screen()}")

    def kill(self) -> None:
        """Stop the server and wait until it is gone, so the next start() gets a fresh one."""
        self._run("kill-server", capture_output=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self._run("has-session", "-t", self.name,
                                                        capture_output=True).returncode == 0:
            time.sleep(0.1)


def test_type_follow_up_quit_resume(model_path, home):
    tmux = Tmux(f"iv{os.getpid()}", home)
    answer = "We aligned with the infra team on the plan and it went well."
    try:
        tmux.start("loop", "--seed", "5")
        first = tmux.wait_for(lambda s: "?" in s and "Bar Raiser" in s, 30)
        tmux.keys(answer, literal=True)
        tmux.keys("Enter")
        # The status bar shows depth 1 once the follow-up is complete and saved.
        after = tmux.wait_for(lambda s: answer in s and "depth 1/" in s and s.split(answer, 1)[1].count("?") >= 1,
                              120)
        assert "Bar Raiser" in first
        tmux.keys("C-q")
        tmux.wait_for(lambda s: "saved in" in s, 20)
        sessions = list((home / "data" / "sessions").glob("*.jsonl"))
        assert len(sessions) == 1
        session_id = sessions[0].stem
        tmux.kill()
        tmux.start("loop", "--resume", session_id)
        follow_up = after.split(answer, 1)[1].strip().splitlines()[2].strip(" █")
        restored = tmux.wait_for(lambda s: answer in s and follow_up[:20] in s, 30)
        assert "depth 1/" in restored
    finally:
        tmux.kill()
