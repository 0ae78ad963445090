"""Choose the refusal policy's constants on a suite, and say how well they generalise.

    python -m evals.calibrate [SUITE] [--corpus corpus] [--save evidence.json]

Ingests the corpus into a temporary index, fits the index's null distribution (the
off-topic bank, ``assistant.calibration``), and records the evidence of every suite
question (``assistant.evidence``). A grid over ``coverage_weight``, ``unknown_weight``,
``refuse_below`` and ``answer_from`` then minimises

    10 x refused in-scope + 2 x uncertain in-scope + 5 x answered out-of-scope
    + 1 x uncertain out-of-scope  (each as a share of its questions)

(the issue's targets: refused in-scope <= 0.03 and uncertain <= 0.10; out-of-scope refused
>= 0.85 and refused-or-uncertain >= 0.95). Printed: the chosen constants with their
in-sample figures and 2-fold cross-validation over 50 random halvings (constants chosen
on one half of the questions, scored on the other). ``evals.crosscorpus`` chooses on one
corpus and scores on the others.
"""
from __future__ import annotations

import itertools
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np

from .suite import load_suite

# per share of the questions: refusing a real question is the costliest error, then
# answering one the documents do not cover (the targets: 0.03 and 0.05)
COST = {"in_refused": 10.0, "in_uncertain": 2.0, "oos_answered": 5.0, "oos_uncertain": 1.0}
GRID = list(itertools.product((0.0, 0.5, 1.0, 1.5, 2.0, 3.0),          # coverage_weight
                              (0.0, 0.5, 1.0, 1.5, 2.0),               # unknown_weight
                              (0.80, 0.85, 0.88, 0.90, 0.92, 0.94),    # refuse_below
                              (0.90, 0.93, 0.95, 0.97, 0.98, 0.99)))   # answer_from
GRID = [g for g in GRID if g[3] >= g[2]]


@dataclass
class Collected:
    """A suite's evidence and its index's null distribution."""

    name: str
    dense: np.ndarray
    coverage: np.ndarray
    unknown: np.ndarray
    english: np.ndarray
    in_scope: np.ndarray
    null: object  # assistant.calibration.NullDistribution

    def subset(self, idx) -> "Collected":
        idx = np.asarray(idx)
        return Collected(self.name, self.dense[idx], self.coverage[idx], self.unknown[idx],
                         self.english[idx], self.in_scope[idx], self.null)

    def to_json(self) -> dict:
        return {"name": self.name, "dense": self.dense.tolist(), "coverage": self.coverage.tolist(),
                "unknown": self.unknown.tolist(), "english": self.english.tolist(),
                "in_scope": self.in_scope.tolist(), "null": self.null.to_json()}

    @classmethod
    def from_json(cls, data: dict) -> "Collected":
        from assistant.calibration import NullDistribution

        return cls(data["name"], np.array(data["dense"]), np.array(data["coverage"]),
                   np.array(data["unknown"]), np.array(data["english"], dtype=bool),
                   np.array(data["in_scope"], dtype=bool), NullDistribution.from_json(data["null"]))


def collect_on(assistant, suite) -> Collected:
    """Evidence of every question of ``suite`` on the assistant's index, and its null."""
    from assistant.evidence import gather

    r = assistant.retriever
    null = assistant.calibration.get(r)
    rows = [gather(r, c.question, r.search(c.question, k=10)) for c in suite.cases]
    return Collected(suite.name, np.array([e.dense_top for e in rows]), np.array([e.coverage for e in rows]),
                     np.array([e.unknown for e in rows]), np.array([e.english for e in rows], dtype=bool),
                     np.array([not c.must_refuse for c in suite.cases]), null)


def collect(suite_path: Path, corpus: list[Path], retrieval=None) -> Collected:
    """Ingest ``corpus`` into a temporary index and collect ``suite_path``'s evidence there."""
    from assistant.assistant import Assistant
    from index.embedders import make_embedder
    from index.retriever import HybridRetriever
    from index.store import ChunkStore
    from index.sync import ingest_paths

    suite = load_suite(suite_path)
    with tempfile.TemporaryDirectory(prefix="handbok-calibrate-") as tmp:
        home = Path(tmp)
        e5 = make_embedder("e5-small")
        store = ChunkStore(home)
        ingest_paths(list(corpus), store, e5)
        return collect_on(Assistant(HybridRetriever(store, e5, home, retrieval)), suite)


