"""Refusal as a calibrated decision on retrieval evidence, not a prompt instruction.

Two signals: how close the best passage is in meaning (e5 cosine), and how much
of the question's vocabulary (IDF-weighted) the best passages actually contain.
A question about bygglov finds passages that are vaguely similar in meaning but
share none of its rare words. The weights and threshold are tuned on the
bundled suite (``handbok bench`` prints the figures).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_EN = {"the", "is", "are", "does", "do", "what", "who", "how", "can", "may", "should", "to", "of",
       "a", "an", "and", "or", "if", "when", "which", "school", "we", "our", "my", "i", "about",
       "have", "has", "will", "there", "social", "services", "with", "for", "in", "on", "be"}


def looks_english(text: str) -> bool:
    words = re.findall(r"[a-zåäö]+", text.lower())
    if not words:
        return False
    return sum(w in _EN for w in words) / len(words) >= 0.3 and not re.search(r"[åäö]", text.lower())


@dataclass
class RefusalPolicy:
    dense_low: float = 0.80  # cosine at which meaning-evidence counts as none
    dense_high: float = 0.90  # ... and as full
    dense_weight: float = 0.5
    threshold: float = 0.45

    def confidence(self, dense_top: float, coverage_top: float, english: bool = False) -> float:
        """0..1: how well the best evidence supports an answer."""
        d = min(1.0, max(0.0, (dense_top - self.dense_low) / (self.dense_high - self.dense_low)))
        if english:  # Swedish passages cannot share an English question's words
            return d
        return self.dense_weight * d + (1 - self.dense_weight) * coverage_top

    def refuse(self, confidence: float) -> bool:
        return confidence < self.threshold
