"""Run a suite through the assistant: per-question scores, then aggregates overall and by group."""
from __future__ import annotations

import datetime as _dt
import math
import time
from dataclasses import asdict, dataclass, field

from ingest.errors import EvalError

from .evaluators import (CitationPrecision, CitationValidity, FactRecall, FirstCorrectRank,
                         RefusalCorrect, contains_key_phrase, is_correct, missing_facts)
from .suite import Case, Suite, fold

GROUPS = ("role", "topic", "lang")
SNIPPET = 200


@dataclass
class QuestionResult:
    id: str
    question: str
    role: str
    topic: str
    lang: str
    must_refuse: bool
    refused: bool
    first_correct_rank: int | None
    citation_validity: float | None
    citation_precision: float | None
    fact_recall: float | None
    refusal_correct: float
    latency_ms: float
    answer: str = ""
    confidence: float = 0.0
    top_passages: list[dict] = field(default_factory=list)
    citations: list[dict] = field(default_factory=list)
    expected_sources: list[dict] = field(default_factory=list)
    key_phrases: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    missing_facts: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why it fails; empty when it passes
    sentences_checked: int | None = None  # generated sentences checked against their sources
    sentences_supported: int | None = None
    unsupported_sentences: list[dict] = field(default_factory=list)  # what the check removed, and why
    outcome: str = "answer"  # answer | uncertain | refused
    # in scope: a quote of the answer, or one of the first three sources shown, holds a key phrase
    key_phrase_shown: bool | None = None

    @property
    def failed(self) -> bool:
        return bool(self.reasons)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class RunResult:
    suite: str
    suite_path: str
    started: str
    seconds: float
    k: int
    results: list[QuestionResult]
    aggregates: dict
    breakdown: dict  # {"role": {"lärare": {metric: value, ...}}, "topic": ..., "lang": ...}
    thresholds: dict = field(default_factory=dict)
    config: dict = field(default_factory=dict)
    environment: dict = field(default_factory=dict)  # evals.environment: where it was measured

    @property
    def failures(self) -> list[QuestionResult]:
        return [r for r in self.results if r.failed]

    def to_json(self) -> dict:
        return {"suite": self.suite, "suite_path": self.suite_path, "started": self.started,
                "seconds": round(self.seconds, 2), "k": self.k, "config": self.config,
                "thresholds": self.thresholds, "aggregates": self.aggregates,
                "breakdown": self.breakdown, "environment": self.environment,
                "results": [r.to_json() for r in self.results]}


