"""The corpus as data: question bank, probe library, exemplars, Leadership Principles, scenarios.

Each YAML file is validated by a pydantic schema; an error names the file and the line.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from .errors import UserError
from .resources import data_root
from .transcript import ProbeFamily, RoundName

Dimension = Literal[
    "dependency_mapping", "risk_escalation", "sequencing",
    "influence_mechanism", "stakeholder_alignment", "business_translation",
]
DIMENSIONS: tuple[str, ...] = Dimension.__args__  # type: ignore[attr-defined]
Principle = Literal[
    "customer_obsession", "ownership", "invent_and_simplify", "are_right_a_lot", "learn_and_be_curious",
    "hire_and_develop_the_best", "insist_on_the_highest_standards", "think_big", "bias_for_action",
    "frugality", "earn_trust", "dive_deep", "have_backbone", "deliver_results",
    "strive_to_be_earths_best_employer", "success_and_scale_bring_broad_responsibility",
]
PRINCIPLES: tuple[str, ...] = Principle.__args__  # type: ignore[attr-defined]
ALL_ROUNDS: list[RoundName] = ["bar_raiser", "leadership_principles", "program_design"]
SLOTS = ("{quote}", "{team}")


class _Item(BaseModel):
    model_config = {"extra": "forbid"}
    line: int = Field(0, exclude=True, description="line in the source file, for error messages")


class Question(_Item):
    id: str
    round: RoundName
    text: str
    principles: list[Principle] = Field(min_length=1, max_length=3)
    dimensions: list[Dimension] = Field(min_length=1, max_length=3)
    scenario: str | None = None


class Probe(_Item):
    id: str
    family: ProbeFamily
    when: str
    text: str
    plain: str
    # The same probe for a plan not yet run (a program_design answer told as "I'd..."): "What would the
    # other team get out of agreeing?" where `plain` asks what they got. None when `plain` already fits
    # a plan ("Which contract would you get agreed first?").
    plan: str | None = None
    rounds: list[RoundName] = Field(default_factory=lambda: list(ALL_ROUNDS))
    # What a candidate says when this gap is present, in their own spoken words: indexed beside the
    # probe so an answer finds the probe for what it leaves out, not for the words it shares.
    sounds_like: list[str] = Field(default_factory=list)

    @field_validator("plain", "plan")
    @classmethod
    def _plain_has_no_slot(cls, v: str | None, info) -> str | None:
        if v is not None and ("{" in v or "}" in v):
            raise ValueError(f"'{info.field_name}' must not contain slots")
        return v

    @field_validator("text")
    @classmethod
    def _known_slots(cls, v: str) -> str:
        stripped = v
        for slot in SLOTS:
            stripped = stripped.replace(slot, "")
        if "{" in stripped or "}" in stripped:
            raise ValueError("unknown slot: only {quote} and {team} are allowed")
        return v


class Exemplar(_Item):
    id: str
    dimension: Dimension
    level: int = Field(ge=1, le=4)
    text: str
    why: str


class PrincipleNote(_Item):
    key: Principle
    name: str
    summary: str
    tpm_evidence: str
    weak_evidence: str
    probe_families: list[ProbeFamily] = Field(min_length=1)
    dimensions: list[Dimension] = Field(min_length=1)


class ScenarioTeam(BaseModel):
    name: str
    owns: str


class ScenarioDependency(BaseModel):
    model_config = {"populate_by_name": True}
    from_: str = Field(alias="from")
    to: str
    needs: str
    note: str = ""


class ReviewGate(BaseModel):
    name: str
    lead_time_weeks: float
    why: str = ""


class Scenario(_Item):
    id: str
    title: str
    domain: str
    brief: str
    teams: list[ScenarioTeam] = Field(min_length=2)
    dependencies: list[ScenarioDependency] = Field(min_length=1)
    contract_first: str
    critical_path: str
    review_gates: list[ReviewGate] = Field(min_length=1)
    hidden_dependency: str
    strong_plan: list[str] = Field(min_length=1)
    weak_plan: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _edges_name_teams(self) -> Scenario:
        names = {t.name for t in self.teams}
        for dep in self.dependencies:
            for end in (dep.from_, dep.to):
                if end not in names:
                    raise ValueError(f"dependency names unknown team {end!r}")
        return self


class Corpus(BaseModel):
    questions: list[Question]
    probes: list[Probe]
    exemplars: list[Exemplar]
    principles: list[PrincipleNote]
    scenarios: list[Scenario]
    content_hash: str

    def probes_for(self, family: str, round_name: str | None = None) -> list[Probe]:
        return [p for p in self.probes if p.family == family and (round_name is None or round_name in p.rounds)]

    def questions_for(self, round_name: str) -> list[Question]:
        return [q for q in self.questions if q.round == round_name]

    def scenario(self, scenario_id: str) -> Scenario | None:
        return next((s for s in self.scenarios if s.id == scenario_id), None)

    def principle(self, key: str) -> PrincipleNote | None:
        return next((p for p in self.principles if p.key == key), None)


class _LineLoader(yaml.SafeLoader):
    """Records the source line of every mapping as `line`, for error messages."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=deep)
    mapping.setdefault("line", node.start_mark.line + 1)
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_FILES: dict[str, tuple[str, type[_Item]]] = {
    "questions": ("questions.yaml", Question),
    "probes": ("probes.yaml", Probe),
    "exemplars": ("exemplars.yaml", Exemplar),
    "principles": ("principles.yaml", PrincipleNote),
    "scenarios": ("scenarios.yaml", Scenario),
}


def _strip_lines(value: Any) -> Any:
    """Nested mappings (teams, gates) are plain models: drop the recorded line from them."""
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "line"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def load_items(path: Path, key: str, model: type[_Item]) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except FileNotFoundError:
        raise UserError(f"{path}: missing corpus file") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "somewhere"
        raise UserError(f"{path}: {where}: broken YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
        raise UserError(f"{path}: line 1: expected a top-level '{key}:' list")
    items = []
    seen: dict[str, int] = {}
    for raw in doc[key]:
        if not isinstance(raw, dict):
            raise UserError(f"{path}: an entry of '{key}' is not a mapping")
        line = raw.get("line", 0)
        body = {k: _strip_lines(v) for k, v in raw.items() if k != "line"}
        try:
            item = model.model_validate({**body, "line": line})
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            raise UserError(f"{path}: line {line}: {loc}: {err['msg']}") from None
        ident = getattr(item, "id", None) or getattr(item, "key", None)
        if ident in seen:
            raise UserError(f"{path}: line {line}: duplicate id {ident!r} (first at line {seen[ident]})")
        seen[ident] = line
        items.append(item)
    return items


def corpus_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_corpus(root: Path | None = None) -> Corpus:
    root = root or data_root("corpus")
    parts = {key: load_items(root / fname, key, model) for key, (fname, model) in _FILES.items()}
    corpus = Corpus(**parts, content_hash=corpus_hash(root))
    scenario_ids = {s.id for s in corpus.scenarios}
    for q in corpus.questions:
        if q.scenario and q.scenario not in scenario_ids:
            raise UserError(f"{root / 'questions.yaml'}: line {q.line}: unknown scenario {q.scenario!r}")
    return corpus


@cache
def default_corpus() -> Corpus:
    return load_corpus()
