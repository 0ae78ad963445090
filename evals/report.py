"""Reports of a run: report.json (everything), report.md, and a self-contained report.html.

The renderers read the JSON form of a run (``RunResult.to_json()``), so a report
can be rebuilt from an old report.json. The HTML has inline CSS and inline SVG
charts: no scripts, no external assets.
"""
from __future__ import annotations

import datetime as _dt
import html
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest.errors import EvalError

RATE_METRICS = ("hit@1", "hit@5", "mrr@10", "citation_validity", "citation_precision",
                "fact_recall", "refusal_accuracy", "refused_or_uncertain", "false_refusal_rate",
                "uncertain_rate", "key_phrase_shown", "supported_share", "refusal_auc", "refusable_at_3pct")
LATENCY_METRICS = ("latency_p50_ms", "latency_p95_ms")
LOWER_IS_BETTER = {"false_refusal_rate", "uncertain_rate", "latency_p50_ms", "latency_p95_ms"}
GROUP_LABELS = {
    "en": {"all": "overall", "role": "role", "topic": "topic", "lang": "lang"},
    "sv": {"all": "alla", "role": "roll", "topic": "ämne", "lang": "språk"},
}


# -- where reports go ---------------------------------------------------------------------
def default_out_dir(home: Path) -> Path:
    """A new timestamped folder under ``home/reports`` (not created here)."""
    base = Path(home) / "reports"
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out, n = base / stamp, 1
    while out.exists():
        n += 1
        out = base / f"{stamp}-{n}"
    return out


def latest_report(home: Path, exclude: Path | None = None) -> Path | None:
    """The newest report.json under ``home/reports`` (by modification time), or None."""
    base = Path(home) / "reports"
    if not base.is_dir():
        return None
    found = [p for p in base.glob("*/report.json")
             if exclude is None or p.resolve().parent != Path(exclude).resolve()]
    return max(found, key=lambda p: (p.stat().st_mtime, p.as_posix()), default=None)


