"""The index's own "unrelated question" distribution, fitted without labelled questions.

Every corpus has its own cosine scale: the best e5 cosine of an unrelated question is
0.83 on one index and 0.86 on another, so a fixed cut-off copied from one corpus answers
or refuses the wrong questions on the next. Instead, a bank of a few hundred off-topic
municipal questions (``data/offtopic_questions.txt``: HR, building, traffic, health,
elderly care, culture, IT, economy, school administration, and near-domain questions
staff ask that secrecy and cooperation guidance does not answer) is run through the
current index. Their evidence (``assistant.evidence``) is the null distribution: what
"not about these documents" looks like on *this* index. ``RefusalPolicy`` then places
a question's evidence within it.

The fit costs one ranking per bank question (a few seconds to half a minute on two
cores). It is cached in ``HANDBOK_HOME/calibration.json``, keyed by the indexed chunks'
signature, the embedder, the bank and this code, and refitted at the end of
``handbok ingest`` or lazily by the first question after the index changed.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .evidence import Evidence, gather

log = logging.getLogger(__name__)
BANK = Path(__file__).resolve().parent / "data" / "offtopic_questions.txt"
FILE = "calibration.json"
MIN_ENGLISH = 10  # fewer English bank questions detected as English: no English offset


@functools.lru_cache(maxsize=4)
def load_bank(path: Path = BANK) -> tuple[str, ...]:
    """The off-topic questions, one a line (``#`` lines are comments)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


def _code_digest() -> str:
    from . import evidence

    digest = hashlib.sha1()
    for f in (evidence.__file__, __file__, str(BANK)):
        digest.update(Path(f).read_bytes())
    return digest.hexdigest()[:12]


def index_key(retriever) -> str:
    """What the null distribution depends on: the chunks, the embedder, the bank and this code."""
    from index.lexical import signature

    ids = [c.chunk_id for c in retriever.chunks]
    s = retriever.settings
    tuning = (s.dense_weight, s.lexical_weight, s.window_bm25, s.proximity, s.chunk_bm25,
              s.rewrite_queries, s.duplicate_jaccard)
    raw = f"{signature(ids)}|{retriever.embedder.name}|{_code_digest()}|{tuning}"
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


@dataclass
class NullDistribution:
    """The bank's evidence on one index: dense tops, coverages, unknown shares, English flags."""

    key: str
    dense: list[float]
    coverage: list[float]
    unknown: list[float]
    english: list[bool]
    seconds: float = 0.0

    @property
    def n(self) -> int:
        return len(self.dense)

    def dense_centre(self) -> float:
        """Median best cosine of an unrelated Swedish question on this index."""
        d = np.array(self.dense)
        sv = d[~np.array(self.english, dtype=bool)] if self.n else d
        return float(np.median(sv if len(sv) else d)) if self.n else 0.85

    def dense_spread(self) -> float:
        """Interquartile range of those cosines (the index's cosine scale); never below 0.005."""
        d = np.array(self.dense)
        sv = d[~np.array(self.english, dtype=bool)] if self.n else d
        if len(sv) < 4:
            return 0.02
        q75, q25 = np.percentile(sv, [75, 25])
        return float(max(0.005, q75 - q25))

    def english_offset(self) -> float:
        """How much lower an English question's cosines run on this index (cross-lingual
        matching), measured on the bank's English questions; 0 when too few."""
        d = np.array(self.dense)
        en = np.array(self.english, dtype=bool)
        if en.sum() < MIN_ENGLISH or (~en).sum() < MIN_ENGLISH:
            return 0.0
        return float(np.median(d[~en]) - np.median(d[en]))

    def evidence(self) -> list[Evidence]:
        return [Evidence(d, c, u, e) for d, c, u, e in zip(self.dense, self.coverage, self.unknown, self.english)]

    def to_json(self) -> dict:
        return {"key": self.key, "n": self.n, "seconds": round(self.seconds, 2),
                "dense": [round(x, 5) for x in self.dense], "coverage": [round(x, 4) for x in self.coverage],
                "unknown": [round(x, 4) for x in self.unknown], "english": self.english}

    @classmethod
    def from_json(cls, data: dict) -> "NullDistribution":
        return cls(data["key"], list(data["dense"]), list(data["coverage"]), list(data["unknown"]),
                   [bool(e) for e in data["english"]], float(data.get("seconds", 0.0)))


# query vectors of the bank as the index rewrote them, per embedder: a refit after an ingest
# embeds only the few questions whose rewriting changed (most of a fit's time is e5)
_VECTORS: dict[tuple[str, str], np.ndarray] = {}
VECTORS_FILE = "calibration-vectors.npz"


def _bank_vectors(retriever, texts: list[str]) -> list[np.ndarray]:
    """The embedder's query vectors of ``texts``: from memory, HANDBOK_HOME, or embedded in batches."""
    name = retriever.embedder.name
    path = Path(retriever.home) / VECTORS_FILE
    if any((name, t) not in _VECTORS for t in texts) and path.is_file():
        try:
            with np.load(path, allow_pickle=False) as stored:
                if str(stored["embedder"]) == name:
                    _VECTORS.update(((name, str(t)), v) for t, v in zip(stored["texts"], stored["vectors"]))
        except (OSError, ValueError, KeyError):
            pass  # an unreadable cache is made anew
    missing = list(dict.fromkeys(t for t in texts if (name, t) not in _VECTORS))
    for i in range(0, len(missing), 32):
        batch = missing[i:i + 32]
        _VECTORS.update(((name, t), v) for t, v in zip(batch, retriever.embedder.embed(batch, kind="query")))
    if missing:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npz")
            np.savez(tmp, embedder=name, texts=np.array(texts), vectors=np.stack([_VECTORS[name, t] for t in texts]))
            tmp.replace(path)
        except OSError as exc:
            log.warning("could not keep the calibration's query vectors in %s: %s", path, exc)
    return [_VECTORS[name, t] for t in texts]


def fit(retriever, bank: tuple[str, ...] | None = None) -> NullDistribution:
    """Rank every bank question on the current index and record its evidence."""
    import time

    t0 = time.perf_counter()
    bank = bank if bank is not None else load_bank()
    key = index_key(retriever)
    rows = []
    texts = [retriever.rewrite(question).dense_text for question in bank]
    vectors = _bank_vectors(retriever, texts) if retriever.chunks else [None] * len(bank)
    for question, vector in zip(bank, vectors):
        passages = retriever.search(question, k=10, vector=vector)
        if passages:
            rows.append(gather(retriever, question, passages))
    retriever.forget_rewrites()  # the bank's rewrites would only crowd the cache
    return NullDistribution(key, [e.dense_top for e in rows], [e.coverage for e in rows],
                            [e.unknown for e in rows], [e.english for e in rows],
                            time.perf_counter() - t0)


class Calibration:
    """The null distribution for one HANDBOK_HOME, kept in step with the index."""

    def __init__(self, home: Path):
        self.path = Path(home) / FILE
        self._null: NullDistribution | None = None
        self._key: tuple = (None, None)  # (retriever generation, index key)
        self._refitting: threading.Thread | None = None
        self._lock = threading.Lock()

    def cached(self, key: str | None = None) -> NullDistribution | None:
        """The stored distribution (for ``key`` when given), or None."""
        if self._null is not None and (key is None or self._null.key == key):
            return self._null
        try:
            null = NullDistribution.from_json(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if key is not None and null.key != key:
            return None
        self._null = null
        return null

    def get(self, retriever) -> NullDistribution:
        """The distribution for the index as it is now: from the cache, or refitted (and stored)."""
        retriever.refresh()
        generation = (id(retriever), retriever._generation)
        if self._key[0] != generation:
            self._key = (generation, index_key(retriever))
        key = self._key[1]
        background = getattr(retriever, "background", False)
        if background and self._null is not None and self._refitting_now():
            return self._null  # no re-reading the file at every question while the fit runs
        null = self.cached(key)
        if null is not None:
            return null
        previous = self._null or self.cached()
        if background and previous is not None:
            # a server keeps answering with the fit of the index before the change (one
            # document more or less barely moves it) while the new one is made beside it
            self._refit_in_background(retriever)
            return previous
        return self._refit(retriever)

    def _refit(self, retriever) -> NullDistribution:
        log.info("refitting the refusal calibration (%d off-topic questions)", len(load_bank()))
        null = fit(retriever)
        with self._lock:
            if index_key(retriever) == null.key:  # the index did not change again meanwhile
                self._null = null
                self.save(null)
        return null

    def _refitting_now(self) -> bool:
        return self._refitting is not None and self._refitting.is_alive()

    def _refit_in_background(self, retriever) -> None:
        with self._lock:
            if self._refitting_now():
                return
            self._refitting = threading.Thread(target=self._refit, args=(retriever,),
                                               name="handbok-calibration", daemon=True)
            self._refitting.start()

    def wait(self, timeout: float | None = None) -> None:
        """Until a refit in the background is done (benchmarks, tests)."""
        thread = self._refitting
        if thread is not None:
            thread.join(timeout)

    def save(self, null: NullDistribution) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(null.to_json()), encoding="utf-8")
        tmp.replace(self.path)
