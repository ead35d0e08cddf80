import threading

import pytest
from pydantic import BaseModel

from interviewer.errors import StructuredOutputError
from interviewer.llm.base import Message
from interviewer.llm.fake import FakeChatModel
from interviewer.llm.structured import structured


class Pick(BaseModel):
    family: str
    confidence: int


ASK = [Message(role="user", content="pick")]


def test_valid_first_time_sends_the_schema():
    model = FakeChatModel(['{"family": "timing", "confidence": 3}'])
    assert structured(model, ASK, Pick) == Pick(family="timing", confidence=3)
    assert model.schemas[0]["properties"]["family"]["type"] == "string"


def test_asks_again_with_the_validation_error():
    model = FakeChatModel(['{"family": "timing"}', "not json", '{"family": "mechanism", "confidence": 2}'])
    assert structured(model, ASK, Pick).family == "mechanism"
    assert len(model.prompts) == 3
    retry = model.prompts[1][-1].content
    assert "confidence" in retry and "Field required" in retry


def test_gives_up_after_two_retries_with_a_clear_error():
    model = FakeChatModel(default='{"family": 1}')
    with pytest.raises(StructuredOutputError, match="no valid Pick after 3 tries"):
        structured(model, ASK, Pick)
    assert len(model.prompts) == 3


class _Llama:
    """Stands in for llama_cpp.Llama to watch which requests LocalModel.chat_json makes (unit test only;
    the real model runs this path in test_e2e_cli and the grader eval)."""

    def __init__(self, replies):
        self.replies, self.calls = list(replies), []

    def create_chat_completion(self, messages, **kw):
        self.calls.append(kw)
        text, finish = self.replies.pop(0)
        return {"choices": [{"message": {"content": text}, "finish_reason": finish}]}


@pytest.mark.parametrize("draft,finish,grammar", [
    ('{"family": "timing", "confidence": 3}', "stop", False),      # fits: kept, no grammar pass
    ('```json\n{"family": "timing", "confidence": 3}\n```', "stop", True),  # wrapped in a fence
    ('{"family": "timing"}', "stop", True),                        # a required field missing
    ('{"family": "timing", "confidence": "high"}', "stop", True),  # wrong type
    ('{"family": "timing", "confidence": 3}', "length", True),     # cut off by max_tokens
])
def test_local_model_keeps_a_grammar_free_draft_only_when_it_fits(draft, finish, grammar):
    from interviewer.llm.local import LocalModel

    model = LocalModel.__new__(LocalModel)
    model._lock = threading.Lock()
    model._lookup = None  # the stand-in has no chat template to decode with: the create_chat_completion path
    fixed = '{"family": "mechanism", "confidence": 2}'
    model._llm = _Llama([(draft, finish), (fixed, "stop")])
    out = model.chat_json(ASK, Pick.model_json_schema(), max_tokens=64)
    assert "response_format" not in model._llm.calls[0]
    if grammar:
        assert out == fixed and model._llm.calls[1]["response_format"]["schema"]["required"] == ["family", "confidence"]
    else:
        assert out == draft and len(model._llm.calls) == 1
    # Sampling above temperature 0 is not greedy, so the grammar applies from the start.
    model._llm = _Llama([(fixed, "stop")])
    assert model.chat_json(ASK, Pick.model_json_schema(), temperature=0.3) == fixed
    assert "response_format" in model._llm.calls[0]