def load_report(path: Path) -> dict:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise EvalError(f"--compare {path}: file not found; give the report.json of an earlier run") from exc
    except json.JSONDecodeError as exc:
        raise EvalError(f"--compare {path}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc
    if not isinstance(data, dict) or "results" not in data or "aggregates" not in data:
        raise EvalError(f"--compare {path}: not a report.json written by `handbok eval`")
    return data


# -- comparing two runs ---------------------------------------------------------------------
@dataclass
class Change:
    id: str
    kind: str  # "rank" | "refusal" | "added" | "removed"
    old: object
    new: object
    verdict: str  # "better" | "worse" | "changed"

    def describe(self) -> str:
        if self.kind == "rank":
            fmt = lambda r: "none" if r is None else f"#{r}"  # noqa: E731
            return f"{self.id}: first correct passage {fmt(self.old)} → {fmt(self.new)} ({self.verdict})"
        if self.kind == "refusal":
            fmt = lambda r: "refused" if r else "answered"  # noqa: E731
            return f"{self.id}: {fmt(self.old)} → {fmt(self.new)} ({self.verdict})"
        return f"{self.id}: question {self.kind}"


@dataclass
class Comparison:
    old_label: str
    changes: list[Change] = field(default_factory=list)
    deltas: dict = field(default_factory=dict)  # metric -> {old, new, delta, verdict}
    environment: list[str] = field(default_factory=list)  # what differs in where it was measured

    @property
    def regressions(self) -> list[Change]:
        return [c for c in self.changes if c.verdict == "worse"]

    @property
    def improvements(self) -> list[Change]:
        return [c for c in self.changes if c.verdict == "better"]

    def to_json(self) -> dict:
        return {"old": self.old_label, "changes": [asdict(c) for c in self.changes],
                "deltas": self.deltas, "environment": self.environment}


def _rank_key(rank) -> float:
    return float("inf") if rank is None else float(rank)


def compare(old: dict, new) -> Comparison:
    """Per-question changes (rank, refusal) and metric deltas from ``old`` to ``new``.

    Args:
        old: a report.json as a dict (or a ``RunResult.to_json()``).
        new: a ``RunResult`` or its JSON form.
    """
    new = new.to_json() if hasattr(new, "to_json") else new
    old_by_id = {r["id"]: r for r in old.get("results", [])}
    new_by_id = {r["id"]: r for r in new.get("results", [])}
    changes = []
    for qid, n in new_by_id.items():
        o = old_by_id.get(qid)
        if o is None:
            changes.append(Change(qid, "added", None, None, "changed"))
            continue
        ro, rn = o.get("first_correct_rank"), n.get("first_correct_rank")
        if not n.get("must_refuse") and ro != rn:
            changes.append(Change(qid, "rank", ro, rn,
                                  "better" if _rank_key(rn) < _rank_key(ro) else "worse"))
        if bool(o.get("refused")) != bool(n.get("refused")):
            right = bool(n.get("refused")) == bool(n.get("must_refuse"))
            changes.append(Change(qid, "refusal", bool(o.get("refused")), bool(n.get("refused")),
                                  "better" if right else "worse"))
    changes += [Change(qid, "removed", None, None, "changed") for qid in old_by_id if qid not in new_by_id]

    deltas = {}
    for metric in RATE_METRICS + LATENCY_METRICS:
        a, b = old.get("aggregates", {}).get(metric), new.get("aggregates", {}).get(metric)
        if a is None or b is None:
            continue
        d = b - a
        # latency jitters between runs: only a change of 5 ms and 10 % counts
        tol = max(5.0, 0.1 * abs(a)) if metric in LATENCY_METRICS else 1e-9
        verdict = "same" if abs(d) < tol else (
            "better" if (d < 0) == (metric in LOWER_IS_BETTER) else "worse")
        deltas[metric] = {"old": a, "new": b, "delta": d, "verdict": verdict}
    from .environment import differences

    label = f"{old.get('suite', '?')} {old.get('started', '')}".strip()
    return Comparison(label, changes, deltas, differences(old.get("environment"), new.get("environment")))


# -- formatting -------------------------------------------------------------------------------
def fmt(metric: str, value) -> str:
    if value is None:
        return "n/a"
    if metric in LATENCY_METRICS or metric.endswith("_ms"):
        return f"{value:.0f} ms"
    if isinstance(value, int) and metric.startswith("n"):
        return str(value)
    return f"{value:.3f}"


def _bars(data: dict, metric: str, lang: str) -> list[tuple[str, float | None]]:
    labels = GROUP_LABELS.get(lang, GROUP_LABELS["en"])
    rows = [(labels["all"], data["aggregates"].get(metric))]
    for group in ("role", "topic", "lang"):
        for value, agg in data.get("breakdown", {}).get(group, {}).items():
            rows.append((f"{labels[group]}: {value}", agg.get(metric)))
    return rows


def _threshold_for(data: dict, metric: str) -> tuple[float, bool] | None:
    for name, bound in (data.get("thresholds") or {}).items():
        upper = name.endswith("_max")
        if (name[:-4] if upper else name) == metric:
            return float(bound), upper
    return None


def chart_svg(data: dict, metric: str, lang: str = "en") -> str:
    """One horizontal bar chart (inline SVG): the metric overall and for each role, topic and lang."""
    rows = _bars(data, metric, lang)
    label_w, bar_w, row_h, top = 190, 280, 20, 24
    width, height = label_w + bar_w + 80, top + row_h * len(rows) + 8
    values = [v for _, v in rows if v is not None]
    scale = 1.0 if metric in RATE_METRICS else max(values + [1.0])
    e = html.escape
    parts = [f'<svg role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" class="chart" aria-label="{e(metric)}">',
             f'<text x="4" y="15" font-size="13" font-weight="bold">{e(metric)}</text>']
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" font-size="11" text-anchor="end">'
                     f'{e(label[:32])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 6}" fill="#eef1f5"/>')
        if value is not None:
            w = max(0.0, min(1.0, value / scale)) * bar_w
            good = value if metric not in LOWER_IS_BETTER else 1 - value / scale
            color = "#2f855a" if good >= 0.9 else "#d69e2e" if good >= 0.7 else "#c53030"
            if i == 0:
                color = "#2b6cb0"
            parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{color}"/>')
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 14}" font-size="11">{e(fmt(metric, value))}</text>')
    threshold = _threshold_for(data, metric)
    if threshold and threshold[0] <= scale:
        x = label_w + threshold[0] / scale * bar_w
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 6}" stroke="#1a202c" '
                     f'stroke-dasharray="4 3"><title>threshold {threshold[0]:g}</title></line>')
    parts.append("</svg>")
    return "".join(parts)


