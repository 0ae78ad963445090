"""The lexical index on disk: built once at ingest, updated per document, memory-mapped to serve.

What ``LexicalIndex`` and ``PassageIndex`` (``index.lexical``) build in memory from
all chunk texts is kept here as immutable *segments* (one per ingested batch of a
document's chunks, at most ``SEGMENT_CHUNKS`` each), plain numpy arrays that a
serving process memory-maps:

* raw term frequencies of each chunk and of each two-sentence window, column-wise
  (term -> rows), and their lengths;
* word positions per term (term -> chunk, position), for proximity;
* the chunks' records (text and metadata), the analyzer's learned corpus words,
  the rewriter's word counts and the distinct words (to spot tokenization changes).

Only raw counts are stored: BM25 weights need the global statistics (document
frequencies, number and average length of documents), which are summed over the
segments when a view opens and applied at query time to the query's terms, so
the scores are those of an index rebuilt from scratch. Segments share one
append-only vocabulary (term -> id). A change to the store adds segments for the
new chunks, rebuilds the segments that lost chunks from their remaining records,
and patches any segment whose words the analyzer now splits differently (its
compound parts are learned from the whole corpus): only the chunks that hold
such a word are indexed anew, the others' entries are copied; nothing else is re-read.
A view merges a term's columns over the segments once and keeps the recent ones.

The folder is keyed by the analyzer's code digest (``lexical.code_version``): a new
analyzer starts a new folder and rebuilds once. A manifest, replaced atomically,
names the segments of the current state and the store generation it reflects.
"""
from __future__ import annotations

import dataclasses
import fcntl
import json
import math
import mmap
import os
import re
import shutil
import sys
import threading
import uuid
import weakref
from collections import Counter, OrderedDict
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ingest.models import Chunk

from .analyzer import _TOKEN, SwedishAnalyzer, _normalize
from .lexical import code_version

# chunks per segment: a deletion rebuilds its segment from the remaining records, so this
# bounds the cost of removing one document from the bulk-built part (about 1-2 s per 1000
# chunks on the 2-core machine); 100 segments at 100,000 chunks cost ~10 ms per question
SEGMENT_CHUNKS = 1000
# the columns of the terms asked for lately, merged over the segments (index.lexstore.LexicalView.column)
COLUMN_CACHE_MB = 96
K1, B, WINDOW = 1.2, 0.75, 2  # as LexicalIndex (bm25s defaults) and PassageIndex
_RWORD = re.compile(r"[^\W\d_]+(?::[^\W\d_]+)?")  # query._WORD: the rewriter's words
_ARRAYS = ("c_ptr", "c_row", "c_tf", "c_len", "w_ptr", "w_row", "w_tf", "w_len", "w_owner",
           "p_ptr", "p_chunk", "p_pos", "n_words", "r_ptr", "r_term")
FORMAT = 1  # bump when the files change: a new folder is built


def _rewriter_words(texts) -> Counter:
    import unicodedata

    words: Counter = Counter()
    for text in texts:
        folded = unicodedata.normalize("NFC", text).replace("é", "e").replace("É", "E")
        words.update(w.lower() for w in _RWORD.findall(folded) if ":" not in w)
    return words


def _word_keys(texts) -> set[str]:
    """The analyzer's per-word cache keys: the words whose terms depend on the learned corpus."""
    keys: set[str] = set()
    for text in texts:
        for m in _TOKEN.finditer(_normalize(text)):
            if m.lastgroup == "word":
                raw = m.group("word")
                keys.add(raw if raw.isupper() else raw.lower())
    return keys


def _learned(texts) -> dict[str, int]:
    a = SwedishAnalyzer()
    a.learn(texts)
    return dict(a._corpus)


def analyzer_for(corpus: dict[str, int]) -> SwedishAnalyzer:
    """An analyzer that has learned exactly these corpus word counts."""
    a = SwedishAnalyzer()
    a._corpus = dict(corpus)
    a._clear_caches()
    return a


class _Entries:
    """Index entries (term id, row, value) of some chunks, as lists, before they become columns."""

    def __init__(self):
        self.c = ([], [], [])  # term, chunk row, tf
        self.w = ([], [], [])  # term, window row, tf
        self.p = ([], [], [])  # term, chunk row, word position
        self.c_len: dict[int, int] = {}
        self.w_len: dict[int, float] = {}
        self.w_owner: dict[int, int] = {}
        self.n_words: dict[int, int] = {}
        self.r_term: dict[int, list[int]] = {}

    def add(self, i: int, text: str, tokens, tid, word_ids: dict, first_window) -> None:
        """Chunk row ``i``: its terms, its windows' terms (numbered from ``first_window(i, count)``)
        and its words' places."""
        from ingest.chunker import sentence_spans

        toks = tokens(text)
        self.c_len[i] = max(1, len(toks))  # bm25s indexes an empty chunk as [""]
        row_terms = self.r_term[i] = []
        for t, tf in Counter(toks).items():
            row_terms.append(tid(t))
            self.c[0].append(row_terms[-1])
            self.c[1].append(i)
            self.c[2].append(tf)
        sents = [text[a:e] for a, e in sentence_spans(text)] or [text]
        n_win = max(1, len(sents) - WINDOW + 1)
        row = first_window(i, n_win)
        for j in range(n_win):
            counts: dict[str, int] = {}
            for t in tokens(" ".join(sents[j:j + WINDOW])):
                counts[t] = counts.get(t, 0) + 1
            self.w_owner[row + j] = i
            self.w_len[row + j] = sum(counts.values())
            for t, tf in counts.items():
                self.w[0].append(tid(t))
                self.w[1].append(row + j)
                self.w[2].append(tf)
        words = text.split()
        self.n_words[i] = len(words)
        for pos, word in enumerate(words):
            ids = word_ids.get(word)
            if ids is None:
                ids = word_ids[word] = [tid(t) for t in set(tokens(word))]
            self.p[0].extend(ids)
            self.p[1].extend([i] * len(ids))
            self.p[2].extend([pos] * len(ids))


