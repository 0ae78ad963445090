"""What the assistant returns."""
from __future__ import annotations

from dataclasses import dataclass, field

from index.models import Passage


@dataclass
class Citation:
    n: int  # the [n] marker in the answer
    passage: Passage
    quote: str  # verbatim substring of passage.chunk.text

    @property
    def page(self) -> int:
        """The page the quote begins on (its chunk may run over a page break)."""
        return self.passage.chunk.quote_page(self.quote)

    def to_json(self) -> dict:
        c = self.passage.chunk
        return {"n": self.n, "chunk_id": c.chunk_id, "source": c.source, "title": c.title,
                "page": self.page, "date": c.date, "doc_type": c.doc_type,
                "diarienummer": c.diarienummer, "quote": self.quote}


@dataclass
class Answer:
    question: str
    answer: str  # Swedish text with [n] markers
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds
    confidence: float = 0.0
    generation: dict = field(default_factory=dict)  # generative writers: sentence checks, note
    # "answer" (quotes that address the question), "uncertain" (the closest passages, none
    # offered as the answer) or "refused"; derived from ``refused`` when not given
    outcome: str = ""
    evidence: dict = field(default_factory=dict)  # what the refusal decision read

    def __post_init__(self):
        if not self.outcome:
            self.outcome = "refused" if self.refused else "answer"
        self.refused = self.outcome == "refused"

    def to_json(self) -> dict:
        """The object of the CLI contract (``handbok ask --json``)."""
        return {
            "question": self.question,
            "answer": self.answer,
            "outcome": self.outcome,
            "refused": self.refused,
            "citations": [c.to_json() for c in self.citations],
            "passages": [{"chunk_id": p.chunk.chunk_id, "source": p.chunk.source,
                          "title": p.chunk.title, "page": p.chunk.page, "text": p.chunk.text,
                          "score": round(p.score, 6), "dense": round(p.dense, 4),
                          "lexical": round(p.lexical, 4), "rank": p.rank,
                          "moved_copy": p.moved_copy} for p in self.passages],
            "confidence": round(self.confidence, 4),
            "evidence": self.evidence,
            "timings_ms": {k: round(v, 2) for k, v in self.timings.items()},
            **({"generation": self.generation} if self.generation else {}),
        }
