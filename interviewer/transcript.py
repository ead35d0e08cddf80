"""Transcript models (DESIGN.md "Transcript JSON"): turns, planner decisions, the whole transcript."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["interviewer", "candidate"]
RoundName = Literal["bar_raiser", "leadership_principles", "program_design"]
ProbeFamily = Literal[
    "mechanism", "staffing", "timing", "dependency_discovery", "sequencing",
    "conflict", "personal_role", "data_outcome", "translation",
]
PROBE_FAMILIES: tuple[str, ...] = ProbeFamily.__args__  # type: ignore[attr-defined]
TurnKind = Literal["opening", "follow_up", "closing", "answer", "transition"]


def now() -> datetime:
    return datetime.now(UTC)


class PlannerDecision(BaseModel):
    """Why a follow-up was asked: saved with the turn, shown on the replay screen."""

    present: list[str] = Field(default_factory=list, description="signals the answer already carries")
    missing: list[str] = Field(default_factory=list, description="signals a Bar Raiser would still want")
    probe_target: ProbeFamily | None = None
    action: Literal["drill", "move_on", "close"] = "drill"
    why: str = ""
    evasion: bool = False


class Turn(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Role
    text: str
    kind: TurnKind | None = None
    at: datetime | None = None
    probe_target: ProbeFamily | None = None
    question_id: str | None = None
    decision: PlannerDecision | None = None
    fallback: bool | None = Field(None, description="the follow-up came from a probe template, not the LLM")


class Transcript(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    round: RoundName = "bar_raiser"
    turns: list[Turn] = Field(default_factory=list)
    created: datetime | None = None
    backend: str | None = None
    source: str | None = Field(None, description="where it came from: session, json, text, vtt, srt, markdown")
    meta: dict[str, Any] = Field(default_factory=dict)

    def candidate_turns(self) -> list[tuple[int, Turn]]:
        return [(i, t) for i, t in enumerate(self.turns) if t.role == "candidate"]

    def to_json(self) -> str:
        return self.model_dump_json(indent=2, exclude_none=True)