def _term_ids(vocab: dict[str, int], terms: list[str]):
    def tid(t: str) -> int:
        i = vocab.get(t)
        if i is None:
            i = vocab[t] = len(terms)
            terms.append(t)
        return i
    return tid


def _columns(cols, rows, vals, n_terms: int):
    """(ptr, rows, vals) grouped by column, rows (then values) ascending within a column."""
    cols, rows, vals = (np.asarray(x, dtype=np.int64) for x in (cols, rows, vals))
    order = np.lexsort((vals, rows, cols))
    ptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(np.bincount(cols, minlength=n_terms), out=ptr[1:])
    return ptr, rows[order].astype(np.int32), vals[order]


def _write_segment(folder: Path, arrays: dict, records, texts, stats: dict | None = None) -> None:
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name in _ARRAYS:
        np.save(tmp / f"{name}.npy", arrays[name])
    (tmp / "ids.json").write_text(json.dumps([r[0] for r in records]))
    with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
        for cid, text, meta in records:
            f.write(json.dumps([cid, text, meta], ensure_ascii=False) + "\n")
    if stats is None:
        stats = {"learned": _learned(texts), "words": _rewriter_words(texts),
                 "keys": sorted(_word_keys(texts))}
    (tmp / "stats.json").write_text(json.dumps(stats, ensure_ascii=False))
    tmp.rename(folder)


def _put_columns(arrays: dict, kind: str, ptr, rows, vals) -> None:
    """A part's columns under the names a segment stores them by ("c", "w": rows and tf; "p": places)."""
    arrays[f"{kind}_ptr"] = ptr
    if kind == "p":
        arrays["p_chunk"], arrays["p_pos"] = rows, vals.astype(np.int32)
    else:
        arrays[f"{kind}_row"], arrays[f"{kind}_tf"] = rows, vals.astype(np.float32)


def _arrays(e: _Entries, n_chunks: int, n_terms: int) -> dict:
    n_win = len(e.w_len)
    r_term = [e.r_term[i] for i in range(n_chunks)]
    arrays = {"r_term": np.asarray([t for row in r_term for t in row], dtype=np.int32),
              "r_ptr": np.concatenate([[0], np.cumsum([len(row) for row in r_term])]).astype(np.int64)}
    for kind in "cwp":
        _put_columns(arrays, kind, *_columns(*getattr(e, kind), n_terms))
    arrays["c_len"] = np.asarray([e.c_len[i] for i in range(n_chunks)], dtype=np.int32)
    arrays["w_len"] = np.asarray([e.w_len[i] for i in range(n_win)], dtype=np.float32)
    arrays["w_owner"] = np.asarray([e.w_owner[i] for i in range(n_win)], dtype=np.int32)
    arrays["n_words"] = np.asarray([e.n_words[i] for i in range(n_chunks)], dtype=np.int32)
    return arrays


def build_segment(folder: Path, records: list[tuple[str, str, dict]], analyzer: SwedishAnalyzer,
                  vocab: dict[str, int], terms: list[str]) -> None:
    """Write one segment for ``records`` (chunk_id, text, metadata); new terms join ``vocab``."""
    tid = _term_ids(vocab, terms)
    texts = [Chunk.from_record(cid, text, meta).search_text() for cid, text, meta in records]
    entries, word_ids, windows = _Entries(), {}, [0]

    def first_window(i, count):
        windows[0] += count
        return windows[0] - count

    for i, text in enumerate(texts):
        entries.add(i, text, analyzer.tokens, tid, word_ids, first_window)
    _write_segment(folder, _arrays(entries, len(texts), len(terms)), records, texts)


