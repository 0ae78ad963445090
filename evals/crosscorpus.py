"""Cross-corpus protocol: every tuned constant chosen on one corpus, reported on the others.

    python -m evals.crosscorpus SUITE[=CORPUS[,CORPUS...]] SUITE[=...] ... [--out docs/crosscorpus.md]
    python -m evals.crosscorpus SUITE@HANDBOK_HOME ...     (an index built already)
    python -m evals.crosscorpus --evidence A.json --evidence B.json   (refusal only)

Each suite is run on its own corpus (``=CORPUS``, else the suite's ``corpus:`` key, else
``corpus/``), indexed once into a temporary folder. For each group of constants

* fusion weights (``dense_weight``, and the lexical window/proximity weights together),
* the near-copy rule (``duplicate_jaccard`` 0.7 or off),
* the English glossary (``index.glossary``) on or off,
* the refusal constants (``assistant.refusal``: coverage and unknown weights, the two
  cut points; the null distribution itself is fitted per index, without labels),

the value is chosen on each suite in turn (retrieval: hit@1 + MRR@10; refusal: the cost
of ``evals.calibrate``) and the figures are printed for every suite, so each row has the
in-sample figure (the diagonal) next to the figures on corpora it was not chosen on.
Also printed: the shipped defaults on every suite.
"""
from __future__ import annotations

import contextlib
import tempfile
from dataclasses import replace
from pathlib import Path

import click

from .calibrate import Collected, choose, collect_on, rates
from .evaluators import is_correct
from .suite import load_suite

# dense_weight, window = proximity weight: the shipped point and one step each way on each axis
FUSION = [(2.5, 0.5), (1.5, 0.5), (3.5, 0.5), (2.5, 0.25), (2.5, 1.0)]
DUPLICATE = (0.7, 1.0)
GLOSSARY = (True, False)


def _corpus_for(spec: str) -> tuple[Path, list[Path]]:
    suite, _, corpora = spec.partition("=")
    if corpora:
        return Path(suite), [Path(c) for c in corpora.split(",")]
    import yaml

    data = yaml.safe_load(Path(suite).read_text(encoding="utf-8")) or {}
    corpus = data.get("corpus") or "corpus"
    return Path(suite), [Path(c) for c in (corpus if isinstance(corpus, list) else [corpus])]


@contextlib.contextmanager
def glossary(on: bool):
    """The English glossary switched off for the duration (query translation and coverage)."""
    if on:
        yield
        return
    import index.glossary
    import index.query

    saved = index.query.translate_pairs, index.glossary.translate_pairs
    index.query.translate_pairs = index.glossary.translate_pairs = lambda text: []
    try:
        yield
    finally:
        index.query.translate_pairs, index.glossary.translate_pairs = saved


def ranking(retriever, suite) -> dict:
    ranks = []
    for case in suite.cases:
        if case.must_refuse:
            continue
        ps = retriever.search(case.question, k=10)
        ranks.append(next((i for i, p in enumerate(ps, 1) if is_correct(case, p.chunk)), None))
    n = max(1, len(ranks))
    return {"hit@1": sum(r == 1 for r in ranks) / n, "hit@5": sum(bool(r and r <= 5) for r in ranks) / n,
            "mrr@10": sum(1 / r for r in ranks if r) / n}


class Bench:
    """One suite on its own temporary index."""

    def __init__(self, spec: str, tmp: Path):
        from index.embedders import make_embedder
        from index.store import ChunkStore
        from index.sync import ingest_paths

        spec, _, existing = spec.partition("@")  # SUITE@HOME: an index built already
        self.suite_path, corpus = _corpus_for(spec)
        self.suite = load_suite(self.suite_path)
        self.name = self.suite.name
        self.home = Path(existing) if existing else tmp / self.name
        self.embedder = make_embedder("e5-small")
        self.store = ChunkStore(self.home)
        if existing:
            return
        report = ingest_paths(corpus, self.store, self.embedder)
        if report.failed:
            raise click.ClickException(f"{self.name}: {len(report.failed)} file(s) failed to ingest")

    def retriever(self, settings=None):
        from index.retriever import HybridRetriever, RetrievalSettings

        return HybridRetriever(self.store, self.embedder, self.home, settings or RetrievalSettings())

    def evidence(self, settings=None, glossary_on: bool = True) -> Collected:
        from assistant.assistant import Assistant
        from assistant.calibration import Calibration

        with glossary(glossary_on):
            r = self.retriever(settings)
            tag = "" if glossary_on else "-noglossary"
            return collect_on(Assistant(r, calibration=Calibration(self.home / f"null{tag}")), self.suite)


def _table(title: str, names: list[str], rows: list[tuple[str, dict[str, str]]]) -> str:
    out = [f"### {title}", "", "| chosen on | value | " + " | ".join(names) + " |",
           "|---|---|" + "---|" * len(names)]
    for label, cells in rows:
        chosen_on, _, value = label.partition("|")
        out.append(f"| {chosen_on} | {value} | " + " | ".join(cells.get(n, "–") for n in names) + " |")
    return "\n".join(out)


