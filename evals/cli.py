"""`handbok eval`: run suites, write reports, gate on thresholds; `handbok eval validate SUITE`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ingest.errors import EvalError, HandbokError

DEFAULT_SUITE = Path(__file__).resolve().parent / "suites" / "handbok.yaml"


def _fail(exc: HandbokError) -> None:
    click.echo(f"handbok: {exc}", err=True)
    sys.exit(2)


def _suite_paths(names) -> list[Path]:
    return [Path(n) for n in names] or [DEFAULT_SUITE]


def _validate(names, settings) -> int:
    from .suite import load_suite
    from .validate import corpus_for, validate_suite

    bad = 0
    chunks = note = None
    for path in _suite_paths(names):
        suite = load_suite(path)
        if chunks is None:
            chunks, note = corpus_for(settings, suite)
            if note:
                click.echo(f"note: {note}", err=True)
        problems = validate_suite(suite, chunks)
        if problems:
            bad += 1
            click.echo(f"{path}: {len(problems)} problem(s)")
            for p in problems:
                click.echo(f"  - {p}")
        else:
            click.echo(f"{path}: ok ({len(suite.cases)} questions)")
    return 1 if bad else 0


def _print_summary(result, checks) -> None:
    from .report import LATENCY_METRICS, RATE_METRICS, fmt

    agg = result.aggregates
    gate = {c.metric: c for c in checks}
    click.echo(f"\n{result.suite}: {agg['n']} questions ({agg['n_in_scope']} in scope, "
               f"{agg['n_must_refuse']} must refuse) in {result.seconds:.1f} s")
    for m in RATE_METRICS + LATENCY_METRICS:
        c = gate.get(m)
        bound = f"{'<=' if c.upper else '>='} {c.bound:g}" if c else ""
        status = ("ok" if c.ok else "FAIL") if c else ""
        click.echo(f"  {m:<20} {fmt(m, agg.get(m)):>10}  {bound:<10} {status}")
    failures = result.failures
    if failures:
        click.echo(f"\nfailing questions ({len(failures)}):")
        for r in failures:
            click.echo(f"  {r.id}: {'; '.join(r.reasons)}")


@click.command("eval", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("suites", nargs=-1)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for report.json/md/html (default: a new folder under $HANDBOK_HOME/reports).")
@click.option("--compare", "compare_to", type=click.Path(dir_okay=False, path_type=Path),
              help="An earlier report.json: list per-question regressions and metric deltas.")
@click.option("--min", "minimums", multiple=True, metavar="METRIC=VALUE",
              help="Gate on a figure (repeatable), e.g. --min hit@5=0.98; METRIC_max=V is an upper bound.")
@click.option("--k", default=10, show_default=True, help="Passages ranked per question.")
@click.option("--split", type=click.Choice(["all", "tuning", "held-out"]), default="all", show_default=True,
              help="Score only the questions kept aside (split: held-out) or only the others.")
@click.option("--set-floor", is_flag=True,
              help="Write the measured figures and this environment to SUITE.floor.json: the gate "
                   "becomes them less --tolerance questions.")
@click.option("--tolerance", default=2, show_default=True,
              help="With --set-floor: questions a figure may lose before the gate fails.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def eval_group(suites, out, compare_to, minimums, k, split, set_floor, tolerance, quiet):
    """Run evaluation SUITES (default: evals/suites/handbok.yaml) and gate on their thresholds.

    \b
      handbok eval                                  the bundled suite
      handbok eval my.yaml --min hit@5=0.98         with an extra gate
      handbok eval --compare reports/X/report.json  questions whose rank changed since run X
      handbok eval --set-floor                      gate = today's figures less 2 questions
      handbok eval validate [SUITE...]              check a suite against the index

    Exit status: 0 all thresholds met, 1 a threshold failed (or validate found
    problems), 2 a suite or setting is wrong.
    """
    from assistant.settings import Settings

    try:
        settings = Settings.from_env()
        if suites and suites[0] == "validate" and not Path("validate").is_file():
            sys.exit(_validate(suites[1:], settings))
        sys.exit(_run(suites, settings, out, compare_to, minimums, k, quiet, split, set_floor, tolerance))
    except HandbokError as exc:
        _fail(exc)


def select_split(suite, split: str):
    """The suite with only its held-out questions, only the others, or all of them."""
    if split == "all":
        return suite
    from dataclasses import replace

    keep = [c for c in suite.cases if (c.split == "held-out") == (split == "held-out")]
    return replace(suite, cases=keep, name=f"{suite.name}-{split}")


def _run(names, settings, out, compare_to, minimums, k, quiet, split="all", set_floor=False,
         tolerance=2) -> int:
    import json
    from dataclasses import replace

    from tqdm import tqdm

    from assistant.assistant import Assistant

    from .corpus_index import index_corpus
    from .gate import check, make_floor, merge, parse_min, suite_thresholds
    from .report import compare, default_out_dir, load_report, write_reports
    from .runner import run_suite
    from .suite import load_suite

    overrides = parse_min(minimums)
    loaded = [select_split(load_suite(p), split) for p in _suite_paths(names)]  # bad suite: fail first
    old = load_report(compare_to) if compare_to else None
    shared = None
    config = {"embedder": settings.embedder, "reranker": settings.reranker,
              "generator": settings.generator, "refusal_threshold": settings.refusal_threshold}
    failed = False
    for suite in loaded:
        if suite.corpus:  # scored on exactly its own documents
            home = index_corpus(suite, settings)
            assistant = Assistant.from_settings(replace(settings, home=home))
            config = {**config, "corpus": list(suite.corpus)}
        else:
            shared = shared or Assistant.from_settings(settings)
            assistant = shared
        with tqdm(total=len(suite.cases), desc=suite.name, unit="q", file=sys.stderr,
                  disable=quiet, leave=False) as bar:
            result = run_suite(assistant, suite, progress=bar, k=k, config=config)
        if set_floor and split == "all" and not overrides:
            floor = make_floor(result, result.environment, tolerance)
            suite.floor_path.write_text(json.dumps(floor, indent=1, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
            suite = replace(suite, floor=floor)
            click.echo(f"floor written to {suite.floor_path}: {floor['thresholds']}")
        elif set_floor:
            raise EvalError("--set-floor needs the whole suite (no --split) and no --min")
        result.thresholds = merge(suite_thresholds(suite), overrides)
        checks = check(result.aggregates, result.thresholds)
        comparison = compare(old, result) if old is not None else None
        folder = (out / suite.name if len(loaded) > 1 else out) if out else default_out_dir(settings.home)
        paths = write_reports(result, folder, comparison, checks)
        _print_summary(result, checks)
        if comparison is not None:
            click.echo(f"\ncompared with {comparison.old_label}: {len(comparison.regressions)} "
                       f"regression(s), {len(comparison.improvements)} improvement(s)")
            for c in comparison.regressions:
                click.echo(f"  worse: {c.describe()}")
            for c in comparison.improvements:
                click.echo(f"  better: {c.describe()}")
            for line in comparison.environment:
                click.echo(f"  environment: {line}")
        click.echo(f"\nreports: {paths['html']} (.json, .md beside it)")
        bad = [c for c in checks if not c.ok]
        if bad:
            failed = True
            click.echo(f"\nGATE FAILED for {suite.name}:", err=True)
            for c in bad:
                click.echo(f"  {c.describe()}", err=True)
    return 1 if failed else 0