def patch_segment(folder: Path, old: "Segment", changed: set[str], analyzer: SwedishAnalyzer,
                  vocab: dict[str, int], terms: list[str]) -> int:
    """Write ``old`` again as ``folder`` with only its chunks that hold a word of ``changed``
    (analyzer cache keys whose terms changed) indexed anew; the others' entries are copied.
    The result is what ``build_segment`` writes for the same records. Returns the chunks redone."""
    records = old.records()
    texts = [Chunk.from_record(cid, text, meta).search_text() for cid, text, meta in records]
    redo = [i for i, text in enumerate(texts)  # as written and as split on spaces (places)
            if not changed.isdisjoint(_word_keys([text, *text.split()]))]
    tid = _term_ids(vocab, terms)
    fresh, word_ids = _Entries(), {}
    w_owner = np.asarray(old.w_owner)
    w_start = np.searchsorted(w_owner, np.arange(old.n), side="left")

    def first_window(i, count):
        assert count == int(np.sum(w_owner == i)), "a chunk's sentence windows do not depend on the analyzer"
        return int(w_start[i])

    for i in redo:
        fresh.add(i, texts[i], analyzer.tokens, tid, word_ids, first_window)
    redone = np.zeros(old.n, dtype=bool)
    redone[redo] = True
    n_terms = len(terms)
    arrays = {}
    for kind, owner in (("c", None), ("w", w_owner), ("p", None)):
        ptr = np.asarray(getattr(old, f"{kind}_ptr"))
        cols = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
        rows = np.asarray(getattr(old, "p_chunk" if kind == "p" else f"{kind}_row"), dtype=np.int64)
        vals = np.asarray(getattr(old, "p_pos" if kind == "p" else f"{kind}_tf"))
        keep = ~redone[rows if owner is None else owner[rows]]
        new_cols, new_rows, new_vals = getattr(fresh, kind)
        ptr, rows, vals = _columns(np.concatenate([cols[keep], np.asarray(new_cols, dtype=np.int64)]),
                                   np.concatenate([rows[keep], np.asarray(new_rows, dtype=np.int64)]),
                                   np.concatenate([vals[keep].astype(np.int64),
                                                   np.asarray(new_vals, dtype=np.int64)]), n_terms)
        _put_columns(arrays, kind, ptr, rows, vals)
    c_len = np.array(old.c_len, dtype=np.int32)
    w_len = np.array(old.w_len, dtype=np.float32)
    for i, n in fresh.c_len.items():
        c_len[i] = n
    for r, n in fresh.w_len.items():
        w_len[r] = n
    r_ptr, r_term = np.asarray(old.r_ptr), np.asarray(old.r_term)
    rows_terms = [fresh.r_term[i] if redone[i] else r_term[r_ptr[i]:r_ptr[i + 1]] for i in range(old.n)]
    arrays["r_term"] = (np.concatenate([np.asarray(r, dtype=np.int32) for r in rows_terms])
                        if old.n else np.zeros(0, dtype=np.int32))
    arrays["r_ptr"] = np.concatenate([[0], np.cumsum([len(r) for r in rows_terms])]).astype(np.int64)
    arrays.update(c_len=c_len, w_len=w_len, w_owner=w_owner.astype(np.int32),
                  n_words=np.array(old.n_words, dtype=np.int32))
    _write_segment(folder, arrays, records, texts, stats=old.stats())
    return len(redo)


_META_STRINGS = ("source", "title", "section", "doc_type", "date", "diarienummer", "issuer",
                 "content_hash", "page_starts")
_TEXTS_KEPT = 64  # texts per segment kept after use (a question reads its passages' several times)


_READ = ("c_row", "c_tf", "w_row", "w_tf", "p_chunk", "p_pos")  # read by column, not mapped


class _NpyFile:
    """A .npy file kept open and read in slices with pread (no memory mapping)."""

    def __init__(self, path: Path):
        self.fd = os.open(path, os.O_RDONLY)
        self._closer = weakref.finalize(self, os.close, self.fd)
        with open(path, "rb") as f:
            fmt = np.lib.format
            version = fmt.read_magic(f)
            read_header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
            shape, fortran, dtype = read_header(f)
            assert not fortran and not dtype.hasobject, "a segment's arrays are plain C arrays"
            self.offset = f.tell()
        self.dtype, self.length = np.dtype(dtype), int(np.prod(shape))

    def read(self, a: int, e: int) -> np.ndarray:
        size = self.dtype.itemsize
        data = os.pread(self.fd, (e - a) * size, self.offset + a * size)
        return np.frombuffer(data, dtype=self.dtype)


class StoredChunk(Chunk):
    """A chunk of a segment that reads its text (and OCR original) from the segment's file when
    used. A view of 100,000 chunks holds their metadata (strings shared between the chunks of a
    document), not the ~150 MB of their texts; a question reads those of its passages. Copies
    and pickles are plain ``Chunk`` objects."""

    def __init__(self, *args, **fields):
        if not (args and isinstance(args[0], Segment)):  # dataclasses.replace(): texts given
            Chunk.__init__(self, *args, **fields)
            return
        segment, row, chunk_id, meta = args
        d = self.__dict__
        d["chunk_id"], d["_segment"], d["_row"] = chunk_id, segment, row
        for key in _META_STRINGS:
            d[key] = sys.intern(str(meta.get(key, "")))
        d["start"], d["end"] = int(meta.get("start", 0)), int(meta.get("end", 0))
        d["page"] = int(meta.get("page", 1))

    @property
    def text(self) -> str:
        d = self.__dict__
        return d["_text"] if "_text" in d else d["_segment"].text(d["_row"])[0]

    @text.setter
    def text(self, value: str) -> None:
        self.__dict__["_text"] = value

    @property
    def raw_text(self) -> str:
        d = self.__dict__
        return d["_raw_text"] if "_raw_text" in d else d["_segment"].text(d["_row"])[1]

    @raw_text.setter
    def raw_text(self, value: str) -> None:
        self.__dict__["_raw_text"] = value

    def __reduce__(self):
        return Chunk, tuple(getattr(self, f.name) for f in dataclasses.fields(Chunk))


