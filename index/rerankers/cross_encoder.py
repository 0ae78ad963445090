"""A sentence-transformers CrossEncoder as reranker (extra ``handbok[st]``), loaded offline."""
from __future__ import annotations

import os

from ingest.errors import ConfigError

from .base import Reranker


class CrossEncoderReranker(Reranker):
    def __init__(self, model: str, device: str | None = None, max_length: int = 512):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import CrossEncoder
        except ImportError as exc:
            raise ConfigError("the reranker needs the optional extra: pip install 'handbok[st]'") from exc
        try:
            self._model = CrossEncoder(model, device=device, max_length=max_length,
                                       local_files_only=True)
        except Exception as exc:
            raise ConfigError(f"cannot load reranker {model!r} offline ({exc.__class__.__name__}): "
                              "set HANDBOK_RERANKER to a local cross-encoder folder, or unset it") from exc
        self.name = f"cross-encoder:{model}"

    def scores(self, query: str, texts: list[str]) -> list[float]:
        return [float(s) for s in self._model.predict([(query, t) for t in texts],
                                                      show_progress_bar=False)]
