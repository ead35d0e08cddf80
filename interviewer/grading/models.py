"""The grade: every decision the grader makes, as data (DESIGN.md "Grade JSON", extended)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from .concerns import Concern
from .delivery import DeliveryCheck
from .depmap import DependencyMap
from .evidence import Features, Quote
from .rubric import Vote


class DimensionGrade(BaseModel):
    score: int = Field(ge=1, le=4)
    name: str
    descriptor: str
    reason: str
    evidence: list[Quote] = Field(default_factory=list)
    concerns: list[Concern] = Field(default_factory=list,
                                    description="sentences showing one of the dimension's negative signals")
    features: Features
    missing: list[str] = Field(default_factory=list, description="what the evidence lacked for the next level")
    strong_answer: str | None = None
    exemplar: str | None = None
    probe_family: str | None = Field(None, description="the follow-up family that would have exposed it")
    llm_quotes_verified: int = 0
    llm_quotes_dropped: int = 0
    llm_error: str | None = None


class PrincipleEvidence(BaseModel):
    key: str
    name: str
    dimensions: list[str]
    evidence: list[Quote]


class GradeStats(BaseModel):
    candidate_words: int
    i_count: int
    we_count: int
    i_share: float
    answers_with_data: float = Field(description="share of answers that carry a number")
    architecture_share: float
    evasions: list[str] = Field(default_factory=list)
    word_reading: float | None = Field(default=None, description="how strong the candidate's words read as a whole, "
                                       "on the 1-4 level scale (grading/reading.py): one input of every dimension's level")


class ExtractedQuote(BaseModel):
    turn: int
    quote: str = Field(max_length=400)


class Extraction(BaseModel):
    """What the LLM is asked for: evidence, not a verdict (small models extract better than they judge)."""

    quotes: list[ExtractedQuote] = Field(default_factory=list, max_length=5)


class GradeReport(BaseModel):
    transcript_id: str
    round: str
    vote: Vote
    vote_reason: str
    scores: dict[str, DimensionGrade]
    leadership_principles: list[PrincipleEvidence]
    rubric_version: str
    backend: str
    stats: GradeStats
    injection_flags: list[dict] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    dependency_map: DependencyMap = Field(default_factory=DependencyMap)
    delivery: DeliveryCheck | None = Field(None, description="program_design: the plan against its corpus scenario")
