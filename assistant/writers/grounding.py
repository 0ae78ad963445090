"""Is a generated sentence supported by the passage it cites? ``SourceCheck.check(sentence, passages)``.

A sentence passes when

* it cites at least one shown passage with ``[n]``;
* its numbers (plain, with units, dates, case and section references, as the
  Swedish analyzer reads them) all occur in the cited passage(s);
* at least ``min_share`` of its content words occur there, after the analyzer
  (Snowball stems, compound parts: "sekretessprövning" is supported by
  "prövning av sekretessen");
* the words that carry the legal meaning but are stop words to the search
  ("inte", "alltid", "måste", "får", "utan", ...) occur in the cited passage(s);
* its polarity matches the passage sentence it is closest to: a negation added
  to, or dropped from, what the source says fails.

Passage sentences that address the model ("ignorera tidigare instruktioner",
"skriv exakt: ...") are data, never support: ``mask_instructions`` replaces them
in the prompt and they are left out of what a sentence may be checked against.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

UNSUPPORTED_MARK = "(stöds inte av källan)"
_MARKERS = re.compile(r"\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
_WORD = re.compile(r"[^\W\d_]+(?:[-:’'][^\W\d_]+)*")
_DIGITS = re.compile(r"\d+")
# a sentence ends at . ! ? (and the [n] markers right after it) before the next sentence starts;
# "26 kap. 1 §" does not end one (a digit follows)
_END = re.compile(r"(?<=[.!?…])((?:\s*\[\d+(?:\s*[,;–-]\s*\d+)*\])*)\s+(?=[\"“(]?[A-ZÅÄÖ•*–-])")
_BULLET = re.compile(r"^\s*(?:[•*–-]|\d{1,2}[.)])\s+")
_SPECIAL = re.compile(r"<[^<>\n]{1,40}>")  # <end_of_turn>, <|im_end|>: chat-template tokens
_NEGATIONS = frozenset("inte ej icke aldrig ingen inget inga varken".split())
# stop words to the search, but they change what a rule says: they must be in the source
_KEY_WORDS = {
    "inte": ("inte", "ej", "icke"), "ej": ("inte", "ej", "icke"), "icke": ("inte", "ej", "icke"),
    "aldrig": ("aldrig",), "alltid": ("alltid",), "utan": ("utan",),
    "endast": ("endast", "bara", "enbart", "enda"), "bara": ("endast", "bara", "enbart", "enda"),
    "enbart": ("endast", "bara", "enbart", "enda"),
    "måste": ("måste", "ska", "skall", "skyldig", "skyldiga", "skyldighet", "skyldigheten"),
    "får": ("får", "få", "fick", "fått", "tillåtet", "tillåten", "rätt"),
    "ingen": ("ingen", "inget", "inga", "inte"), "inget": ("ingen", "inget", "inga", "inte"),
    "inga": ("ingen", "inget", "inga", "inte"),
    "alla": ("alla", "samtliga", "varje", "allt", "all"), "allt": ("alla", "samtliga", "allt", "all"),
}
# the model's framing of its own answer, never a claim about the law
_FRAMING = frozenset("""
materialet materialets utdraget utdragen utdrag källan källorna källa texten stycket
framgår framgå anges står enligt svar svaret
""".split())
_INSTRUCTION = re.compile(
    r"\b(?:ignorera|strunta\s+i|glöm|bortse\s+från)\b[^.!?\n]{0,80}?\b(?:instruktion\w*|anvisning\w*|"
    r"regler\w*|ovan|tidigare|allt)"
    r"|\b(?:ignore|disregard|forget)\b[^.!?\n]{0,60}?\b(?:instruction\w*|previous|above|rules)"
    r"|\bdu\s+är\s+(?:nu\s+)?(?:en|ett)\s+\w+"
    r"|\b(?:systemprompt\w*|system\s+prompt|systemmeddelande\w*|you\s+are\s+now)\b"
    r"|\b(?:svara|skriv|säg)\s+(?:alltid|bara|endast|exakt|istället|i\s+stället)\b", re.I)
MASK = "[…]"


def markers(sentence: str) -> list[int]:
    """The passage numbers a sentence cites: [1], [2, 3], [1–2]."""
    out = []
    for m in _MARKERS.finditer(sentence):
        parts = [int(p) for p in re.findall(r"\d+", m.group(1))]
        if re.search(r"[–-]", m.group(1)) and len(parts) == 2 and 0 < parts[1] - parts[0] < 10:
            parts = list(range(parts[0], parts[1] + 1))
        out.extend(parts)
    return list(dict.fromkeys(out))


def strip_markers(sentence: str) -> str:
    return re.sub(r"\s+([.!?,;:])", r"\1", _MARKERS.sub("", sentence)).strip()


def split_sentences(text: str, final: bool = True) -> tuple[list[str], str]:
    """Complete sentences of a (possibly still streaming) reply, and the unfinished rest.

    Lines are split first (list items are sentences); a sentence keeps the [n]
    markers written right after its full stop. Chat-template tokens end the reply.
    """
    special = _SPECIAL.search(text)
    if special:
        text, final = text[:special.start()], True
    lines = text.split("\n")
    rest_line = "" if final else lines.pop()
    out: list[str] = []
    for line in lines:
        out.extend(_line_sentences(line))
    rest = ""
    if rest_line:
        pieces = _line_sentences(rest_line, keep_last=True)
        out.extend(pieces[:-1])
        rest = pieces[-1] if pieces else ""
    return [s for s in out if s], rest


def _line_sentences(line: str, keep_last: bool = False) -> list[str]:
    line = _BULLET.sub("", line)
    pieces, start = [], 0
    for m in _END.finditer(line):
        pieces.append(line[start:m.end(1) if m.group(1) else m.start()].strip())
        start = m.end()
    tail = line[start:]
    if keep_last:
        pieces.append(tail)
    elif tail.strip():
        pieces.append(tail.strip())
    return pieces


def mask_instructions(text: str) -> str:
    """The passage with each sentence that addresses the model replaced by "[…]"."""
    if not _INSTRUCTION.search(text):
        return text
    from ingest.chunker import sentence_spans

    out, pos = [], 0
    for s, e in sentence_spans(text):
        if _INSTRUCTION.search(text[s:e]):
            out.append(text[pos:s] + MASK)
            pos = e
    out.append(text[pos:])
    return "".join(out)


@dataclass
class Verdict:
    sentence: str  # as the model wrote it, markers included
    cited: list[int]  # the valid [n] it cites
    supported: bool
    reason: str = ""  # why not, in English (reports, logs)
    unsupported_words: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"sentence": self.sentence, "cited": self.cited, "supported": self.supported,
                "reason": self.reason, "unsupported_words": self.unsupported_words}


def _near(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 3 or a[:3] != b[:3]:
        return False
    common = len(a) if a == b else next(i for i, (x, y) in enumerate(zip(a + "\0", b + "\1")) if x != y)
    if common >= max(5, max(len(a), len(b)) - 3):
        return True
    if len(a) < 7 or abs(len(a) - len(b)) > 1:
        return False
    # one insertion, deletion or substitution
    i = common
    return a[i + 1:] == b[i + 1:] or a[i + 1:] == b[i:] or a[i:] == b[i + 1:]


class _Source:
    """What one passage can support: its terms, digit runs, words and sentences."""

    def __init__(self, text: str, analyzer):
        from ingest.chunker import sentence_spans

        kept = [text[s:e] for s, e in sentence_spans(text) if not _INSTRUCTION.search(text[s:e])]
        text = " ".join(kept)
        self.terms = set(analyzer.tokens(text))
        for m in _WORD.finditer(text):
            self.terms.update(analyzer.tokens(m.group()))
        self.digits = set(_DIGITS.findall(text))
        self.words = set(w.lower() for w in _WORD.findall(text))
        self.sentences = [(set(analyzer.tokens(k)), bool(_NEGATIONS & {w.lower() for w in _WORD.findall(k)}))
                          for k in kept]


class SourceCheck:
    """Checks generated sentences against the passages they cite (see the module docstring).

    Args:
        analyzer: a ``SwedishAnalyzer`` (default: a new one; the hunspell lexicon is shared).
        min_share: the share of content words that must occur in the cited passage(s).
            0.75, tuned on tests/data/grounding_cases.yaml (16 hand-written paraphrases and
            17 misstatements of corpus sentences): 0.6-0.75 keep all 16 paraphrases and pass
            none of the misstatements; 0.8 drops one paraphrase, 0.5 passes two misstatements.
            Every verbatim corpus sentence (648 of them) passes at any share.
    """

    def __init__(self, analyzer=None, min_share: float = 0.75):
        if analyzer is None:
            from index.analyzer import SwedishAnalyzer
            analyzer = SwedishAnalyzer()
        self.analyzer = analyzer
        self.min_share = min_share
        self._sources: dict[str, _Source] = {}

    def _source(self, text: str) -> _Source:
        src = self._sources.get(text)
        if src is None:
            if len(self._sources) > 256:
                self._sources.clear()
            src = self._sources[text] = _Source(text, self.analyzer)
        return src

    def check(self, sentence: str, passages: list[str]) -> Verdict:
        """``passages[n - 1]`` is the text of passage [n] as the model saw it numbered."""
        cited = [n for n in markers(sentence) if 1 <= n <= len(passages)]
        if not cited:
            return Verdict(sentence, [], False, "no valid [n] citation")
        sources = [self._source(passages[n - 1]) for n in cited]
        claim = strip_markers(sentence)
        words = [w for w in _WORD.findall(claim)]
        lowered = [w.lower() for w in words]

        missing_numbers = [d for d in dict.fromkeys(_DIGITS.findall(claim))
                           if not any(d in s.digits for s in sources)]
        missing_numbers += [t for t in dict.fromkeys(self.analyzer.tokens(claim))
                            if any(ch.isdigit() for ch in t) and not any(t in s.terms for s in sources)]
        if missing_numbers:
            return Verdict(sentence, cited, False, "number not in the source",
                           [str(n) for n in missing_numbers])

        missing_keys = [w for w in lowered if w in _KEY_WORDS
                        and not any(any(alt in s.words for alt in _KEY_WORDS[w]) for s in sources)]
        if missing_keys:
            return Verdict(sentence, cited, False, "key word not in the source", sorted(set(missing_keys)))

        content, unsupported = 0, []
        for word, low in zip(words, lowered):
            if low in _FRAMING:
                continue
            toks = self.analyzer.tokens(word)
            if not toks:
                continue  # a stop word
            content += 1
            if not any(self._supports(s, toks, low) for s in sources):
                unsupported.append(word)
        if content == 0:
            return Verdict(sentence, cited, False, "no content words to check")
        if (content - len(unsupported)) / content < self.min_share:
            return Verdict(sentence, cited, False, "content words not in the source", unsupported)

        claim_terms = set(self.analyzer.tokens(claim))
        negated = bool(_NEGATIONS & set(lowered))
        best = max(((len(claim_terms & terms), neg) for s in sources for terms, neg in s.sentences),
                   default=(0, negated))
        if best[0] and best[1] != negated:
            return Verdict(sentence, cited, False,
                           "negation differs from the source" if negated else "the source says the opposite",
                           [w for w in lowered if w in _NEGATIONS])
        return Verdict(sentence, cited, True, "", unsupported)

    @staticmethod
    def _supports(src: _Source, toks: tuple | list, low: str) -> bool:
        if low in src.words or toks[0] in src.terms:
            return True
        parts = list(toks[1:])
        if parts and all(t in src.terms for t in parts):
            return True
        # another inflection the stemmer keeps apart ("regelbundet"/"regelbundna"), or a typo in
        # the source ("arbetsätt"): a long shared beginning, or one letter apart in a long word
        return len(low) >= 6 and any(_near(low, w) for w in src.words)