class Segment:
    """One segment, memory-mapped."""

    def __init__(self, folder: Path):
        self.name = folder.name
        self.folder = folder
        for name in _ARRAYS:
            if name not in _READ:
                setattr(self, name, np.load(folder / f"{name}.npy", mmap_mode="r"))
        # the columns' arrays are read with pread, not mapped: a mapped page read stays resident
        # in this process (with its neighbours) for as long as the mapping lives, ~200 MB at
        # 100,000 chunks after a few hundred questions; an open file outlives an unlink too
        self._files = {name: _NpyFile(folder / f"{name}.npy") for name in _READ}
        self.n = len(self.c_len)
        self._chunks: list[Chunk] | None = None
        self._texts: OrderedDict = OrderedDict()  # row -> (text, raw_text), the last few used
        self._text_lock = threading.Lock()

    def records(self) -> list[tuple[str, str, dict]]:
        with open(self.folder / "chunks.jsonl", encoding="utf-8") as f:
            return [tuple(json.loads(line)) for line in f]

    def ids(self) -> list[str]:
        try:
            return json.loads((self.folder / "ids.json").read_text())
        except OSError:
            return [r[0] for r in self.records()]

    def chunks(self) -> list[Chunk]:
        """The segment's chunks, read once per process (a segment never changes). Their texts
        stay on disk until used (``StoredChunk``)."""
        if self._chunks is None:
            path = self.folder / "chunks.jsonl"
            with open(path, "rb") as f:
                data = f.read()
                # texts are read from this mapping later: it outlives a sync that unlinks the file
                self._jsonl = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if data else None
            ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)  # JSON escapes \n
            self._line_starts = np.concatenate([[0], ends + 1]).tolist()
            self._chunks = [StoredChunk(self, i, *json.loads(data[a:e])[::2])
                            for i, (a, e) in enumerate(zip(self._line_starts, ends.tolist()))]
        return self._chunks

    def text(self, row: int) -> tuple[str, str]:
        """(text, raw_text) of the chunk in row ``row``."""
        with self._text_lock:
            hit = self._texts.get(row)
        if hit is None:
            a, e = self._line_starts[row], self._line_starts[row + 1] - 1
            _, text, meta = json.loads(self._jsonl[a:e])
            hit = (text, meta.get("raw_text", ""))
            with self._text_lock:
                if len(self._texts) >= _TEXTS_KEPT:
                    self._texts.popitem(last=False)
                self._texts[row] = hit
        return hit

    def stats(self) -> dict:
        return json.loads((self.folder / "stats.json").read_text())

    def column(self, kind: str, t: int):
        """(rows, values) of term id ``t`` in the chunk ("c"), window ("w") or position ("p") part."""
        ptr = getattr(self, f"{kind}_ptr")
        if t >= len(ptr) - 1:
            return None
        a, e = int(ptr[t]), int(ptr[t + 1])
        if a == e:
            return None
        if kind == "p":
            return self._files["p_chunk"].read(a, e), self._files["p_pos"].read(a, e)
        return self._files[f"{kind}_row"].read(a, e), self._files[f"{kind}_tf"].read(a, e)

    def __getattr__(self, name: str):
        """A column array whole (patch_segment), memory-mapped for the moment."""
        if name in _READ:
            return np.load(self.folder / f"{name}.npy", mmap_mode="r")
        raise AttributeError(name)

    def df(self, kind: str, n_terms: int) -> np.ndarray:
        ptr = np.asarray(getattr(self, f"{kind}_ptr"))
        out = np.zeros(n_terms, dtype=np.int64)
        d = np.diff(ptr)
        out[:len(d)] = d
        return out


def _add(total: dict, part: dict, sign: int = 1) -> None:
    for k, v in part.items():
        n = total.get(k, 0) + sign * v
        if n:
            total[k] = n
        else:
            total.pop(k, None)


