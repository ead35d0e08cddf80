"""The real backends: llama.cpp in-process, and llama.cpp's own OpenAI-compatible server on 127.0.0.1."""

import json

import pytest
from pydantic import BaseModel, Field

from interviewer.config import Settings
from interviewer.errors import BackendUnavailable
from interviewer.llm.base import Message, as_dicts
from interviewer.llm.openai_backend import OpenAIModel
from interviewer.llm.structured import structured

pytestmark = pytest.mark.model

ASK = [Message(role="system", content="You are terse."),
       Message(role="user", content="Name one risk of launching a payments feature late. One sentence.")]


class Risk(BaseModel):
    risk: str = Field(min_length=3)
    weeks_of_delay: int = Field(ge=0, le=52)


def test_local_generates_and_streams(local_model):
    pieces = list(local_model.stream(ASK, max_tokens=30, temperature=0.0))
    text = "".join(pieces)
    assert len(pieces) > 3 and len(text.split()) >= 3
    assert local_model.model_id == "local:qwen2.5-coder-1.5b-instruct-q4_k_m"


def test_local_structured_output(local_model):
    out = structured(local_model, [Message(role="user", content="A launch slipped 3 weeks because of a security "
                                                                  "review. Give the risk and the delay as JSON.")],
                     Risk, max_tokens=80)
    assert isinstance(out, Risk) and out.weeks_of_delay >= 0


EXTRACT = [Message(role="system", content="You copy the candidate's exact words."),
           Message(role="user", content=(
               "[turn 1] I told the payments lead we would build the adapter if they froze the API by week 4. "
               "The freeze held, and we shipped the ledger migration two weeks early.\n"
               "[turn 3] I escalated to my director on day 12 with two options and a cost for each.\n\n"
               "Copy the one sentence that shows what the candidate traded, word for word, as JSON: "
               '{"turn": N, "quote": "..."}'))]


def _greedy_reference(llm, messages, max_tokens):
    out = llm.create_chat_completion(as_dicts(messages), max_tokens=max_tokens, temperature=0.0)
    return out["choices"][0]["message"]["content"], out["choices"][0]["finish_reason"]


def test_lookup_decoding_gives_plain_greedy_text_in_fewer_decode_steps(local_model):
    llm, lookup = local_model._llm, local_model._lookup
    assert lookup is not None  # the packaged model formats prompts with its GGUF template
    reference, finish = _greedy_reference(llm, EXTRACT, 80)
    other, _ = _greedy_reference(llm, ASK, 30)
    # The prompt is the one create_chat_completion evaluated: its tokens head the cache after that call.
    prompt = lookup.prompt_tokens(ASK)
    assert list(llm.input_ids[: len(prompt)]) == prompt

    decodes = []
    real_decode = llm._ctx.decode
    llm._ctx.decode = lambda batch: (decodes.append(batch.batch.n_tokens), real_decode(batch))[1]
    try:
        text, why = lookup.complete(EXTRACT, 80)
    finally:
        llm._ctx.decode = real_decode
    assert text == reference and why == finish == "stop"
    generated = local_model.count_tokens(text)
    # One decode per batch: the quote is copied from the prompt, so batches carry accepted proposals.
    steps = len(decodes) - 1  # the first decode is the prompt's suffix
    assert generated > 10 and steps < generated * 0.6, (generated, decodes)

    # The cache and token record stay consistent: other requests, and the same one again, are unchanged.
    assert _greedy_reference(llm, ASK, 30)[0] == other
    assert lookup.complete(EXTRACT, 80) == (reference, "stop")
    cut, why = lookup.complete(EXTRACT, 5)
    assert why == "length" and reference.startswith(cut) and 0 < len(cut) < len(reference)


@pytest.fixture(scope="module")
def server_model(llama_server):
    model = OpenAIModel(Settings(backend="openai", openai_base_url=llama_server["url"],
                                 openai_model=llama_server["model"], request_timeout=120))
    yield model
    model.close()


def test_openai_backend_chat_and_stream(server_model):
    text = server_model.chat(ASK, max_tokens=30, temperature=0.0)
    assert len(text.split()) >= 3
    pieces = list(server_model.stream(ASK, max_tokens=30, temperature=0.0))
    assert len(pieces) > 3


def test_openai_backend_structured_through_our_layer(server_model):
    out = structured(server_model, [Message(role="user", content="A launch slipped 3 weeks because of a security "
                                                                   "review. Give the risk and the delay as JSON.")],
                     Risk, max_tokens=80)
    assert isinstance(out, Risk)
    raw = server_model.chat_json([Message(role="user", content="risk as JSON")], Risk.model_json_schema(),
                                 max_tokens=60)
    assert set(json.loads(raw)) >= {"risk", "weeks_of_delay"}


def test_openai_backend_unreachable_is_backend_unavailable():
    model = OpenAIModel(Settings(backend="openai", openai_base_url="http://127.0.0.1:9/v1", max_retries=0,
                                 request_timeout=5))
    with pytest.raises(BackendUnavailable, match="cannot reach http://127.0.0.1:9/v1"):
        model.chat(ASK, max_tokens=5)


def test_url_credentials_never_printed():
    model = OpenAIModel(Settings(backend="openai", openai_base_url="http://user:s3cret@127.0.0.1:9/v1",
                                 max_retries=0, request_timeout=5))
    with pytest.raises(BackendUnavailable) as err:
        model.chat(ASK, max_tokens=5)
    assert "s3cret" not in str(err.value)


def test_sentinel_key_never_written_with_the_openai_backend(llama_server, tmp_path, home, monkeypatch):
    """The key goes to the server and nowhere else: not the session, the transcript, the report."""
    from interviewer.cli import main
    from tests.conftest import SENTINEL_KEY

    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", llama_server["url"])
    monkeypatch.setenv("INTERVIEWER_OPENAI_MODEL", llama_server["model"])
    answers = tmp_path / "a.txt"
    answers.write_text("We aligned with the infra team and it went well.\n")
    out = tmp_path / "t.json"
    assert main(["loop", "--headless", "--answers", str(answers), "--out", str(out), "--backend", "openai"]) == 0
    for fmt in ("json", "html"):
        assert main(["grade", str(out), "--format", fmt, "--backend", "openai"]) == 0
    assert main(["config"]) == 0
    for root in (home, tmp_path):
        for p in root.rglob("*"):
            if p.is_file() and p.stat().st_size < 50_000_000:
                assert SENTINEL_KEY.encode() not in p.read_bytes(), p
