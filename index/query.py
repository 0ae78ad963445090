"""Query rewriting: what a staff member types, made into what the index can match.

`QueryRewriter.rewrite(text)` returns a `Query` with

* ``dense_text``: the question with spelling slips fixed ("Broma" -> "Bromma",
  "socialtjänstn" -> "socialtjänsten") and informal abbreviations written out
  ("soc" -> "socialtjänsten"): this is what the embedder sees;
* ``terms``: weighted index terms for BM25: the terms of ``dense_text`` (weight
  1), the formal terms behind informal or everyday words (``SYNONYMS``, weight
  ``synonym_weight``) and, for a stem the corpus lacks, the corpus stems that
  complete it ("gransk" -> "granskning", weight ``prefix_weight``);
* ``groups``: the same per word of the question, for proximity scoring;
* ``unknown``: the IDF-weighted share of the question's content words that
  occur nowhere in the corpus, even after correction and synonyms (a question
  about "bygglov" or "semesterlön" is about something the documents never
  mention: a strong out-of-scope signal for the refusal decision). A missing
  word weighs like the rarest corpus word, scaled down when it is short;
* ``english``: whether the question is in English. Nothing is corrected then; its
  words go through a domain glossary (``index.glossary``) into the Swedish terms the
  documents use, which BM25 matches (weight ``translation_weight``) and e5 reads
  after the question.

Spelling correction only touches words that are neither in the corpus nor in
the Swedish dictionary (hunspell-sv), and only maps them to a corpus word at
Damerau-Levenshtein distance 1 (2 for words of 9+ letters), found through a
deletion index (SymSpell): a few microseconds per word.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from .analyzer import STOP_WORDS, SwedishAnalyzer, lexicon
from .glossary import translate_pairs

# Informal or everyday words staff use -> the terms the municipal documents use for
# the same thing. General to the domain (school / social services cooperation), not
# tuned per question. Keys and values are analyzed like any text, so inflected and
# compound forms match too ("friskolorna", "samarbetsavtalet").
SYNONYMS: dict[str, str] = {
    "soc": "socialtjänsten",
    "socialen": "socialtjänsten",
    "friskola": "fristående skola",
    "handläggare": "socialsekreterare",
    "avtal": "överenskommelse",
    "samarbete": "samverkan",
    "samarbeta": "samverka",
    "kvitto": "bekräftelse",
    "utvärdera": "uppföljning följa upp",
    "utvärdering": "uppföljning",
    "handledning": "stödmaterial",
    "regler": "riktlinjer",
    "funkar": "fungerar",
    "jobba": "arbeta",
    "pengar": "resurser anslag",
    "revisorerna": "revision granskning",
    "personalstyrka": "bemanning",
}

# Abbreviations that are also written out in the text the embedder sees.
EXPAND_IN_TEXT: dict[str, str] = {"soc": "socialtjänsten", "socialen": "socialtjänsten"}

_EN = frozenset("""
the is are was were be been being does do did done what who whom whose how why where can could
may might should would must shall to of a an and or not if when which that this these those
it its they them their there then than we our us you your my me i he she his her about from by
at as into with for in on have has had will any many much often new school pupil pupils teacher
social services police city
""".split())
# words that are English only (not also Swedish: "i", "in", "be", "far", "by", "is" ...)
_EN_ONLY = _EN - STOP_WORDS - {"be", "is", "far", "by", "hat", "men", "se", "do", "an", "a", "i"}
_WORD = re.compile(r"[^\W\d_]+(?::[^\W\d_]+)?")


def looks_english(text: str) -> bool:
    """English function words outnumber Swedish ones (names like "Skärholmen" may occur)."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    if not words:
        return False
    en = sum(w in _EN_ONLY for w in words)
    sv = sum(w in STOP_WORDS for w in words)
    return en >= 2 and en / len(words) >= 0.25 and en > 2 * sv


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("é", "e").replace("É", "E")


