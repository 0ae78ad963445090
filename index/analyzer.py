"""Swedish text analyzer for lexical (BM25) search.

`SwedishAnalyzer.tokens(text)` turns text into index/query terms:

* Unicode NFC, lowercase, "é" folded to "e";
* protected units kept whole in one canonical form, so that variants match:
  abbreviations ("SoL" -> "sol"), legal references ("26 kap. 1 § OSL",
  "26:1 OSL" -> "ref:osl:26:1" + "ref:26:1" + "osl"), case numbers
  ("2016:28", "Dnr KS 2023/1099" -> "ks2023/1099" + "2023/1099"), dates and
  numbers with units ("95 mnkr" -> "95mnkr", "80 procent" -> "80%");
* Swedish stop words removed;
* other words stemmed with the Snowball Swedish stemmer (PyStemmer), with a
  small lexicon-guided correction for the definite forms Snowball leaves alone
  ("skolan" -> "skol" like "skolorna", "samtycket" -> "samtyck");
* compounds emit the stems of their parts after the stem of the whole word
  ("sekretessprövning" -> "sekretessprövning", "sekretess", "prövning").

Compound parts are recognised with the hunspell-sv dictionary (its compound
flags mark which forms may begin or end a compound, linking "s" and dropped
"-a"/"-e" included) plus the corpus vocabulary given to `learn()`. The
dictionary is parsed once per process, lazily, and shared by all analyzers.

Run `python -m index.analyzer "some text"` to print the tokens of a text.
"""
from __future__ import annotations

import functools
import logging
import os
import re
import sysconfig
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import AbstractSet, Iterable

import Stemmer

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------
# Word lists
# ---------------------------------------------------------------------------

STOP_WORDS: frozenset[str] = frozenset("""
alla allt alltid alltså andra annan annat antingen att av bara blev bli blir
blivit borde bort både bör de dem den denna denne dennes deras dess dessa det
detta dig din dina dit ditt dock du där därför därmed då efter eftersom ej
eller emot en enbart enligt er era ert ett fast fick fler flera fram från få får fått
för före genom ha hade haft han hans har hela hellre hennes henne hit hon honom
hos hur här i icke ifall igen in inför ingen inget inga innan inom inte ju jag
kan kommer kunde kunna kunnat man med medan mellan men mer mera mest mig min
mina mitt mot mycket må måste ned ner ni nog nu några någon något när och också
oss om per på samma samt sedan sig sin sina sitt själv ska skall skulle så
sådan sådana sådant som till tills trots ty under upp ur ut utan utanför
utifrån vad var vara varför varit varje vars vart varken vem vems vi via vid
vilka vilkas vilken vilket vill ville väl vår våra vårt än ännu är åt även över
dvs osv etc resp respektive bl ex mfl mm tex pga
""".split())

# Abbreviations kept as they are (lowercased): never stemmed, split or dropped.
ABBREVIATIONS: frozenset[str] = frozenset("""
sst sspf ppss bus osl sol lvu lss bbic bup sip ppt fn rvi ks
mbl skoll brb lul sfs skl
""".split())

# Law names and abbreviations that may follow a "§" reference -> canonical id.
LAW_NAMES: dict[str, str] = {
    "osl": "osl", "offentlighets- och sekretesslagen": "osl",
    "offentlighets-och sekretesslagen": "osl", "sekretesslagen": "osl",
    "sol": "sol", "socialtjänstlagen": "sol",
    "lvu": "lvu", "lss": "lss",
    "skoll": "skoll", "skollagen": "skoll",
    "mbl": "mbl", "medbestämmandelagen": "mbl",
    "fl": "fl", "förvaltningslagen": "fl",
    "pl": "pl", "polislagen": "pl",
    "brb": "brb", "brottsbalken": "brb",
    "fb": "fb", "föräldrabalken": "fb",
    "lul": "lul",
}

_UNITS: dict[str, str] = {
    "%": "%", "procent": "%",
    "mnkr": "mnkr", "mkr": "mnkr", "mn kr": "mnkr", "miljoner kronor": "mnkr",
    "mdkr": "mdkr", "miljarder kronor": "mdkr",
    "tkr": "tkr", "kr": "kr", "kronor": "kr",
}

