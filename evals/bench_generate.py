"""Generative answers on a suite: time per answer, supported sentences, what the check removed.

    HANDBOK_GENERATOR=openai:gemma-3-270m@http://127.0.0.1:8081/v1 \\
        python -m evals.bench_generate --every 4 --out gen-bench.json

Runs every N-th question of the suite (all with ``--every 1``) through the
assistant with the configured generator, exactly as ``handbok eval`` scores it
(``evals.runner``), and prints citation validity, the share of generated
sentences supported by their cited passages, how the answers ended (model
sentences shown / fallback to the quotes, and why), and the time per answer
(first token and total, p50/p95). ``--out`` writes every removed sentence with
the passages it cited, for reading: the check's false removals are judged there.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from .runner import percentile, run_suite
from .suite import load_suite

DEFAULT_SUITE = Path(__file__).parent / "suites" / "handbok.yaml"


@click.command()
@click.option("--suite", "suite_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=DEFAULT_SUITE, show_default=True)
@click.option("--every", default=4, show_default=True, help="Ask every N-th question (1 = all).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="JSON with every answer's sentence checks and the cited passages.")
def main(suite_path, every, out):
    from assistant.assistant import Assistant
    from assistant.settings import Settings

    settings = Settings.from_env()
    if not settings.generator:
        raise click.UsageError("set HANDBOK_GENERATOR=openai:<model>@<url> first")
    suite = load_suite(suite_path)
    suite.cases = suite.cases[::max(1, every)]
    assistant = Assistant.from_settings(settings)
    answers = []
    original_ask = assistant.ask

    def recording_ask(question, **kw):
        answer = original_ask(question, **kw)
        answers.append(answer)
        return answer

    assistant.ask = recording_ask
    with click.progressbar(length=len(suite.cases), label="questions", file=None) as bar:
        result = run_suite(assistant, suite, progress=lambda done, total: bar.update(1))
    agg = result.aggregates
    generated = [a for a in answers if a.generation]
    endings = Counter(a.generation.get("fallback") or ("refused by the model" if a.generation.get(
        "refused_by_model") else "model sentences shown") for a in generated)
    first = [a.generation["first_token_ms"] for a in generated if a.generation.get("first_token_ms")]
    # time per answer the model actually wrote (a server that is down answers in milliseconds)
    total = [a.generation["total_ms"] for a in generated if a.generation.get("first_token_ms")]
    checked = [v for a in generated for v in a.generation.get("sentences", [])]
    reasons = Counter(v["reason"] for v in checked if not v["supported"])
    click.echo(f"\n{len(suite.cases)} questions ({suite.name}, every {every}), generator {settings.generator}")
    click.echo(f"  citation_validity     {agg['citation_validity'] if agg['citation_validity'] is not None else 'n/a'}")
    share = agg["supported_share"]
    click.echo(f"  supported_share       {share:.3f} of {len(checked)} generated sentences" if share is not None
               else "  supported_share       n/a (no sentence generated)")
    click.echo(f"  answers written by the model: {len(generated)}; how they ended: {dict(endings)}")
    click.echo(f"  removed, by reason: {dict(reasons)}")
    if total:
        click.echo(f"  time per generative answer ({len(total)} written): p50 {percentile(total, 50) / 1000:.1f} s, "
                   f"p95 {percentile(total, 95) / 1000:.1f} s; first token p50 "
                   f"{(percentile(first, 50) or 0) / 1000:.1f} s")
    if out:
        rows = []
        for a in generated:
            shown = {p.chunk.chunk_id: p.chunk.text for p in a.passages[:4]}
            rows.append({"question": a.question, "answer": a.answer, "generation": a.generation,
                         "passages": list(shown.values())})
        out.write_text(json.dumps({"aggregates": agg, "answers": rows}, ensure_ascii=False, indent=1),
                       encoding="utf-8")
        click.echo(f"  details: {out}")


if __name__ == "__main__":
    main()
