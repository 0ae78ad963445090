"""Refusal as a calibrated decision on retrieval evidence, not a prompt instruction.

Two signals decide, plus the question's language:

* ``dense_top``: how close the best passage is in meaning (e5 cosine, best of the top 10);
* ``unknown``: the IDF-weighted share of the question's words that occur nowhere in the
  corpus, even after spelling correction and synonyms (``index.query``; for an English
  question, its words through the glossary). A question about bygglov or semesterlön
  finds passages that are vaguely similar in meaning, but its topic words are simply not
  in the documents;
* English questions are matched across languages, which lowers e5's cosines by a
  roughly constant amount, so they get ``english_bonus`` back.

``confidence = sigmoid(slope * (dense_top - unknown_weight * unknown
+ english_bonus * english - dense_center))``, refused below ``threshold``.

How the constants were fitted: ``python -m evals.calibrate`` runs the default retrieval
over the bundled suite (``evals/suites/handbok.yaml``, 107 in-scope and 20 out-of-scope
questions) and grids ``unknown_weight`` (0-0.10), ``english_bonus`` (0-0.06) and
``dense_center`` (0.78-0.90), minimising false refusals + 1.5 x accepted out-of-scope
questions; ``slope`` only sets how sharp the 0-1 confidence is (0.01 cosine = 1 logit),
the decision is the sign. Fitted: 0.028 of in-scope questions refused, 0.90 of
out-of-scope refused; leave-one-out (the grid refitted without each question, then
applied to it): 0.047 and 0.85; 2-fold cross-validation (50 random halvings): 0.054 and
0.82. Other features (dense margin over the 10th passage, z-score of the top cosine,
BM25 of the top passage normalised by the query's maximum, IDF coverage of the question
by the top passages) did not improve the cross-validated figures. ``handbok bench``
reports the outcome.
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class RefusalPolicy:
    dense_center: float = 0.85  # adjusted cosine at which the decision flips (confidence 0.5)
    unknown_weight: float = 0.03  # cosine a question loses when none of its words is in the corpus
    english_bonus: float = 0.02  # cosine an English question gains (cross-lingual matching)
    slope: float = 100.0  # logits per unit of cosine
    threshold: float = 0.5

    def margin(self, dense_top, unknown=0.0, english=False):
        """Adjusted cosine minus the centre: >= 0 answers (at the default threshold of 0.5).
        Plain arithmetic, so numpy arrays work too (``evals.calibrate`` grids over it)."""
        return dense_top - self.unknown_weight * unknown + self.english_bonus * english - self.dense_center

    def confidence(self, dense_top: float, unknown: float = 0.0, english: bool = False) -> float:
        """0..1: how well the best evidence supports an answer."""
        margin = self.margin(dense_top, unknown, float(english))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, self.slope * margin))))

    def refuse(self, confidence: float) -> bool:
        return confidence < self.threshold
