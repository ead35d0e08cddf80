"""The Chroma index of the corpus: built once per corpus content (hash in the collection name),
embedded offline with MiniLM, queried with metadata filters (kind, family, round, dimension, level)."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property
from typing import Any

from filelock import FileLock
from pydantic import BaseModel

from .. import paths
from ..config import Settings
from ..corpus import Corpus, Probe, default_corpus
from ..errors import BackendUnavailable

PREFIX = "corpus-"
ENCODER = "all-MiniLM-L6-v2"
# Bumped whenever what is embedded per item changes, so an old index is rebuilt, not reused.
DOC_FORMAT = "4"
Progress = Callable[[str], None]


class Hit(BaseModel):
    id: str
    kind: str
    text: str
    score: float
    metadata: dict[str, Any]


def _documents(corpus: Corpus) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    ids, docs, metas = [], [], []

    def add(ident: str, text: str, meta: dict[str, Any]) -> None:
        ids.append(ident)
        docs.append(text)
        metas.append(meta)

    for p in corpus.probes:
        rounds = {f"r_{r}": True for r in p.rounds}
        # `when` (the gap) and `plain` (the question): measured best of the variants tried, see evals.
        add(f"probe:{p.id}", f"{p.when} {p.plain}", {"kind": "probe", "family": p.family, "item": p.id, **rounds})
        # What a candidate says when the gap is there: found by answers that sound like it.
        for n, fragment in enumerate(p.sounds_like, start=1):
            add(f"symptom:{p.id}:{n}", fragment, {"kind": "symptom", "family": p.family, "item": p.id, **rounds})
    for e in corpus.exemplars:
        add(f"exemplar:{e.id}", e.text, {"kind": "exemplar", "dimension": e.dimension, "level": e.level, "item": e.id})
    for q in corpus.questions:
        add(f"question:{q.id}", q.text, {"kind": "question", "round": q.round, "item": q.id,
                                         **{f"lp_{p}": True for p in q.principles},
                                         **{f"d_{d}": True for d in q.dimensions}})
    for n in corpus.principles:
        add(f"principle:{n.key}", f"{n.name}. {n.summary} {n.tpm_evidence}",
            {"kind": "principle", "item": n.key, **{f"f_{f}": True for f in n.probe_families}})
    for s in corpus.scenarios:
        add(f"scenario:{s.id}", f"{s.title}. {s.brief} {s.critical_path}",
            {"kind": "scenario", "domain": s.domain, "item": s.id})
    return ids, docs, metas


def existing_collections(client) -> list[str]:
    return [c if isinstance(c, str) else c.name for c in client.list_collections()]


def replace_collection(client, name: str, prefix: str, ids: list[str], docs: list[str], metas: list[dict],
                       vectors, metadata: dict[str, Any]):
    """Write a complete collection `name`, then drop the other `prefix*` ones: the previous index
    stays usable until the new one is whole."""
    if name in existing_collections(client):
        client.delete_collection(name)
    collection = client.create_collection(name, embedding_function=None, metadata={"hnsw:space": "cosine", **metadata})
    for i in range(0, len(ids), 256):
        collection.add(ids=ids[i:i + 256], embeddings=vectors[i:i + 256].tolist(), documents=docs[i:i + 256],
                       metadatas=metas[i:i + 256])
    for old in existing_collections(client):
        if old.startswith(prefix) and old != name:
            client.delete_collection(old)
    return collection


def hits_from(result: dict) -> list[Hit]:
    """Chroma's query result for one query as Hits (score = cosine similarity)."""
    return [Hit(id=ident, kind=meta.get("kind", "?"), text=doc, score=round(1.0 - dist, 4), metadata=meta)
            for ident, doc, meta, dist in zip(result["ids"][0], result["documents"][0], result["metadatas"][0],
                                              result["distances"][0], strict=True)]


def make_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
            client.heartbeat()
        except Exception:
            raise BackendUnavailable(
                f"cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port}; "
                "fix: start it (`chroma run`) or unset chroma_host"
            ) from None
        return client
    return chromadb.PersistentClient(path=str(paths.ensure_private_dir(paths.index_dir())), settings=chroma_settings)


