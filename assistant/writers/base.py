"""The answer-writer seam: passages in, answer text with [n] markers and citations out."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Callable, Iterator

from index.models import Passage

from ..models import Citation

Tokens = Callable[[str], list[str]]


@dataclass
class Terms:
    """How a writer reads words. Called with a text, its index terms (the Swedish analyzer);
    ``question``: the question's terms as retrieval searched them, with their weights (spelling
    fixed, synonyms and stem completions, an English question's Swedish renderings)."""
    tokens: Tokens
    question: dict[str, float] = field(default_factory=dict)

    def __call__(self, text: str) -> list[str]:
        return self.tokens(text)


def question_weights(terms, question: str) -> dict[str, float]:
    """The question's weighted terms: as searched when ``terms`` carries them, else its tokens."""
    weights = getattr(terms, "question", None)
    return dict(weights) if weights else {t: 1.0 for t in terms(question)}


@dataclass
class Draft:
    """A finished answer: text with [n] markers, verbatim citations, and how it was written."""
    text: str
    citations: list[Citation]
    info: dict = field(default_factory=dict)  # generative writers: sentence checks, note, timings


class AnswerWriter(ABC):
    name = "writer"
    streams = False  # True: ``stream`` yields text while writing (the UI shows it as it comes)

    @abstractmethod
    def write(self, question: str, passages: list[Passage], terms: Terms,
              idf: dict[str, float]) -> tuple[str, list[Citation]]:
        """Return (answer text with [n] markers, citations whose quotes are verbatim)."""

    def stream(self, question: str, passages: list[Passage], terms: Terms,
               idf: dict[str, float]) -> Iterator[str | Draft]:
        """Yield the text shown so far (str) while writing, then one ``Draft``.

        Writers that do not stream yield only the ``Draft``.
        """
        text, citations = self.write(question, passages, terms, idf)
        yield Draft(text, citations)
