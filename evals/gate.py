"""Quality gate: the suite's thresholds, overridden by ``--min METRIC=VALUE``.

``hit@5: 0.98`` is a lower bound; a name ending in ``_max``
(``false_refusal_rate_max: 0.03``) is an upper bound on the metric without the suffix.
"""
from __future__ import annotations

from dataclasses import dataclass

from ingest.errors import EvalError

METRICS = ("hit@1", "hit@5", "mrr@10", "citation_validity", "citation_precision", "fact_recall",
           "refusal_accuracy", "false_refusal_rate", "refused_or_uncertain", "uncertain_rate",
           "key_phrase_shown", "supported_share",
           "latency_p50_ms", "latency_p95_ms")


@dataclass
class Check:
    name: str  # as written: "hit@5" or "false_refusal_rate_max"
    metric: str
    bound: float
    upper: bool
    value: float | None

    @property
    def ok(self) -> bool:
        """A figure that cannot be measured on this suite (None) does not fail the gate."""
        if self.value is None:
            return True
        return self.value <= self.bound if self.upper else self.value >= self.bound

    def describe(self) -> str:
        op = "<=" if self.upper else ">="
        value = "n/a" if self.value is None else f"{self.value:.3f}"
        verdict = "ok" if self.ok else "FAIL"
        return f"{verdict:4} {self.metric} = {value} (required {op} {self.bound:g})"


def split_name(name: str) -> tuple[str, bool]:
    """("false_refusal_rate_max") -> ("false_refusal_rate", True); checks the metric is known."""
    upper = name.endswith("_max")
    metric = name[:-4] if upper else name
    if metric.endswith("_min"):
        metric = metric[:-4]
    if metric not in METRICS:
        raise EvalError(f"unknown metric {name!r}: use one of {', '.join(METRICS)} "
                        "(add _max for an upper bound, e.g. false_refusal_rate_max=0.03)")
    return metric, upper


def parse_min(values: list[str] | tuple[str, ...]) -> dict[str, float]:
    """``["hit@5=0.98", "false_refusal_rate_max=0.05"]`` -> a thresholds mapping."""
    out = {}
    for item in values:
        name, sep, number = item.partition("=")
        if not sep:
            raise EvalError(f"--min {item!r}: write METRIC=VALUE, e.g. --min hit@5=0.98")
        try:
            out[name.strip()] = float(number)
        except ValueError as exc:
            raise EvalError(f"--min {item!r}: {number!r} is not a number") from exc
        split_name(name.strip())
    return out


def merge(suite_thresholds: dict[str, float], overrides: dict[str, float]) -> dict[str, float]:
    """Overrides win; ``hit@5`` given on the command line replaces the suite's ``hit@5``."""
    merged = dict(suite_thresholds)
    merged.update(overrides)
    return merged


def check(aggregates: dict, thresholds: dict[str, float]) -> list[Check]:
    """One Check per threshold, in the order given."""
    checks = []
    for name, bound in thresholds.items():
        metric, upper = split_name(name)
        checks.append(Check(name, metric, float(bound), upper, aggregates.get(metric)))
    return checks


# -- the floor: measured figures less a tolerance -------------------------------------------
# Which way each floored metric may move before the gate fails, and the population a
# question of tolerance is counted in.
_FLOORED = {"hit@1": ("min", "n_in_scope"), "hit@5": ("min", "n_in_scope"),
            "mrr@10": ("min", "n_in_scope"), "refusal_accuracy": ("min", "n_must_refuse"),
            "false_refusal_rate": ("max", "n_in_scope")}
DEFAULT_TOLERANCE = 2  # questions


def floor_thresholds(floor: dict) -> dict[str, float]:
    """Thresholds from a floor file: each measured figure less ``tolerance_questions`` of its
    population (2 of 107 in-scope questions = 0.019 on hit@1), rounded to 3 decimals.

    A floor records what one environment measured (``environment`` in the file): the gate
    catches a regression of more than the tolerance, not the last digit of a float.
    """
    measured = floor.get("measured") or {}
    tol = float(floor.get("tolerance_questions", DEFAULT_TOLERANCE))
    out: dict[str, float] = {}
    for metric, (direction, population) in _FLOORED.items():
        value, n = measured.get(metric), measured.get(population)
        if value is None or not n:
            continue
        step = tol / n
        if direction == "min":
            out[metric] = round(max(0.0, value - step) - 5e-4, 3)
        else:
            out[f"{metric}_max"] = round(min(1.0, value + step) + 5e-4, 3)
    return out


def suite_thresholds(suite) -> dict[str, float]:
    """The suite's gate: its floor file's thresholds, then its own ``thresholds:`` (which win)."""
    merged = floor_thresholds(suite.floor) if suite.floor else {}
    merged.update(suite.thresholds)
    return merged


def make_floor(result, environment: dict, tolerance: int = DEFAULT_TOLERANCE) -> dict:
    """The floor file's content for a run (``handbok eval --set-floor``)."""
    agg = result.aggregates
    keep = ("n", "n_in_scope", "n_must_refuse", *_FLOORED)
    return {"suite": result.suite, "measured_on": result.started, "tolerance_questions": tolerance,
            "measured": {k: agg.get(k) for k in keep},
            "thresholds": floor_thresholds({"measured": agg, "tolerance_questions": tolerance}),
            "environment": environment}