class CorpusIndex:
    def __init__(self, settings: Settings, corpus: Corpus | None = None, client=None) -> None:
        self.settings = settings
        self.corpus = corpus or default_corpus()
        self.client = client or make_client(settings)
        self._collection = None
        self._ranker = None

    @property
    def name(self) -> str:
        import hashlib

        key = hashlib.sha256(f"{self.corpus.content_hash}:{DOC_FORMAT}:{ENCODER}".encode()).hexdigest()
        return PREFIX + key[:16]

    @cached_property
    def probes_by_id(self) -> dict[str, Probe]:
        return {p.id: p for p in self.corpus.probes}

    def is_current(self) -> bool:
        return self.name in existing_collections(self.client)

    def ensure(self, progress: Progress | None = None) -> bool:
        """Open the index for this corpus content, building it first if needed. True when it was built."""
        if self._collection is not None:
            return False
        if not self.settings.chroma_host:
            lock = FileLock(str(paths.ensure_private_dir(paths.index_dir()) / ".build.lock"))
        else:
            lock = None
        if lock:
            lock.acquire()
        try:
            if self.is_current():
                self._collection = self.client.get_collection(self.name)
                return False
            self.build(progress)
            return True
        finally:
            if lock:
                lock.release()

    def build(self, progress: Progress | None = None) -> float:
        """Embed and store the whole corpus in a fresh collection, then drop the old ones."""
        from ..embeddings import default_encoder

        start = time.perf_counter()
        ids, docs, metas = _documents(self.corpus)
        if progress:
            progress(f"embedding {len(docs)} corpus items")
        vectors = default_encoder().encode(docs)
        self._collection = replace_collection(self.client, self.name, PREFIX, ids, docs, metas, vectors,
                                              {"content_hash": self.corpus.content_hash, "encoder": ENCODER})
        if progress:
            progress(f"indexed {len(ids)} items")
        return time.perf_counter() - start

    def search(self, query: str, *, k: int = 5, kind: str | None = None, family: str | None = None,
               round_name: str | None = None, dimension: str | None = None, level: int | None = None,
               principle: str | None = None) -> list[Hit]:
        from ..embeddings import encode_one

        self.ensure()
        if kind == "probe" and dimension is None and level is None and principle is None:
            return self.search_probes(query, k=k, family=family, round_name=round_name)
        where = _where(kind=kind, family=family, round_name=round_name, dimension=dimension, level=level,
                       principle=principle)
        vector = encode_one(query).tolist()
        return hits_from(self._collection.query(query_embeddings=[vector], n_results=k, where=where))

    def ranker(self):
        """The probe reranker for this build (fitted once per process from the stored vectors)."""
        from .probe_ranker import ProbeRanker

        self.ensure()
        if self._ranker is None:
            got = self._collection.get(where={"kind": {"$in": ["probe", "symptom"]}},
                                       include=["embeddings", "metadatas"])
            metas = got["metadatas"]
            self._ranker = ProbeRanker([m["item"] for m in metas], [m["family"] for m in metas],
                                       [m["kind"] for m in metas], got["embeddings"])
        return self._ranker

    def search_probes(self, query: str, *, k: int = 5, family: str | None = None,
                      round_name: str | None = None) -> list[Hit]:
        """Probes for what an answer leaves out: every probe that passes the filters (the library is
        small enough to score whole), ranked by ProbeRanker over the vectors the index stores for the
        probes and their `sounds_like` fragments. Hit.score is the ranker's score.

        Without a family filter the question is first *which* gap, so the families are ordered by the
        family model and the list takes each family's best probe in that order, then each one's second
        best, and so on: the top three are three different gaps, not three wordings of one."""
        from ..embeddings import encode_one
        from .family_model import load_model

        ranker = self.ranker()
        vector = encode_one(query)
        candidates = [p.id for p in self.corpus.probes
                      if (family is None or p.family == family) and (round_name is None or round_name in p.rounds)]
        view = ranker.view(vector)  # similarities and prior, computed once for both rankings
        ranked = ranker.rank(view, candidates, len(candidates))
        family_scores: dict[str, float] = {}
        if family is None and ranked:
            family_scores = {f.family: f.score for f in load_model().rank(ranker, view, candidates)}
            ranked = _round_robin(ranked, list(family_scores))
        hits = []
        for r in ranked[:k]:
            p = self.probes_by_id[r.item]
            meta = {"kind": "probe", "family": p.family, "item": p.id,
                    "fragment": r.fragment, "probe": r.probe, "prior": r.prior}
            if family_scores:
                meta["family_score"] = family_scores.get(p.family, float("-inf"))
            hits.append(Hit(id=f"probe:{p.id}", kind="probe", text=f"{p.when} {p.plain}", score=r.score, metadata=meta))
        return hits


def _round_robin(ranked: list, family_order: list[str]) -> list:
    """Each family's best probe in family order, then each family's second best, and so on."""
    queues: dict[str, list] = {f: [] for f in family_order}
    for r in ranked:  # already best first
        queues.setdefault(r.family, []).append(r)
    out = []
    while any(queues.values()):
        for f in list(queues):
            if queues[f]:
                out.append(queues[f].pop(0))
    return out


def _where(*, kind: str | None, family: str | None = None, round_name: str | None = None,
           dimension: str | None = None, level: int | None = None, principle: str | None = None) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if kind is None:
        clauses.append({"kind": {"$ne": "symptom"}})  # fragments are part of their probe, not items
    for key, value in (("kind", kind), ("family", family), ("dimension", dimension), ("level", level)):
        if value is not None:
            clauses.append({key: value})
    if round_name:
        clauses.append({"$or": [{f"r_{round_name}": True}, {"round": round_name}]})
    if principle:
        clauses.append({f"lp_{principle}": True})
    return clauses[0] if len(clauses) == 1 else ({"$and": clauses} if clauses else None)


class VectorRetriever:
    """ProbeRetriever over the Chroma index: a family's probes, nearest to the answer first."""

    def __init__(self, index: CorpusIndex) -> None:
        self.index = index
        # Fit the reranker now (the app builds this in a background worker at start), not on the
        # first follow-up, where its fraction of a second would add to the candidate's wait.
        index.ranker()

    def probes(self, family: str, round_name: str, query: str, k: int = 3) -> list[Probe]:
        hits = self.index.search_probes(query, k=k, family=family, round_name=round_name)
        if not hits:
            hits = self.index.search_probes(query, k=k, family=family)
        return [self.index.probes_by_id[h.metadata["item"]] for h in hits
                if h.metadata.get("item") in self.index.probes_by_id]