def outcomes(params, c: Collected) -> np.ndarray:
    """0 answer, 1 uncertain, 2 refused for each question, with constants ``params``."""
    from assistant.refusal import RefusalPolicy, scores

    cw, uw, refuse_below, answer_from = params
    policy = RefusalPolicy(coverage_weight=cw, unknown_weight=uw)
    null = policy.null_scores(c.null)
    p = policy._params(c.null)
    s = scores(c.dense, c.coverage, c.unknown, c.english, **p)
    conf = np.searchsorted(null, s, side="left") / max(1, len(null))
    return np.where(conf < refuse_below, 2, np.where(conf < answer_from, 1, 0))


def rates(params, c: Collected) -> dict:
    o = outcomes(params, c)
    ins, oos = c.in_scope, ~c.in_scope
    share = lambda mask, sel: float((mask & sel).sum() / max(1, sel.sum()))  # noqa: E731
    return {"false_refusal_rate": share(o == 2, ins), "uncertain_rate": share(o == 1, ins),
            "refusal_accuracy": share(o == 2, oos), "refused_or_uncertain": share(o >= 1, oos)}


def cost(params, cs: list[Collected]) -> float:
    total = 0.0
    for c in cs:
        o = outcomes(params, c)
        ins, oos = c.in_scope, ~c.in_scope
        # each corpus weighs by its shares, so a big suite does not drown a small one
        total += (COST["in_refused"] * (o[ins] == 2).mean() + COST["in_uncertain"] * (o[ins] == 1).mean()
                  + COST["oos_answered"] * (o[oos] == 0).mean() + COST["oos_uncertain"] * (o[oos] == 1).mean()
                  if ins.any() and oos.any() else 0.0)
    return total


def choose(cs: list[Collected]):
    """The grid point of least cost; ties go to the middle of the tied region."""
    costs = [cost(p, cs) for p in GRID]
    best = min(costs)
    ties = [p for p, k in zip(GRID, costs) if k <= best + 1e-9]
    return ties[len(ties) // 2]


def cross_validate(c: Collected, halvings: int = 50, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    out = []
    n = len(c.in_scope)
    for _ in range(halvings):
        perm = rng.permutation(n)
        halves = perm[:n // 2], perm[n // 2:]
        for train, test in (halves, halves[::-1]):
            out.append(rates(choose([c.subset(train)]), c.subset(test)))
    return {k: float(np.mean([r[k] for r in out])) for k in out[0]}


def fmt(r: dict) -> str:
    return (f"in-scope refused {r['false_refusal_rate']:.3f} uncertain {r['uncertain_rate']:.3f} | "
            f"out-of-scope refused {r['refusal_accuracy']:.3f} refused-or-uncertain {r['refused_or_uncertain']:.3f}")


@click.command()
@click.argument("suite", required=False, type=click.Path(exists=True, path_type=Path),
                default=Path("evals/suites/handbok.yaml"))
@click.option("--corpus", type=click.Path(exists=True, path_type=Path), multiple=True,
              help="Files or folders to index (default: corpus/).")
@click.option("--save", type=click.Path(dir_okay=False, path_type=Path), help="Write the evidence as JSON.")
@click.option("--load", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read evidence written by --save instead of indexing.")
@click.option("--home", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Use the index already in this HANDBOK_HOME instead of indexing --corpus.")
@click.option("--halvings", default=50, show_default=True)
def main(suite, corpus, save, load, home, halvings):
    """Choose the refusal constants on SUITE; print in-sample and 2-fold cross-validated figures."""
    if load:
        c = Collected.from_json(json.loads(load.read_text(encoding="utf-8")))
    elif home:
        from assistant.assistant import Assistant
        from assistant.settings import Settings

        c = collect_on(Assistant.from_settings(Settings.from_env(home=home)), load_suite(suite))
    else:
        c = collect(suite, list(corpus) or [Path("corpus")])
    if save:
        save.write_text(json.dumps(c.to_json()), encoding="utf-8")
    params = choose([c])
    cw, uw, rb, af = params
    click.echo(f"chosen: coverage_weight={cw} unknown_weight={uw} refuse_below={rb} answer_from={af}")
    click.echo(f"in-sample  {fmt(rates(params, c))}")
    click.echo(f"2-fold CV  {fmt(cross_validate(c, halvings))}")


if __name__ == "__main__":
    main()
