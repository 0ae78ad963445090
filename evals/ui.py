"""The "Utvärdering" tab for trainers: run a suite, see the figures and failures, download reports."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingest.errors import HandbokError

from .report import charts_html, fmt, metric_rows

BUNDLED = Path(__file__).resolve().parent / "suites"
METRIC_SV = {
    "hit@1": "Rätt stycke först (hit@1)",
    "hit@5": "Rätt stycke bland de fem första (hit@5)",
    "mrr@10": "Genomsnittlig omvänd rang (MRR@10)",
    "citation_validity": "Ordagranna citat",
    "citation_precision": "Citat ur rätt källa",
    "fact_recall": "Förväntade fakta i svaret",
    "refusal_accuracy": "Rätt avböjda frågor (utanför materialet)",
    "false_refusal_rate": "Felaktigt avböjda frågor",
    "refused_or_uncertain": "Avböjda eller osäkra frågor (utanför materialet)",
    "uncertain_rate": "Osäkra svar på frågor inom materialet",
    "key_phrase_shown": "Nyckelfrasen i citaten eller de tre första källorna",
    "supported_share": "Genererade meningar som stöds av källan",
    "refusal_auc": "Hur väl säkerheten skiljer besvarbara frågor från andra (AUC)",
    "refusable_at_3pct": "Andel utanför materialet som kan avböjas om högst 3 % besvarbara avböjs",
    "latency_p50_ms": "Svarstid, median",
    "latency_p95_ms": "Svarstid, 95:e percentilen",
}


def suite_files(settings) -> list[tuple[str, str]]:
    """(label, path) for the bundled suites and those in ``settings.home/suites``."""
    out = []
    for folder, tag in ((BUNDLED, "inbyggd"), (Path(settings.home) / "suites", "egen")):
        if folder.is_dir():
            for p in sorted(folder.iterdir()):
                if p.suffix.lower() in (".yaml", ".yml"):
                    out.append((f"{p.stem} ({tag})", str(p)))
    return out


def _reason_sv(r: dict) -> str:
    if r["must_refuse"]:
        return "besvarade en fråga som ligger utanför materialet (borde avböja)"
    reasons = []
    if r["refused"]:
        reasons.append("avböjde en fråga som materialet besvarar")
    rank = r["first_correct_rank"]
    if rank is None:
        reasons.append("inget rätt stycke bland de tio första")
    elif rank > 1:
        reasons.append(f"första rätta stycket på plats {rank}")
    if r["citation_validity"] is not None and r["citation_validity"] < 1:
        reasons.append("citat som inte är ordagranna")
    if r["citation_precision"] == 0:
        reasons.append("inget citat ur förväntad källa")
    return "; ".join(reasons)


def summary_markdown(data: dict, checks) -> str:
    agg = data["aggregates"]
    lines = [f"**{data['suite']}**: {agg['n']} frågor ({agg['n_in_scope']} inom materialet, "
             f"{agg['n_must_refuse']} som ska avböjas), {data['seconds']} s.", "",
             "| Mått | Värde | Krav | |", "|---|---|---|---|"]
    for m, value, bound, ok in metric_rows(agg, checks):
        status = "" if ok is None else ("✅" if ok else "❌")
        lines.append(f"| {METRIC_SV[m]} | {value} | {bound} | {status} |")
    failed = [c for c in checks if not c.ok]
    lines += ["", "**Alla krav uppfyllda.**" if not failed else
              f"**{len(failed)} krav uppfylls inte:** " + ", ".join(c.metric for c in failed)]
    return "\n".join(lines)


def failures_markdown(data: dict) -> str:
    failing = [r for r in data["results"] if r.get("reasons")]
    if not failing:
        return "Inga frågor misslyckades."
    lines = [f"### Frågor som misslyckades ({len(failing)})", ""]
    for r in failing:
        expected = ", ".join(s["file"] + (f" s. {s['page']}" if s.get("page") else "")
                             for s in r["expected_sources"]) or "avböjande"
        got = ", ".join(f"{p['source']} s. {p['page']}" + (" ✓" if p.get("correct") else "")
                        for p in r["top_passages"][:3]) or "inga stycken"
        lines += [f"- **{r['id']}** ({r['role'] or '—'}): {r['question']}",
                  f"  - *Varför:* {_reason_sv(r)}",
                  f"  - *Förväntat:* {expected}; nyckelfraser: "
                  + (", ".join(f"”{p}”" for p in r["key_phrases"]) or "—"),
                  f"  - *Hittat (topp 3):* {got}"]
    return "\n".join(lines)


def comparison_markdown(comparison) -> str:
    if comparison is None:
        return "Ingen tidigare körning att jämföra med."
    lines = [f"### Jämfört med förra körningen ({comparison.old_label})", "",
             "| Mått | Förut | Nu | Förändring |", "|---|---|---|---|"]
    words = {"better": "bättre", "worse": "sämre", "same": "oförändrat"}
    for m, d in comparison.deltas.items():
        lines.append(f"| {METRIC_SV.get(m, m)} | {fmt(m, d['old'])} | {fmt(m, d['new'])} | "
                     f"{d['delta']:+.3f} ({words[d['verdict']]}) |")
    lines += ["", f"**Sämre ({len(comparison.regressions)}):** "
              + (", ".join(c.describe() for c in comparison.regressions) or "inga"),
              "", f"**Bättre ({len(comparison.improvements)}):** "
              + (", ".join(c.describe() for c in comparison.improvements) or "inga")]
    return "\n".join(lines)


@dataclass
class UIRun:
    summary: str
    chart: str
    failures: str
    comparison: str
    files: list[str] = field(default_factory=list)


def run_evaluation(assistant, settings, suite_path: str, progress=None, user: str = "") -> UIRun:
    """Run one suite, write its reports under ``settings.home/reports``, and render the tab's parts."""
    from assistant.audit import AuditLog

    from .gate import check
    from .report import compare, default_out_dir, latest_report, load_report, write_reports
    from .runner import run_suite
    from .suite import load_suite

    suite = load_suite(suite_path)
    previous = latest_report(settings.home)  # before this run writes its own
    result = run_suite(assistant, suite, progress=progress,
                       config={"embedder": settings.embedder, "reranker": settings.reranker,
                               "generator": settings.generator})
    checks = check(result.aggregates, result.thresholds)
    comparison = None
    if previous is not None:
        try:
            comparison = compare(load_report(previous), result)
        except HandbokError:
            comparison = None  # an unreadable old report is no reason to lose this run
    paths = write_reports(result, default_out_dir(settings.home), comparison, checks)
    AuditLog(settings.home).record("suite_run", user=user, suite=Path(suite_path).name,
                                   passed=all(c.ok for c in checks) if checks else None)
    data = result.to_json()
    return UIRun(summary_markdown(data, checks), charts_html(data, lang="sv"),
                 failures_markdown(data), comparison_markdown(comparison),
                 [str(paths[k]) for k in ("html", "md", "json")])


