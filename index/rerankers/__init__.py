"""Reranker factory: HANDBOK_RERANKER is a cross-encoder model id or local path, or a rerank
server's URL (``http://host:port/rerank``, optionally ``<model>@`` first); off when unset."""
from __future__ import annotations

from .base import Reranker


def make_reranker(spec: str) -> Reranker:
    model, at, url = spec.partition("@")
    if spec.startswith(("http://", "https://")) or (at and url.startswith(("http://", "https://"))):
        from .http import HttpReranker
        return HttpReranker(url, model) if at and not spec.startswith("http") else HttpReranker(spec)
    from .cross_encoder import CrossEncoderReranker
    return CrossEncoderReranker(spec.removeprefix("cross-encoder:"))


__all__ = ["Reranker", "make_reranker"]
