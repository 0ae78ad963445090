"""The default writer: the sentences that answer the question, quoted verbatim. No language model."""
from __future__ import annotations

import re

from ingest.chunker import sentence_spans
from index.models import Passage

from ..models import Citation
from .base import AnswerWriter, Terms, question_weights

INTRO = "Det här säger materialet:"
INTRO_SEVERAL = ("Det här säger materialet. Svaret bygger på {n} avsnitt som ligger nära frågan "
                 "– läs dem tillsammans:")

# Lines that are never an answer, whatever words they share with the question: page
# headers and footers, table-of-contents lines, date and version lines, signatures.
_PAGE = re.compile(r"\b(sida|sid|page|s\.)\s*\d+\s*(av|/|of)\s*\d+\b", re.I)
_TOC = re.compile(r"(\.\s?){4,}\s*\d+\s*$|\s\d{1,3}\s*$")
_DATE = re.compile(r"\b(19|20)\d\d-\d\d(-\d\d)?\b|\b\d{1,2} (januari|februari|mars|april|maj|juni|juli|"
                   r"augusti|september|oktober|november|december) (19|20)\d\d\b", re.I)
_META_WORDS = re.compile(r"\b(datum|reviderad|revidering|fastställd|fastställt|beslutad|beslutat|gäller|"
                         r"fr\.?o\.?m|från|och|med|version|senast|uppdaterad|dnr|diarienummer|giltig|"
                         r"till|av|den|upprättad|antagen|antaget|ansvarig|dokumentägare|sida)\b", re.I)
_SIGNATURE = re.compile(r"^\s*(med vänlig(a)? hälsning(ar)?|vänliga hälsningar|hälsningar|mvh|"
                        r"på uppdrag av|enligt uppdrag)\b", re.I)
_END = re.compile(r"[.!?:;”\")]\s*$")


def not_an_answer(piece: str) -> bool:
    """A header, footer, table-of-contents, date or signature line (never quoted as an answer)."""
    text = piece.strip()
    words = text.split()
    if _PAGE.search(text) or _SIGNATURE.search(text):
        return True
    if _TOC.search(text) and not _END.search(text):
        return True
    if _DATE.search(text):
        rest = _META_WORDS.sub(" ", _DATE.sub(" ", text))
        if len(re.findall(r"[^\W\d_]{2,}", rest)) < 4:
            return True
    # a short line that does not end like a sentence is a heading, a name or a title
    return len(words) <= 10 and not _END.search(text)


def _pieces(text: str):
    """Sentences, cut again at line breaks (a heading runs into the next sentence otherwise)."""
    for s, e in sentence_spans(text):
        start = s
        for m in re.finditer(r"\n+", text[s:e]):
            yield start, s + m.start()
            start = s + m.end()
        yield start, e


class ExtractiveWriter(AnswerWriter):
    """Picks the best-matching sentences from the top passages.

    A sentence scores by the IDF weight of the question's terms it contains; a sentence
    that shares none of them, or is a header, date, signature or page line, is never
    quoted. The top passage contributes its best sentence, other passages when their
    sentence is nearly as good; when the next passages rank close to the first
    (``close_score``: fused score within this many z-units), their best sentence is
    quoted too, and the answer says it draws on several passages.
    """

    name = "extractive"

    def __init__(self, max_quotes: int = 3, from_passages: int = 3, relative_floor: float = 0.6,
                 max_quote_chars: int = 600, close_score: float = 0.25):
        self.max_quotes = max_quotes
        self.from_passages = from_passages
        self.relative_floor = relative_floor
        self.max_quote_chars = max_quote_chars
        self.close_score = close_score

    def _sentences(self, passage: Passage, q_terms: dict[str, float], terms: Terms, idf: dict[str, float]):
        text = passage.chunk.text
        out = []
        for pos, (s, e) in enumerate(_pieces(text)):
            sentence = text[s:e].strip()
            if len(sentence.split()) < 4 or e - s > self.max_quote_chars or not_an_answer(sentence):
                continue
            found = set(terms(sentence)) & q_terms.keys()
            if not found:
                continue  # shares none of the question's words: never an answer
            out.append((sum(idf.get(t, 1.0) * q_terms[t] for t in found), pos, sentence))
        return out

    def write(self, question, passages, terms, idf):
        q_terms = question_weights(terms, question)
        scored = []
        for rank, passage in enumerate(passages[:self.from_passages]):
            for score, pos, sentence in self._sentences(passage, q_terms, terms, idf):
                # earlier passages win ties: retrieval already judged them better
                scored.append((score * (1.0 - 0.1 * rank), rank, pos, sentence))
        if not scored:
            return "", []
        best = max(s[0] for s in scored)

        def best_of(rank):
            return max((s for s in scored if s[1] == rank), default=None, key=lambda s: (s[0], -s[2]))

        first = min(s[1] for s in scored)
        chosen = [best_of(first)]
        top = passages[first].score
        for rank in range(first + 1, min(len(passages), self.from_passages)):
            item = best_of(rank)
            if item and top - passages[rank].score <= self.close_score and item[0] >= 0.5 * best:
                chosen.append(item)  # a passage as good as the first: the answer rests on both
        for item in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
            if len(chosen) >= self.max_quotes:
                break
            if item not in chosen and item[0] >= self.relative_floor * best:
                chosen.append(item)
        chosen = chosen[:self.max_quotes]
        chosen.sort(key=lambda s: (s[1], s[2]))

        citations: list[Citation] = []
        numbers: dict[int, int] = {}
        for _, rank, _, sentence in chosen:
            numbers.setdefault(rank, len(numbers) + 1)
        lines = [INTRO if len(numbers) == 1 else INTRO_SEVERAL.format(n=len(numbers))]
        for _, rank, _, sentence in chosen:
            n = numbers[rank]
            citations.append(Citation(n=n, passage=passages[rank], quote=sentence))
            lines.append(f"• ”{sentence}” [{n}]")
        return "\n".join(lines), citations
