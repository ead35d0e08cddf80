"""`interviewer doctor`: is everything in place? One line per check, and a fix for each failure."""

from __future__ import annotations

import time
from collections.abc import Callable

from pydantic import BaseModel

from .config import Settings
from .errors import InterviewerError


class Check(BaseModel):
    name: str
    ok: bool
    detail: str
    fix: str | None = None


def _run(name: str, fn: Callable[[], str]) -> Check:
    try:
        return Check(name=name, ok=True, detail=fn())
    except InterviewerError as exc:
        text = str(exc)
        detail, _, fix = text.partition("fix: ")
        return Check(name=name, ok=False, detail=detail.rstrip("; "), fix=fix or None)
    except Exception as exc:  # doctor must report, never crash
        return Check(name=name, ok=False, detail=f"{type(exc).__name__}: {exc}")


def checks(settings: Settings, full: bool = False) -> list[Check]:
    from . import paths
    from .corpus import default_corpus
    from .llm import get_model
    from .llm.model_file import ensure_model, verify_file

    results: list[Check] = []

    def model_file() -> str:
        if settings.model_path:
            return f"using your own model file {settings.model_path}"
        start = time.perf_counter()
        path = ensure_model()
        if full:
            problem = verify_file(path)
            if problem:
                path.unlink(missing_ok=True)
                raise InterviewerError(f"{problem}; it was removed; fix: run `interviewer doctor` again to rebuild it")
        return f"{path} (verified{' in full' if full else ''}, {time.perf_counter() - start:.1f} s)"

    if settings.backend == "local":
        results.append(_run("model file", model_file))

    def embeddings() -> str:
        from .embeddings import default_encoder

        vec = default_encoder().encode(["doctor check"])
        return f"all-MiniLM-L6-v2, {vec.shape[1]} dimensions"

    results.append(_run("embedding weights", embeddings))

    def corpus() -> str:
        c = default_corpus()
        return (f"{len(c.questions)} questions, {len(c.probes)} probes, {len(c.exemplars)} exemplars, "
                f"{len(c.scenarios)} scenarios")

    results.append(_run("corpus", corpus))

    def index() -> str:
        from .retrieval.index import CorpusIndex

        idx = CorpusIndex(settings)
        built = idx.ensure()
        where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else str(paths.index_dir())
        return f"{idx.name} at {where}{' (built now)' if built else ''}, {idx._collection.count()} items"

    results.append(_run("Chroma index", index))

    def backend() -> str:
        start = time.perf_counter()
        model = get_model(settings)
        try:
            loaded = time.perf_counter() - start
            reply = model.ping().strip()
        finally:
            model.close()
        if not reply:
            raise InterviewerError(f"{model.model_id} answered with nothing")
        return f"{model.model_id} loaded in {loaded:.1f} s, answered {reply[:30]!r}"

    results.append(_run(f"backend ({settings.backend})", backend))
    results.append(Check(name="data dir", ok=True, detail=str(paths.data_dir())))
    return results


def run_doctor(settings: Settings, full: bool = False) -> int:
    results = checks(settings, full)
    for c in results:
        mark = "ok  " if c.ok else "FAIL"
        print(f"[{mark}] {c.name}: {c.detail}")
        if not c.ok and c.fix:
            print(f"       fix: {c.fix}")
    failed = [c for c in results if not c.ok]
    return 0 if not failed else 3
