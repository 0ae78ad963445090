"""Tiny evaluators: each scores one (case, answer) pair with one method.

``evaluate`` returns a float, or ``None`` when the score does not apply to the
case (no citations to judge, no facts listed, an out-of-scope question).
"""
from __future__ import annotations

from ingest.models import Chunk

from .suite import Case, fold


def contains_key_phrase(case: Case, chunk: Chunk) -> bool:
    """At least one key phrase occurs in the chunk's (repaired or raw) text, compared folded."""
    text, raw = fold(chunk.text), fold(chunk.raw_text)
    return any(fold(p) in text or (raw and fold(p) in raw) for p in case.key_phrases)


def from_expected_source(case: Case, chunk: Chunk) -> bool:
    """The chunk is from one of the expected files (and on the page / in the section when given)."""
    for s in case.sources:
        if chunk.source != s.file:
            continue
        if s.page is not None and s.page not in chunk.pages():
            continue
        if s.section and fold(s.section) not in fold(chunk.section):
            continue
        return True
    return False


def is_correct(case: Case, chunk: Chunk) -> bool:
    """A passage is correct when it is from an expected source and holds a key phrase."""
    return from_expected_source(case, chunk) and contains_key_phrase(case, chunk)


class Evaluator:
    """Base class: one method, one score."""

    name = "evaluator"

    def evaluate(self, case: Case, answer) -> float | None:
        raise NotImplementedError


class FirstCorrectRank(Evaluator):
    """1-based rank of the first correct passage within the top ``k``; None when there is none."""

    name = "first_correct_rank"

    def __init__(self, k: int = 10):
        self.k = k

    def evaluate(self, case, answer):
        if case.must_refuse:
            return None
        for rank, passage in enumerate(answer.passages[:self.k], 1):
            if is_correct(case, passage.chunk):
                return rank
        return None


class CitationValidity(Evaluator):
    """Share of citations whose quote is a verbatim, non-empty substring of the cited chunk."""

    name = "citation_validity"

    def evaluate(self, case, answer):
        if not answer.citations:
            return None
        ok = sum(1 for c in answer.citations if c.quote.strip() and c.quote in c.passage.chunk.text)
        return ok / len(answer.citations)


class CitationPrecision(Evaluator):
    """Share of the cited passages (each counted once) that are correct for the case."""

    name = "citation_precision"

    def evaluate(self, case, answer):
        if case.must_refuse or not answer.citations:
            return None
        cited = {c.passage.chunk.chunk_id: c.passage.chunk for c in answer.citations}
        return sum(is_correct(case, ch) for ch in cited.values()) / len(cited)


class FactRecall(Evaluator):
    """Share of the case's facts that the answer states (folded substring)."""

    name = "fact_recall"

    def evaluate(self, case, answer):
        if case.must_refuse or not case.facts:
            return None
        text = fold(answer.answer)
        return sum(fold(f) in text for f in case.facts) / len(case.facts)


class RefusalCorrect(Evaluator):
    """1.0 when the assistant refused exactly when it should have."""

    name = "refusal_correct"

    def evaluate(self, case, answer):
        return 1.0 if bool(answer.refused) == case.must_refuse else 0.0


def missing_facts(case: Case, answer) -> list[str]:
    text = fold(answer.answer)
    return [f for f in case.facts if fold(f) not in text]
