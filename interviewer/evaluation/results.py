"""Results of a suite: metrics, threshold checks, per-item rows, as data."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Check(BaseModel):
    name: str
    value: float | str
    threshold: float | str
    passed: bool


class SuiteResult(BaseModel):
    suite: str
    backend: str
    metrics: dict[str, Any] = Field(default_factory=dict)
    checks: list[Check] = Field(default_factory=list)
    items: list[dict[str, Any]] = Field(default_factory=list)
    worst: list[dict[str, Any]] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


def at_least(name: str, value: float, threshold: float) -> Check:
    return Check(name=name, value=round(value, 3), threshold=f">= {threshold}", passed=value >= threshold - 1e-9)
