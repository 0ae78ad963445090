"""`handbok bench --scale N`: build, start, ask and update at N chunks, measured.

The corpus is synthetic: N chunks of 3-8 consecutive sentences drawn from the
bundled documents (one document is held out, to be the "new document" of the
update), 20 chunks per synthetic source. Vectors: every distinct sentence is
embedded with the real (default) embedder; a chunk's vector is the normalised
mean of its sentences' vectors plus a little noise, a cheap stand-in that keeps
the neighbourhood structure of real text (a chunk of the same sentences lands
near them) so that 100,000 chunks build in minutes instead of hours. The new
document is ingested for real (`handbok ingest` code, real embeddings).

Measured, each in a new process where it matters:

* build_s: writing the N chunks to the store, building the lexical index and fitting the
  refusal's calibration (calibrate_s of it), as `handbok ingest` does;
* start_s: a new process from its start until it has answered one question;
* p50_ms / p95_ms: warm `Assistant.ask` over the bundled suite's questions;
* rss_mb: that process's peak resident memory;
* disk_mb: the index on disk (Chroma + lexical);
* update_s: ingesting the held-out document (embed_s of it is its embedding), while a
  thread keeps asking: ask_during_update_ms is the slowest answer meanwhile; refit_s: the
  calibration's refit after it, made beside the questions (they use the previous fit).

With ``store="server"`` the chunks live in a `chroma run` server on 127.0.0.1 that the
benchmark starts and stops (server_rss_mb is the server's memory).
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

HELD_OUT = "2016-03-16-interpellationssvar-barn-som-far-illa.txt"
PER_SOURCE = 20


def _sentences(corpus: Path) -> list[list[str]]:
    """Sentences of each bundled document except the held-out one, in order."""
    from ingest.chunker import sentence_spans
    from ingest.loader import load_document

    docs = []
    for path in sorted(corpus.iterdir()):
        if path.name == HELD_OUT or path.suffix not in (".txt", ".md", ".pdf"):
            continue
        sents = []
        for chunk in load_document(path).chunks:
            sents += [chunk.text[a:e].strip() for a, e in sentence_spans(chunk.text)]
        docs.append([s for s in sents if len(s.split()) >= 3])
    return docs


def synthetic_chunks(corpus: Path, n: int, embedder, seed: int = 7):
    """N synthetic chunks and their stand-in vectors (see the module docstring)."""
    from ingest.models import Chunk

    docs = _sentences(corpus)
    distinct = sorted({s for d in docs for s in d})
    vec = dict(zip(distinct, embedder.embed(distinct, kind="passage")))
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    chunks, vectors = [], np.zeros((n, embedder.dim), dtype=np.float32)
    for i in range(n):
        doc = docs[rng.randrange(len(docs))]
        k = rng.randint(3, 8)
        a = rng.randrange(max(1, len(doc) - k))
        sents = doc[a:a + k]
        text = " ".join(sents)
        source = f"syntetisk/dokument-{i // PER_SOURCE:05d}.txt"
        start = (i % PER_SOURCE) * 10_000
        cid = hashlib.sha1(f"{source}:{start}:{text}".encode()).hexdigest()[:20]
        chunks.append(Chunk(chunk_id=cid, source=source, title=f"Syntetiskt dokument {i // PER_SOURCE}",
                            text=text, start=start, end=start + len(text), doc_type="riktlinje",
                            date="2020-01-01", content_hash=cid))
        v = np.mean([vec[s] for s in sents], axis=0) + noise.normal(0, 0.01, embedder.dim)
        vectors[i] = v / np.linalg.norm(v)
    return chunks, vectors


def _du(path: Path) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 2**20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class ChromaServer:
    """`chroma run` on 127.0.0.1 for the duration of a with-block."""

    def __init__(self, path: Path):
        self.path, self.port = path, _free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        exe = Path(sys.executable).with_name("chroma")
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "CHROMA_TELEMETRY": "False"}
        self.proc = subprocess.Popen([str(exe), "run", "--path", str(self.path), "--host", "127.0.0.1",
                                      "--port", str(self.port)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.3)
        self.proc.kill()
        raise RuntimeError(f"chroma run did not start on port {self.port}")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def run(n: int, corpus: Path, store_kind: str = "embedded", questions: int = 40) -> dict:
    """One measurement; returns the JSON record."""
    from assistant.calibration import Calibration
    from index.embedders import make_embedder
    from index.lexstore import LexicalStore
    from index.retriever import HybridRetriever
    from index.store import ChunkStore

    tmp = Path(tempfile.mkdtemp(prefix="handbok-scale-"))
    home = tmp / "home"
    try:
        server = ChromaServer(tmp / "chroma-server") if store_kind == "server" else None
        if server is not None:
            server.__enter__()
        try:
            embedder = make_embedder()
            chunks, vectors = synthetic_chunks(corpus, n, embedder)
            t0 = time.perf_counter()
            store = ChunkStore(home, server.url if server else None)
            for i in range(0, n, 5000):
                store.add(chunks[i:i + 5000], vectors[i:i + 5000], embedder)
            store_s = time.perf_counter() - t0
            LexicalStore(home / "lexical").sync(store)
            # the refusal's calibration, fitted at the end of a build as `handbok ingest` does
            t1 = time.perf_counter()
            Calibration(home).get(HybridRetriever(store, embedder, home))
            calibrate_s = time.perf_counter() - t1
            build_s = time.perf_counter() - t0
            del chunks, vectors, store
            new_doc = tmp / "nytt" / HELD_OUT
            new_doc.parent.mkdir()
            shutil.copy(corpus / HELD_OUT, new_doc)
            env = {**os.environ, "HANDBOK_HOME": str(home)}
            if server:
                env["HANDBOK_CHROMA_URL"] = server.url
            started = time.time()
            out = subprocess.run([sys.executable, "-m", "evals.bench_scale", "--child", str(new_doc),
                                  str(questions)], env=env, capture_output=True, text=True, check=True)
            child = json.loads(out.stdout.strip().splitlines()[-1])
            disk = _du(home) + (_du(tmp / "chroma-server") if server else 0.0)
            record = {"chunks": n, "store": store_kind, "build_s": round(build_s, 1),
                      "store_s": round(store_s, 1), "calibrate_s": round(calibrate_s, 1),
                      "start_s": round(child["answered_at"] - started, 1),
                      "p50_ms": child["p50_ms"], "p95_ms": child["p95_ms"], "rss_mb": child["rss_mb"],
                      "disk_mb": round(disk), "update_s": child["update_s"], "embed_s": child["embed_s"],
                      "refit_s": child["refit_s"],
                      "ask_during_update_ms": child["ask_during_update_ms"],
                      "load": round(os.getloadavg()[0], 1), "cpus": os.cpu_count()}
            if server:
                record["server_rss_mb"] = round(_rss_mb(server.proc.pid))
            return record
        finally:
            if server is not None:
                server.__exit__(None, None, None)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _child(new_doc: Path, questions: int) -> dict:
    """In a new process: answer once (cold), then warm questions, then an update under load."""
    from assistant.assistant import Assistant
    from assistant.settings import Settings
    from index.sync import ingest_paths

    from .bench import _percentile
    from .suite import load_suite
    from .bench import DEFAULT_SUITE

    settings = Settings.from_env()
    assistant = Assistant.from_settings(settings)
    assistant.ask("Hur gör skolan en orosanmälan?")
    answered_at = time.time()
    cases = [c.question for c in load_suite(DEFAULT_SUITE).cases][:questions]
    times = []
    for q in cases:
        t0 = time.perf_counter()
        assistant.ask(q)
        times.append((time.perf_counter() - t0) * 1000)
    # the update: ingest one real document while a thread keeps asking (as a server does)
    retriever = assistant.retriever
    retriever.background = True
    embedder = retriever.embedder
    embed_s = [0.0]
    real_embed = embedder.embed

    def timed_embed(texts, kind="passage"):
        t0 = time.perf_counter()
        try:
            return real_embed(texts, kind=kind)
        finally:
            if kind == "passage":  # the document's, not the questions' asked meanwhile
                embed_s[0] += time.perf_counter() - t0

    embedder.embed = timed_embed
    during: list[float] = []
    done = threading.Event()

    def keep_asking():
        i = 0
        while not done.is_set():
            t0 = time.perf_counter()
            assistant.ask(cases[i % len(cases)])
            during.append((time.perf_counter() - t0) * 1000)
            i += 1

    asker = threading.Thread(target=keep_asking)
    asker.start()
    t0 = time.perf_counter()
    ingest_paths([new_doc], retriever.store, embedder)
    retriever.refresh(force=True)  # the serving view has the new document
    update_s = time.perf_counter() - t0
    # the refusal's refit runs beside the questions (answered with the previous fit meanwhile)
    assistant.ask(cases[0])
    assistant.calibration.wait()
    refit_s = time.perf_counter() - t0 - update_s
    done.set()
    asker.join()
    embedder.embed = real_embed
    assert any(c.source.endswith(new_doc.name) for c in retriever.chunks), "the new document is missing"
    return {"answered_at": answered_at, "p50_ms": round(_percentile(times, 0.5)),
            "p95_ms": round(_percentile(times, 0.95)),
            "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "update_s": round(update_s, 1), "embed_s": round(embed_s[0], 1), "refit_s": round(refit_s, 1),
            "ask_during_update_ms": round(max(during, default=0.0))}


def markdown(records: list[dict]) -> str:
    head = ("| chunks | store | build | start | ask p50 | ask p95 | peak RSS | disk | add one document "
            "(of which embedding) | slowest answer meanwhile | load avg |\n|---|---|---|---|---|---|---|---|---|---|---|")
    rows = [f"| {r['chunks']:,} | {r['store']} | {r['build_s']} s | {r['start_s']} s | {r['p50_ms']} ms | "
            f"{r['p95_ms']} ms | {r['rss_mb']} MB | {r['disk_mb']} MB | {r['update_s']} s ({r['embed_s']} s) | "
            f"{r['ask_during_update_ms']} ms | {r['load']} |" for r in records]
    return "\n".join([head] + rows)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--child":
        print(json.dumps(_child(Path(sys.argv[2]), int(sys.argv[3]))))
