"""Read a transcript from any supported file: our session files, transcript JSON, plain text.

Every problem is a UserError with one line naming the file and, for parse errors, the line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import ValidationError

from .errors import UserError
from .transcript import Transcript, Turn

MAX_BYTES = 5 * 1024 * 1024
_LABEL = re.compile(r"^\s*(interviewer|candidate)\s*:[ \t]?(.*)$", re.IGNORECASE)
_META = re.compile(r"^#\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")


def read_text(path: Path) -> str:
    """The file's text, or one clear line on what is wrong with it."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"no such file: {path}")
    if path.is_dir():
        raise UserError(f"{path} is a directory, not a transcript file")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise UserError(f"{path} is {size / 1048576:.1f} MB; transcripts over 5 MB are refused")
        raw = path.read_bytes()
    except PermissionError:
        raise UserError(f"{path} cannot be read (permission denied)") from None
    except OSError as exc:
        raise UserError(f"{path} cannot be read ({exc.strerror})") from None
    if not raw.strip():
        raise UserError(f"{path} is empty")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise UserError(f"{path} looks binary (NUL byte at offset {nul}), not a transcript")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UserError(f"{path}: line {line}: not UTF-8 text") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_plain_text(text: str, *, name: str = "transcript") -> Transcript:
    """DESIGN.md's plain-text format: `Interviewer:`/`Candidate:` labels; `#` metadata before the first turn."""
    meta: dict[str, str] = {}
    turns: list[Turn] = []
    current: list[str] | None = None
    role = None
    for lineno, line in enumerate(text.split("\n"), start=1):
        match = _LABEL.match(line)
        if match:
            if current is not None and role is not None:
                turns.append(Turn(role=role, text="\n".join(current).strip()))
            role = match.group(1).lower()
            current = [match.group(2)]
            continue
        if current is None:
            meta_match = _META.match(line)
            if meta_match:
                meta[meta_match.group(1).lower()] = meta_match.group(2)
            elif line.strip() and not line.lstrip().startswith("#"):
                raise UserError(
                    f"{name}: line {lineno}: text before the first 'Interviewer:' or 'Candidate:' label"
                )
            continue
        current.append(line)
    if current is not None and role is not None:
        turns.append(Turn(role=role, text="\n".join(current).strip()))
    if not turns:
        raise UserError(f"{name}: no 'Interviewer:' or 'Candidate:' turns found")
    round_name = meta.pop("round", "bar_raiser")
    try:
        return Transcript(id=meta.pop("id", Path(name).stem), round=round_name, turns=turns, source="text", meta=meta)
    except ValidationError:
        raise UserError(f"{name}: unknown round {round_name!r} in the '# round:' line") from None


def parse_json(text: str, *, name: str = "transcript") -> Transcript:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{name}: line {exc.lineno} column {exc.colno}: invalid JSON ({exc.msg})") from None
    except RecursionError:  # deeply nested JSON raised RecursionError, a traceback instead of one line
        raise UserError(f"{name}: invalid JSON (nested too deeply)") from None
    if not isinstance(data, dict):
        raise UserError(f"{name}: expected a JSON object with 'turns', got {type(data).__name__}")
    data.setdefault("id", Path(name).stem)
    data.setdefault("source", "json")
    try:
        return Transcript.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise UserError(f"{name}: {loc}: {err['msg']}") from None


def _looks_like_session(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    try:
        event = json.loads(first)
    except (json.JSONDecodeError, RecursionError):  # deeply nested JSON: not a session; parse_json says why
        return False
    return isinstance(event, dict) and event.get("event") == "start"


def load_transcript(path: Path, speakers: str | None = None) -> Transcript:
    """Any supported transcript file -> Transcript with at least one candidate turn.

    Formats: our session files, transcript JSON, the plain-text format, WebVTT, SRT, Markdown chat
    exports (by suffix, else by content). `speakers` maps caption speaker names to roles.
    """
    from . import captions
    from .store import load_session

    path = Path(path)
    text = read_text(path)
    who = captions.parse_speakers(speakers)
    suffix = path.suffix.lower()
    head = text.lstrip()
    if suffix == ".jsonl" or _looks_like_session(text):
        transcript = load_session(path).transcript
    elif suffix == ".json" or head.startswith("{"):
        transcript = parse_json(text, name=str(path))
    elif suffix == ".vtt" or head.startswith("WEBVTT"):
        transcript = captions.parse_vtt(text, name=str(path), speakers=who)
    elif suffix == ".srt" or re.match(r"\d+\s*\n\d\d:\d\d:\d\d[,.]\d+\s*-->", head):
        transcript = captions.parse_srt(text, name=str(path), speakers=who)
    elif suffix in (".md", ".markdown"):
        transcript = captions.parse_markdown(text, name=str(path), speakers=who)
    else:
        transcript = parse_plain_text(text, name=str(path))
    if not transcript.candidate_turns():
        raise UserError(f"{path}: no candidate turns to grade")
    return transcript
