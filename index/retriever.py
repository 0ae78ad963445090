"""Hybrid retrieval: dense (Chroma) and lexical (BM25, Swedish) evidence fused, optionally reranked.

The question is first rewritten (``index.query``): spelling slips fixed, informal
words given their formal synonyms. Each chunk then gets

* a dense score: e5 cosine of the rewritten question to the chunk;
* lexical scores: BM25 of the chunk, BM25 of its best two-sentence window, and
  the IDF mass of distinct question words found close together in it;

each signal z-scored over the chunks (so that e5's squeezed cosines and BM25's
open scale weigh what their settings say) and summed with its weight.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ingest.models import Chunk

from .embedders import Embedder
from .lexstore import LexicalStore, LexicalView, Refresher
from .models import Passage
from .query import Query, QueryRewriter
from .store import ChunkStore


@dataclass
class RetrievalSettings:
    """Weights of the z-scored signals.

    ``dense_weight`` = 0 turns the dense signal off, ``lexical_weight`` = 0 all lexical
    ones; ``lexical_weight`` scales the three lexical parts together. Tuned by a grid on
    the bundled suite (hit@1 + MRR@10; dense 1.5-3, each lexical part 0-1): 0.832 hit@1
    there, 0.792 when the grid is chosen on one half of the questions and scored on the
    other (2-fold, 10 halvings): expect about 0.79 on questions like these that the
    weights were not tuned on. Whole-chunk BM25 adds nothing once the best two-sentence
    window and proximity are in (0.804 with it at 0.25).
    """
    dense_candidates: int = 100  # how many nearest chunks Chroma returns
    rewrite_queries: bool = True  # fix spelling, add synonyms (index.query); False: as typed
    dense_weight: float = 2.5
    lexical_weight: float = 1.0
    chunk_bm25: float = 0.0  # BM25 of the whole chunk (the window and proximity carry it)
    window_bm25: float = 0.5  # BM25 of the chunk's best two-sentence window
    proximity: float = 0.5  # question words close together in the chunk
    proximity_span: int = 60  # words
    rerank_candidates: int = 20
    # a passage sharing more than this share of its terms (Jaccard) with one ranked above it
    # is the same text again (a paragraph repeated in two documents, a reservation repeated
    # for each district): it moves down behind ``duplicate_gap`` distinct passages, so that
    # the first places are not the same text twice. 1.0 turns this off.
    duplicate_jaccard: float = 0.7
    duplicate_gap: int = 3


# Scores are rounded to this many decimals before ranking: float32 sums and SIMD kernels
# (numpy, hnswlib, the embedder) differ in the last bits between CPUs, and a rank must not.
# Equal rounded scores are then ordered by the chunk's place in the corpus (source, offset).
SCORE_DECIMALS = 6


def _z(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    sd = float(x.std())
    return (x - x.mean()) / sd if sd > 1e-9 else np.zeros_like(x)


@dataclass
class _State:
    """What one state of the store is searched with; replaced whole, never changed."""
    chunks: list[Chunk]  # in ranking order (source, start)
    position: dict[str, int]
    view: LexicalView | None  # the persisted lexical index (index.lexstore)
    rewriter: QueryRewriter | None
    rewritten: dict[str, Query]
    sources: dict[str, dict] | None = None  # HybridRetriever.sources(), made when first asked


class HybridRetriever:
    """Ranks the indexed chunks for a question. Reloads by itself when the store changes.

    The lexical index is persisted (``index.lexstore``) and brought in step at ingest; with
    ``background`` (a server), a change is loaded in a thread while questions are answered
    from the state before it.
    """

    def __init__(self, store: ChunkStore, embedder: Embedder, home: Path,
                 settings: RetrievalSettings | None = None, reranker=None, background: bool = False):
        self.store = store
        self.embedder = embedder
        self.home = Path(home)
        self.settings = settings or RetrievalSettings()
        self.reranker = reranker
        self.background = background
        self._generation = None
        self._state = _State([], {}, None, None, {})
        self._lexstore = LexicalStore(self.home / "lexical")
        self._refresher = Refresher()
        self._checked_at = 0.0
        self._writes_seen = 0

    @property
    def lexical(self) -> LexicalView | None:
        """The lexical index (``idf``, ``analyzer``), None while the store is empty."""
        st = self._state
        return st.view if st.chunks else None

    @property
    def rewriter(self) -> QueryRewriter | None:
        return self._state.rewriter

    # -- keeping in step with the store ------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        writes = getattr(self.store, "writes", 0)
        if (not force and self._generation is not None and now - self._checked_at < 1.0
                and writes == self._writes_seen):
            return  # other processes' writes are looked for once a second; ours at once
        self._checked_at, self._writes_seen = now, writes
        generation = self.store.identity()
        if not force and generation == self._generation:
            return
        self.store.check_embedder(self.embedder)
        if self.background and self._generation is not None and not force:
            self._refresher.start(lambda: self._load(generation))
            return
        self._refresher.join()
        self._load(generation)

    def _load(self, generation) -> None:
        view = self._lexstore.open(self.store, self.settings.proximity_span)
        chunks = [view.chunks[i] for i in view.order]
        rewriter = QueryRewriter(view.analyzer, view.idf, words=view.words) if chunks else None
        self._state = _State(chunks, {c.chunk_id: i for i, c in enumerate(chunks)}, view,
                             rewriter, {})
        self._generation = generation

    @property
    def chunks(self) -> list[Chunk]:
        self.refresh()
        return self._state.chunks

    def sources(self) -> dict[str, dict]:
        """The indexed documents as ``ChunkStore.ids_by_source()`` lists them (source -> ids,
        content_hash, title, date, doc_type, diarienummer), from the chunks in memory: reading
        every chunk's metadata from Chroma takes ~13 s at 100,000 chunks."""
        self.refresh()
        st = self._state
        if st.sources is None:
            out: dict[str, dict] = {}
            for c in st.chunks:
                entry = out.get(c.source)
                if entry is None:
                    entry = out[c.source] = {"ids": set(), "content_hash": c.content_hash, "title": c.title,
                                             "date": c.date, "doc_type": c.doc_type,
                                             "diarienummer": c.diarienummer}
                entry["ids"].add(c.chunk_id)
            st.sources = out
        return st.sources

    # -- search --------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, *, source: str | None = None,
               since: str | None = None, where: Callable[[Chunk], bool] | None = None,
               vector: np.ndarray | None = None) -> list[Passage]:
        """The ``k`` best passages for ``query``, best first.

        Args:
            source: keep only chunks whose source path or title contains this text.
            since: keep only chunks of documents dated on or after this (yyyy or yyyy-mm-dd).
            where: keep only chunks for which this is true (a collection's ``contains``).
            vector: the embedder's query vector of ``rewrite(query).dense_text``, when the
                caller has it already (the calibration embeds its bank in batches).
        """
        self.refresh()
        st = self._state
        if not st.chunks:
            return []
        s = self.settings
        chunks, view = st.chunks, st.view
        n = len(chunks)
        q = self._rewrite(st, query)
        dense = np.zeros(n, dtype=np.float64)
        fused = np.zeros(n, dtype=np.float64)
        if s.dense_weight:
            found = np.zeros(n, dtype=bool)
            if vector is None:
                vector = self.embedder.embed_query(q.dense_text)
            for cid, sim in self.store.query(vector, s.dense_candidates):
                pos = st.position.get(cid)
                if pos is not None:
                    dense[pos], found[pos] = round(sim, SCORE_DECIMALS - 1), True
            if found.any():
                # chunks beyond the candidates count as the least similar candidate
                fused += s.dense_weight * _z(np.where(found, dense, dense[found].min()))
        order = view.order  # ranking position -> the view's row
        lexical = None  # whole-chunk BM25, of every chunk only when it weighs in the ranking
        if s.lexical_weight and q.terms:
            window = s.window_bm25 * _z(view.window_scores(q.terms)[order])
            near = s.proximity * _z(view.proximity(q.groups)[order])
            if s.chunk_bm25:
                lexical = view.chunk_scores(q.terms)[order]
                fused += s.lexical_weight * (s.chunk_bm25 * _z(lexical) + window + near)
            else:  # 0 x its z-scores would add exactly nothing
                fused += s.lexical_weight * (window + near)
        keep = np.ones(n, dtype=bool)
        if source:
            needle = source.lower()
            keep &= np.array([needle in c.source.lower() or needle in c.title.lower() for c in chunks])
        if since:
            keep &= np.array([bool(c.date) and c.date[:len(since)] >= since for c in chunks])
        if where is not None:
            keep &= np.array([bool(where(c)) for c in chunks])
        fused = np.round(fused, SCORE_DECIMALS)
        # best first; ties in the order of the corpus (the chunks are sorted by source, start)
        ranked = np.argsort(-fused, kind="stable")
        wanted = max(k, s.rerank_candidates if self.reranker else k)
        first = ranked[keep[ranked]][:2 * wanted].tolist()
        term_sets = {i: view.term_set(int(order[i])) for i in first}
        candidates = self._copies_moved_down(first, term_sets)[:wanted]
        before = {i: r for r, i in enumerate(first)}
        legal = {t for t in q.terms if t.startswith("ref:")}
        if lexical is None:  # shown with each passage
            shown = view.chunk_scores(q.terms, order[candidates]) if candidates else []
            lexical = dict(zip(candidates, shown))
        passages = [Passage(chunks[i], float(fused[i]), float(dense[i]), float(lexical[i]),
                            moved_copy=before[i] < r,
                            legal=tuple(sorted(t for t in legal if t in view.vocab
                                               and view.vocab[t] in term_sets[i])))
                    for r, i in enumerate(candidates)]
        if self.reranker is not None and passages:
            passages = self.reranker.rerank(query, passages)
        for rank, p in enumerate(passages, 1):
            p.rank = rank
        return passages[:k]

    def _copies_moved_down(self, order: list[int], term_sets: dict[int, set[str]]) -> list[int]:
        """``order`` with each near-copy of a passage ranked above it moved down behind the
        next ``duplicate_gap`` distinct passages (not to the end: the copy may be the one
        document the user filters for)."""
        limit, gap = self.settings.duplicate_jaccard, self.settings.duplicate_gap
        if limit >= 1.0:
            return order
        out: list[int] = []
        waiting: list[list[int]] = []  # [index, distinct passages still to let pass]
        for i in order:
            terms = term_sets[i]
            if any(len(terms & term_sets[j]) > limit * len(terms | term_sets[j]) for j in out):
                waiting.append([i, gap])
                continue
            out.append(i)
            for w in waiting:
                w[1] -= 1
            out += [w[0] for w in waiting if w[1] <= 0]
            waiting = [w for w in waiting if w[1] > 0]
        return out + [w[0] for w in waiting]

    def rewrite(self, query: str) -> Query:
        """The question as the index reads it (spelling, synonyms, unknown words); cached."""
        self.refresh()
        return self._rewrite(self._state, query)

    def _rewrite(self, st: _State, query: str) -> Query:
        q = st.rewritten.get(query)
        if q is None:
            if st.rewriter is None:
                return Query(query, query, {})
            if len(st.rewritten) > 256:
                st.rewritten.clear()
            q = st.rewritten[query] = (st.rewriter.rewrite(query) if self.settings.rewrite_queries
                                       else st.rewriter.as_typed(query))
        return q

    def chunk_terms(self, chunk_id: str) -> set[str]:
        """The index terms of one indexed chunk (empty for an unknown id)."""
        self.refresh()
        st = self._state
        pos = st.position.get(chunk_id)
        return st.view.terms_of(int(st.view.order[pos])) if pos is not None else set()

    def forget_rewrites(self) -> None:
        """Empty the cache of rewritten questions (after a batch such as the off-topic bank)."""
        self._state.rewritten.clear()

    def query_tokens(self, text: str) -> list[str]:
        self.refresh()
        lexical = self.lexical
        return lexical.analyzer.tokens(text) if lexical else []
