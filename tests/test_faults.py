"""The `openai` backend against a failing server: a fault-injecting proxy (tests/fault_proxy.py) in
front of llama.cpp's own OpenAI-compatible server, everything on 127.0.0.1.

Transient faults (latency, 429 then OK, 500 then OK, one reset) are survived by the client's retries;
faults during a follow-up that outlast the retries (a cut stream, a hang, 500s) give a fallback
question from the probe library, saying why; a server that fails even the start-up ping is exit 3
with one line. The grader under faults grades on the rule scan and names what it could not extract.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from interviewer.cli import main
from interviewer.config import Settings
from interviewer.corpus import default_corpus
from interviewer.errors import BackendError
from interviewer.grading.grader import grade_transcript
from interviewer.grading.rubric import load_rubric
from interviewer.importers import parse_plain_text
from interviewer.interview.realizer import fill_probe
from interviewer.llm.base import Message
from interviewer.llm.openai_backend import OpenAIModel
from interviewer.retrieval import LexicalRetriever

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fault_proxy import FaultProxy, after, first, only  # noqa: E402

pytestmark = pytest.mark.model

ASK = [Message(role="user", content="Reply with the single word: ready")]
VAGUE = [
    "We worked with the infra team and aligned on the plan. It went well and we shipped.",
    "I talked to them a lot and we communicated well, and in the end everyone was on board.",
]


def settle(llama_server) -> None:
    """Wait until the real server is idle: a stream cut by an earlier test may still be generating
    there, and its tail would count against this test's short timeouts."""
    model = OpenAIModel(Settings(backend="openai", openai_base_url=llama_server["url"],
                                 openai_model=llama_server["model"], request_timeout=120, max_retries=0))
    try:
        model.chat(ASK, max_tokens=1, temperature=0.0)
    finally:
        model.close()


@pytest.fixture
def proxies(llama_server):
    """Make proxies in front of the real server; all of them stop when the test ends."""
    made: list[FaultProxy] = []

    def make(mode: str = "pass", **kw) -> FaultProxy:
        kw.setdefault("max_life", 120)
        proxy = FaultProxy(llama_server["url"], mode, **kw)
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        proxy.stop()


@pytest.fixture
def use_proxy(monkeypatch, llama_server):
    """Point the openai backend at a proxy through the environment, as a user would. Retrieval is
    not under test here: the lexical ranking stands in for the Chroma index, whose first build
    would cost more than every fault in this file."""
    monkeypatch.setattr("interviewer.cli._retriever", lambda settings, corpus: LexicalRetriever(corpus))

    def point(proxy: FaultProxy, *, timeout: float = 60, retries: int = 2) -> None:
        monkeypatch.setenv("OPENAI_BASE_URL", proxy.url)
        monkeypatch.setenv("INTERVIEWER_OPENAI_MODEL", llama_server["model"])
        monkeypatch.setenv("INTERVIEWER_REQUEST_TIMEOUT", str(timeout))
        monkeypatch.setenv("INTERVIEWER_MAX_RETRIES", str(retries))

    return point


def model_for(proxy: FaultProxy, llama_server, *, timeout: float = 30, retries: int = 2) -> OpenAIModel:
    return OpenAIModel(Settings(backend="openai", openai_base_url=proxy.url, openai_model=llama_server["model"],
                                request_timeout=timeout, max_retries=retries))


def run_loop(tmp_path: Path, answers: list[str]) -> tuple[int, dict | None]:
    a = tmp_path / "answers.txt"
    a.write_text("\n---\n".join(answers) + "\n")
    out = tmp_path / "out.json"
    code = main(["loop", "--headless", "--answers", str(a), "--out", str(out), "--backend", "openai",
                 "--seed", "7"])
    return code, (json.loads(out.read_text()) if out.exists() else None)


def follow_ups(data: dict) -> list[tuple[str, dict]]:
    """Each follow-up with the answer it follows."""
    turns = data["turns"]
    return [(turns[i - 1]["text"], t) for i, t in enumerate(turns) if t.get("kind") == "follow_up"]


def assert_loop_whole(data: dict, answers: list[str]) -> None:
    said = [t["text"] for t in data["turns"] if t["role"] == "candidate"]
    assert said == answers, "every answer is in the transcript"
    roles = [t["role"] for t in data["turns"]]
    assert roles[0] == "interviewer" and roles[-1] == "interviewer", "every answer got a reply"
    assert follow_ups(data), "the vague answers draw follow-ups"


def assert_from_probe_library(answer: str, turn: dict) -> None:
    probe = {p.id: p for p in default_corpus().probes}[turn["probe_id"]]
    assert turn["text"] in (fill_probe(probe, answer), probe.plain)
    assert turn["text"].count("?") == 1


# ----- 1. the loop never dies -------------------------------------------------------------------------

