"""Fit the refusal policy's constants on a suite, and say how well they generalise.

    python -m evals.calibrate [SUITE] [--corpus corpus]

Ingests the corpus into a temporary index, runs the default retrieval for every
question, and records the evidence the policy reads (best e5 cosine among the top
passages, the share of unknown words, English or not). A grid over
``unknown_weight``, ``english_bonus`` and ``dense_center`` then minimises
false refusals + 1.5 x accepted out-of-scope questions. Printed: the fitted
constants with their in-sample figures, leave-one-out figures (the grid refitted
without each question, then applied to it) and 2-fold cross-validation over 50
random halvings. These are the figures ``assistant/refusal.py`` quotes.
"""
from __future__ import annotations

import itertools
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np

from .suite import load_suite

OOS_COST = 1.5  # an accepted out-of-scope question costs more than a refused real one


@dataclass
class Evidence:
    dense_top: float
    unknown: float
    english: bool
    in_scope: bool


def collect(suite_path: Path, corpus: Path) -> list[Evidence]:
    from assistant.assistant import Assistant
    from index.embedders import make_embedder
    from index.retriever import HybridRetriever
    from index.store import ChunkStore
    from index.sync import ingest_paths

    suite = load_suite(suite_path)
    out = []
    with tempfile.TemporaryDirectory(prefix="handbok-calibrate-") as tmp:
        home = Path(tmp)
        e5 = make_embedder("e5-small")
        store = ChunkStore(home)
        ingest_paths([corpus], store, e5)
        assistant = Assistant(HybridRetriever(store, e5, home))
        for case in suite.cases:
            passages = assistant.retriever.search(case.question, k=10)
            q = assistant.retriever.rewrite(case.question)
            out.append(Evidence(Assistant.dense_evidence(passages), q.unknown, q.english,
                                not case.must_refuse))
    return out


GRID = list(itertools.product(np.round(np.arange(0.0, 0.101, 0.01), 3),     # unknown_weight
                              np.round(np.arange(0.0, 0.061, 0.01), 3),     # english_bonus
                              np.round(np.arange(0.78, 0.901, 0.0025), 4)))  # dense_center


def _margins(ev: list[Evidence]):
    d = np.array([e.dense_top for e in ev])
    u = np.array([e.unknown for e in ev])
    en = np.array([e.english for e in ev], dtype=float)
    ins = np.array([e.in_scope for e in ev])
    return d, u, en, ins


def _answered(params, d, u, en):
    """The policy's own decision, for constants ``params`` = (unknown_weight, english_bonus,
    dense_center), over arrays of evidence."""
    from assistant.refusal import RefusalPolicy

    uw, eb, center = params
    return RefusalPolicy(dense_center=center, unknown_weight=uw, english_bonus=eb).margin(d, u, en) >= 0


def _rates(params, d, u, en, ins):
    answer = _answered(params, d, u, en)
    false_refusal = float((~answer & ins).sum() / max(1, ins.sum()))
    refused_oos = float((~answer & ~ins).sum() / max(1, (~ins).sum()))
    return false_refusal, refused_oos


def fit(ev: list[Evidence]):
    d, u, en, ins = _margins(ev)

    def cost(p):
        answer = _answered(p, d, u, en)
        return (~answer & ins).sum() + OOS_COST * (answer & ~ins).sum()

    # ties: the smallest adjustments, then the centre in the middle of the flat region
    best = min(cost(p) for p in GRID)
    ties = [p for p in GRID if cost(p) == best]
    ties.sort(key=lambda p: (p[0] + p[1]))
    small = [p for p in ties if p[0] + p[1] == ties[0][0] + ties[0][1]]
    return small[len(small) // 2]


def report(ev: list[Evidence], halvings: int = 50, seed: int = 0) -> dict:
    d, u, en, ins = _margins(ev)
    params = fit(ev)
    fitted = _rates(params, d, u, en, ins)
    loo_answer = []
    for i in range(len(ev)):
        p = fit(ev[:i] + ev[i + 1:])
        loo_answer.append(bool(_answered(p, d[i], u[i], en[i])))
    loo_answer = np.array(loo_answer)
    loo = (float((~loo_answer & ins).sum() / ins.sum()), float((~loo_answer & ~ins).sum() / (~ins).sum()))
    rng = np.random.default_rng(seed)
    cv = []
    for _ in range(halvings):
        perm = rng.permutation(len(ev))
        halves = perm[:len(ev) // 2], perm[len(ev) // 2:]
        for train, test in (halves, halves[::-1]):
            p = fit([ev[i] for i in train])
            cv.append(_rates(p, d[test], u[test], en[test], ins[test]))
    return {"params": params, "fitted": fitted, "loo": loo, "cv": tuple(np.mean(cv, axis=0))}


@click.command()
@click.argument("suite", required=False, type=click.Path(exists=True, path_type=Path),
                default=Path("evals/suites/handbok.yaml"))
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=Path("corpus"), show_default=True)
def main(suite, corpus):
    """Fit the refusal constants on SUITE and print in-sample, leave-one-out and 2-fold figures."""
    r = report(collect(suite, corpus))
    uw, eb, center = r["params"]
    click.echo(f"fitted: unknown_weight={uw} english_bonus={eb} dense_center={center}")
    for name in ("fitted", "loo", "cv"):
        fr, oos = r[name]
        click.echo(f"{name:7s} in-scope falsely refused {fr:.3f}, out-of-scope refused {oos:.3f}")


if __name__ == "__main__":
    main()
