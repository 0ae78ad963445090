"""Reranker factory: HANDBOK_RERANKER is a cross-encoder model id or local path (off when unset)."""
from __future__ import annotations

from .base import Reranker


def make_reranker(spec: str) -> Reranker:
    from .cross_encoder import CrossEncoderReranker
    return CrossEncoderReranker(spec.removeprefix("cross-encoder:"))


__all__ = ["Reranker", "make_reranker"]
