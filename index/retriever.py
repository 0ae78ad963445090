"""Hybrid retrieval: dense (Chroma) and lexical (BM25, Swedish) rankings fused, optionally reranked."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.models import Chunk

from .embedders import Embedder
from .lexical import LexicalIndex, load_or_build
from .models import Passage
from .store import ChunkStore


@dataclass
class RetrievalSettings:
    dense_candidates: int = 100  # how many nearest chunks Chroma returns
    rrf_k: int = 60  # reciprocal-rank fusion constant
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    rerank_candidates: int = 20


class HybridRetriever:
    """Ranks the indexed chunks for a question. Reloads by itself when the store changes."""

    def __init__(self, store: ChunkStore, embedder: Embedder, home: Path,
                 settings: RetrievalSettings | None = None, reranker=None):
        self.store = store
        self.embedder = embedder
        self.home = Path(home)
        self.settings = settings or RetrievalSettings()
        self.reranker = reranker
        self._generation = None
        self._chunks: list[Chunk] = []
        self._position: dict[str, int] = {}
        self.lexical: LexicalIndex | None = None
        self._checked_at = 0.0

    # -- keeping in step with the store ------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and self._generation is not None and now - self._checked_at < 1.0:
            return
        self._checked_at = now
        generation = self.store.generation()
        if not force and generation == self._generation:
            return
        self.store.check_embedder(self.embedder)
        chunks = self.store.all_chunks()
        chunks.sort(key=lambda c: (c.source, c.start))
        self._chunks = chunks
        self._position = {c.chunk_id: i for i, c in enumerate(chunks)}
        self.lexical = load_or_build(self.home / "lexical", [c.chunk_id for c in chunks],
                                     [c.search_text() for c in chunks]) if chunks else None
        self._generation = generation

    @property
    def chunks(self) -> list[Chunk]:
        self.refresh()
        return self._chunks

    # -- search --------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, *, source: str | None = None,
               since: str | None = None) -> list[Passage]:
        """The ``k`` best passages for ``query``, best first.

        Args:
            source: keep only chunks whose source path or title contains this text.
            since: keep only chunks of documents dated on or after this (yyyy or yyyy-mm-dd).
        """
        self.refresh()
        if not self._chunks or self.lexical is None:
            return []
        n = len(self._chunks)
        dense = np.zeros(n, dtype=np.float32)
        dense_rank = np.full(n, n + 1, dtype=np.int64)
        vector = self.embedder.embed_query(query)
        hits = self.store.query(vector, self.settings.dense_candidates)
        for rank, (cid, sim) in enumerate(hits, 1):
            pos = self._position.get(cid)
            if pos is not None:
                dense[pos], dense_rank[pos] = sim, rank
        q_tokens = self.lexical.analyzer.tokens(query)
        lexical = self.lexical.scores(q_tokens)
        order = np.argsort(-lexical, kind="stable")
        lexical_rank = np.empty(n, dtype=np.int64)
        lexical_rank[order] = np.arange(1, n + 1)
        lexical_rank[lexical <= 0] = n + 1

        s = self.settings
        fused = s.dense_weight / (s.rrf_k + dense_rank) + s.lexical_weight / (s.rrf_k + lexical_rank)
        keep = np.ones(n, dtype=bool)
        if source:
            needle = source.lower()
            keep &= np.array([needle in c.source.lower() or needle in c.title.lower() for c in self._chunks])
        if since:
            keep &= np.array([bool(c.date) and c.date[:len(since)] >= since for c in self._chunks])
        candidates = [i for i in np.argsort(-fused, kind="stable") if keep[i]]
        passages = [Passage(self._chunks[i], float(fused[i]), float(dense[i]), float(lexical[i]))
                    for i in candidates[:max(k, s.rerank_candidates if self.reranker else k)]]
        if self.reranker is not None and passages:
            passages = self.reranker.rerank(query, passages)
        for rank, p in enumerate(passages, 1):
            p.rank = rank
        return passages[:k]

    def query_tokens(self, text: str) -> list[str]:
        self.refresh()
        return self.lexical.analyzer.tokens(text) if self.lexical else []

    def coverage(self, query: str, passage: Passage) -> float:
        """IDF-weighted share of the question's terms that the passage contains."""
        pos = self._position.get(passage.chunk.chunk_id)
        if pos is None or self.lexical is None:
            return 0.0
        return self.lexical.coverage(self.query_tokens(query), pos)
