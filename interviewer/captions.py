"""Transcripts from captions (WebVTT, SRT) and Markdown chat exports: speaker turns mapped to roles.

Speakers come from WebVTT voice tags (<v Name>), a "Name:" prefix on a cue or line, or Markdown
"**Name:**" / "## Name" markers. Roles: `--speakers "Name=interviewer,Other=candidate"` when given;
otherwise speakers literally named Interviewer/Candidate map to themselves, and with exactly two
speakers the one who speaks first is the interviewer (interviews open with a question).
"""

from __future__ import annotations

import re

from .errors import UserError
from .transcript import Transcript, Turn

_PREFIX = re.compile(r"^\s*(?:-\s*)?([A-Z][\w .'-]{0,40}?)\s*:\s+(.*)$", re.S)
_MD_SPEAKER = re.compile(r"^\s*(?:>\s*)?(?:\*\*([^*\n]{1,40}?)\s*:?\s*\*\*\s*:?|#{1,6}\s+([^\n]{1,40}?)\s*:?\s*$)\s*(.*)$")
ROLES = ("interviewer", "candidate")


def parse_speakers(spec: str | None) -> dict[str, str]:
    """'Alice=interviewer,Bob=candidate' -> {'alice': 'interviewer', 'bob': 'candidate'}."""
    if not spec:
        return {}
    out = {}
    for part in spec.split(","):
        name, sep, role = part.partition("=")
        role = role.strip().lower()
        if not sep or not name.strip() or role not in ROLES:
            raise UserError(f"--speakers takes Name=interviewer,Name=candidate (got {part.strip()!r})")
        out[name.strip().lower()] = role
    return out


def _assign(segments: list[tuple[str | None, str]], speakers: dict[str, str], name: str) -> list[Turn]:
    named = [s for s, _ in segments if s]
    if not named:
        raise UserError(f"{name}: no speaker names found (use <v Name>, 'Name:' prefixes, or --speakers)")
    order = list(dict.fromkeys(s.lower() for s in named))
    roles: dict[str, str] = {}
    for s in order:
        if s in speakers:
            roles[s] = speakers[s]
        elif s in ROLES:
            roles[s] = s
    unmapped = [s for s in order if s not in roles]
    if unmapped:
        if speakers or len(order) != 2:
            raise UserError(f"{name}: cannot tell the role of speaker(s) {', '.join(unmapped)}; "
                            "pass --speakers \"Name=interviewer,Name=candidate\"")
        roles[order[0]] = "interviewer"
        roles[order[1]] = "candidate"
    turns: list[Turn] = []
    current = None
    for speaker, text in segments:
        role = roles[speaker.lower()] if speaker else current
        if role is None:
            continue  # text before anyone speaks
        text = text.strip()
        if not text:
            continue
        if turns and role == turns[-1].role:
            turns[-1].text += " " + text  # consecutive cues of one speaker are one turn
        else:
            turns.append(Turn(role=role, text=text))
        current = role
    return turns


def _split_prefix(text: str) -> tuple[str | None, str]:
    m = _PREFIX.match(text)
    return (m.group(1).strip(), m.group(2)) if m else (None, text)


def parse_vtt(text: str, *, name: str, speakers: dict[str, str]) -> Transcript:
    import webvtt

    try:
        captions = webvtt.from_string(text)
    except Exception as exc:  # webvtt raises its own MalformedFileError / MalformedCaptionError
        raise UserError(f"{name}: not valid WebVTT ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    segments = []
    for c in captions:
        voice = getattr(c, "voice", None)
        segments.append((voice, c.text) if voice else _split_prefix(c.text))
    return Transcript(id=name.rsplit("/", 1)[-1].rsplit(".", 1)[0], turns=_assign(segments, speakers, name),
                      source="vtt")


def parse_srt(text: str, *, name: str, speakers: dict[str, str]) -> Transcript:
    import srt

    try:
        subs = list(srt.parse(text))
    except Exception as exc:  # srt.SRTParseError and friends
        raise UserError(f"{name}: not valid SRT ({str(exc).splitlines()[0][:120]})") from None
    segments = [_split_prefix(s.content) for s in subs]
    return Transcript(id=name.rsplit("/", 1)[-1].rsplit(".", 1)[0], turns=_assign(segments, speakers, name),
                      source="srt")


def parse_markdown(text: str, *, name: str, speakers: dict[str, str]) -> Transcript:
    segments: list[tuple[str | None, str]] = []
    for line in text.split("\n"):
        m = _MD_SPEAKER.match(line)
        # A heading names a speaker only when it is short (a name, not a title like "Mock interview notes").
        if m and (m.group(1) or (m.group(2) and len(m.group(2).split()) <= 3)):
            segments.append(((m.group(1) or m.group(2)).strip(), m.group(3)))
        elif segments:
            segments.append((None, line))
    merged: list[tuple[str | None, str]] = []
    for speaker, line in segments:  # continuation lines belong to the speaker before them
        if speaker is None and merged:
            merged[-1] = (merged[-1][0], merged[-1][1] + "\n" + line)
        else:
            merged.append((speaker, line))
    turns = _assign(merged, speakers, name)
    for t in turns:
        t.text = t.text.strip()
    return Transcript(id=name.rsplit("/", 1)[-1].rsplit(".", 1)[0], turns=turns, source="markdown")