# Frequent derivational endings that happen to be dictionary words; never a compound part.
_NOT_TAILS = frozenset("""
ning ningen ningar ningarna het heten heter skap skapet skapen else elsen ande
anden andet ende enden are aren arna erna orna ighet igheten lighet ligheten
ering eringen erade erande isk iska iskt ism ist isten lig liga ligt sam samma
samt bar bara dom domen tion tionen ion ionen ist ister nde ndet ing ingar
""".split())
# Never a first part: particles and prefixes ("genomföra", "överlämna", "sammanhang" stay whole;
# the stop words are excluded too) and a few that mostly give false splits ("förs|kola", "ung|domar").
_NOT_HEADS = frozenset("""
samman åter inne fram bort förut fort dels däri häri ända undan utom kring före
förs inner ung
""".split())

# ---------------------------------------------------------------------------
# Lexicon (hunspell-sv), parsed once per process
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Lexicon:
    """Lowercase word sets from hunspell-sv (read-only; plain sets to avoid copying ~0.5M strings)."""
    lemmas: AbstractSet[str]  # dictionary base forms
    heads: AbstractSet[str]   # forms that may begin (or be in the middle of) a compound
    tails: AbstractSet[str]   # forms that may end a compound, inflections included

    def __contains__(self, word: str) -> bool:
        """A dictionary word (base form, compound-end form or compound-start form)."""
        return word in self.lemmas or word in self.tails or word in self.heads


def _hunspell_dir() -> str:
    return os.path.join(sysconfig.get_path("data"), "share", "hunspell")


def _fold(text: str) -> str:
    return text.replace("é", "e").replace("É", "E").replace("è", "e").replace("È", "E")


def _read_affix_rules(path: str) -> dict[str, list]:
    """Suffix rules per flag: [(condition.search or None, ((strip, len, add, cont), ...)), ...]."""
    raw: dict[str, list] = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.split()
            if len(p) >= 5 and p[0] == "SFX":
                _, flag, strip, add, cond = p[:5]
                strip = "" if strip == "0" else _fold(strip)
                add, _, cont = add.partition("/")
                add = "" if add == "0" else _fold(add)
                raw[flag].append((strip, add, cont, _fold(cond)))
    rules: dict[str, list] = {}
    for flag, rl in raw.items():
        groups: dict[str, list] = defaultdict(list)
        for strip, add, cont, cond in rl:
            groups[cond].append((strip, len(strip), add, cont))
        rules[flag] = [(None if cond == "." else re.compile(f"(?:{cond})$").search, tuple(v))
                       for cond, v in groups.items()]
    return rules


