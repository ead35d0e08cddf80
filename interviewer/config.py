"""Configuration: defaults < config.toml in the config dir < environment < command-line flags."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from . import paths
from .errors import UserError

Round = Literal["bar_raiser", "leadership_principles", "program_design"]
ROUNDS: tuple[str, ...] = ("bar_raiser", "leadership_principles", "program_design")


def config_path() -> Path:
    explicit = os.environ.get("INTERVIEWER_CONFIG")
    return Path(explicit).expanduser() if explicit else paths.config_file()


def _alias(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTERVIEWER_", extra="forbid", populate_by_name=True)

    backend: str = Field("local", description="LLM backend: local (embedded llama.cpp) or openai")

    # local backend
    model_path: Path | None = Field(None, description="a GGUF file to use instead of the packaged model")
    n_ctx: int = Field(8192, ge=512, le=131072, description="context window of the embedded model")
    n_threads: int | None = Field(None, ge=1, description="CPU threads for the embedded model (default: all cores)")

    # openai-compatible backend
    openai_base_url: str | None = Field(
        None,
        validation_alias=_alias("openai_base_url", "INTERVIEWER_OPENAI_BASE_URL", "OPENAI_BASE_URL"),
        description="base URL of an OpenAI-compatible endpoint",
    )
    openai_api_key: SecretStr | None = Field(
        None,
        validation_alias=_alias("openai_api_key", "INTERVIEWER_OPENAI_API_KEY", "OPENAI_API_KEY"),
        description="API key (never written to sessions, logs or reports)",
    )
    openai_model: str = Field("gpt-4o-mini", description="model name on the OpenAI-compatible endpoint")
    openai_structured: Literal["auto", "json_schema", "json_object"] = Field(
        "auto", description="how structured output is requested (auto tries json_schema, then json_object)"
    )
    request_timeout: float = Field(60.0, gt=0, description="seconds before a backend request times out")
    max_retries: int = Field(2, ge=0, le=10, description="retries of a failed backend request")
    requests_per_minute: float | None = Field(None, gt=0, description="pace requests to a remote backend")

    # the interview
    round: Round = Field("bar_raiser", description="default round")
    mode: Literal["realistic", "practice"] = Field("realistic", description="practice adds a hint after each answer")
    time_budget_minutes: int = Field(45, ge=5, le=180, description="interview time budget")
    max_depth: int = Field(4, ge=2, le=5, description="follow-ups per opening question at most")

    # grading
    grade_words: int | None = Field(
        None, ge=0,
        description="the most candidate words the model reads when grading; a longer transcript is shown by its "
                    "most specific sentences, the rules still read every word (default: 1200 for the embedded "
                    "model; openai and 0: every word, each answer up to its first 350)")

    # retrieval
    chroma_host: str | None = Field(None, description="use a Chroma server at this host instead of the embedded store")
    chroma_port: int = Field(8000, ge=1, le=65535, description="port of the Chroma server")
    user_docs: Path | None = Field(None, description="a folder of your own documents to index")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = config_path()
        if path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    def public_dict(self) -> dict[str, Any]:
        """Every setting with secrets masked: safe to print, log or store in a session."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "**** (set)" if value.get_secret_value() else None
            elif isinstance(value, Path):
                value = str(value)
            out[name] = value
        return out


def load_settings(**overrides: Any) -> Settings:
    """Build the settings or raise UserError with one line naming the problem and its source."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    path = config_path()
    if path.exists() and not path.is_file():
        raise UserError(f"config file {path} is not a file")
    try:
        if path.is_file():
            with path.open("rb") as fh:
                tomllib.load(fh)  # surface syntax errors with a line number, before pydantic does
        return Settings(**clean)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"config file {path}: {exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"config file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise UserError(f"config file {path} cannot be read: {exc.strerror}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "config"
        raise UserError(
            f"invalid setting {where!r}: {err['msg']} (check {path}, INTERVIEWER_* variables and flags)"
        ) from None
