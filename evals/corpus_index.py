"""An index of exactly a suite's ``corpus:``, kept under HANDBOK_HOME and reused between runs.

A suite that names its corpus (``corpus: [corpus, evals/corpora/kungsvik]``) is scored on an
index of those files and nothing else, whatever HANDBOK_HOME holds for everyday use, so a
figure always means the same documents. The index lives in
``HANDBOK_HOME/eval-index/<digest>`` (digest of the corpus paths and the embedder: suites
over the same documents share it) and is brought up to date incrementally: a second run
embeds nothing.
"""
from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

from ingest.errors import EvalError

ROOT = Path(__file__).resolve().parents[1]


def corpus_home(base: Path, suite, embedder_name: str) -> Path:
    key = "\n".join([embedder_name, *sorted(suite.corpus)])
    digest = hashlib.sha1(key.encode()).hexdigest()[:10]
    return Path(base) / "eval-index" / digest


def index_corpus(suite, settings, embedder=None, progress=None) -> Path:
    """Ingest ``suite.corpus`` (paths relative to the repository root) into its own home.

    Returns:
        That home, for ``Settings(home=...)``.

    Raises:
        EvalError: a corpus path is missing or a file in it could not be indexed.
    """
    from index.embedders import make_embedder
    from index.store import ChunkStore
    from index.sync import ingest_paths

    paths = [ROOT / p for p in suite.corpus]
    missing = [str(p) for p, raw in zip(paths, suite.corpus) if not p.exists()]
    if missing:
        raise EvalError(f"{suite.path}: corpus path(s) not found: {', '.join(missing)} "
                        "(paths are relative to the repository root)")
    home = corpus_home(settings.home, suite, settings.embedder)
    embedder = embedder or make_embedder(settings.embedder)
    with contextlib.chdir(ROOT):  # sources are stored relative to the root, as the suite names them
        report = ingest_paths(paths, ChunkStore(home, None), embedder, max_file_mb=settings.max_file_mb,
                              ocr=settings.ocr, progress=progress)
    if report.failed:
        names = ", ".join(f.source for f in report.failed)
        raise EvalError(f"{suite.path}: could not index {names}: see `handbok ingest` for the reason")
    return home