def run(specs: list[str], echo=click.echo) -> str:
    from index.retriever import RetrievalSettings

    default = RetrievalSettings()
    sections = []
    with tempfile.TemporaryDirectory(prefix="handbok-crosscorpus-") as tmp:
        benches = [Bench(s, Path(tmp)) for s in specs]
        names = [b.name for b in benches]

        # -- retrieval constants: each group chosen on one suite, scored on all
        def retrieval_group(title, variants, shipped, make, glossary_of=lambda v: True):
            scores = {}
            for v in variants:
                with glossary(glossary_of(v)):
                    for b in benches:
                        scores[(v, b.name)] = ranking(b.retriever(make(v)), b.suite)
                echo(f"{title} {v}: " + ", ".join(f"{n} hit@1 {scores[(v, n)]['hit@1']:.3f}" for n in names))
            cell = lambda v, n: f"{scores[(v, n)]['hit@1']:.3f} / {scores[(v, n)]['hit@5']:.3f}"  # noqa: E731
            rows = []
            for chosen_on in names:
                best = max(variants, key=lambda v: scores[(v, chosen_on)]["hit@1"] + scores[(v, chosen_on)]["mrr@10"])
                rows.append((f"{chosen_on}|{best}", {n: cell(best, n) + (" (in-sample)" if n == chosen_on else "")
                                                     for n in names}))
            rows.append((f"shipped default|{shipped}", {n: cell(shipped, n) for n in names}))
            sections.append(_table(f"{title} (hit@1 / hit@5)", names, rows))

        retrieval_group("fusion (dense_weight, window = proximity weight)", FUSION,
                        (default.dense_weight, default.window_bm25),
                        lambda v: replace(default, dense_weight=v[0], window_bm25=v[1], proximity=v[1]))
        retrieval_group("near-copy rule (duplicate_jaccard)", list(DUPLICATE), default.duplicate_jaccard,
                        lambda v: replace(default, duplicate_jaccard=v))
        retrieval_group("English glossary", list(GLOSSARY), True, lambda v: default, glossary_of=lambda v: v)

        # -- refusal: the null is fitted per index; the four constants chosen on one suite
        collected = {b.name: b.evidence() for b in benches}
        sections.append(refusal_table(collected))
        from assistant.refusal import RefusalPolicy

        p = RefusalPolicy()
        shipped = (p.coverage_weight, p.unknown_weight, p.refuse_below, p.answer_from)
        # the refusal with the glossary off (English questions lean on it for coverage)
        off = {b.name: b.evidence(glossary_on=False) for b in benches}
        sections.append(_table("refusal with the English glossary off (shipped constants)", names,
                               [(f"shipped default|{shipped}", {n: _fmt_rates(rates(shipped, off[n])) for n in names})]))
    return "\n\n".join(sections)


def refusal_table(collected: dict[str, Collected]) -> str:
    """The refusal constants chosen on each suite's evidence and scored on every suite's."""
    from assistant.refusal import RefusalPolicy

    names = list(collected)
    rows = []
    for chosen_on in names:
        params = choose([collected[chosen_on]])
        rows.append((f"{chosen_on}|{params}", {n: _fmt_rates(rates(params, collected[n]))
                                               + (" (in-sample)" if n == chosen_on else "") for n in names}))
    p = RefusalPolicy()
    shipped = (p.coverage_weight, p.unknown_weight, p.refuse_below, p.answer_from)
    rows.append((f"shipped default|{shipped}", {n: _fmt_rates(rates(shipped, collected[n])) for n in names}))
    nulls = [f"| {n} | {c.null.n} | {c.null.dense_centre():.3f} | {c.null.dense_spread():.3f} | "
             f"{c.null.english_offset():+.3f} |" for n, c in collected.items()]
    return (_table("refusal (in-scope refused / uncertain; out-of-scope refused / refused-or-uncertain)",
                   names, rows)
            + "\n\n### null distributions (off-topic bank on each index)\n\n"
            "| suite | n | median best cosine | IQR | English offset |\n|---|---|---|---|---|\n"
            + "\n".join(nulls))


def _fmt_rates(r: dict) -> str:
    return (f"{r['false_refusal_rate']:.3f} / {r['uncertain_rate']:.3f}; "
            f"{r['refusal_accuracy']:.3f} / {r['refused_or_uncertain']:.3f}")


@click.command()
@click.argument("specs", nargs=-1)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the tables here.")
@click.option("--evidence", "evidence_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Refusal only, from `python -m evals.calibrate --save` files (no indexing).")
def main(specs, out, evidence_files):
    """Choose each tuned constant on one suite and report it on the others (SUITE[=CORPUS,...]
    or SUITE@HOME)."""
    if evidence_files:
        import json

        loaded = [Collected.from_json(json.loads(Path(f).read_text(encoding="utf-8"))) for f in evidence_files]
        text = refusal_table({c.name: c for c in loaded})
        specs = ("--evidence",) + tuple(evidence_files)
    elif not specs:
        raise click.UsageError("give SUITE[=CORPUS,...] arguments or --evidence files")
    else:
        text = run(list(specs))
    click.echo("\n" + text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n\nMade by `python -m evals.crosscorpus " + " ".join(specs) + "`.\n",
                       encoding="utf-8")


if __name__ == "__main__":
    main()
