"""The answer-writer seam: passages in, answer text with [n] markers and citations out."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable

from index.models import Passage

from ..models import Citation

Terms = Callable[[str], list[str]]


class AnswerWriter(ABC):
    name = "writer"

    @abstractmethod
    def write(self, question: str, passages: list[Passage], terms: Terms,
              idf: dict[str, float]) -> tuple[str, list[Citation]]:
        """Return (answer text with [n] markers, citations whose quotes are verbatim)."""
