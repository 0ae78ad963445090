"""The `handbok` command: ingest / status / chunks / ask / serve / eval / bench.

Thin: settings from the environment, a call into the layers, and domain errors
turned into one-line messages and exit codes here and nowhere else.
"""
from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import click

from ingest.errors import HandbokError

from .settings import Settings


class LazyGroup(click.Group):
    """Commands of higher layers (evals) are loaded by name only when called."""

    lazy = {"eval": "evals.cli:eval_group", "bench": "evals.bench:bench_command"}

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx, name):
        if name in self.lazy:
            module, attr = self.lazy[name].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


def fail(exc: HandbokError) -> None:
    click.echo(f"handbok: {exc}", err=True)
    sys.exit(2)


@click.group(cls=LazyGroup)
@click.version_option(package_name="handbok")
def cli():
    """Handbok: cited answers from the support materials on sekretess och samverkan."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Drop the index first (e.g. after changing embedder).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def ingest(paths, rebuild, as_json):
    """Index files and folders (default: the bundled corpus/)."""
    from index.embedders import make_embedder
    from index.sync import ingest_paths
    from tqdm import tqdm

    from .assistant import open_store

    settings = Settings.from_env()
    try:
        store = open_store(settings)
        if rebuild:
            store.reset()
        embedder = make_embedder(settings.embedder)
        bar = lambda files: tqdm(files, desc="ingest", unit="file", file=sys.stderr,  # noqa: E731
                                 disable=as_json)
        report = ingest_paths(list(paths) or [settings.corpus], store, embedder,
                              max_file_mb=settings.max_file_mb, ocr=settings.ocr, progress=bar)
        if store.count():
            from .assistant import open_retriever
            from .calibration import Calibration

            # the refusal's null distribution for the new index, now rather than at the first question
            Calibration(settings.home).get(open_retriever(settings, embedder))
    except HandbokError as exc:
        fail(exc)
    _audit_ingest(settings, report)
    if as_json:
        click.echo(json.dumps({
            "documents": {s: report.count(s) for s in ("added", "updated", "unchanged", "removed", "failed")},
            "chunks": {"added": report.chunks_added, "removed": report.chunks_removed,
                       "unchanged": report.chunks_unchanged},
            "files": [vars(f) for f in report.files], "seconds": round(report.seconds, 2)},
            ensure_ascii=False))
    else:
        for f in report.files:
            if f.status == "failed":
                click.echo(f"FAILED  {f.source}: {f.reason}", err=True)
            for w in f.warnings:
                click.echo(f"WARNING {f.source}: {w}", err=True)
        click.echo(
            f"documents: {report.count('added')} added, {report.count('updated')} updated, "
            f"{report.count('unchanged')} unchanged, {report.count('removed')} removed, "
            f"{report.count('failed')} failed | chunks: {report.chunks_added} added, "
            f"{report.chunks_removed} removed, {report.chunks_unchanged} unchanged "
            f"({report.seconds:.1f} s)")
        repaired = [(f.source, f.repaired) for f in report.files if f.repaired]
        for source, n in repaired:
            click.echo(f"OCR repair: {n} tokens restored in {source}")
    sys.exit(1 if report.failed else 0)


def _audit_ingest(settings, report) -> None:
    """Documents added or removed from the command line go into the audit trail too."""
    from .audit import AuditLog

    log = AuditLog(settings.home)
    changed = [f.source for f in report.files if f.status in ("added", "updated")]
    removed = [f.source for f in report.files if f.status == "removed"]
    if changed:
        log.record("document_upload", user=_who(), files=changed, failed=report.count("failed"))
    if removed:
        log.record("document_remove", user=_who(), files=removed)


@cli.command()
@click.option("--json", "as_json", is_flag=True)
def status(as_json):
    """What is indexed: documents, chunks, embedder, store."""
    from .assistant import open_store

    settings = Settings.from_env()
    try:
        store = open_store(settings)
        sources = store.ids_by_source()
        data = {"documents": len(sources), "chunks": sum(len(s["ids"]) for s in sources.values()),
                "embedder": store.embedder_name() or settings.embedder, "store": store.describe()}
        if data["chunks"]:
            from .assistant import Assistant

            assistant = Assistant.from_settings(settings)
            data["refusal_calibration"] = assistant.policy.cut_points(
                assistant.calibration.get(assistant.retriever))
    except HandbokError as exc:
        fail(exc)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"{data['documents']} documents, {data['chunks']} chunks | embedder {data['embedder']} | {data['store']}")
    cal = data.get("refusal_calibration")
    if cal:
        pct = " ".join(f"p{k}={v:.3f}" for k, v in cal["dense_percentiles"].items())
        click.echo(f"refusal calibration: {cal['n']} off-topic questions, best cosine {pct} "
                   f"(English offset {cal['english_offset']:+.3f})")
        click.echo(f"  refused below score {cal['refuse_below_score']} (confidence {cal['refuse_below']}), "
                   f"answered from {cal['answer_from_score']} (confidence {cal['answer_from']}), "
                   f"uncertain between")
    for source, entry in sorted(sources.items()):
        click.echo(f"  {source}  [{entry['date'] or 'odaterat'}] {len(entry['ids'])} chunks  {entry['title'][:70]}")


@cli.command()
@click.option("--source", help="Only chunks whose source path contains this text.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines (the default output).")
def chunks(source, as_json):
    """Print the indexed chunks as JSON Lines."""
    from .assistant import open_store

    try:
        records = open_store(Settings.from_env()).all_chunks()
    except HandbokError as exc:
        fail(exc)
    for c in sorted(records, key=lambda c: (c.source, c.start)):
        if source and source not in c.source:
            continue
        click.echo(json.dumps({"chunk_id": c.chunk_id, "source": c.source, "title": c.title,
                               "page": c.page, "start": c.start, "end": c.end, "text": c.text,
                               "section": c.section, "date": c.date, "raw_text": c.raw_text},
                              ensure_ascii=False))


def _print_answer(answer) -> None:
    if answer.outcome == "refused":
        click.echo(answer.answer)
        return
    if answer.outcome == "uncertain":
        click.echo(f"OSÄKERT: {answer.answer}\n\nNärmaste avsnitt (inget av dem är ett svar):")
        for i, p in enumerate(answer.passages[:3], 1):
            ch = p.chunk
            excerpt = " ".join(ch.text.split())
            excerpt = excerpt[:240] + (" …" if len(excerpt) > 240 else "")
            click.echo(f"  {i}. {ch.title} ({ch.date or 'odaterat'}), s. {ch.page} — {ch.source}\n"
                       f"     {excerpt}")
        return
    click.echo(answer.answer)
    if answer.citations:
        click.echo("\nKällor:")
        seen = set()
        for c in answer.citations:
            if c.n in seen:
                continue
            seen.add(c.n)
            ch = c.passage.chunk
            click.echo(f"  [{c.n}] {ch.title} ({ch.date or 'odaterat'}), s. {c.page} — {ch.source}")


@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer object as JSON.")
@click.option("--k", default=10, show_default=True, help="How many ranked passages to return.")
@click.option("--questions-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="One question per line; one JSON object per line out, same order.")
@click.option("--source", help="Only documents whose path or title contains this text.")
@click.option("--since", help="Only documents dated on or after this (yyyy or yyyy-mm-dd).")
@click.option("--collection", help="Only this collection (HANDBOK_HOME/collections.yaml, or a top folder).")
def ask(question, as_json, k, questions_file, source, since, collection):
    """Answer a question with cited passages (or say the material does not cover it)."""
    from .assistant import Assistant

    if not question and not questions_file:
        raise click.UsageError("give a QUESTION or --questions-file F")
    try:
        assistant = Assistant.from_settings(Settings.from_env())
        if questions_file:
            lines = questions_file.read_text(encoding="utf-8").splitlines()
            for line in lines:
                if not line.strip():
                    continue
                answer = assistant.ask(line.strip(), k=k, source=source, since=since,
                                       collection=collection)
                click.echo(json.dumps(answer.to_json(), ensure_ascii=False))
            return
        answer = assistant.ask(question, k=k, source=source, since=since, collection=collection)
    except HandbokError as exc:
        fail(exc)
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        _print_answer(answer)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=7860, show_default=True, type=int)
def serve(host, port):
    """Start the web interface (Gradio) for staff."""
    from .ui import launch

    try:
        launch(Settings.from_env(), host=host, port=port)
    except HandbokError as exc:
        fail(exc)


@cli.group()
def feedback():
    """Staff feedback stored under HANDBOK_HOME."""


@feedback.command("purge")
@click.option("--before", help="Only feedback given before this date (yyyy-mm-dd); default all.")
def feedback_purge(before):
    """Delete feedback now (older rows go anyway after HANDBOK_FEEDBACK_DAYS)."""
    from datetime import date

    from .audit import AuditLog
    from .feedback import FILENAME, FeedbackStore

    settings = Settings.from_env()
    try:
        cutoff = date.fromisoformat(before) if before else None
    except ValueError:
        raise click.BadParameter(f"{before!r} is not a date; write it as yyyy-mm-dd", param_hint="--before")
    n = FeedbackStore(settings.home / FILENAME, days=settings.feedback_days).purge(cutoff)
    AuditLog(settings.home).record("feedback_purge", user=_who(), rows=n, before=before or "")
    click.echo(f"{n} feedback rows deleted" + (f" (given before {before})" if before else ""))


def _who() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def audit(as_json):
    """The audit trail: feedback exports and purges, suite runs, document uploads/removals."""
    from .audit import AuditLog

    for e in AuditLog(Settings.from_env().home).entries():
        if as_json:
            click.echo(json.dumps(e, ensure_ascii=False))
        else:
            rest = " ".join(f"{k}={v}" for k, v in e.items() if k not in ("time", "event", "user"))
            click.echo(f"{e['time']}  {e['event']:16} {e['user'] or '-':12} {rest}")


def main():
    cli(prog_name="handbok")


if __name__ == "__main__":
    main()
