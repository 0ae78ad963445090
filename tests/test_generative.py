"""Generative answers through an OpenAI-compatible server: a real client against a stub on 127.0.0.1."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from conftest import import_or_skip

from assistant.writers import make_writer
from ingest.models import Chunk
from index.models import Passage


class _Stub(BaseHTTPRequestHandler):
    reply = "Skolan ska sträva efter samtycke men pröva sekretessen varje gång [1]."
    seen: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Stub.seen.append(body)
        out = json.dumps({
            "id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": _Stub.reply}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


@pytest.fixture
def model_server():
    server = HTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()


def _passages():
    text = ("Av stödmaterialet framgår att samtycke till att häva sekretessen ska eftersträvas. "
            "En sekretessprövning måste ske vid varje tillfälle.")
    chunk = Chunk(chunk_id="c1", source="corpus/a.txt", title="Utlåtande", text=text, start=0, end=len(text))
    return [Passage(chunk, 1.0, rank=1)]


def _terms(text):
    return [w.strip(".,?").lower() for w in text.split()]


def test_generated_answer_keeps_markers_and_quotes_verbatim_sentences(model_server):
    import_or_skip("langchain_openai", "generative answers are the [gen] extra")
    writer = make_writer(f"openai:stub-model@{model_server}")
    text, citations = writer.write("Behövs samtycke?", _passages(), _terms, {})
    assert "[1]" in text and citations
    assert all(c.quote in c.passage.chunk.text for c in citations)
    sent = _Stub.seen[-1]
    assert sent["model"] == "stub-model" and "samtycke" in json.dumps(sent, ensure_ascii=False)


def test_model_saying_the_material_is_silent_becomes_a_refusal(model_server, monkeypatch):
    import_or_skip("langchain_openai", "generative answers are the [gen] extra")
    monkeypatch.setattr(_Stub, "reply", "Det framgår inte av materialet.")
    text, citations = make_writer(f"openai:stub-model@{model_server}").write(
        "Bygglov?", _passages(), _terms, {})
    assert text == "" and citations == []


def test_bad_generator_setting_says_how_to_write_it():
    from ingest.errors import ConfigError

    with pytest.raises(ConfigError, match="openai:<model>@<url>"):
        make_writer("gpt4")