class LexicalStore:
    """The segments under ``home/lexical/<code version>`` and their manifest."""

    def __init__(self, folder: Path):
        self.root = Path(folder) / f"{code_version()}-{FORMAT}"
        self._segments: dict[str, Segment] = {}  # opened segments, reused across views
        self.redone = 0  # chunks of kept segments indexed anew by the last sync (patch_segment)

    # -- files ---------------------------------------------------------------------------
    @contextmanager
    def _locked(self):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "lock", "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def manifest(self) -> dict | None:
        try:
            return json.loads((self.root / "manifest.json").read_text())
        except (OSError, ValueError):
            return None

    def _write_json(self, name: str, data) -> None:
        tmp = self.root / f".{name}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(data, ensure_ascii=False))
        os.replace(tmp, self.root / name)

    def segment(self, name: str) -> Segment:
        seg = self._segments.get(name)
        if seg is None:
            seg = self._segments[name] = Segment(self.root / "segments" / name)
        return seg

    def current(self, store) -> bool:
        """Whether the manifest reflects the store as it is now."""
        m = self.manifest()
        return m is not None and m.get("store") == store.identity()

    # -- keeping in step with the chunk store --------------------------------------------
    def sync(self, store) -> dict:
        """Bring the segments in step with ``store``; returns the manifest. Safe across processes."""
        with self._locked():
            m = self.manifest()
            identity = store.identity()
            if m is not None and m.get("store") == identity:
                return m
            if m is None:
                m = {"segments": [], "learned": {}, "words": {}}
                shutil.rmtree(self.root / "segments", ignore_errors=True)
            live = store.ids()
            live_set = set(live)
            keep, shrunk, known = [], [], set()
            for name in m["segments"]:
                seg = self.segment(name)
                ids = seg.ids()
                known.update(ids)
                if all(i in live_set for i in ids):
                    keep.append(name)
                else:
                    shrunk.append((name, [r for r in seg.records() if r[0] in live_set]))
            new_ids = [i for i in live if i not in known]
            groups = [recs for _, recs in shrunk if recs]
            by_source: dict[str, list] = {}
            for rec in store.records(new_ids):
                by_source.setdefault(rec[2].get("source", ""), []).append(rec)
            batch: list = []
            for recs in by_source.values():  # one segment per document, small ones together
                for i in range(0, len(recs), SEGMENT_CHUNKS):
                    part = recs[i:i + SEGMENT_CHUNKS]
                    if batch and len(batch) + len(part) > SEGMENT_CHUNKS:
                        groups.append(batch)
                        batch = []
                    batch = batch + part
            if batch:
                groups.append(batch)
            learned, words = dict(m["learned"]), dict(m["words"])
            for name, _ in shrunk:
                st = self.segment(name).stats()
                _add(learned, st["learned"], -1)
                _add(words, st["words"], -1)
            for recs in groups:
                _add(learned, _learned([Chunk.from_record(*r).search_text() for r in recs]))
            # a kept segment is rebuilt when the new corpus changes how one of its words is split
            # (only its chunks that hold such a word are indexed anew: patch_segment)
            old_an, new_an = analyzer_for(m["learned"]), analyzer_for(learned)
            patched, changed = [], set()
            if keep and _status_changed(m["learned"], learned, old_an, new_an):
                stats = {name: self.segment(name).stats() for name in keep}
                changed = _changed_words(m["learned"], learned, old_an, new_an,
                                         set().union(*(st["keys"] for st in stats.values())))
                for name in list(keep):
                    if changed.intersection(stats[name]["keys"]):
                        keep.remove(name)
                        shrunk.append((name, None))
                        patched.append(name)
            vocab_list = self._vocab()
            vocab = {t: i for i, t in enumerate(vocab_list)}
            (self.root / "segments").mkdir(parents=True, exist_ok=True)
            built = []
            self.redone = 0
            for old_name in patched:
                name = uuid.uuid4().hex[:12]
                self.redone += patch_segment(self.root / "segments" / name, self.segment(old_name),
                                             changed, new_an, vocab, vocab_list)
                built.append(name)
            for recs in groups:
                name = uuid.uuid4().hex[:12]
                build_segment(self.root / "segments" / name, recs, new_an, vocab, vocab_list)
                built.append(name)
                _add(words, self.segment(name).stats()["words"])
            self._write_json("vocab.json", vocab_list)
            m = {"store": identity, "segments": keep + built, "n_terms": len(vocab_list),
                 "learned": learned, "words": words}
            self._write_json("manifest.json", m)
            for name, _ in shrunk:  # readers hold them memory-mapped: unlink only
                self._segments.pop(name, None)
                shutil.rmtree(self.root / "segments" / name, ignore_errors=True)
            return m

    def _vocab(self) -> list[str]:
        try:
            return json.loads((self.root / "vocab.json").read_text())
        except (OSError, ValueError):
            return []

    def open(self, store, span: int) -> "LexicalView":
        """The current state as a view for search (syncing first when the store moved on)."""
        m = self.manifest()
        if m is None or m.get("store") != store.identity():
            m = self.sync(store)
        return LexicalView(self, m, span)


def _status_changed(old: dict, new: dict, old_an, new_an) -> list[str]:
    """Corpus words whose presence or trust as a compound part differs between the two corpora."""
    return [w for w in set(old) | set(new)
            if (w in old) != (w in new) or old_an._in_corpus(w) != new_an._in_corpus(w)]