def charts_html(data: dict, lang: str = "en") -> str:
    """All charts, side by side, as an HTML fragment (used by report.html and the UI)."""
    data = data.to_json() if hasattr(data, "to_json") else data
    metrics = [m for m in RATE_METRICS + LATENCY_METRICS if data["aggregates"].get(m) is not None]
    return ('<div class="charts" style="display:flex;flex-wrap:wrap;gap:12px">'
            + "".join(chart_svg(data, m, lang) for m in metrics) + "</div>")


def _failures(data: dict) -> list[dict]:
    return [r for r in data["results"] if r.get("reasons")]


def _source_label(s: dict) -> str:
    out = s.get("file") or s.get("source", "")
    if s.get("page") is not None:
        out += f" p. {s['page']}"
    if s.get("section"):
        out += f" §{s['section']}"
    return out


# -- Markdown -----------------------------------------------------------------------------
def metric_rows(aggregates: dict, checks=None):
    """(metric, formatted value, "≥ bound" or "", ok: True/False/None when not gated) per metric."""
    gate = {c.metric: c for c in checks or []}
    for m in RATE_METRICS + LATENCY_METRICS:
        c = gate.get(m)
        bound = f"{'≤' if c.upper else '≥'} {c.bound:g}" if c else ""
        yield m, fmt(m, aggregates.get(m)), bound, (c.ok if c else None)


def render_markdown(data: dict, comparison: Comparison | None = None, checks=None) -> str:
    data = data.to_json() if hasattr(data, "to_json") else data
    agg = data["aggregates"]
    lines = [f"# Evaluation: {data['suite']}", "",
             f"{agg['n']} questions ({agg['n_in_scope']} in scope, {agg['n_must_refuse']} must refuse), "
             f"run {data['started']} in {data['seconds']} s, k={data['k']}.", "",
             "| metric | value | threshold | |", "|---|---|---|---|"]
    for m, value, bound, ok in metric_rows(agg, checks):
        status = "" if ok is None else ("ok" if ok else "**FAIL**")
        lines.append(f"| {m} | {value} | {bound} | {status} |")
    cols = ("n", "hit@1", "hit@5", "mrr@10", "false_refusal_rate", "uncertain_rate", "refusal_accuracy",
            "refused_or_uncertain", "citation_precision")
    for group in ("role", "topic", "lang"):
        rows = data.get("breakdown", {}).get(group, {})
        if not rows:
            continue
        lines += ["", f"## By {group}", "", f"| {group} | " + " | ".join(cols) + " |",
                  "|---" * (len(cols) + 1) + "|"]
        for value, a in rows.items():
            lines.append(f"| {value} | " + " | ".join(fmt(c, a.get(c)) for c in cols) + " |")
    failures = _failures(data)
    lines += ["", f"## Failing questions ({len(failures)})", ""]
    for r in failures:
        lines.append(f"### {r['id']} ({r['role'] or '—'}, {r['topic'] or '—'})")
        lines.append(f"> {r['question']}")
        lines.append("")
        lines.append(f"- **why:** {'; '.join(r['reasons'])}")
        if r["expected_sources"] or r["key_phrases"]:
            lines.append(f"- **expected:** {', '.join(_source_label(s) for s in r['expected_sources'])}"
                         f" — key phrases: {', '.join(repr(p) for p in r['key_phrases'])}")
        for p in r["top_passages"][:3]:
            mark = "✓" if p.get("correct") else "✗"
            snippet = p["text"].replace("\n", " ")[:120]
            lines.append(f"- retrieved #{p['rank']} {mark} {p['source']} p. {p['page']}: {snippet}…")
        for c in r["citations"]:
            mark = "✓" if c.get("correct") else "✗"
            lines.append(f"- cited [{c['n']}] {mark} {c['source']} p. {c['page']}: “{c['quote'][:120]}”")
        if r.get("missing_facts"):
            lines.append(f"- missing facts: {', '.join(repr(f) for f in r['missing_facts'])}")
        lines.append("")
    if comparison is not None:
        lines += _comparison_md(comparison)
    lines += ["", "## Environment", ""] + [f"- {k}: {v}" for k, v in _environment_rows(data)]
    return "\n".join(lines).rstrip() + "\n"


