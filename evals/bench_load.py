"""`handbok bench --load USERS`: USERS colleagues asking at once, over HTTP, as browsers do.

It indexes the bundled corpus into a temporary home, starts `handbok serve` on
127.0.0.1, and lets USERS threads (one browser tab, one session, each) ask ``per_user``
questions of the bundled suite through Gradio's queue (POST ``/gradio_api/queue/join`` for the question's
submit event, then its server-sent event stream until the answer is complete),
exactly what the page's JavaScript does. It reports p50/p95 answer time (from
the request to the last streamed update), errors and the server's peak RSS.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path


from .bench_scale import _free_port, _rss_mb as _peak_rss_mb  # peak RSS (VmHWM) of a process


class SubmitEvent:
    """The event that answers a question typed into the question box, and its other inputs."""

    def __init__(self, config: dict):
        components = {c["id"]: c for c in config["components"]}
        box = next(i for i, c in components.items() if c.get("props", {}).get("elem_id") == "hb-question")
        for dep in config["dependencies"]:
            if [box, "submit"] in [list(t) for t in dep.get("targets", [])]:
                self.fn_index = dep["id"]
                self.inputs = list(dep["inputs"])
                self.box = box
                # what a fresh page sends for every other input: the component's initial value
                self.defaults = [components.get(i, {}).get("props", {}).get("value") for i in self.inputs]
                return
        raise RuntimeError("no submit event on the question box: has the page's layout changed?")

    def data(self, question: str) -> list:
        return [question if i == self.box else v for i, v in zip(self.inputs, self.defaults)]


def ask_over_http(client, base: str, event: SubmitEvent, question: str, timeout: float = 60,
                  session: str | None = None) -> float:
    """One question as the browser sends it; seconds until the answer is complete.

    ``session``: the page's session hash; a browser tab keeps one for all its questions.
    """
    session = session or uuid.uuid4().hex[:11]
    t0 = time.perf_counter()
    r = client.post(f"{base}/gradio_api/queue/join",
                    json={"data": event.data(question), "fn_index": event.fn_index, "session_hash": session,
                          "event_data": None, "trigger_id": None}, timeout=timeout)
    r.raise_for_status()
    with client.stream("GET", f"{base}/gradio_api/queue/data", params={"session_hash": session},
                       timeout=timeout) as stream:
        for line in stream.iter_lines():
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:])
            if msg.get("msg") == "process_completed":
                if not msg.get("success"):
                    raise RuntimeError(f"server error: {msg.get('output')}")
                return time.perf_counter() - t0
    raise RuntimeError("the event stream ended before the answer")


def run(users: int, corpus: Path, per_user: int = 5, home: Path | None = None) -> dict:
    import httpx

    from .bench import DEFAULT_SUITE
    from .suite import load_suite

    tmp = Path(tempfile.mkdtemp(prefix="handbok-load-"))
    env = {**os.environ, "HANDBOK_HOME": str(home or tmp / "home"), "GRADIO_ANALYTICS_ENABLED": "False"}
    env.pop("HANDBOK_USERS", None)
    env.pop("HANDBOK_AUTH", None)
    proc = None
    try:
        if home is None:
            subprocess.run([sys.executable, "-m", "assistant.cli", "ingest", str(corpus)], env=env,
                           check=True, capture_output=True)
        port = _free_port()
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        client = httpx.Client(limits=httpx.Limits(max_connections=4 * users + 8))
        deadline = time.time() + 180
        while True:
            try:
                config = client.get(f"{base}/config", timeout=5).json()
                break
            except (httpx.HTTPError, ValueError):
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("handbok serve did not start")
                time.sleep(0.5)
        fn = SubmitEvent(config)
        questions = [c.question for c in load_suite(DEFAULT_SUITE).cases if not c.must_refuse]
        ask_over_http(client, base, fn, questions[0])  # warm: the first answer loads the index
        times: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        start = threading.Barrier(users)

        def user(u: int):
            session = uuid.uuid4().hex[:11]  # one browser tab per colleague
            start.wait()
            for i in range(per_user):
                q = questions[(u * per_user + i) % len(questions)]
                try:
                    t = ask_over_http(client, base, fn, q, session=session)
                    with lock:
                        times.append(t)
                except Exception as exc:
                    with lock:
                        errors.append(f"{exc.__class__.__name__}: {exc}"[:200])

        threads = [threading.Thread(target=user, args=(u,)) for u in range(users)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        times.sort()
        pct = lambda q: times[min(len(times) - 1, int(round(q * (len(times) - 1))))] if times else 0.0
        return {"users": users, "questions": users * per_user, "p50_s": round(pct(0.5), 2),
                "p95_s": round(pct(0.95), 2), "mean_s": round(statistics.fmean(times), 2) if times else 0.0,
                "errors": len(errors), "first_error": errors[0] if errors else "",
                "wall_s": round(wall, 1), "server_rss_mb": round(_peak_rss_mb(proc.pid)),
                "load": round(os.getloadavg()[0], 1), "cpus": os.cpu_count()}
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def markdown(records: list[dict]) -> str:
    head = ("| users at once | questions | answer p50 | answer p95 | errors | server peak RSS | load avg |\n"
            "|---|---|---|---|---|---|---|")
    rows = [f"| {r['users']} | {r['questions']} | {r['p50_s']} s | {r['p95_s']} s | {r['errors']} | "
            f"{r['server_rss_mb']} MB | {r['load']} |" for r in records]
    return "\n".join([head] + rows)
