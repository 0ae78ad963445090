"""Refusal as a decision on retrieval evidence placed within the index's own null distribution.

A question's evidence (``assistant.evidence``) becomes one score,

    score = (dense_top - english * english_share * english_offset - centre) / spread
            + coverage_weight * coverage - unknown_weight * unknown

where ``centre`` and ``spread`` are the median and interquartile range of the best cosine
of the off-topic bank on this index (``assistant.calibration``), measured on the index,
not fitted to any suite, so the score means the same on a corpus whose cosines run 0.80
as on one whose cosines run 0.88. ``english_offset`` is how much lower the bank's English
questions score than its Swedish ones; it is measured and shown, but not applied
(``english_share`` = 0): off-topic English questions lose more cosine than on-topic ones,
whose glossary terms e5 also reads, so subtracting it refused real English questions
(bundled suite, in-scope refused 0.028 -> 0.056 at half of it). ``confidence`` is the share of
the bank's questions whose own score is lower: 0.97 means "more on topic than 97 % of
unrelated municipal questions on this index". Three outcomes:

* ``refused`` below ``refuse_below``: nothing relevant;
* ``uncertain`` from ``refuse_below`` to ``answer_from``: the closest passages are shown
  with a warning, none is offered as the answer;
* ``answer`` from ``answer_from``.

The four constants were chosen by ``python -m evals.calibrate`` on the bundled suite
(``evals/suites/handbok.yaml``: 107 in-scope, 20 near-domain out-of-scope questions) with
the cost in ``evals.calibrate``. In-scope refused / uncertain, out-of-scope refused /
refused-or-uncertain: in-sample 0.028 / 0.028, 0.950 / 1.000; 2-fold cross-validated
0.032 / 0.026, 0.872 / 0.944; on kungsvik (not chosen on it, a development check)
0.196 / 0.087, 0.667 / 0.917, where retrieval misses half of the refused answerable
questions' passages. ``evals.crosscorpus`` prints the table.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

ANSWER, UNCERTAIN, REFUSED = "answer", "uncertain", "refused"
OUTCOMES = (ANSWER, UNCERTAIN, REFUSED)


def scores(dense, coverage, unknown, english, *, centre: float, spread: float, english_offset: float,
           coverage_weight: float, unknown_weight: float, english_share: float = 0.0):
    """The combined score; plain arithmetic, so numpy arrays work (``evals.calibrate`` grids it)."""
    dense = np.asarray(dense, dtype=float) - np.asarray(english, dtype=float) * english_share * english_offset
    return ((dense - centre) / spread + coverage_weight * np.asarray(coverage, dtype=float)
            - unknown_weight * np.asarray(unknown, dtype=float))


@dataclass
class RefusalPolicy:
    coverage_weight: float = 3.0  # score units for a question whose words the best passage all has
    unknown_weight: float = 0.5  # score units a question loses when none of its words is in the corpus
    refuse_below: float = 0.90  # confidence (share of the bank scoring lower) under which: refused
    answer_from: float = 0.97  # confidence from which: answer (between: uncertain)
    english_share: float = 0.0  # of the measured English offset subtracted (see above)
    _null_scores: dict = field(default_factory=dict, repr=False, compare=False)

    def _params(self, null) -> dict:
        return {"centre": null.dense_centre(), "spread": null.dense_spread(),
                "english_offset": null.english_offset(), "coverage_weight": self.coverage_weight,
                "unknown_weight": self.unknown_weight, "english_share": self.english_share}

    def null_scores(self, null) -> np.ndarray:
        """The bank's own scores, sorted (cached per distribution and constants)."""
        key = (null.key, null.n, self.coverage_weight, self.unknown_weight, self.english_share)
        s = self._null_scores.get(key)
        if s is None:
            self._null_scores.clear()
            s = self._null_scores[key] = np.sort(scores(null.dense, null.coverage, null.unknown,
                                                        null.english, **self._params(null)))
        return s

    def score(self, evidence, null) -> float:
        return float(scores(evidence.dense_top, evidence.coverage, evidence.unknown, evidence.english,
                            **self._params(null)))

    def confidence(self, evidence, null) -> float:
        """0..1: the share of the bank's off-topic questions whose evidence is weaker."""
        s = self.null_scores(null)
        if not len(s):
            return 1.0
        return float(np.searchsorted(s, self.score(evidence, null), side="left") / len(s))

    def outcome(self, confidence: float) -> str:
        if confidence < self.refuse_below:
            return REFUSED
        if confidence < self.answer_from:
            return UNCERTAIN
        return ANSWER

    def cut_points(self, null) -> dict:
        """What ``handbok status`` shows: the null's scale and the scores where the outcome flips."""
        s = self.null_scores(null)
        d = np.array(null.dense) if null.n else np.zeros(1)
        return {"n": null.n,
                "dense_percentiles": {p: round(float(np.percentile(d, p)), 4) for p in (5, 25, 50, 75, 95)},
                "centre": round(null.dense_centre(), 4), "spread": round(null.dense_spread(), 4),
                "english_offset": round(null.english_offset(), 4),
                "refuse_below_score": round(float(np.quantile(s, self.refuse_below)), 3) if len(s) else None,
                "answer_from_score": round(float(np.quantile(s, self.answer_from)), 3) if len(s) else None,
                "refuse_below": self.refuse_below, "answer_from": self.answer_from,
                "coverage_weight": self.coverage_weight, "unknown_weight": self.unknown_weight}
