"""Where things live on a user's machine: XDG dirs via platformdirs, or all under INTERVIEWER_HOME."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "interviewer"


def _home() -> Path | None:
    value = os.environ.get("INTERVIEWER_HOME")
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    home = _home()
    return home / "data" if home else platformdirs.user_data_path(APP)


def cache_dir() -> Path:
    home = _home()
    return home / "cache" if home else platformdirs.user_cache_path(APP)


def config_dir() -> Path:
    home = _home()
    return home / "config" if home else platformdirs.user_config_path(APP)


def config_file() -> Path:
    return config_dir() / "config.toml"


def sessions_dir() -> Path:
    return data_dir() / "sessions"


def index_dir() -> Path:
    return data_dir() / "chroma"


def model_dir() -> Path:
    return cache_dir() / "models"


def ensure_private_dir(path: Path) -> Path:
    """Create a directory readable by the user only (sessions are personal data)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
