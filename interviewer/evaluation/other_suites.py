"""Interviewer suite (probe targeting by the planner) and retrieval suite (hit@3, MRR)."""

from __future__ import annotations

import time
from statistics import median

from pydantic import BaseModel, Field

from ..config import Settings
from ..interview.planner import ThreadState, decide
from ..transcript import ProbeFamily, RoundName
from .data import _load, evals_root
from .results import SuiteResult, at_least


class TargetCase(BaseModel):
    id: str
    round: RoundName
    question: str
    answer: str
    acceptable: list[ProbeFamily] = Field(min_length=1)
    note: str = ""


class RetrievalQuery(BaseModel):
    id: str
    query: str
    family: ProbeFamily
    round: RoundName
    ideal: list[str] = Field(default_factory=list)


def _dev_and_heldout(filename: str, key: str, parse, measure, check: str, metric: str, target: float):
    """Run one measure on evals/FILE (dev) and evals/heldout/FILE (never tuned on), if present:
    (metrics by set, items tagged with their set, one threshold check per set)."""
    metrics, items, checks = {}, [], []
    for name, path in (("dev", evals_root() / filename), ("heldout", evals_root() / "heldout" / filename)):
        if not path.is_file():
            continue
        m, its = measure([parse(x) for x in _load(path)[key]])
        metrics[name] = m
        items.extend({"set": name, **i} for i in its)
        checks.append(at_least(f"{check}, {name}", m[metric], target))
    return metrics, items, checks


def _targeting_set(settings: Settings, cases: list[TargetCase]) -> tuple[dict, list[dict]]:
    items = []
    for case in cases:
        thread = ThreadState(question_id=case.id, question_text=case.question, answers=[case.answer])
        d = decide(thread, case.round, max_depth=settings.max_depth)
        got = d.probe_target
        items.append({"id": case.id, "round": case.round, "acceptable": case.acceptable, "got": got,
                      "action": d.action, "hit": got in case.acceptable, "first_choice": got == case.acceptable[0],
                      "why": d.why})
    hits = sum(i["hit"] for i in items) / len(items)
    by_round = {r: round(sum(i["hit"] for i in items if i["round"] == r) /
                         max(1, sum(1 for i in items if i["round"] == r)), 3)
                for r in ("bar_raiser", "leadership_principles", "program_design")}
    return {"cases": len(items), "probe_targeting": round(hits, 3),
            "first_choice": round(sum(i["first_choice"] for i in items) / len(items), 3), "by_round": by_round}, items


def _annotator_ceiling(metrics: dict, items: list[dict]) -> None:
    """The metric's human ceiling: how often a second blind annotator's first choice
    (evals/probe_targeting_annotator_b.yaml) is in the first annotator's acceptable set."""
    path = evals_root() / "probe_targeting_annotator_b.yaml"
    if not path.is_file():
        return
    second = {c["id"]: c["acceptable"] for c in _load(path)["cases"]}
    for name, m in metrics.items():
        mine = [i for i in items if i["set"] == name and i["id"] in second]
        if mine:
            m["annotator_b_first_in_acceptable"] = round(
                sum(second[i["id"]][0] in i["acceptable"] for i in mine) / len(mine), 3)


def run_interviewer(settings: Settings, thresholds: dict) -> SuiteResult:
    """Two labeled sets: evals/probe_targeting.yaml (dev: the planner's cues were written looking at
    it) and evals/heldout/probe_targeting.yaml (written apart from the planner, never tuned on)."""
    start = time.perf_counter()
    target = thresholds.get("interviewer", {}).get("probe_targeting", 0.85)
    metrics, items, checks = _dev_and_heldout(
        "probe_targeting.yaml", "cases", lambda c: TargetCase.model_validate(c),
        lambda cases: _targeting_set(settings, cases), "probe targeting", "probe_targeting", target)
    _annotator_ceiling(metrics, items)
    worst = [i for i in items if not i["hit"]][:8]
    return SuiteResult(suite="interviewer", backend="planner (deterministic)", metrics=metrics, checks=checks,
                       items=items, worst=worst, seconds=round(time.perf_counter() - start, 1),
                       notes=["Probe targeting is decided by the deterministic planner; the model only phrases."])


def _retrieval_set(index, queries: list[RetrievalQuery]) -> tuple[dict, list[dict]]:
    from ..interview.realizer import candidate_probes
    from ..retrieval.index import VectorRetriever

    retriever = VectorRetriever(index)
    items, rr, latencies = [], [], []
    for q in queries:
        t0 = time.perf_counter()
        hits = index.search_probes(q.query, round_name=q.round, k=10)
        latencies.append((time.perf_counter() - t0) * 1000)
        families = [h.metadata["family"] for h in hits]
        rank = next((n for n, f in enumerate(families, start=1) if f == q.family), None)
        rr.append(1.0 / rank if rank else 0.0)
        item = {"id": q.id, "family": q.family, "top3": families[:3], "rank": rank,
                "hit_at_3": bool(rank and rank <= 3), "top_ids": [h.id for h in hits[:3]]}
        if q.ideal:
            # Within the planner's family, is an ideal probe in the top 3: as ranked, and as the realizer
            # works from them (probes presuming what the query never said passed over).
            in_family = index.search_probes(q.query, family=q.family, round_name=q.round, k=3)
            item["ideal_in_family_top3_ranked"] = any(h.metadata.get("item") in q.ideal for h in in_family)
            used = candidate_probes(retriever, q.family, q.round, q.query, q.query)[:3]
            item["ideal_in_family_top3"] = any(p.id in q.ideal for p in used)
        items.append(item)
    with_ideal = [i for i in items if "ideal_in_family_top3" in i]
    metrics = {"queries": len(items), "hit_at_3": round(sum(i["hit_at_3"] for i in items) / len(items), 3),
               "mrr": round(sum(rr) / len(rr), 3), "query_ms_p50": round(median(latencies), 1)}
    if with_ideal:
        for key in ("ideal_in_family_top3", "ideal_in_family_top3_ranked"):
            metrics[key.replace("top3", "hit_at_3")] = round(sum(i[key] for i in with_ideal) / len(with_ideal), 3)
    return metrics, items


def run_retrieval(settings: Settings, thresholds: dict) -> SuiteResult:
    """Two labeled sets: evals/retrieval.yaml, on which the ranker's weights were chosen (dev), and
    evals/heldout/retrieval.yaml, written apart from the corpus and never used for tuning."""
    from ..retrieval.index import CorpusIndex

    start = time.perf_counter()
    index = CorpusIndex(settings)
    index.ensure()
    target = thresholds.get("retrieval", {}).get("hit_at_3", 0.9)
    metrics, items, checks = _dev_and_heldout(
        "retrieval.yaml", "queries", lambda q: RetrievalQuery.model_validate(q),
        lambda queries: _retrieval_set(index, queries), "retrieval hit@3 (family)", "hit_at_3", target)
    return SuiteResult(suite="retrieval", backend="chroma + all-MiniLM-L6-v2, family model + reranked", metrics=metrics,
                       checks=checks, items=items, worst=[i for i in items if not i["hit_at_3"]][:8],
                       seconds=round(time.perf_counter() - start, 1),
                       notes=["dev: the set the ranker's weights were chosen on; heldout: never used for tuning."])
