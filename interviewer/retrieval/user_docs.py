"""The user's own documents (their program stories, a job posting), indexed in a collection of
their own, rebuilt when the folder's content changes. Chunking uses langchain's text splitter."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ..errors import UserError
from .index import Hit, existing_collections, hits_from, replace_collection

PREFIX = "user-docs-"
SUFFIXES = {".md", ".markdown", ".txt"}
MAX_FILE_BYTES = 2 * 1024 * 1024


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise UserError(f"user_docs {folder} is not a folder")
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                  and p.stat().st_size <= MAX_FILE_BYTES)


def folder_hash(files: list[Path], folder: Path) -> str:
    digest = hashlib.sha256()
    for p in files:
        digest.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes())
    return digest.hexdigest()[:16]


class UserDocsIndex:
    def __init__(self, client, folder: Path) -> None:
        self.client = client
        self.folder = Path(folder).expanduser()
        self.files = _files(self.folder)
        self.name = PREFIX + folder_hash(self.files, self.folder)
        self._collection = None

    def ensure(self) -> bool:
        if self._collection is not None:
            return False
        if self.name in existing_collections(self.client):
            self._collection = self.client.get_collection(self.name)
            return False
        self.build()
        return True

    def build(self) -> int:
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from ..embeddings import default_encoder

        splitter = RecursiveCharacterTextSplitter(chunk_size=900, chunk_overlap=120)
        ids, docs, metas = [], [], []
        for path in self.files:
            text = path.read_bytes().decode("utf-8", errors="replace")
            for n, chunk in enumerate(splitter.split_text(text)):
                ids.append(f"{path.relative_to(self.folder).as_posix()}#{n}")
                docs.append(chunk)
                metas.append({"kind": "user_doc", "file": path.relative_to(self.folder).as_posix(), "chunk": n})
        vectors = default_encoder().encode(docs) if docs else np.zeros((0, 384), dtype=np.float32)
        self._collection = replace_collection(self.client, self.name, PREFIX, ids, docs, metas, vectors,
                                              {"folder": str(self.folder)})
        return len(ids)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        from ..embeddings import default_encoder

        self.ensure()
        if self._collection.count() == 0:
            return []
        vector = default_encoder().encode([query])[0].tolist()
        return hits_from(self._collection.query(query_embeddings=[vector], n_results=min(k, self._collection.count())))
