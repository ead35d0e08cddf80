import json

import pytest

from interviewer.errors import UserError
from interviewer.importers import MAX_BYTES, load_transcript, parse_plain_text

PLAIN = """# round: program_design
# source: mock with a friend
Interviewer: How would you deliver this?
Candidate: First I would get the API contract agreed.
Then the compliance review.
interviewer: Which team owns the contract?
CANDIDATE: The payments platform team.
"""


def test_plain_text_turns_metadata_and_multiline():
    t = parse_plain_text(PLAIN, name="mock.txt")
    assert t.round == "program_design"
    assert t.meta == {"source": "mock with a friend"}
    assert [x.role for x in t.turns] == ["interviewer", "candidate", "interviewer", "candidate"]
    assert t.turns[1].text == "First I would get the API contract agreed.\nThen the compliance review."


def test_text_before_first_label_is_an_error_with_line():
    with pytest.raises(UserError, match="line 2"):
        parse_plain_text("# round: bar_raiser\nhello there\nInterviewer: hi\n", name="x.txt")


def test_unknown_round_is_refused():
    with pytest.raises(UserError, match="unknown round"):
        parse_plain_text("# round: onsite\nInterviewer: q\nCandidate: a\n", name="x.txt")


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (b"\x00\x01binary", "looks binary"),
        (b"Interviewer: q\nCandidate: caf\xe9\n", "line 2: not UTF-8"),
        (b'{"id": "x", "turns": [', "line 1 column"),
        (b"Interviewer: only a question\n", "no candidate turns"),
        (b"just some words\n", "text before the first"),
    ],
)
def test_bad_files_give_one_clear_line(tmp_path, content, message):
    p = tmp_path / "t.txt"
    p.write_bytes(content)
    with pytest.raises(UserError, match=message):
        load_transcript(p)


def test_missing_directory_and_oversize(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        load_transcript(tmp_path / "nope.txt")
    with pytest.raises(UserError, match="is a directory"):
        load_transcript(tmp_path)
    big = tmp_path / "big.txt"
    big.write_bytes(b"Candidate: " + b"a" * (MAX_BYTES + 1))
    with pytest.raises(UserError, match="over 5 MB"):
        load_transcript(big)


def test_json_transcript_roundtrip(tmp_path):
    t = parse_plain_text(PLAIN, name="mock.txt")
    p = tmp_path / "t.json"
    p.write_text(t.to_json())
    back = load_transcript(p)
    assert [x.text for x in back.turns] == [x.text for x in t.turns]
    assert back.round == "program_design"


def test_json_with_wrong_shape(tmp_path):
    p = tmp_path / "t.json"
    p.write_text(json.dumps({"turns": [{"role": "judge", "text": "x"}]}))
    with pytest.raises(UserError, match="turns.0.role"):
        load_transcript(p)
