"""BM25 over the chunks with the Swedish analyzer (bm25s), persisted beside the store.

The index is keyed by a signature of the chunk ids it covers. Chunk ids derive
from source and content, so when the store changes (any upsert or removal, by
this process or another) the signature changes and the index is rebuilt from
the store's own texts: the two can never drift apart.
"""
from __future__ import annotations

import hashlib
import json
import math
import shutil
from pathlib import Path

import numpy as np

from .analyzer import SwedishAnalyzer


def signature(chunk_ids: list[str]) -> str:
    return hashlib.sha1("\n".join(sorted(chunk_ids)).encode()).hexdigest()[:16]


class LexicalIndex:
    def __init__(self, ids: list[str], token_lists: list[list[str]], analyzer: SwedishAnalyzer,
                 retriever=None):
        import bm25s

        self.ids = ids
        self.analyzer = analyzer
        self.token_sets = [set(t) for t in token_lists]
        n = len(ids)
        df: dict[str, int] = {}
        for tokens in self.token_sets:
            for tok in tokens:
                df[tok] = df.get(tok, 0) + 1
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        if retriever is None:
            retriever = bm25s.BM25(k1=1.2, b=0.75)
            retriever.index([t or [""] for t in token_lists], show_progress=False)
        self._bm25 = retriever

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> "LexicalIndex":
        analyzer = SwedishAnalyzer()
        analyzer.learn(texts)
        return cls(ids, [analyzer.tokens(t) for t in texts], analyzer)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        if not self.ids or not query_tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(query_tokens), dtype=np.float32)

    def coverage(self, query_tokens: list[str], position: int) -> float:
        """IDF-weighted share of the query's known terms that chunk ``position`` contains."""
        terms = set(query_tokens)
        if not terms:
            return 0.0
        weights = {t: self.idf.get(t, max(self.idf.values(), default=1.0)) for t in terms}
        total = sum(weights.values())
        found = sum(w for t, w in weights.items() if t in self.token_sets[position])
        return found / total if total else 0.0

    # -- persistence -------------------------------------------------------------------
    def save(self, folder: Path, sig: str) -> None:
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self._bm25.save(str(tmp / "bm25"), show_progress=False)
        (tmp / "meta.json").write_text(json.dumps({
            "signature": sig, "ids": self.ids,
            "tokens": [sorted(s) for s in self.token_sets]}))
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)  # the old index stays whole until the new one is complete

    @classmethod
    def load(cls, folder: Path, sig: str, texts: list[str]) -> "LexicalIndex | None":
        import bm25s

        try:
            meta = json.loads((folder / "meta.json").read_text())
            if meta["signature"] != sig:
                return None
            retriever = bm25s.BM25.load(str(folder / "bm25"), show_progress=False, verbosity=0)
        except (OSError, ValueError, KeyError):
            return None
        analyzer = SwedishAnalyzer()
        analyzer.learn(texts)  # the same compound parts as when the index was built
        return cls(meta["ids"], meta["tokens"], analyzer, retriever)


def load_or_build(folder: Path, ids: list[str], texts: list[str]) -> LexicalIndex:
    sig = signature(ids)
    index = LexicalIndex.load(folder, sig, texts)
    if index is None:
        index = LexicalIndex.build(ids, texts)
        try:
            index.save(folder, sig)
        except OSError:
            pass  # a read-only home still answers, it just rebuilds next time
    return index
