"""BM25 over the chunks with the Swedish analyzer (bm25s), persisted beside the store.

The index is keyed by a signature of the chunk ids it covers and of the analyzer's
code. Chunk ids derive from source and content, so when the store changes (any
upsert or removal, by this process or another) or a new version changes how text
becomes terms, the signature changes and the index is rebuilt from the store's own
texts: the two can never drift apart.
"""
from __future__ import annotations

import functools
import hashlib
import json
import math
import shutil
from pathlib import Path

import numpy as np

from .analyzer import SwedishAnalyzer


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of the code that turns text into index terms: a new analyzer means a new index."""
    from . import analyzer

    digest = hashlib.sha1()
    for module_file in (analyzer.__file__, __file__):
        digest.update(Path(module_file).read_bytes())
    return digest.hexdigest()[:12]


def signature(chunk_ids: list[str]) -> str:
    """The chunks an index covers and the code that built it."""
    ids = "\n".join(sorted(chunk_ids))
    return hashlib.sha1(f"{code_version()}\n{ids}".encode()).hexdigest()[:16]


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
        self._matrix = None

    def term_ids(self, terms) -> dict[str, int]:
        vocab = self._bm25.vocab_dict
        return {t: vocab[t] for t in terms if t in vocab}

    def matrix(self):
        """BM25 term weights as a sparse (chunks x vocabulary) matrix: bm25s keeps them column-wise."""
        if self._matrix is None:
            from scipy.sparse import csc_matrix

            sc = self._bm25.scores
            indptr = np.asarray(sc["indptr"])
            self._matrix = csc_matrix((np.asarray(sc["data"], dtype=np.float32), np.asarray(sc["indices"]),
                                       indptr), shape=(len(self.ids), len(indptr) - 1))
        return self._matrix

    def weighted_scores(self, terms: dict[str, float]) -> np.ndarray:
        """BM25 of weighted query terms: the sum of weight x the term's BM25 weight in each chunk
        (with all weights 1 this is bm25s's own score; a term given twice counts twice)."""
        ids = self.term_ids(terms)
        if not self.ids or not ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        w = np.array([terms[t] for t in ids], dtype=np.float32)
        return np.asarray(self.matrix()[:, list(ids.values())] @ w, dtype=np.float32).ravel()

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> "LexicalIndex":
        analyzer = SwedishAnalyzer()
        analyzer.learn(texts)
        return cls(ids, [analyzer.tokens(t) for t in texts], analyzer)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        if not self.ids or not query_tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(query_tokens), dtype=np.float32)

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


class PassageIndex:
    """Evidence finer than a chunk, which may cover several topics.

    * ``window_scores``: BM25 of each chunk's best run of ``window`` consecutive
      sentences (sentences of the chunk indexed as small documents of their own);
    * ``proximity``: the IDF mass of distinct query words that occur within
      ``span`` words of each other, at the chunk's densest spot.

    A chunk that mentions "styrgrupp" in one paragraph and "polis" in another
    scores lower than one that says both in the same sentence.
    """

    def __init__(self, analyzer: SwedishAnalyzer, texts: list[str], idf: dict[str, float],
                 window: int = 2, span: int = 40, k1: float = 1.2, b: float = 0.75):
        from scipy.sparse import csr_matrix

        from ingest.chunker import sentence_spans

        self.n, self.idf, self.span = len(texts), idf, span
        tokens = analyzer.tokens
        # sentence windows
        owner: list[int] = []
        rows: list[dict[str, int]] = []
        for i, text in enumerate(texts):
            sents = [text[a:e] for a, e in sentence_spans(text)] or [text]
            for j in range(max(1, len(sents) - window + 1)):
                counts: dict[str, int] = {}
                for t in tokens(" ".join(sents[j:j + window])):
                    counts[t] = counts.get(t, 0) + 1
                owner.append(i)
                rows.append(counts)
        vocab: dict[str, int] = {}
        for counts in rows:
            for t in counts:
                vocab.setdefault(t, len(vocab))
        n_win = len(rows)
        lengths = np.array([sum(c.values()) for c in rows], dtype=np.float32)
        avg = float(lengths.mean()) if n_win else 1.0
        df = np.zeros(len(vocab), dtype=np.float32)
        data, cols, indptr = [], [], [0]
        for r, counts in enumerate(rows):
            for t, tf in counts.items():
                df[vocab[t]] += 1
                cols.append(vocab[t])
                data.append((tf, r))
            indptr.append(len(cols))
        widf = np.log(1 + (n_win - df + 0.5) / (df + 0.5))
        tf = np.array([d[0] for d in data], dtype=np.float32)
        row_of = np.array([d[1] for d in data], dtype=np.int64)
        cols_a = np.array(cols, dtype=np.int64)
        norm = k1 * (1 - b + b * lengths[row_of] / avg)
        weight = widf[cols_a] * tf * (k1 + 1) / (tf + norm) if data else tf
        self._vocab = vocab
        self._windows = csr_matrix((weight.astype(np.float32), cols_a, np.array(indptr)),
                                   shape=(n_win, len(vocab))).tocsc()
        self._owner = np.array(owner, dtype=np.int64)
        # word positions for proximity: term -> (chunk, position) arrays
        post_c: dict[str, list[int]] = {}
        post_p: dict[str, list[int]] = {}
        longest = 0
        for i, text in enumerate(texts):
            words = text.split()
            longest = max(longest, len(words))
            for pos, word in enumerate(words):
                for t in set(tokens(word)):
                    post_c.setdefault(t, []).append(i)
                    post_p.setdefault(t, []).append(pos)
        self._stride = longest + span + 1  # chunk i's words sit at i * stride + position
        self._postings = {t: np.array(post_c[t], dtype=np.int64) * self._stride + np.array(post_p[t])
                          for t in post_c}

    def window_scores(self, terms: dict[str, float]) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.float32)
        ids = [(self._vocab[t], w) for t, w in terms.items() if t in self._vocab]
        if not ids or not len(self._owner):
            return out
        w = np.array([x[1] for x in ids], dtype=np.float32)
        scores = np.asarray(self._windows[:, [x[0] for x in ids]] @ w).ravel()
        np.maximum.at(out, self._owner, scores)
        return out

    def proximity(self, groups: list[dict[str, float]]) -> np.ndarray:
        """Per chunk: max over spots of the summed IDF of distinct query words within ``span`` words."""
        out = np.zeros(self.n, dtype=np.float32)
        xs, gs, vs = [], [], []
        for g, group in enumerate(groups):
            for t, w in group.items():
                x = self._postings.get(t)
                if x is not None:
                    xs.append(x)
                    gs.append(np.full(len(x), g))
                    vs.append(np.full(len(x), w * self.idf.get(t, 0.0), dtype=np.float32))
        if not xs:
            return out
        x, g, v = np.concatenate(xs), np.concatenate(gs), np.concatenate(vs)
        order = np.argsort(x, kind="stable")
        x, g, v = x[order], g[order], v[order]
        e = len(x)
        vals = np.zeros((e, len(groups)), dtype=np.float32)
        vals[np.arange(e), g] = v
        end = np.searchsorted(x, x + self.span, side="left")  # events in [x, x + span)
        best = vals.copy()
        idx = np.arange(e)
        for k in range(1, int((end - idx).max())):
            ok = idx + k < end
            if not ok.any():
                break
            best[ok] = np.maximum(best[ok], vals[idx[ok] + k])
        np.maximum.at(out, x // self._stride, best.sum(axis=1))
        return out


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
