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
