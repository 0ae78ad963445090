"""The default writer: the sentences that answer the question, quoted verbatim. No language model."""
from __future__ import annotations

from ingest.chunker import sentence_spans
from index.models import Passage

from ..models import Citation
from .base import AnswerWriter, Terms

INTRO = "Det här säger materialet:"


class ExtractiveWriter(AnswerWriter):
    """Picks the best-matching sentences from the top passages.

    A sentence scores by the IDF weight of the question's terms it contains; the
    top passage always contributes its best sentence, other passages only when
    their sentence is nearly as good.
    """

    name = "extractive"

    def __init__(self, max_quotes: int = 3, from_passages: int = 3, relative_floor: float = 0.6,
                 max_quote_chars: int = 600):
        self.max_quotes = max_quotes
        self.from_passages = from_passages
        self.relative_floor = relative_floor
        self.max_quote_chars = max_quote_chars

    def _sentences(self, passage: Passage, q_terms: set[str], terms: Terms, idf: dict[str, float]):
        text = passage.chunk.text
        out = []
        for pos, (s, e) in enumerate(sentence_spans(text)):
            sentence = text[s:e].strip()
            if len(sentence.split()) < 4 or e - s > self.max_quote_chars:
                continue
            found = set(terms(sentence)) & q_terms
            score = sum(idf.get(t, 1.0) for t in found)
            out.append((score, pos, sentence))
        return out

    def write(self, question, passages, terms, idf):
        q_terms = set(terms(question))
        scored = []
        for rank, passage in enumerate(passages[:self.from_passages]):
            for score, pos, sentence in self._sentences(passage, q_terms, terms, idf):
                # earlier passages win ties: retrieval already judged them better
                scored.append((score * (1.0 - 0.1 * rank), rank, pos, sentence))
        if not scored:
            return "", []
        best_top = max((s for s in scored if s[1] == 0), default=None, key=lambda s: (s[0], -s[2]))
        best = max(s[0] for s in scored)
        chosen = [best_top] if best_top else []
        for item in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
            if len(chosen) >= self.max_quotes:
                break
            if item not in chosen and item[0] > 0 and item[0] >= self.relative_floor * best:
                chosen.append(item)
        chosen.sort(key=lambda s: (s[1], s[2]))

        citations: list[Citation] = []
        numbers: dict[int, int] = {}
        lines = [INTRO]
        for _, rank, _, sentence in chosen:
            if rank not in numbers:
                numbers[rank] = len(numbers) + 1
            n = numbers[rank]
            citations.append(Citation(n=n, passage=passages[rank], quote=sentence))
            lines.append(f"• ”{sentence}” [{n}]")
        return "\n".join(lines), citations