def _changed_words(old: dict, new: dict, old_an, new_an, keys: set[str]) -> set[str]:
    """Words among ``keys`` whose terms differ between the two learned corpora."""
    diff = _status_changed(old, new, old_an, new_an)
    if not diff:
        return set()
    # a word's split only looks up its own substrings (maybe with -a/-e added)
    cores = {w[:-1] if w[-1] in "ae" else w for w in diff}
    ordered = sorted(keys)
    blob = "\n".join(ordered)
    starts = np.cumsum([0] + [len(k) + 1 for k in ordered])
    hit: set[str] = set()
    for core in cores:
        i = blob.find(core)
        while i >= 0:
            hit.add(ordered[int(np.searchsorted(starts, i, side="right")) - 1])
            i = blob.find(core, i + 1)
    return {k for k in hit if old_an.tokens(k) != new_an.tokens(k)}


_FAR = np.iinfo(np.int64).max


def row_sums(columns: list[np.ndarray]) -> np.ndarray:
    """The float32 sums across ``columns``, element by element, added in the order in which
    ``np.stack(columns, axis=1).sum(axis=1)`` adds them (numpy's pairwise sum: in sequence
    below eight columns, else eight running sums, combined pairwise, then the rest), without
    building the stacked array: one pass per column. ``PassageIndex`` sums that way."""
    if len(columns) > 128:  # numpy splits longer rows into blocks; not worth copying
        return np.stack(columns, axis=1).sum(axis=1)
    if len(columns) < 8:
        total = columns[0].copy()
        for c in columns[1:]:
            total += c
        return total
    r = [c.copy() for c in columns[:8]]
    i, whole = 8, len(columns) - len(columns) % 8
    while i < whole:
        for j in range(8):
            r[j] += columns[i + j]
        i += 8
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for c in columns[i:]:
        total += c
    return total


