"""A rerank server: ``HANDBOK_RERANKER=http://host:port[/rerank]`` or ``<model>@http://...``.

The /rerank API of Hugging Face TEI, vLLM, llama.cpp (``llama-server --reranking``)
and Jina/Cohere-style servers: the query and the texts go in, one relevance score
per text comes back. The request carries the texts as both ``documents``
(llama.cpp, vLLM, Jina) and ``texts`` (TEI); the answer is read in either shape:
``{"results": [{"index", "relevance_score"}]}`` or ``[{"index", "score"}]``.
Ordering is the shared ``Reranker.rerank``, as for the local cross-encoder.
"""
from __future__ import annotations

from urllib.parse import urlparse

from ingest.errors import ConfigError, ModelServerUnavailable

from .. import remote
from .base import Reranker


class HttpReranker(Reranker):
    def __init__(self, url: str, model: str | None = None, retries: int = 3, backoff: float = 0.5,
                 timeout: float = 30.0):
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ConfigError(f"HANDBOK_RERANKER={url!r}: use http://host:port/rerank "
                              "(or <model>@http://host:port/rerank)")
        self.url = url.rstrip("/") if parsed.path.strip("/") else url.rstrip("/") + "/rerank"
        self.model = model
        self.retries, self.backoff, self.timeout = retries, backoff, timeout
        self.name = f"rerank:{model + '@' if model else ''}{self.url}"

    def scores(self, query: str, texts: list[str]) -> list[float]:
        if not texts:
            return []
        body = {"query": query, "documents": texts, "texts": texts, "top_n": len(texts),
                "return_documents": False, "return_text": False}
        if self.model:
            body["model"] = self.model
        hint = f"start the rerank server or unset HANDBOK_RERANKER (now {self.url})"
        out = remote.call(self.url, body, what="the rerank server", hint=hint, retries=self.retries,
                          backoff=self.backoff, timeout=self.timeout)
        rows = out.get("results", out.get("data")) if isinstance(out, dict) else out
        scores: dict[int, float] = {}
        for row in rows or []:
            if isinstance(row, dict) and "index" in row:
                value = row.get("relevance_score", row.get("score"))
                if isinstance(value, (int, float)):
                    scores[int(row["index"])] = float(value)
        if set(scores) != set(range(len(texts))):
            raise ModelServerUnavailable(
                f"the rerank server at {self.url} scored {len(scores)} of {len(texts)} texts: {hint}")
        return [scores[i] for i in range(len(texts))]