def _environment_rows(data: dict) -> list[tuple[str, str]]:
    """Where the run was measured, as (label, value) rows; packages on one line."""
    env = data.get("environment") or {}
    if not env:
        return [("recorded", "no (a report from before environments were recorded)")]
    rows = [(k, str(env.get(k))) for k in ("python", "platform", "cpu", "cpu_count", "commit", "lock_digest")]
    rows.append(("cpu_flags", " ".join(env.get("cpu_flags", []))))
    rows.append(("env", ", ".join(f"{k}={v}" for k, v in env.get("env", {}).items()) or "–"))
    rows.append(("packages", ", ".join(f"{k}=={v}" for k, v in env.get("packages", {}).items())))
    return rows


def _comparison_md(comparison: Comparison) -> list[str]:
    lines = ["", f"## Compared with {comparison.old_label}", "",
             "| metric | before | after | change |", "|---|---|---|---|"]
    for m, d in comparison.deltas.items():
        lines.append(f"| {m} | {fmt(m, d['old'])} | {fmt(m, d['new'])} | {d['delta']:+.3f} {d['verdict']} |")
    lines += ["", f"Regressions ({len(comparison.regressions)}):"]
    lines += [f"- {c.describe()}" for c in comparison.regressions] or ["- none"]
    lines += ["", f"Improvements ({len(comparison.improvements)}):"]
    lines += [f"- {c.describe()}" for c in comparison.improvements] or ["- none"]
    lines += ["", f"Environment differences ({len(comparison.environment)}):"]
    lines += [f"- {d}" for d in comparison.environment] or ["- none"]
    return lines