TRANSIENT = {
    # name: (proxy mode and options, answers); request 1 is the start-up ping, 2 the first follow-up
    "latency_1.5s": (dict(mode="latency", latency=1.5), VAGUE[:1]),
    "429_retry_after_then_ok": (dict(mode="status", status=429, retry_after="1", when=first(2)), VAGUE[:1]),
    "500_twice_then_ok": (dict(mode="status", status=500, when=first(2)), VAGUE[:1]),
    "reset_once_at_start": (dict(mode="reset", when=first(1)), VAGUE[:1]),
    "reset_once_in_follow_up": (dict(mode="reset", when=only(2)), VAGUE[:1]),
}


@pytest.mark.parametrize("fault", list(TRANSIENT))
def test_transient_faults_are_survived_invisibly(fault, tmp_path, proxies, use_proxy):
    opts, answers = TRANSIENT[fault]
    proxy = proxies(**opts)
    use_proxy(proxy, retries=2)
    code, data = run_loop(tmp_path, answers)
    assert code == 0 and data is not None
    assert_loop_whole(data, answers)
    assert opts["mode"] in proxy.actions(), "the fault was injected"
    for answer, turn in follow_ups(data):
        # The retry hid the fault: no follow-up fell back because of the backend.
        assert "backend error" not in (turn.get("fallback_reason") or "")
        if turn.get("fallback"):
            assert_from_probe_library(answer, turn)
    if opts["mode"] == "latency":
        assert all(e["done"] - e["t"] >= 1.5 for e in proxy.log)


DEGRADED = {
    # name: (proxy mode and options, client timeout, retries, what the fallback reason says, answers);
    # faults on every request after the ping hit every follow-up, only(2) just the first one
    "hang_in_follow_up": (dict(mode="hang", when=after(1)), 5, 0, "did not answer in time", VAGUE[:1]),
    "500_for_good_after_start": (dict(mode="status", status=500, when=after(1)), 60, 1, "answered HTTP 500", VAGUE),
    "reset_for_good_after_start": (dict(mode="reset", when=after(1)), 60, 1, "cannot reach", VAGUE),
    "stream_cut_mid_chunk": (dict(mode="cut", framing="chunked", cut_after=3, when=only(2)), 60, 2,
                             "broke off its reply mid-stream", VAGUE[:1]),
    "stream_cut_close_delimited": (dict(mode="cut", framing="boundary", cut_after=3, when=only(2)), 60, 2,
                                   "ended its reply mid-stream", VAGUE[:1]),
}


@pytest.mark.parametrize("fault", list(DEGRADED))
def test_follow_up_faults_fall_back_to_the_probe_library(fault, tmp_path, proxies, use_proxy, llama_server):
    opts, timeout, retries, reason, answers = DEGRADED[fault]
    settle(llama_server)  # the start-up ping must not wait behind an earlier cut stream's tail
    proxy = proxies(**opts)
    use_proxy(proxy, timeout=timeout, retries=retries)
    code, data = run_loop(tmp_path, answers)
    assert code == 0 and data is not None
    assert_loop_whole(data, answers)
    asked = follow_ups(data)
    assert len(asked) == len(answers), "every vague answer drew a follow-up"
    for answer, turn in asked:
        assert turn["fallback"] is True
        assert turn["fallback_reason"].startswith("backend error: ") and reason in turn["fallback_reason"]
        assert_from_probe_library(answer, turn)
    assert proxy.actions()[0] == "pass" and opts["mode"] in proxy.actions()[1:]


STARTUP = {
    # name: (proxy mode and options, client timeout, retries, the one line names)
    "hang_from_start": (dict(mode="hang"), 2, 0, "did not answer in time"),
    "reset_always": (dict(mode="reset"), 30, 1, "cannot reach"),
    "429_always": (dict(mode="status", status=429, retry_after="1"), 30, 1, "answered HTTP 429"),
    "500_always": (dict(mode="status", status=500), 30, 1, "answered HTTP 500"),
}


@pytest.mark.parametrize("fault", list(STARTUP))
def test_a_backend_failing_the_start_up_ping_is_exit_3(fault, tmp_path, proxies, use_proxy, capsys):
    opts, timeout, retries, names = STARTUP[fault]
    proxy = proxies(**opts)
    use_proxy(proxy, timeout=timeout, retries=retries)
    started = time.monotonic()
    code, data = run_loop(tmp_path, VAGUE[:1])
    assert time.monotonic() - started < 15
    assert code == 3 and data is None, "no session, no transcript: the backend failed before any work"
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("interviewer: ") and names in err[0]
    assert proxy.count == retries + 1 and set(proxy.actions()) == {opts["mode"]}


# ----- 2, 3. retries -------------------------------------------------------------------------------

