"""Shared fixtures. Every test runs with its own INTERVIEWER_HOME: nothing touches the user's dirs.

The embedded model is joined once per test session into a shared cache that each test's home links
to; the fake chat model is registered through the same seam as the real backends, for unit tests only.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from interviewer.llm import register_backend, unregister_backend
from interviewer.llm.fake import FakeChatModel

REPO = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    """Nothing in a test run may touch the user's own dirs, not even code that runs outside a test's
    home (session fixtures): point INTERVIEWER_HOME at a throwaway folder before anything runs."""
    import tempfile

    os.environ["INTERVIEWER_HOME"] = config._interviewer_home = tempfile.mkdtemp(prefix="interviewer-test-home-")


def pytest_unconfigure(config):
    """The throwaway folder goes with the run (each run, and each xdist worker, made one)."""
    import shutil

    home = getattr(config, "_interviewer_home", None)
    if home:
        shutil.rmtree(home, ignore_errors=True)


SENTINEL_KEY = "sk-test-SENTINEL-7f3a9c1e5b2d4f6a8c0e"


@pytest.fixture(scope="session")
def shared_models(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("shared-models")


@pytest.fixture(scope="session")
def shared_index(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("shared-index")


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch, shared_models, shared_index) -> Path:
    """A fresh home per test; the joined model and the corpus index (both derived, both keyed by
    content) are shared so they are built once per test run."""
    home = tmp_path / "home"
    (home / "cache").mkdir(parents=True)
    (home / "cache" / "models").symlink_to(shared_models)
    (home / "data").mkdir()
    (home / "data" / "chroma").symlink_to(shared_index)
    monkeypatch.setenv("INTERVIEWER_HOME", str(home))
    for var in list(os.environ):
        if var.startswith("INTERVIEWER_") and var != "INTERVIEWER_HOME":
            monkeypatch.delenv(var)
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "INTERVIEWER_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def fake_model():
    """A FakeChatModel registered as backend 'fake'; tests set .replies / .default."""
    model = FakeChatModel(default="What exactly did you offer them in return?")
    register_backend("fake", lambda settings: model)
    yield model
    unregister_backend("fake")


@pytest.fixture(scope="session")
def model_path(shared_models, tmp_path_factory) -> Path:
    """The real embedded model, joined and verified once for the whole test session."""
    home = tmp_path_factory.mktemp("model-home")
    (home / "cache").mkdir()
    (home / "cache" / "models").symlink_to(shared_models)
    from interviewer.llm.model_file import ensure_model

    mp = pytest.MonkeyPatch()
    mp.setenv("INTERVIEWER_HOME", str(home))
    try:
        return ensure_model()
    finally:
        mp.undo()


@pytest.fixture(scope="session")
def local_model(model_path):
    from interviewer.config import Settings
    from interviewer.llm.local import LocalModel

    model = LocalModel(Settings(n_ctx=4096, model_path=model_path))  # the verified file, not a second join
    yield model
    model.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def llama_server(model_path, tmp_path_factory):
    """llama.cpp's own OpenAI-compatible server on 127.0.0.1, same model; stopped by its PID."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "4096", "--model_alias", "qwen-test"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    import urllib.request

    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2):
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("llama server did not start in 120 s")
    yield {"url": url, "model": "qwen-test", "pid": proc.pid}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def run_cli(*args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """The installed console script, as a user runs it."""
    exe = Path(sys.executable).parent / "interviewer"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def assert_cue_holds(cue, at_least: int) -> None:
    """A pattern cue from rubrics/ finds each of its examples and none of its counter-examples."""
    assert len(cue.examples) >= at_least and len(cue.counter_examples) >= at_least
    for sentence in cue.examples:
        assert cue.matches(sentence), sentence
    for sentence in cue.counter_examples:
        assert not cue.matches(sentence), sentence