# -- HTML -----------------------------------------------------------------------------------
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#1a202c;max-width:1200px}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #cbd5e0;padding:3px 8px;text-align:left}
th{background:#edf2f7}.fail{color:#c53030;font-weight:bold}.ok{color:#2f855a}
.q{border:1px solid #cbd5e0;border-radius:6px;padding:8px 12px;margin:10px 0}
.cols{display:flex;gap:16px;flex-wrap:wrap}.cols>div{flex:1;min-width:320px}
.snip{font-size:12px;color:#4a5568}code{background:#edf2f7;padding:0 3px}
.better{color:#2f855a}.worse{color:#c53030}
"""


def render_html(data: dict, comparison: Comparison | None = None, checks=None) -> str:
    """The whole report as one HTML page with inline CSS and SVG (no scripts, no external links)."""
    data = data.to_json() if hasattr(data, "to_json") else data
    e = html.escape
    agg = data["aggregates"]
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
           f"<title>Evaluation {e(data['suite'])}</title><style>{_CSS}</style></head><body>",
           f"<h1>Evaluation: {e(data['suite'])}</h1>",
           f"<p>{agg['n']} questions ({agg['n_in_scope']} in scope, {agg['n_must_refuse']} must refuse), "
           f"run {e(data['started'])} in {data['seconds']} s, k={data['k']}.</p>",
           "<table><tr><th>metric</th><th>value</th><th>threshold</th><th></th></tr>"]
    for m, value, bound, ok in metric_rows(agg, checks):
        status = "" if ok is None else f"<span class='{'ok' if ok else 'fail'}'>{'ok' if ok else 'FAIL'}</span>"
        out.append(f"<tr><td>{e(m)}</td><td>{e(value)}</td><td>{e(bound)}</td><td>{status}</td></tr>")
    out.append("</table><h2>Charts</h2>")
    out.append(charts_html(data))
    if comparison is not None:
        out.append(_comparison_html(comparison))
    failures = _failures(data)
    out.append(f"<h2>Failing questions ({len(failures)})</h2>")
    for r in failures:
        out.append(f"<div class='q'><h3 id='{e(r['id'])}'>{e(r['id'])} "
                   f"<small>({e(r['role'] or '—')}, {e(r['topic'] or '—')}, {e(r['lang'])})</small></h3>")
        out.append(f"<p><b>{e(r['question'])}</b></p><p class='fail'>{e('; '.join(r['reasons']))}</p>")
        out.append("<div class='cols'><div><h4>Expected</h4><ul>")
        out += [f"<li>{e(_source_label(s))}</li>" for s in r["expected_sources"]] or ["<li>refusal</li>"]
        out.append("</ul>")
        if r["key_phrases"]:
            out.append("<p>Key phrases: " + ", ".join(f"<code>{e(p)}</code>" for p in r["key_phrases"]) + "</p>")
        if r.get("missing_facts"):
            out.append("<p>Missing facts: " + ", ".join(f"<code>{e(f)}</code>" for f in r["missing_facts"]) + "</p>")
        out.append("</div><div><h4>Retrieved (top 3)</h4><ol>")
        for p in r["top_passages"][:3]:
            mark = "<span class='ok'>✓</span>" if p.get("correct") else "<span class='fail'>✗</span>"
            out.append(f"<li>{mark} {e(p['source'])} p. {p['page']}<div class='snip'>{e(p['text'])}…</div></li>")
        out.append("</ol><h4>Cited</h4><ul>")
        for c in r["citations"]:
            mark = "<span class='ok'>✓</span>" if c.get("correct") else "<span class='fail'>✗</span>"
            out.append(f"<li>[{c['n']}] {mark} {e(c['source'])} p. {c['page']}"
                       f"<div class='snip'>“{e(c['quote'])}”</div></li>")
        if not r["citations"]:
            label = {"refused": "refused", "uncertain": "uncertain (closest passages shown, no answer)"}
            out.append(f"<li>{label.get(r.get('outcome'), 'refused' if r['refused'] else 'no citations')}</li>")
        out.append("</ul></div></div></div>")
    out.append("<h2>Environment</h2><table>")
    out += [f"<tr><th>{e(k)}</th><td class='snip'>{e(v)}</td></tr>" for k, v in _environment_rows(data)]
    out.append("</table></body></html>")
    return "\n".join(out)


def _comparison_html(comparison: Comparison) -> str:
    e = html.escape
    out = [f"<h2>Compared with {e(comparison.old_label)}</h2>",
           "<table><tr><th>metric</th><th>before</th><th>after</th><th>change</th></tr>"]
    for m, d in comparison.deltas.items():
        out.append(f"<tr><td>{e(m)}</td><td>{e(fmt(m, d['old']))}</td><td>{e(fmt(m, d['new']))}</td>"
                   f"<td class='{d['verdict']}'>{d['delta']:+.3f} {d['verdict']}</td></tr>")
    out.append("</table>")
    for title, items in (("Regressions", comparison.regressions), ("Improvements", comparison.improvements)):
        out.append(f"<h3>{title} ({len(items)})</h3><ul>")
        out += [f"<li class='{c.verdict}'>{e(c.describe())}</li>" for c in items] or ["<li>none</li>"]
        out.append("</ul>")
    out.append(f"<h3>Environment differences ({len(comparison.environment)})</h3><ul>")
    out += [f"<li>{e(d)}</li>" for d in comparison.environment] or ["<li>none</li>"]
    out.append("</ul>")
    return "\n".join(out)


# -- writing --------------------------------------------------------------------------------
def write_reports(result, out_dir: Path, comparison: Comparison | None = None,
                  checks=None) -> dict[str, Path]:
    """Write report.json, report.md and report.html into ``out_dir``; returns their paths."""
    data = result.to_json() if hasattr(result, "to_json") else dict(result)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    full = dict(data)
    if checks is not None:
        full["gate"] = [{"name": c.name, "metric": c.metric, "bound": c.bound, "upper": c.upper,
                         "value": c.value, "ok": c.ok} for c in checks]
    if comparison is not None:
        full["comparison"] = comparison.to_json()
    paths = {"json": out_dir / "report.json", "md": out_dir / "report.md", "html": out_dir / "report.html"}
    paths["json"].write_text(json.dumps(full, ensure_ascii=False, indent=2), encoding="utf-8")
    paths["md"].write_text(render_markdown(data, comparison, checks), encoding="utf-8")
    paths["html"].write_text(render_html(data, comparison, checks), encoding="utf-8")
    return paths