def test_retry_after_is_honoured(proxies, llama_server):
    proxy = proxies("status", status=429, retry_after="1", when=first(1))
    model = model_for(proxy, llama_server, retries=2)
    try:
        assert model.chat(ASK, max_tokens=4, temperature=0.0).strip()
    finally:
        model.close()
    assert proxy.actions() == ["status", "pass"]
    gap = proxy.log[1]["t"] - proxy.log[0]["done"]
    assert 0.95 <= gap < 3, f"retried {gap:.2f} s after the 429 with Retry-After: 1"


def test_retries_back_off_then_succeed(proxies, llama_server):
    proxy = proxies("status", status=500, when=first(2))
    model = model_for(proxy, llama_server, retries=2)
    try:
        assert model.chat(ASK, max_tokens=4, temperature=0.0).strip()
    finally:
        model.close()
    assert proxy.actions() == ["status", "status", "pass"], "succeeds on the third request"
    gap1 = proxy.log[1]["t"] - proxy.log[0]["done"]
    gap2 = proxy.log[2]["t"] - proxy.log[1]["done"]
    assert 0.3 <= gap1 < gap2 and gap2 >= 0.7, f"backoff {gap1:.2f} s then {gap2:.2f} s"

    # One retry fewer and the same two 500s are the caller's BackendError, after two requests.
    proxy = proxies("status", status=500, when=first(2))
    model = model_for(proxy, llama_server, retries=1)
    try:
        with pytest.raises(BackendError, match="answered HTTP 500"):
            model.chat(ASK, max_tokens=4)
    finally:
        model.close()
    assert proxy.count == 2


# ----- 4. the grader under faults ----------------------------------------------------------------

TRANSCRIPT = """# round: bar_raiser
Interviewer: Tell me about a time you needed another team to change their plan.
Candidate: In week 2 I found that the risk team's nightly batch job joined on the raw token, which nobody had listed as a dependency.
Interviewer: What exactly did you offer them?
Candidate: I offered that my team would build the lookup table, so their job needed a one-line change; in return they scheduled the retrain after our cutover. Six weeks before launch I escalated to my director.
"""


@pytest.mark.parametrize("fault", ["reset", "refuse"])
def test_grader_survives_a_backend_that_dies_after_the_first_request(fault, proxies, llama_server):
    proxy = proxies("reset", when=after(1)) if fault == "reset" else proxies("refuse", when=first(1))
    transcript = parse_plain_text(TRANSCRIPT, name="t.txt")
    rubric = load_rubric()
    # json_object, what llama.cpp's server accepts: the first request is a real extraction
    # (under "auto" it would be the json_schema attempt this server rejects).
    model = OpenAIModel(Settings(backend="openai", openai_base_url=proxy.url, openai_model=llama_server["model"],
                                 openai_structured="json_object", request_timeout=90, max_retries=1))
    try:
        report = grade_transcript(transcript, rubric, model)
    finally:
        model.close()
    assert report.vote and len(report.scores) == len(rubric.dimensions)
    failed = [k for k, d in report.scores.items() if d.llm_error]
    assert len(failed) >= len(rubric.dimensions) - 1, "every call after the first failed"
    for key in report.scores:
        named = [n for n in report.notes if n.startswith(f"{key}: the model could not extract evidence")]
        assert bool(named) == (key in failed), f"{key}: a note exactly when extraction failed"
    # Nothing invented: where the model failed, the grade is the rule scan's, quote for quote.
    rules = grade_transcript(transcript, rubric, None)
    for key in failed:
        got, ref = report.scores[key], rules.scores[key]
        assert got.llm_quotes_verified == 0
        assert got.score == ref.score
        assert [(q.turn, q.quote) for q in got.evidence] == [(q.turn, q.quote) for q in ref.evidence]
    assert proxy.actions()[0] in ("pass", "refuse") and proxy.log[0]["done"] - proxy.log[0]["t"] > 0.5, \
        "the first request was a real extraction by the model"
    assert proxy.count >= 2 if fault == "reset" else proxy.count == 1


# ----- 5. a stream cut in the middle -----------------------------------------------------------------

@pytest.mark.parametrize("framing", ["chunked", "close", "boundary"])
def test_a_cut_stream_raises_our_backend_error(framing, proxies, llama_server):
    proxy = proxies("cut", framing=framing, cut_after=3)
    model = model_for(proxy, llama_server, retries=2)
    ask = [Message(role="user", content="Name three risks of launching a payments feature late.")]
    pieces: list[str] = []
    try:
        with pytest.raises(BackendError, match="mid-stream") as err:
            for piece in model.stream(ask, max_tokens=12, temperature=0.0):
                pieces.append(piece)
    finally:
        model.close()
    assert type(err.value) is BackendError, "reached, then cut: not BackendUnavailable"
    assert pieces, "the part before the cut was streamed"
    assert proxy.count == 1, "a stream already answering is not retried"