def eval_tab(assistant, settings):
    """Build the "Utvärdering" tab inside an enclosing ``gr.Blocks``; returns the ``gr.Tab``."""
    import gradio as gr

    choices = suite_files(settings)
    with gr.Tab("Utvärdering") as tab:
        gr.Markdown("Kör en frågesvit mot de indexerade dokumenten och se hur väl assistenten "
                    "hittar rätt stycke, citerar och avböjer frågor utanför materialet.")
        with gr.Row():
            suite = gr.Dropdown(choices=choices, value=choices[0][1] if choices else None,
                                label="Frågesvit", allow_custom_value=False, scale=4)
            refresh = gr.Button("Uppdatera listan", scale=1)
        start = gr.Button("Kör utvärdering", variant="primary")
        summary = gr.Markdown(label="Sammanfattning")
        chart = gr.HTML(label="Diagram")
        failures = gr.Markdown(label="Misslyckade frågor")
        comparison = gr.Markdown(label="Jämförelse med förra körningen")
        files = gr.File(label="Ladda ner rapporter (HTML, Markdown, JSON)", file_count="multiple",
                        interactive=False)

        def _run(path, request: gr.Request, progress=gr.Progress()):
            if not path:
                raise gr.Error("Välj en frågesvit först.")
            try:
                run = run_evaluation(
                    assistant, settings, path, user=getattr(request, "username", None) or "",
                    progress=lambda done, total: progress((done, total), desc="Ställer frågor",
                                                          unit="frågor"))
            except HandbokError as exc:
                raise gr.Error(f"Utvärderingen kunde inte köras: {exc}") from exc
            return run.summary, run.chart, run.failures, run.comparison, run.files

        # this module has postponed annotations: give Gradio the real class so it passes the
        # signed-in user's request (for the audit log) instead of expecting a second input
        _run.__annotations__["request"] = gr.Request

        def _refresh():
            found = suite_files(settings)
            return gr.Dropdown(choices=found, value=found[0][1] if found else None)

        start.click(_run, inputs=[suite], outputs=[summary, chart, failures, comparison, files])
        refresh.click(_refresh, outputs=[suite])
    return tab