def _deletes(word: str, distance: int) -> set[str]:
    out, frontier = {word}, {word}
    for _ in range(distance):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment: adjacent swaps count 1)."""
    prev2, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


# Swedish nouns of action, made from a verb's stem: anmäl-ning, återkoppl-ing, anmäl-an
_DERIVATIONS = ("ning", "ing", "an")


@dataclass
class Query:
    text: str
    dense_text: str
    terms: dict[str, float]
    unknown: float = 0.0
    english: bool = False
    corrections: dict[str, str] = field(default_factory=dict)
    groups: list[dict[str, float]] = field(default_factory=list)  # per word: its weighted terms


class QueryRewriter:
    """Spelling correction, synonyms and stem completion against one corpus vocabulary."""

    min_length = 5  # shorter words are never corrected
    synonym_weight = 0.6
    prefix_weight = 0.5
    translation_weight = 0.8  # Swedish terms for an English question's words (index.glossary)

    def __init__(self, analyzer: SwedishAnalyzer, idf: dict[str, float], texts: Iterable[str] = (),
                 words: Counter | None = None):
        """``words``: the corpus' word counts when already counted (``index.lexstore``), else
        counted from ``texts``."""
        self.analyzer = analyzer
        self.idf = idf
        if words is None:
            words = Counter()
            for text in texts:
                words.update(w.lower() for w in _WORD.findall(_fold(text)) if ":" not in w)
        self.words = words
        self._deletes: dict[str, list[str]] = {}
        for w in words:
            if len(w) >= self.min_length - 1:
                for d in _deletes(w, self._max_distance(len(w))):
                    self._deletes.setdefault(d, []).append(w)
        self._synonyms: dict[str, list[str]] = {}
        for informal, formal in SYNONYMS.items():
            key = analyzer.tokens(informal)
            if key:
                self._synonyms.setdefault(key[0], []).extend(
                    t for t in analyzer.tokens(formal) if t in idf)
        by_prefix: dict[str, list[str]] = {}
        for t in idf:
            if t.isalpha():
                for n in range(5, len(t)):
                    by_prefix.setdefault(t[:n], []).append(t)
        self._by_prefix = by_prefix
        self._max_idf = max(idf.values(), default=1.0)

    @staticmethod
    def _max_distance(n: int) -> int:
        return 2 if n >= 9 else 1

    # -- spelling -------------------------------------------------------------------------
    def correct(self, word: str, name: bool = False) -> str | None:
        """The corpus word a misspelt ``word`` (lowercase) most likely means, or None.

        ``name``: the word was capitalised inside the sentence (a place or a person), so its
        stem being a dictionary word ("Broma" -> "brom") does not make it a Swedish word.
        """
        if (len(word) < self.min_length or word in self.words or word in STOP_WORDS
                or word in lexicon() or word in SYNONYMS):
            return None
        terms = self.analyzer.tokens(word)
        if terms and terms[0] in self.idf:
            return None  # an inflection of a corpus word ("lyckats" when the corpus has "lyckas")
        if not name and terms and len(terms[0]) >= 4 and terms[0] in lexicon().lemmas:
            return None  # an inflection of a dictionary word ("sitta")
        best, best_key = None, None
        for d in _deletes(word, self._max_distance(len(word))):
            for cand in self._deletes.get(d, ()):
                if cand[0] != word[0] or cand in STOP_WORDS:
                    continue  # slips rarely hit the first letter
                dist = edit_distance(word, cand)
                if dist > self._max_distance(min(len(word), len(cand))):
                    continue
                key = (dist, -self.words[cand], cand)
                if best_key is None or key < best_key:
                    best, best_key = cand, key
        return best

    def related(self, term: str) -> list[tuple[str, float]]:
        """Corpus terms standing in for ``term``, with their weights: synonyms, stem completions."""
        out = [(x, self.synonym_weight) for x in self._synonyms.get(term, ())]
        out += [(x, self.prefix_weight) for x in self.completions(term)]
        return out

    def completions(self, term: str) -> list[str]:
        """Corpus stems for a stem the corpus lacks, where Snowball stemmed two forms of one word
        differently: "gransk" (granskat) -> "granskning", "ärenden" (ärendena) -> "ärend"."""
        if term in self.idf or len(term) < 5 or not term.isalpha():
            return []
        out = [t for t in self._by_prefix.get(term, ()) if len(t) - len(term) <= 4][:8]
        for n in range(len(term) - 1, max(4, len(term) - 3), -1):
            if term[:n] in self.idf:
                out.append(term[:n])
                break
        # a noun made from a verb, which Snowball leaves whole: "återkoppling" -> "återkoppl"
        # (återkoppla), "orosanmälan" -> "orosanmäl" -> "orosanmälning"
        for suffix in _DERIVATIONS:
            base = term[:-len(suffix)]
            if term.endswith(suffix) and len(base) >= 5:
                found = ([base] if base in self.idf else []) + [
                    t for t in self._by_prefix.get(base, ()) if len(t) - len(base) <= 4]
                out += [t for t in found if t not in out][:8]
                break
        return out

    def _add_relatives(self, weights: dict[str, float], terms: list[str]) -> None:
        """Give each relative of ``terms`` (``related``) its weight in ``weights``, unless it has more."""
        for t in terms:
            for x, w in self.related(t):
                if weights.get(x, 0.0) < w:
                    weights[x] = w

    def rendered_terms(self, rendering: str) -> set[str]:
        """The index terms of a glossary rendering, with stand-ins for those the corpus lacks."""
        terms = set(self.analyzer.tokens(rendering))
        return terms | {x for t in terms if t not in self.idf for x, _ in self.related(t)}

    def as_typed(self, text: str) -> Query:
        """The question without any rewriting (for comparison)."""
        terms: dict[str, float] = {}
        for t in self.analyzer.tokens(text):
            terms[t] = terms.get(t, 0.0) + 1.0
        groups = [{t: 1.0 for t in self.analyzer.tokens(w) if t in self.idf} for w in text.split()]
        return Query(text, text, terms, english=looks_english(text), groups=[g for g in groups if g])

    # -- the rewrite ----------------------------------------------------------------------
    def rewrite(self, text: str) -> Query:
        english = looks_english(text)
        corrections: dict[str, str] = {}
        dense_parts: list[str] = []
        terms: dict[str, float] = {}
        pos = 0
        tokens = self.analyzer.tokens
        for m in _WORD.finditer(text):
            raw = m.group()
            low = _fold(raw).lower()
            dense_parts.append(text[pos:m.start()])
            pos = m.end()
            out = raw
            if not english:
                base = low.split(":")[0]
                if base in EXPAND_IN_TEXT:
                    out = EXPAND_IN_TEXT[base] + ("s" if low.endswith(":s") else "")
                else:
                    fixed = self.correct(low, name=raw[:1].isupper() and m.start() > 0)
                    if fixed is not None:
                        corrections[raw] = fixed
                        out = fixed.capitalize() if raw[:1].isupper() else fixed
            dense_parts.append(out)
        dense_parts.append(text[pos:])
        dense_text = "".join(dense_parts)

        # index terms of the question with its spelling fixed; of an English
        # question only the names (SkolFam, Skärholmen) and numbers can match Swedish text
        names: list[str] = []
        translated: list[str] = []
        if english:
            names = [m.group() for m in re.finditer(r"\S+", text)
                     if m.start() > 0 and (m.group()[:1].isupper() or any(ch.isdigit() for ch in m.group()))]
            for t in tokens(" ".join(names)):
                terms[t] = terms.get(t, 0.0) + 1.0
            pairs = translate_pairs(text)
            translated = [swedish for _, swedish in pairs]
            if translated:
                # e5 sees the Swedish terms too: cross-lingual cosines alone run low and rank
                # worse (the suite's 17 English questions: hit@1 0.65 -> 0.71 with this)
                dense_text = f"{text} {' '.join(translated)}"
            for t in tokens(" ".join(translated)):
                if t in self.idf and terms.get(t, 0.0) < self.translation_weight:
                    terms[t] = self.translation_weight
                elif t not in self.idf:  # "återkoppling" where the corpus says "återkoppla"
                    self._add_relatives(terms, [t])
        else:
            for t in tokens(dense_text):
                terms[t] = terms.get(t, 0.0) + 1.0
        # synonyms and stem completions, at reduced weight
        self._add_relatives(terms, list(terms))
        # per word of the (corrected) question: its terms and their relatives, for proximity
        groups: list[dict[str, float]] = []
        for word in (dense_text.split() if not english else names + translated):
            group = {t: 1.0 for t in tokens(word)}
            self._add_relatives(group, list(group))
            group = {t: w for t, w in group.items() if t in self.idf}
            if group:
                groups.append(group)
        # content words, to judge how much of the question the corpus knows
        known_w = unknown_w = 0.0
        if not english:
            for m in _WORD.finditer(text):
                raw = m.group()
                word_terms = tokens(corrections.get(raw, raw))
                if not word_terms:
                    continue
                head = word_terms[0]
                if (head in self.idf or head in self._synonyms or self.completions(head)
                        or (len(word_terms) > 1 and all(t in self.idf for t in word_terms[1:]))):
                    known_w += self.idf.get(head) or max(
                        [self.idf.get(x, 0.0) for x, _ in self.related(head)]
                        + [self.idf.get(t, 0.0) for t in word_terms[1:]], default=0.0)
                else:
                    # a word the corpus lacks weighs like the rarest corpus word when it is long
                    # (Swedish topic words are compounds: "semesterlön", "skolskjuts"), less when
                    # short (everyday verbs and adverbs: "sagt", "igenom")
                    unknown_w += self._max_idf * min(1.0, len(raw) / 10)
        else:
            # an English question: its words the glossary knows; one whose Swedish terms are
            # all absent is a topic the corpus lacks, weighed by length as above ("investigation"
            # is a topic, "meet" an everyday word)
            for t in tokens(" ".join(names)):
                known_w += self.idf.get(t, 0.0)
            for english_word, rendering in pairs:
                found = [self.idf[t] for t in self.rendered_terms(rendering) if t in self.idf]
                if found:
                    known_w += max(found)
                else:
                    unknown_w += self._max_idf * min(1.0, len(english_word) / 10)
        unknown = unknown_w / (known_w + unknown_w) if unknown_w else 0.0
        return Query(text, dense_text, terms, unknown, english, corrections, groups)