@functools.lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Parse hunspell-sv (sv_SE.dic and sv_SE_expanded.dic) into word sets, once.

    Flags used (see sv_SE.aff): X = may begin a compound, U = may be in the
    middle, Y = may end one, Z = only inside compounds; suffix rules whose
    continuation carries X/U make linking forms ("samverka" -> "samverkans").
    Capitalised entries (names) are skipped. Missing dictionary -> empty sets.
    """
    base = _hunspell_dir()
    aff = os.path.join(base, "sv_SE.aff")
    dics = [os.path.join(base, n) for n in ("sv_SE.dic", "sv_SE_expanded.dic")]
    dics = [d for d in dics if os.path.exists(d)]
    if not os.path.exists(aff) or not dics:
        log.warning("hunspell-sv not found under %s: compound splitting uses the corpus only", base)
        return Lexicon(set(), set(), set())
    rules = _read_affix_rules(aff)
    entries: set[str] = set()
    for path in dics:
        with open(path, encoding="utf-8") as f:
            f.readline()  # entry count
            entries.update(_fold(f.read()).split("\n"))
    lemmas: set[str] = set()
    heads: set[str] = set()
    tails: set[str] = set()
    l_add, h_add, t_add = lemmas.add, heads.add, tails.add
    for entry in entries:
        w, _, flags = entry.partition("/")
        if len(w) < 2 or not w[0].islower() or "%" in flags:
            continue
        if "Z" not in flags and "¤" not in flags:
            l_add(w)
        if "X" in flags or "U" in flags:
            h_add(w)
        is_end = "Y" in flags
        if is_end:
            t_add(w)
        for flag in flags:
            fr = rules.get(flag)
            if fr is None:
                continue
            for search, rl in fr:
                if search is not None and search(w) is None:
                    continue
                for strip, n, add, cont in rl:
                    if cont:
                        if "X" not in cont and "U" not in cont:
                            continue
                    elif not is_end:
                        continue  # inflections are kept for compound-end words only
                    if n:
                        if not w.endswith(strip):
                            continue
                        form = w[:-n] + add
                    else:
                        form = w + add
                    if cont:
                        h_add(form)
                    else:
                        t_add(form)
    return Lexicon(lemmas, heads, tails)


@functools.lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("swedish")


# ---------------------------------------------------------------------------
# Tokenizer patterns
# ---------------------------------------------------------------------------

_LAW = (r"(?P<{g}>(?i:offentlighets-\s*och\s+sekretesslagen|sekretesslagen|socialtjänstlagen|"
        r"skollagen|medbestämmandelagen|förvaltningslagen|polislagen|brottsbalken|föräldrabalken|"
        r"osl|sol|lvu|lss|skoll|mbl|fl|pl|brb|fb|lul))(?:s|ens)?(?![^\W_])")
_SEC = r"\d{1,3}(?:\s?[a-z](?![^\W_]))?"
_SECS = rf"{_SEC}(?:\s*(?:,|och|–|-)\s*{_SEC})*"
_NUM = r"(?<![\d.,])(?:\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,]\d+)?"

_TOKEN = re.compile(
    # 26 kap. 1 § OSL / 26 kap 1§ / 2 kap. 8 och 10 §§ skollagen
    rf"(?<!\d)(?P<chap>\d{{1,3}})\s*kap\.?\s*(?P<secs>{_SECS})\s*§§?"
    rf"(?:\s*(?:första|andra|tredje|fjärde|femte|sjätte)\s+stycket)?(?:\s+{_LAW.format(g='law')})?"
    # 26:1 OSL
    rf"|(?<![\d:])(?P<cchap>\d{{1,3}}):(?P<csec>\d{{1,3}})\s+{_LAW.format(g='claw')}"
    # 19 § MBL
    rf"|(?<!\d)(?P<ssecs>{_SECS})\s*§§?(?:\s+{_LAW.format(g='slaw')})?"
    # Dnr KS 2023/1099, Dnr 106-360/2016, KS 2023/1099
    r"|(?:(?i:dnr)\.?:?\s*)?(?:(?P<dpre>[A-ZÅÄÖ]{2,5})\s+(?=\d+[-–]?\d*/))?"
    r"(?P<dnum>(?<![\w/])\d+(?:[-–]\d+)*(?:/\d+)+)(?![\w/])"
    # 2016-03-16
    r"|(?P<date>(?<!\d)\d{4}-\d{2}-\d{2}(?!\d))"
    # 2016:28, SFS 2009:400
    r"|(?P<case>(?<![\d:])(?:1[89]|20)\d{2}:\d{1,4}(?![\d:]))"
    # 95 mnkr, 80 %, 80 procent, 1 200 kr
    rf"|(?P<num>{_NUM})\s*(?P<unit>%|(?i:procent|mnkr|mkr|mn\s?kr|miljoner\s+kronor|mdkr|"
    r"miljarder\s+kronor|tkr|kronor|kr)(?![^\W_]))"
    # plain numbers: 2016, 3,5
    rf"|(?P<plain>(?<![^\W_])\d+(?:[.,]\d+)*(?![^\W_]))"
    # words, also hyphenated (BBIC-utredning) and with a colon suffix (SIP:en)
    r"|(?P<word>[^\W_]+(?:[-:’'][^\W_]+)*)"
)

_MIN_STRONG_PART = 3  # a compound part has at least 3 letters (hunspell-marked parts) ...
_MIN_CORPUS_PART = 5  # ... or 5 when it is known only from the corpus
_MAX_PARTS = 4
_MAX_CACHE = 500_000  # analysed words kept per analyzer
# a word minus its longest inflectional ending (noun/adjective endings)
_INFLECTED = re.compile(r"(.{3,}?)(?:ornas|arnas|ernas|orna|arna|erna|ens|ets|ans|ars|ers|ors|nas|"
                        r"en|et|an|ar|er|or|na|ns|a|e|n|s|t)?$")


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return _fold(text).replace("\u00ad", "").replace("\u00a0", " ")


def _law_id(name: str | None) -> str | None:
    if not name:
        return None
    name = re.sub(r"\s+", " ", name.lower())
    return LAW_NAMES.get(name) or LAW_NAMES.get(name.replace("- och", "-och"))


def _sections(text: str) -> list[str]:
    return [re.sub(r"\s", "", s) for s in re.findall(_SEC, text)]


def _unit_token(num: str, unit: str) -> str:
    num = re.sub(r"[ \u00a0]", "", num).replace(".", ",")
    unit = re.sub(r"\s+", " ", unit.lower())
    return num + _UNITS.get(unit, _UNITS.get(unit.replace(" ", ""), unit))


# ---------------------------------------------------------------------------
# Analyzer
# ---------------------------------------------------------------------------


def _reference_tokens(law: str, places: list[str]) -> list[str]:
    """"26:1" in OSL -> ref:osl:26:1, ref:26:1 (the law-free form matches "26 kap 1§"), osl."""
    out = []
    for place in places:
        if law:
            out.append(f"ref:{law}:{place}")
        out.append(f"ref:{place}")
    if law:
        out.append(law)
    return out


class SwedishAnalyzer:
    """Index/query terms for Swedish text (see the module docstring)."""

    def __init__(self, extra_vocabulary: Iterable[str] = ()):
        self._stem_word = _stemmer().stemWord
        self._corpus: dict[str, int] = {}  # corpus word -> count
        self._word_cache: dict[str, tuple[str, ...]] = {}
        self._stem_cache: dict[str, str] = {}
        self._split_cache: dict[str, tuple[str, ...] | None] = {}
        self._add_vocabulary(extra_vocabulary)

    # -- public API ---------------------------------------------------------

    def tokens(self, text: str) -> list[str]:
        """Index/query terms for text: lowercase, Snowball Swedish stems (PyStemmer), stop words removed,
        compounds also emit their parts' stems (keep the whole-word stem too), protected units kept whole."""
        out: list[str] = []
        cache = self._word_cache
        for m in _TOKEN.finditer(_normalize(text)):
            kind = m.lastgroup
            if kind == "word":
                raw = m.group("word")
                key = raw if raw.isupper() else raw.lower()
                toks = cache.get(key)
                if toks is None:
                    if len(cache) > _MAX_CACHE:
                        self._clear_caches()
                    toks = cache[key] = self._word(raw)
                out.extend(toks)
            else:
                out.extend(self._protected(m))
        return out

    def learn(self, texts: Iterable[str]) -> None:
        """Add corpus words to the compound-part vocabulary (called with all chunk texts before indexing)."""
        words: list[str] = []
        for text in texts:
            for m in _TOKEN.finditer(_normalize(text)):
                if m.lastgroup == "word":
                    words.extend(re.split(r"[-:’']", m.group("word").lower()))
        self._add_vocabulary(words)

    # -- internals ----------------------------------------------------------

    def _add_vocabulary(self, words: Iterable[str]) -> None:
        corpus = self._corpus
        for w in words:
            w = _fold(unicodedata.normalize("NFC", w)).lower()
            if len(w) >= _MIN_CORPUS_PART and w.isalpha() and w not in STOP_WORDS:
                corpus[w] = corpus.get(w, 0) + 1
        self._clear_caches()

    def _clear_caches(self) -> None:
        self._word_cache.clear()
        self._split_cache.clear()
        self._stem_cache.clear()

    def _protected(self, m: re.Match) -> list[str]:
        kind = m.lastgroup
        g = m.group
        if g("chap") is not None or g("cchap") is not None:
            if g("chap") is not None:
                chap, secs, law = g("chap"), _sections(g("secs")), _law_id(g("law"))
            else:
                chap, secs, law = g("cchap"), [g("csec")], _law_id(g("claw"))
            return _reference_tokens(law, [f"{chap}:{sec}" for sec in secs])
        if g("ssecs") is not None:
            return _reference_tokens(_law_id(g("slaw")), _sections(g("ssecs")))
        if g("dnum") is not None:
            num = g("dnum").replace("–", "-")
            pre = g("dpre")
            return [pre.lower() + num, num] if pre else [num]
        if kind == "unit":
            return [_unit_token(g("num"), g("unit"))]
        if kind in ("date", "case", "plain"):
            return [m.group(kind)]
        return []

    def _word(self, raw: str) -> tuple[str, ...]:
        """Terms for one word as written (may contain '-', ':' or an apostrophe)."""
        low = raw.lower()
        if low in ABBREVIATIONS:
            return (low,)
        if re.search(r"[-:’']", low):
            pieces = [p for p in re.split(r"[-:’']", low) if p]
            if ":" in low and pieces[0] in ABBREVIATIONS:  # SIP:en, BUS:s
                return (pieces[0],)
            out: list[str] = []
            for piece, raw_piece in zip(pieces, [p for p in re.split(r"[-:’']", raw) if p]):
                out.extend(self._simple(piece, raw_piece))
            if (len(pieces) > 1 and "-" in low and all(p.isalpha() for p in pieces)
                    and not any(p in ABBREVIATIONS for p in pieces)):
                out.extend(self._simple("".join(pieces), "".join(pieces)))
            return tuple(dict.fromkeys(out))
        return self._simple(low, raw)

    def _simple(self, w: str, raw: str) -> tuple[str, ...]:
        if w in ABBREVIATIONS:
            return (w,)
        if w in STOP_WORDS:
            return ()
        if not w.isalpha():
            return (w,)  # digits inside a word: keep as written
        if len(w) < 2:
            return ()
        # short all-caps words that are not dictionary words are acronyms (SKL, KD)
        if raw.isupper() and len(w) <= 5 and w not in lexicon():
            return (w,)
        whole = self._stem(w)
        parts = self._split(w)
        if not parts:
            return (whole,)
        out = [whole]
        for i, part in enumerate(parts):
            s = self._stem(self._head_base(part) if i < len(parts) - 1 else part)
            if s not in out and s not in STOP_WORDS:
                out.append(s)
        return tuple(out)

    def _stem(self, w: str) -> str:
        s = self._stem_cache.get(w)
        if s is None:
            s = self._stem_word(w)
            # Snowball keeps the definite endings -n and -t after a vowel or r ("skolan",
            # "kuratorn", "samtycket"): drop them when that leaves a dictionary base form.
            if len(s) >= 5 and s[-1] in "nt" and s[-2] in "aeoru" and len(w) - len(s) <= 1:
                lemmas = lexicon().lemmas
                if s not in lemmas:
                    for base in (s[:-1], s[:-2]) if s.endswith("et") else (s[:-1],):
                        if len(base) >= 3 and base in lemmas:
                            s = self._stem_word(base)
                            break
            self._stem_cache[w] = s
        return s

    def _head_base(self, head: str) -> str:
        """The dictionary form behind a compound's first part: 'oros' -> 'oro', 'skol' -> 'skola'."""
        lemmas = lexicon().lemmas
        corpus = self._corpus
        if head in lemmas or head in corpus:
            return head
        cands = []
        if head.endswith("s"):
            cands.append(head[:-1])
        cands += [head + "a", head + "e"]
        if head[-1] in "eou":
            cands += [head[:-1] + "a"]
        for c in cands:
            if c in lemmas or c in corpus:
                return c
        return head

    # compound splitting

    def _head_strength(self, p: str) -> int:
        """2: a hunspell compound-begin form; 1: a weaker but accepted first part; 0: not one."""
        if p in STOP_WORDS or p in _NOT_HEADS or p[0] == p[1]:
            return 0
        lex = lexicon()
        n = len(p)
        if n >= _MIN_STRONG_PART and p in lex.heads:
            return 2
        if (p.endswith("s") and n - 1 >= _MIN_STRONG_PART and p[:-1] not in STOP_WORDS
                and (p[:-1] in lex.lemmas or self._in_corpus(p[:-1]))):
            return 1  # linking s after a dictionary word: "oros" + "anmälan"
        if self._in_corpus(p) or self._in_corpus(p + "a") or self._in_corpus(p + "e"):
            return 1  # a corpus word, maybe without its -a/-e
        return 0

    def _tail_strength(self, p: str) -> int:
        """2: a hunspell compound-end form; 1: a weaker but accepted last part; 0: not one."""
        if p in _NOT_TAILS or p in STOP_WORDS or p[0] == p[1]:
            return 0
        lex = lexicon()
        n = len(p)
        strength = 0
        if n >= _MIN_STRONG_PART and p in lex.tails:
            strength = 2
        elif self._in_corpus(p) or self._in_corpus(_INFLECTED.match(p).group(1)):
            strength = 1  # a corpus word, maybe inflected: "person" + "-erna"
        elif n >= 7:
            # a long dictionary word not marked as a compound part: "stiftning"
            stem = self._stem(p)
            if p in lex.lemmas or (len(stem) >= 6 and stem in lex.lemmas):
                strength = 1
        if strength and self._stem(p) in _NOT_TAILS:
            return 0
        return strength

    def _in_corpus(self, w: str) -> bool:
        """A corpus word to trust as a compound part: long enough, seen twice and a dictionary
        word, or seen three times (OCR fragments like "kningar" are rarely repeated)."""
        if len(w) < _MIN_CORPUS_PART:
            return False
        count = self._corpus.get(w, 0)
        return count >= 3 or (count >= 2 and w in lexicon())

    def _split(self, word: str) -> tuple[str, ...] | None:
        """The compound parts of word as written (first parts keep their linking letters), or None.

        Fewest parts first, then fewest weak parts, then the most even split (longest shortest
        part), then the longest parts.
        """
        cached = self._split_cache.get(word, False)
        if cached is not False:
            return cached
        result = None
        n = len(word)
        # the last part must keep >= 2 letters before the inflectional ending:
        # "skolorna" is skol- + -orna, not "sko" + "lorna"
        if n >= 2 * _MIN_STRONG_PART + 1 and word.isalpha():
            last_start = len(_INFLECTED.match(word).group(1)) - 2
            memo: dict[int, tuple | None] = {}

            def best(i: int, depth: int):
                """Best reading of word[i:] as head* tail: ((parts, weak, -shortest, -sum len²), parts)."""
                key = i * 8 + depth
                if key in memo:
                    return memo[key]
                found = None
                rest = word[i:]
                ts = self._tail_strength(rest) if 0 < i <= last_start else 0
                if ts:
                    found = ((1, ts == 1, -len(rest), -len(rest) ** 2), (rest,))
                if depth < _MAX_PARTS:
                    for j in range(i + _MIN_STRONG_PART, min(n - _MIN_STRONG_PART, last_start) + 1):
                        hs = self._head_strength(word[i:j])
                        if not hs:
                            continue
                        sub = best(j, depth + 1)
                        if sub is None:
                            continue
                        (k, weak, shortest, sq), parts = sub
                        cost = (k + 1, weak + (hs == 1), max(shortest, i - j), sq - (j - i) ** 2)
                        if found is None or cost < found[0]:
                            found = (cost, (word[i:j],) + parts)
                memo[key] = found
                return found

            b = best(0, 1)
            if b is not None and len(b[1]) >= 2:
                result = b[1]
        self._split_cache[word] = result
        return result


def _main(argv: list[str] | None = None) -> int:
    import argparse
    import sys
    import time

    ap = argparse.ArgumentParser(description="Print the index terms of a text.")
    ap.add_argument("text", nargs="+")
    ap.add_argument("--split", action="store_true", help="also print each word's compound parts")
    args = ap.parse_args(argv)
    text = " ".join(args.text)
    t0 = time.perf_counter()
    analyzer = SwedishAnalyzer()
    lexicon()
    t1 = time.perf_counter()
    toks = analyzer.tokens(text)
    t2 = time.perf_counter()
    analyzer.tokens(text)
    t3 = time.perf_counter()
    print(" ".join(toks))
    if args.split:
        for m in _TOKEN.finditer(_normalize(text)):
            if m.lastgroup == "word":
                print(m.group(), "->", analyzer._split(m.group().lower()))
    print(f"[lexicon {1000 * (t1 - t0):.0f} ms, first call {1000 * (t2 - t1):.2f} ms, "
          f"cached {1000 * (t3 - t2):.3f} ms]", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
