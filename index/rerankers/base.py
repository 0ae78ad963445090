"""The reranker seam: one abstract method."""
from __future__ import annotations

from abc import ABC, abstractmethod

from ..models import Passage


class Reranker(ABC):
    name = "reranker"

    @abstractmethod
    def scores(self, query: str, texts: list[str]) -> list[float]:
        """Relevance of each text to the query; higher is better."""

    def rerank(self, query: str, passages: list[Passage]) -> list[Passage]:
        """Passages re-ordered by reranker score (ties keep the fused order)."""
        if not passages:
            return passages
        for p, s in zip(passages, self.scores(query, [p.chunk.text for p in passages])):
            p.rerank = float(s)
        return sorted(passages, key=lambda p: -p.rerank)