def _mean(values) -> float | None:
    values = [float(v) for v in values if v is not None]
    return sum(values) / len(values) if values else None


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100)."""
    if not values:
        return None
    s = sorted(values)
    pos = (len(s) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def separability(in_scope: list[float], out_of_scope: list[float], max_refused: float = 0.03) -> dict:
    """How well the confidence tells answerable from unanswerable questions, whatever the cut:
    ``refusal_auc`` (the chance that an answerable question scores above an unanswerable one,
    ties half) and ``refusable_at_3pct`` (the most unanswerable questions any single cut-off
    refuses while refusing at most ``max_refused`` of the answerable ones). Both None without
    questions of each kind."""
    if not in_scope or not out_of_scope:
        return {"refusal_auc": None, "refusable_at_3pct": None}
    pairs = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in in_scope for b in out_of_scope)
    allowed = math.floor(max_refused * len(in_scope) + 1e-9)  # answerable questions a cut may refuse
    ordered = sorted(in_scope)
    # refuse below the (allowed+1)-th lowest answerable confidence: at most `allowed` refused
    cut = ordered[allowed] if allowed < len(ordered) else math.inf
    return {"refusal_auc": pairs / (len(in_scope) * len(out_of_scope)),
            "refusable_at_3pct": sum(b < cut for b in out_of_scope) / len(out_of_scope)}


def aggregate(results: list[QuestionResult]) -> dict:
    """The suite-level figures for a list of results (None where a figure does not apply)."""
    in_scope = [r for r in results if not r.must_refuse]
    out_of_scope = [r for r in results if r.must_refuse]
    ranks = [r.first_correct_rank for r in in_scope]  # refused in-scope questions count by their ranking

    def hit(n):
        return _mean([rank is not None and rank <= n for rank in ranks]) if ranks else None

    latencies = [r.latency_ms for r in results]
    return {
        "n": len(results),
        "n_in_scope": len(in_scope),
        "n_must_refuse": len(out_of_scope),
        "hit@1": hit(1),
        "hit@5": hit(5),
        "mrr@10": _mean([1 / rank if rank and rank <= 10 else 0.0 for rank in ranks]) if ranks else None,
        "citation_validity": _mean(r.citation_validity for r in results),
        "citation_precision": _mean(r.citation_precision for r in results),
        "fact_recall": _mean(r.fact_recall for r in results),
        "refusal_accuracy": _mean([r.refused for r in out_of_scope]) if out_of_scope else None,
        "refused_or_uncertain": (_mean([r.outcome != "answer" for r in out_of_scope])
                                 if out_of_scope else None),
        "false_refusal_rate": _mean([r.refused for r in in_scope]) if in_scope else None,
        # generated sentences supported by their cited passages, over all questions (None: extractive)
        "supported_share": (sum(r.sentences_supported or 0 for r in results) / checked
                            if (checked := sum(r.sentences_checked or 0 for r in results)) else None),
        "uncertain_rate": _mean([r.outcome == "uncertain" for r in in_scope]) if in_scope else None,
        "key_phrase_shown": _mean([r.key_phrase_shown for r in in_scope]) if in_scope else None,
        **separability([r.confidence for r in in_scope], [r.confidence for r in out_of_scope]),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
    }


def breakdown(results: list[QuestionResult]) -> dict:
    out = {}
    for group in GROUPS:
        values = sorted({getattr(r, group) or "—" for r in results})
        out[group] = {v: aggregate([r for r in results if (getattr(r, group) or "—") == v])
                      for v in values}
    return out


def failure_reasons(case: Case, r: QuestionResult, k: int) -> list[str]:
    reasons = []
    if case.must_refuse:
        if r.outcome == "uncertain":
            reasons.append("uncertain on an out-of-scope question (should refuse)")
        elif not r.refused:
            reasons.append("answered an out-of-scope question (should refuse)")
        return reasons
    if r.refused:
        reasons.append("refused an in-scope question")
    elif r.outcome == "uncertain":
        reasons.append("uncertain on an in-scope question (showed passages, no answer)")
    if r.first_correct_rank is None:
        reasons.append(f"no correct passage in the top {k}")
    elif r.first_correct_rank > 1:
        reasons.append(f"first correct passage at rank {r.first_correct_rank}")
    if r.citation_validity is not None and r.citation_validity < 1:
        reasons.append(f"{r.citation_validity:.0%} of citations verbatim in their passage")
    if r.citation_precision == 0:
        reasons.append("no cited passage is from an expected source with a key phrase")
    return reasons


def score(case: Case, answer, k: int = 10) -> QuestionResult:
    """Score one answer against its case."""
    r = QuestionResult(
        id=case.id, question=case.question, role=case.role, topic=case.topic, lang=case.lang,
        must_refuse=case.must_refuse, refused=bool(answer.refused),
        outcome=getattr(answer, "outcome", "refused" if answer.refused else "answer"),
        first_correct_rank=FirstCorrectRank(k).evaluate(case, answer),
        citation_validity=CitationValidity().evaluate(case, answer),
        citation_precision=CitationPrecision().evaluate(case, answer),
        fact_recall=FactRecall().evaluate(case, answer),
        refusal_correct=RefusalCorrect().evaluate(case, answer),
        latency_ms=round(float(answer.timings.get("total", sum(answer.timings.values()))), 2),
        answer=answer.answer, confidence=round(float(answer.confidence), 4),
        top_passages=[{"rank": i, "source": p.chunk.source, "page": p.chunk.page,
                       "chunk_id": p.chunk.chunk_id, "text": p.chunk.text[:SNIPPET],
                       "correct": (not case.must_refuse) and is_correct(case, p.chunk),
                       "has_key_phrase": contains_key_phrase(case, p.chunk)}
                      for i, p in enumerate(answer.passages[:k], 1)],
        citations=[{"n": c.n, "source": c.passage.chunk.source, "page": c.page,
                    "chunk_id": c.passage.chunk.chunk_id, "quote": c.quote,
                    "correct": (not case.must_refuse) and is_correct(case, c.passage.chunk)}
                   for c in answer.citations],
        expected_sources=[s.to_json() for s in case.sources],
        key_phrases=list(case.key_phrases), facts=list(case.facts),
        missing_facts=[] if case.must_refuse else missing_facts(case, answer),
    )
    checked = (getattr(answer, "generation", None) or {}).get("sentences")
    if checked is not None:
        r.sentences_checked = len(checked)
        r.sentences_supported = sum(1 for v in checked if v.get("supported"))
        r.unsupported_sentences = [{"sentence": v.get("sentence", ""), "cited": v.get("cited", []),
                                    "reason": v.get("reason", "")} for v in checked if not v.get("supported")]
    if not case.must_refuse:
        phrases = [fold(p) for p in case.key_phrases]
        r.key_phrase_shown = (any(p["correct"] for p in r.top_passages[:3])
                              or any(c["correct"] and any(ph in fold(c["quote"]) for ph in phrases)
                                     for c in r.citations))
    r.reasons = failure_reasons(case, r, k)
    return r


def _tick(progress, done: int, total: int) -> None:
    if progress is None:
        return
    if hasattr(progress, "update"):  # a tqdm bar
        progress.update(1)
    else:
        progress(done, total)


def run_suite(assistant, suite: Suite, progress=None, *, k: int = 10,
              config: dict | None = None) -> RunResult:
    """Ask every question of ``suite`` and score the answers.

    Args:
        assistant: an ``assistant.assistant.Assistant`` over an indexed corpus.
        suite: from ``evals.suite.load_suite``.
        progress: ``callable(done, total)``, or a tqdm bar (its ``update(1)`` is called).
        k: passages ranked per question (hit@k and mrr@10 look at these).

    Raises:
        EvalError: the index is empty.

    Example:
        >>> result = run_suite(Assistant.from_settings(settings), load_suite("evals/suites/handbok.yaml"))
        >>> result.aggregates["hit@5"]
    """
    chunks = getattr(getattr(assistant, "retriever", None), "chunks", None)
    if chunks is not None and not chunks:
        raise EvalError("the index is empty: run `handbok ingest` before `handbok eval`")
    started = _dt.datetime.now().isoformat(timespec="seconds")
    t0 = time.perf_counter()
    results = []
    total = len(suite.cases)
    for i, case in enumerate(suite.cases, 1):
        answer = assistant.ask(case.question, k=k)
        results.append(score(case, answer, k))
        _tick(progress, i, total)
    from .environment import environment
    from .gate import suite_thresholds

    return RunResult(suite=suite.name, suite_path=suite.path, started=started,
                     seconds=time.perf_counter() - t0, k=k, results=results,
                     aggregates=aggregate(results), breakdown=breakdown(results),
                     thresholds=suite_thresholds(suite), config=dict(config or {}),
                     environment=environment())