class LexicalView:
    """One consistent state of the segments: global statistics and the three lexical signals.

    Rows are in view order (segments concatenated); ``chunks`` lists them.
    """

    def __init__(self, lex: LexicalStore, manifest: dict, span: int):
        self.manifest = manifest
        self.span = span
        self.segments = [lex.segment(name) for name in manifest["segments"]]
        self.offsets = np.cumsum([0] + [s.n for s in self.segments])
        self.n = int(self.offsets[-1])
        self.chunks: list[Chunk] = [c for seg in self.segments for c in seg.chunks()]
        self.terms = lex._vocab()[:manifest["n_terms"]]
        self.vocab = {t: i for i, t in enumerate(self.terms)}
        v = len(self.terms)
        c_df = sum((s.df("c", v) for s in self.segments), np.zeros(v, dtype=np.int64))
        self.w_df = sum((s.df("w", v) for s in self.segments), np.zeros(v, dtype=np.int64)
                        ).astype(np.float32)
        self.c_df = c_df
        n = self.n
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5))
                    for t, d in zip(self.terms, c_df.tolist()) if d}
        self.analyzer = analyzer_for(manifest["learned"])
        self.words = Counter(manifest["words"])
        # averages in the order the chunks are ranked (source, start), as a rebuild computes them
        order = sorted(range(n), key=lambda i: (self.chunks[i].source, self.chunks[i].start))
        self.order = np.asarray(order, dtype=np.int64)  # ranked position -> view row
        c_len = np.concatenate([np.asarray(s.c_len) for s in self.segments]) if n else np.zeros(0)
        self.c_avg = np.array(c_len[self.order]).mean() if n else 1.0
        w_len = [np.asarray(s.w_len) for s in self.segments]
        w_owner = [np.asarray(s.w_owner) + off for s, off in zip(self.segments, self.offsets)]
        self.n_win = sum(len(x) for x in w_len)
        if self.n_win:
            rank_of = np.empty(n, dtype=np.int64)
            rank_of[self.order] = np.arange(n)
            owners = np.concatenate(w_owner)
            lens = np.concatenate(w_len)[np.argsort(rank_of[owners], kind="stable")]
            self.w_avg = float(lens.mean())
        else:
            self.w_avg = 1.0
        self.c_len = c_len
        self.w_len = np.concatenate(w_len) if self.n_win else np.zeros(0, dtype=np.float32)
        self.w_owner = np.concatenate(w_owner) if self.n_win else np.zeros(0, dtype=np.int64)
        self.w_offsets = np.cumsum([0] + [len(x) for x in w_len])
        self.w_first = np.searchsorted(self.w_owner, np.arange(n))  # each chunk's first window
        if n and not (self.w_first[0] == 0 and (np.diff(self.w_first) > 0).all()):
            self.w_first = None  # a chunk without a window: np.maximum.at over the owners
        self._columns: OrderedDict = OrderedDict()  # (kind, term id) -> arrays over all segments
        self._column_bytes = 0
        self._lock = threading.Lock()
        longest = max((int(np.max(s.n_words)) for s in self.segments if s.n), default=0)
        self.stride = longest + span + 1
        self._widf = np.log(1 + (self.n_win - self.w_df + 0.5) / (self.w_df + 0.5))

    def term_set(self, row: int) -> frozenset[int]:
        """The distinct term ids of the chunk in view row ``row`` (for the near-copy rule)."""
        s = int(np.searchsorted(self.offsets, row, side="right")) - 1
        seg, local = self.segments[s], row - int(self.offsets[s])
        return frozenset(np.asarray(seg.r_term[int(seg.r_ptr[local]):int(seg.r_ptr[local + 1])]).tolist())

    def terms_of(self, row: int) -> set[str]:
        """The distinct index terms (as text) of the chunk in view row ``row``."""
        return {self.terms[i] for i in self.term_set(row)}

    def column(self, kind: str, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Term id ``t``'s column over all segments: (view rows, values) for the chunk ("c")
        and window ("w") parts, (places, places) for positions ("p"), a place being coded
        view row * stride + word position. Ascending; the last ``COLUMN_CACHE_MB`` used are
        kept, so that a question costs one array operation per term, not one per segment."""
        key = (kind, t)
        with self._lock:
            hit = self._columns.get(key)
            if hit is not None:
                self._columns.move_to_end(key)
                return hit
        hit = self._merged(kind, t)
        size = hit[0].nbytes + (hit[1].nbytes if hit[1] is not hit[0] else 0)
        with self._lock:
            if key not in self._columns:
                self._columns[key] = hit
                self._column_bytes += size
            while self._column_bytes > COLUMN_CACHE_MB * 2**20 and len(self._columns) > 1:
                _, (a, b) = self._columns.popitem(last=False)
                self._column_bytes -= a.nbytes + (b.nbytes if b is not a else 0)
        return hit

    def _merged(self, kind: str, t: int) -> tuple[np.ndarray, np.ndarray]:
        base = self.w_offsets if kind == "w" else self.offsets
        rows, values = [], []
        for s, seg in enumerate(self.segments):
            col = seg.column(kind, t)
            if col is None:
                continue
            r, v = np.asarray(col[0], dtype=np.int64) + base[s], col[1]
            if kind == "p":
                rows.append(r * self.stride + np.asarray(v, dtype=np.int64))
            else:
                rows.append(r)
                values.append(np.asarray(v, dtype=np.float32))
        r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        if kind == "p":
            return r, r
        return r, (np.concatenate(values) if values else np.zeros(0, dtype=np.float32))

    def _ids(self, terms):
        return [(self.vocab[t], w) for t, w in terms.items() if t in self.vocab]

    def chunk_scores(self, terms: dict[str, float], rows: np.ndarray | None = None) -> np.ndarray:
        """BM25 (bm25s, Lucene variant) of weighted query terms per chunk, view order; with
        ``rows``, of those view rows only (the same values, in their order)."""
        n = self.n
        if rows is not None:
            rows = np.asarray(rows, dtype=np.int64)
            order = np.argsort(rows, kind="stable")
            wanted = rows[order]
        out = np.zeros(n if rows is None else len(rows), dtype=np.float32)
        for t, w in self._ids(terms):
            d = int(self.c_df[t])
            if not d:
                continue
            idf = np.float32(math.log(1 + (n - d + 0.5) / (d + 0.5)))
            col, tf = self.column("c", t)
            if not len(col):
                continue
            if rows is not None:  # the column's entries for the wanted rows, if any
                at = np.minimum(np.searchsorted(col, wanted), len(col) - 1)
                hit = col[at] == wanted
                col, tf, where = col[at[hit]], tf[at[hit]], order[hit]
            dl = self.c_len[col]
            weight = (idf * (tf / (K1 * ((1 - B) + B * dl / self.c_avg) + tf))).astype(np.float32)
            out[col if rows is None else where] += np.float32(w) * weight
        return out

    def window_scores(self, terms: dict[str, float]) -> np.ndarray:
        """BM25 of each chunk's best two-sentence window (as ``PassageIndex.window_scores``)."""
        out = np.zeros(self.n, dtype=np.float32)
        if not self.n_win:
            return out
        acc = None
        for t, w in self._ids(terms):
            rows, tf = self.column("w", t)
            if not len(rows):
                continue
            norm = K1 * (1 - B + B * self.w_len[rows] / self.w_avg)
            weight = self._widf[t] * tf * (K1 + 1) / (tf + norm)
            if acc is None:
                acc = np.zeros(self.n_win, dtype=np.float32)
            acc[rows] += weight.astype(np.float32) * np.float32(w)
        if acc is None:
            return out
        if self.w_first is not None:  # a chunk's windows are consecutive: its best in one pass
            np.maximum(out, np.maximum.reduceat(acc, self.w_first), out=out)
        else:
            np.maximum.at(out, self.w_owner, acc)
        return out

    def positions(self, t: int) -> np.ndarray:
        """Every place of term id ``t``, ascending, coded view row * stride + word position."""
        return self.column("p", t)[0]

    def proximity(self, groups: list[dict[str, float]]) -> np.ndarray:
        """As ``PassageIndex.proximity``: per chunk the best IDF mass of distinct query words
        within ``span`` words, bit for bit.

        A chunk where the words of one group (question word) alone occur scores that
        group's best term. Only in chunks where two or more groups occur are the spans
        looked at, and there only at the places (spots) that have a word of another group
        less than ``span`` words on (elsewhere a spot's value is one word's, which the
        chunk's best single word already gives): per spot, per group, the best value among
        its terms whose next place is less than ``span`` words on, summed in the order
        ``PassageIndex`` sums them. Each step is a pass over arrays of places, no Python
        loop over chunks or places.
        """
        out = np.zeros(self.n, dtype=np.float32)
        slots = []  # (group, value, places)
        for g, group in enumerate(groups):
            for term, w in group.items():
                t = self.vocab.get(term)
                if t is None:
                    continue
                x = self.positions(t)
                if len(x):
                    slots.append((g, np.float32(w * self.idf.get(term, 0.0)), x))
        if not slots:
            return out
        stride, span = self.stride, self.span
        in_group = np.zeros((len(groups), self.n), dtype=bool)
        rows_of = []
        for g, v, x in slots:
            rows = x // stride
            rows_of.append(rows)
            out[rows] = np.maximum(out[rows], v)  # the best single word of each chunk
            in_group[g, rows] = True
        several = in_group.sum(axis=0) > 1
        if not several.any():
            return out
        slots = [(g, v, x[several[rows]]) for (g, v, x), rows in zip(slots, rows_of)]
        slots = [s for s in slots if len(s[2])]
        # every place of every slot, ascending, tagged with its slot in the low bits (a merge
        # of sorted runs: the stable sort finds them)
        bits = max(1, (len(slots) - 1).bit_length())
        events = np.concatenate([(x << bits) | k for k, (_, _, x) in enumerate(slots)])
        events.sort(kind="stable")
        places = events >> bits
        slot = (events & ((1 << bits) - 1)).astype(np.uint8 if bits <= 8 else np.uint16)
        group = np.array([g for g, _, _ in slots], dtype=np.int32)[slot]
        e = len(places)
        new = np.empty(e, dtype=bool)
        new[0] = True
        np.not_equal(places[1:], places[:-1], out=new[1:])
        first = np.flatnonzero(new)  # each spot's first event
        spots = places[first]
        # a spot counts where the run of its first event's group ends less than span on
        change = np.empty(e, dtype=bool)
        change[0] = True
        np.not_equal(group[1:], group[:-1], out=change[1:])
        run_end = np.append(np.flatnonzero(change)[1:], e)[np.cumsum(change)[first] - 1]
        wanted = np.append(places, _FAR)[run_end] - spots < span
        if not wanted.any():
            return out
        # the wanted spots from the last to the first, so that "the next place of a term on"
        # is a running minimum over contiguous memory (in 32 bits when the places fit)
        last_kept = np.cumsum(wanted) - 1  # per spot: the last wanted spot at or before it
        n_kept = int(last_kept[-1]) + 1
        small = self.n * stride + span < np.iinfo(np.int32).max
        dtype, far = (np.int32, np.iinfo(np.int32).max) if small else (np.int64, _FAR)
        ascending = spots[wanted]
        kept = ascending[::-1].astype(dtype)
        reach = kept + dtype(span)
        ends_of = last_kept[np.cumsum(new) - 1]  # event -> the last wanted spot at or before it
        by_slot = np.argsort(slot, kind="stable")  # radix sort: each slot's events, ascending
        start = 0
        best: list[np.ndarray | None] = [None] * len(groups)
        for g, v, x in slots:
            ends = ends_of[by_slot[start:start + len(x)]]
            start += len(x)
            if best[g] is None:
                best[g] = np.zeros(n_kept, dtype=np.float32)
            if 8 * len(x) < n_kept:  # a rare term: mark the spots within span before its places
                lo = np.searchsorted(ascending, x - span, side="right")
                count = np.maximum(ends - lo + 1, 0)
                total = int(count.sum())
                if 2 * total < n_kept:
                    hit = count > 0
                    count, lo = count[hit], lo[hit]
                    at = np.arange(total) + np.repeat(lo - (np.cumsum(count) - count), count)
                    at = (n_kept - 1) - at
                    best[g][at] = np.maximum(best[g][at], v)
                    continue
            firsts = np.flatnonzero(np.diff(ends, prepend=-2))
            firsts = firsts[ends[firsts] >= 0]  # places before the first wanted spot: none
            nxt = np.full(n_kept, far, dtype=dtype)
            nxt[(n_kept - 1) - ends[firsts]] = x[firsts]  # each spot's first place of the term
            np.minimum.accumulate(nxt, out=nxt)  # ... at or after it
            np.maximum(best[g], np.where(nxt < reach, v, np.float32(0)), out=best[g])
        zero = np.zeros(n_kept, dtype=np.float32)
        sums = row_sums([b if b is not None else zero for b in best])
        rows = kept // stride
        starts = np.flatnonzero(np.diff(rows, prepend=-1))
        rows = rows[starts]
        out[rows] = np.maximum(out[rows], np.maximum.reduceat(sums, starts))
        return out


class Refresher:
    """Builds the next view in a background thread; the current one serves meanwhile."""

    def __init__(self):
        self._thread: threading.Thread | None = None
        self.error: Exception | None = None

    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, work) -> None:
        if self.busy():
            return

        def run():
            try:
                work()
            except Exception as exc:  # the old view keeps serving; the next check retries
                self.error = exc

        self._thread = threading.Thread(target=run, name="handbok-lexical", daemon=True)
        self._thread.start()

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()
