"""What the refusal decision reads of a ranking: how close in meaning, and whether it is on topic.

``Evidence`` holds, for one question and its ranked passages,

* ``dense_top``: the best e5 cosine among the top 10 passages (closeness in meaning);
* ``coverage``: the IDF-weighted share of the question's content words that the best of
  the top ``COVERAGE_PASSAGES`` passages contains, after the Swedish analyzer's stemming
  and compound parts, the rewriter's spelling fixes, synonyms and stem completions (an
  English question: its glossary renderings). A word the corpus lacks altogether weighs
  like the rarest corpus word (less when short), so "maxtaxa", "föräldraledighet" or
  "Instagram" pull the coverage down however close the passages are in meaning;
* ``unknown``: the rewriter's share of question words the corpus lacks (``index.query``);
* ``english``: whether the question is in English.

Plain arithmetic over what the retriever already holds: microseconds per question.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

COVERAGE_PASSAGES = 3  # the answer quotes from the best three passages
_WORD = re.compile(r"[^\W\d_]+(?::[^\W\d_]+)?")
# English words with no topic of their own (question words, auxiliaries); others count
_EN_FUNCTION = frozenset("""
the is are was were be been being does do did done what who whom whose how why where can could may might
should would must shall to of a an and or not if when which that this these those it its they them their
there then than we our us you your my me i he she his her about from by at as into with for in on have has
had will any many much often get got also just only still very really even there here yes no so such some
""".split())


@dataclass
class Evidence:
    dense_top: float
    coverage: float
    unknown: float
    english: bool

    def to_json(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def _word_weights(retriever, query) -> list[tuple[float, set[str], set[str]]]:
    """Per content word of the question: (weight, terms that cover it fully, compound parts)."""
    rewriter = retriever.rewriter
    idf = rewriter.idf
    max_idf = max(idf.values(), default=1.0)
    tokens = retriever.lexical.analyzer.tokens
    out = []
    if query.english:
        from index.glossary import translate_pairs

        pairs = translate_pairs(query.text)
        for english_word, rendering in pairs:
            terms = rewriter.rendered_terms(rendering)
            known = [idf[t] for t in terms if t in idf]
            weight = max(known) if known else max_idf * min(1.0, len(english_word) / 10)
            out.append((weight, terms, set()))
        # content words the glossary cannot render are topics no Swedish passage can be
        # checked against ("wifi", "garbage"): uncovered; names and numbers match as written
        translated = " ".join(w for w, _ in pairs)
        for m in re.finditer(r"[^\W_]+", query.text):
            word = m.group()
            low = word.lower()
            if low in _EN_FUNCTION or len(low) < 4 or low in translated:
                continue
            if m.start() > 0 and (word[:1].isupper() or any(ch.isdigit() for ch in word)):
                terms = set(tokens(word))
                out.append((max([idf.get(t, 0.0) for t in terms], default=0.0) or max_idf, terms, set()))
            else:
                out.append((0.5 * max_idf * min(1.0, len(low) / 10), set(), set()))
        return out
    for m in _WORD.finditer(query.text):
        raw = m.group()
        word_terms = tokens(query.corrections.get(raw, raw))
        if not word_terms:
            continue
        head, parts = word_terms[0], set(word_terms[1:])
        full = {head} | {x for x, _ in rewriter.related(head)}
        known = [idf[t] for t in full if t in idf]
        if head in idf:
            weight = idf[head]
        elif known:
            weight = max(known)
        else:
            # a word the corpus lacks (or only its parts: "heltidsplats") weighs like the
            # rarest corpus word when long, less when short, as in index.query
            weight = max_idf * min(1.0, len(raw) / 10)
        out.append((weight, full, parts))
    return out


def coverage(retriever, query, passages, n: int = COVERAGE_PASSAGES) -> float:
    """The best passage's IDF-weighted share of the question's content words (0..1; 1.0 when
    the question has no content words). A compound the passage has only parts of counts half."""
    words = _word_weights(retriever, query)
    total = sum(w for w, _, _ in words)
    if not words or total <= 0:
        return 1.0
    best = 0.0
    for p in passages[:n]:
        have = retriever.chunk_terms(p.chunk.chunk_id)
        got = 0.0
        for weight, full, parts in words:
            if full & have:
                got += weight
            elif parts and parts & have:
                got += 0.5 * weight * len(parts & have) / len(parts)
        best = max(best, got / total)
    return best


def gather(retriever, question_query: str, passages) -> Evidence:
    """The evidence for ``passages`` ranked for ``question_query`` (as searched)."""
    q = retriever.rewrite(question_query)
    dense_top = max((p.dense for p in passages[:10]), default=0.0)
    return Evidence(float(dense_top), float(coverage(retriever, q, passages)), float(q.unknown),
                    bool(q.english))
