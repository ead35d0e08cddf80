"""The session store: one JSON event a line, appended, flushed and fsynced the moment it exists.

A crash can at worst leave the last line half-written; the loader skips it and says so, and a
writer that resumes starts on a fresh line. One writer per session, enforced by a file lock.
"""

from __future__ import annotations

import json
import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from pydantic import BaseModel, Field, ValidationError

from . import paths
from .errors import UserError
from .transcript import Transcript, Turn, now

FORMAT_VERSION = 1
SUFFIX = ".jsonl"


def new_session_id() -> str:
    return now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def session_path(session_id: str) -> Path:
    return paths.sessions_dir() / f"{session_id}{SUFFIX}"


def resolve_session(ref: str) -> Path:
    """A session id or a path to a session file."""
    candidate = Path(ref).expanduser()
    if candidate.suffix == SUFFIX and candidate.exists():
        return candidate
    path = session_path(ref)
    if path.exists():
        return path
    raise UserError(f"no session {ref!r} (see `interviewer sessions`)")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SessionWriter:
    """Appends events to one session file. Use as a context manager."""

    def __init__(self, path: Path, fd: int, lock: FileLock) -> None:
        self.path = path
        self._fd = fd
        self._lock = lock
        self.turns_written = 0

    @classmethod
    def _acquire(cls, path: Path) -> FileLock:
        lock = FileLock(str(path) + ".lock", timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise UserError(f"session {path.stem} is open in another interviewer; close it there first") from None
        return lock

    @classmethod
    def check_free(cls, path: Path) -> None:
        """Refuse now, before slow work (loading a model), a session another interviewer has open."""
        cls._acquire(path).release()

    @classmethod
    def create(cls, transcript: Transcript, directory: Path | None = None) -> SessionWriter:
        directory = paths.ensure_private_dir(directory or paths.sessions_dir())
        path = directory / f"{transcript.id}{SUFFIX}"
        lock = cls._acquire(path)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        except FileExistsError:
            lock.release()
            raise UserError(f"session file {path} already exists; not overwriting it") from None
        _fsync_dir(directory)
        writer = cls(path, fd, lock)
        header = transcript.model_dump(mode="json", exclude={"turns"}, exclude_none=True)
        writer._event({"event": "start", **header})
        for turn in transcript.turns:
            writer.append_turn(turn)
        return writer

    @classmethod
    def resume(cls, path: Path) -> SessionWriter:
        lock = cls._acquire(path)
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND)
        except OSError as exc:
            lock.release()
            raise UserError(f"cannot open session {path}: {exc.strerror}") from None
        writer = cls(path, fd, lock)
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            writer._write(b"\n")  # a torn last line stays isolated; the next event starts clean
        writer.turns_written = load_session(path).transcript.turns.__len__()
        return writer

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = os.write(self._fd, view)
            view = view[n:]
        os.fsync(self._fd)

    def _event(self, event: dict[str, Any]) -> None:
        line = json.dumps({"v": FORMAT_VERSION, "at": now().isoformat(), **event}, ensure_ascii=False)
        self._write(line.encode("utf-8") + b"\n")

    def append_turn(self, turn: Turn) -> int:
        index = self.turns_written
        self._event({"event": "turn", "index": index, "turn": turn.model_dump(mode="json", exclude_none=True)})
        self.turns_written += 1
        return index

    def append_grade(self, grade: dict[str, Any]) -> None:
        self._event({"event": "grade", "grade": grade})

    def append_meta(self, meta: dict[str, Any]) -> None:
        self._event({"event": "meta", "meta": meta})

    def append_end(self, reason: str) -> None:
        self._event({"event": "end", "reason": reason})

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
            self._lock.release()

    def __enter__(self) -> SessionWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LoadedSession(BaseModel):
    path: str
    transcript: Transcript
    problems: list[str] = Field(default_factory=list, description="what could not be read, line by line")
    grades: list[dict[str, Any]] = Field(default_factory=list)
    ended: str | None = None


def load_session(path: Path) -> LoadedSession:
    """Read what can be read; every unreadable line is reported, never silently dropped."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read session {path}: {exc.strerror}") from None
    header: dict[str, Any] | None = None
    turns: list[Turn] = []
    problems: list[str] = []
    grades: list[dict[str, Any]] = []
    meta: dict[str, Any] = {}
    ended = None
    if raw.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark, as some editors save files
        raw = raw[3:]
    for lineno, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line.decode("utf-8"))
            kind = event["event"]
            if kind == "start":
                header = event
            elif kind == "turn":
                turns.append(Turn.model_validate(event["turn"]))
            elif kind in ("grade", "meta") and not isinstance(event[kind], dict):
                raise TypeError(kind)  # a non-object grade/meta crashed the loader (ValueError, ValidationError)
            elif kind == "grade":
                grades.append(event["grade"])
            elif kind == "meta":
                meta.update(event["meta"])
            elif kind == "end":
                reason = event.get("reason", "ended")
                ended = reason if isinstance(reason, str) else "ended"  # a non-string reason failed validation
            else:
                problems.append(f"line {lineno}: unknown event {kind!r}")
        # RecursionError: deeply nested JSON on one line is a damaged line, not a crash
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValidationError, RecursionError):
            problems.append(f"line {lineno}: could not be read (torn or damaged write)")
    if header is None:
        raise UserError(f"{path} is not an interviewer session (no start event)")
    fields = {k: v for k, v in header.items() if k not in ("v", "at", "event")}
    fields.setdefault("id", path.stem)
    if isinstance(fields.get("meta", {}), dict):  # a non-object meta crashed here; now validation rejects it
        fields["meta"] = {**fields.get("meta", {}), **meta}
    try:
        transcript = Transcript.model_validate({**fields, "turns": [], "source": "session"})
    except ValidationError as exc:
        raise UserError(f"{path}: damaged start event ({exc.errors()[0]['msg']})") from None
    transcript.turns = turns
    return LoadedSession(path=str(path), transcript=transcript, problems=problems, grades=grades, ended=ended)


class SessionSummary(BaseModel):
    id: str
    path: str
    round: str
    created: datetime | None
    turns: int
    vote: str | None = None
    ended: str | None = None
    problems: int = 0


def list_sessions(directory: Path | None = None) -> list[SessionSummary]:
    directory = directory or paths.sessions_dir()
    out: list[SessionSummary] = []
    for path in sorted(directory.glob(f"*{SUFFIX}"), reverse=True):
        try:
            loaded = load_session(path)
        except UserError:
            continue
        t = loaded.transcript
        vote = loaded.grades[-1].get("vote") if loaded.grades else None
        out.append(SessionSummary(id=t.id, path=str(path), round=t.round, created=t.created, turns=len(t.turns),
                                  vote=vote, ended=loaded.ended, problems=len(loaded.problems)))
    return out


def write_atomic(path: Path, text: str, *, mode: int = 0o600) -> None:
    """Write a whole file via a temporary sibling and a rename: readers never see half a file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
