"""Any sentence-transformers model, by hub id or local path (extra: ``handbok[st]``).

Loaded with ``HF_HUB_OFFLINE=1``: a model id must already be in the local cache.
Runs on the GPU when one is present.
"""
from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from ingest.errors import ConfigError

from .base import Embedder, Kind


def _is_e5(model: str) -> bool:
    return "e5" in os.path.basename(model.rstrip("/")).lower()


class SentenceTransformerEmbedder(Embedder):
    def __init__(self, model: str, device: str | None = None, batch_size: int = 32):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(
                "the sentence-transformers embedder needs the optional extra: "
                "pip install 'handbok[st]'") from exc
        try:
            self._model = SentenceTransformer(model, device=device, local_files_only=True)
        except Exception as exc:  # OSError, ValueError, HF errors: all mean "not here"
            raise ConfigError(
                f"cannot load sentence-transformers model {model!r} offline: {exc.__class__.__name__}. "
                "Give a local model folder (HANDBOK_EMBEDDER=st:/path/to/model) or put the model "
                "in the Hugging Face cache first") from exc
        self.name = f"st:{model}"
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim())
        self.batch_size = batch_size
        self._prefixes = {"query": "query: ", "passage": "passage: "} if _is_e5(model) else {}

    def embed(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        prefix = self._prefixes.get(kind, "")
        vectors = self._model.encode([prefix + t for t in texts], batch_size=self.batch_size,
                                     normalize_embeddings=True, convert_to_numpy=True,
                                     show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)
