"""The user's own documents (their program stories, a job posting), indexed in a collection of
their own, rebuilt when the folder's content changes. Chunking uses langchain's text splitter."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import UserError
from .index import Hit

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

    def _existing(self) -> list[str]:
        return [c if isinstance(c, str) else c.name for c in self.client.list_collections()]

    def ensure(self) -> bool:
        if self._collection is not None:
            return False
        if self.name in self._existing():
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
        if self.name in self._existing():
            self.client.delete_collection(self.name)
        collection = self.client.create_collection(self.name, embedding_function=None,
                                                   metadata={"hnsw:space": "cosine"})
        if docs:
            vectors = default_encoder().encode(docs)
            for i in range(0, len(ids), 256):
                collection.add(ids=ids[i:i + 256], embeddings=vectors[i:i + 256].tolist(), documents=docs[i:i + 256],
                               metadatas=metas[i:i + 256])
        self._collection = collection
        for old in self._existing():
            if old.startswith(PREFIX) and old != self.name:
                self.client.delete_collection(old)
        return len(ids)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        from ..embeddings import default_encoder

        self.ensure()
        if self._collection.count() == 0:
            return []
        vector = default_encoder().encode([query])[0].tolist()
        result = self._collection.query(query_embeddings=[vector], n_results=min(k, self._collection.count()))
        return [Hit(id=i, kind="user_doc", text=d, score=round(1.0 - dist, 4), metadata=m)
                for i, d, m, dist in zip(result["ids"][0], result["documents"][0], result["metadatas"][0],
                                         result["distances"][0], strict=True)]
