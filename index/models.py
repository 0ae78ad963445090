"""What the index returns: chunks with their scores."""
from __future__ import annotations

from dataclasses import dataclass

from ingest.models import Chunk


@dataclass
class Passage:
    chunk: Chunk
    score: float  # the fused score the ranking is by
    dense: float = 0.0  # cosine similarity to the query (e5)
    lexical: float = 0.0  # BM25
    rerank: float | None = None
    rank: int = 0  # 1-based
    moved_copy: bool = False  # a near-copy of a passage above it, moved down (see retriever)
    legal: tuple[str, ...] = ()  # the question's legal-reference tokens ("ref:osl:26:1") it contains
