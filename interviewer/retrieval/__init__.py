"""Retrieval over the corpus: a Chroma index with offline embeddings, and a lexical ranker."""

from .lexical import LexicalRetriever, ProbeRetriever

__all__ = ["LexicalRetriever", "ProbeRetriever"]
