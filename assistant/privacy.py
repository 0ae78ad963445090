"""Personal data out of what users type, before anything is logged or stored.

``redact(text)`` replaces Swedish personnummer and samordningsnummer, names and
street addresses of persons, phone numbers and e-mail addresses with Swedish
placeholder tokens, and says which kinds it removed::

    >>> redact("Eleven Kalle 20120315-2381 bor på Storgatan 12, ring 070-123 45 67.")
    ('Eleven [namn] [personnummer] bor på [adress], ring [telefonnummer].', \
['namn', 'felskrivet personnummer', 'adress', 'telefonnummer'])

Personnummer are found by *shape* (a real date, day + 60 for a samordningsnummer,
then four digits) and redacted whether or not the check digit is right: a
mistyped number still points at a child. The ``personnummer`` package only
labels them. Names are found by context ("eleven X", "X:s mamma", "X i 4B") and
as capitalised words that are neither Swedish dictionary words (hunspell-sv) nor
words of the indexed documents. No lawfully sourced Swedish name list is
available offline (PyPI has none from SCB; ``names-dataset`` is built from
leaked data and is not used), so those two signals are all there is.

``Redactor(vocabulary, keep_numbers)`` is the corpus-aware one (built from the
indexed texts so place names and the authority's phone numbers survive);
``configure()`` makes it the one ``redact()`` and the log filter use. The
indexed documents themselves are never redacted: this is for user input only.
"""
from __future__ import annotations

import functools
import logging
import os
import re
import threading
from typing import Iterable

# kind -> placeholder; "kinds" are also the words the page uses in its warning
TOKENS = {
    "personnummer": "[personnummer]",
    "samordningsnummer": "[samordningsnummer]",
    "felskrivet personnummer": "[personnummer]",
    "namn": "[namn]",
    "adress": "[adress]",
    "telefonnummer": "[telefonnummer]",
    "e-postadress": "[e-postadress]",
}
# how the warning names a kind (a mistyped personnummer is still a personnummer to the user)
SHOWN = {"felskrivet personnummer": "personnummer"}

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
# 6 or 8 date digits, then 4; "-", "+", " " or nothing before the last four; the date may
# also be written with single spaces or dashes between its parts ("2012 03 15 2382").
_S = r"[ \u00a0]?"
_PNR = re.compile(
    r"(?<![\w+\-/:.,§])"
    r"(?:(?P<c>18|19|20)(?P<s0>[ \u00a0-]?))?(?P<y>\d{2})(?P<s1>[ \u00a0-]?)(?P<m>\d{2})(?P=s1)(?P<d>\d{2})"
    rf"(?:{_S}[-+]{_S}|[ \u00a0]|)(?P<t>\d{{4}})"
    r"(?![\w\-/:§]|[.,]\d)")
# +46 70 123 45 67 / 0046 8 123 45 67 / 070-123 45 67 / 08-508 25 471 / 0701234567
_PHONE = re.compile(
    r"(?<![\w+\-/:.,])"
    r"(?:(?:\+|00)46[\s-]?(?:\(0\)[\s-]?)?[1-9]\d{0,2}|0[1-9]\d{0,3})"
    r"(?:[\s-]?\d{2,4}){1,4}"
    r"(?![\w\-/:]|[.,]\d)")

_UP = "A-ZÅÄÖÉÜ"
_LOW = "a-zåäöéüßćčšžøæ"
_NAME = rf"[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?"
# street names end like this ("Storgatan", "Björkvägen", "Lilla torget"); then a number
_STREET_END = (r"(?:gatan|gata|vägen|väg|gränd|gränden|stigen|stig|torget|torg|backen|backe|allén|"
               r"allé|plan|leden|platsen|esplanaden|kajen|parken|slingan|liden|höjden|ringen|"
               r"vägen|stråket|bron|udden)")
_ADDRESS = re.compile(
    rf"\b(?:[{_UP}{_LOW}][{_LOW}]*{_STREET_END}|(?:Lilla|Stora|Norra|Södra|Östra|Västra|Gamla) "
    rf"[{_UP}{_LOW}][{_LOW}]+)"
    r"[ \u00a0]+\d{1,4}(?:[ \u00a0]?[A-Za-z](?![\w]))?(?:[ \u00a0]*(?:tr|lgh)\.?[ \u00a0]*\d+)?"
    rf"(?:,?[ \u00a0]+\d{{3}}[ \u00a0]?\d{{2}}(?:[ \u00a0]+[{_UP}][{_LOW}]+)?)?")
_POSTCODE = re.compile(rf"\b\d{{3}}[ \u00a0]\d{{2}}[ \u00a0]+[{_UP}][{_LOW}]+")

# words before a person's name in staff questions ("eleven Kalle", "pojken Omar", "heter Sara")
_BEFORE = (r"eleven|elev|eleverna|pojken|pojke|flickan|flicka|tjejen|killen|barnet|barn|sonen|son|"
           r"dottern|dotter|brodern|brorsan|bror|systern|syster|syskonet|mamman|mamma|mamman|pappan|"
           r"pappa|modern|mor|fadern|far|föräldern|vårdnadshavaren|vårdnadshavare|styvpappan|"
           r"styvpappa|styvmamman|styvmamma|morfar|farfar|mormor|farmor|kusinen|kompisen|kamraten|"
           r"vännen|grannen|läraren|mentorn|mentor|kuratorn|rektorn|handläggaren|socialsekreteraren|"
           r"heter|hette|kallas|kallad|namnet|namn|eleven\s+som\s+heter|elev\s+som\s+heter|"
           r"min\s+elev|vår\s+elev|mitt\s+barn|hans|hennes|herr|fru|familjen|barnen")
# after these a capitalised word is a name whatever the dictionary says (prepositions are no
# such trigger: "om Tuva" is left to the dictionary test of the general pass)
_STRONG = re.compile(
    rf"\b(?i:{_BEFORE})[ \u00a0]+(?P<n>{_NAME}(?:[ \u00a0]+{_NAME})?)(?:s\b)?")
# "Kalle:s mamma", "Kalles pappa", "Kalle i 4B", "Kalle (12 år)", "Kalle, 9 år", "Kalle går i"
_AFTER = re.compile(
    rf"\b(?P<n>{_NAME})(?::s|s)?[ \u00a0]+(?=(?:mamma|pappa|mor|far|bror|syster|föräldrar|"
    r"vårdnadshavare|familj|lärare|mentor|klass|klasskamrat|kompis|styvpappa|styvmamma|morfar|"
    r"mormor|farfar|farmor)\b)"
    rf"|\b(?P<n2>{_NAME})(?=[ \u00a0]+(?:i|från|går\s+i|i\s+klass)[ \u00a0]+(?:klass[ \u00a0]+)?\d[A-Za-z]?\b)"
    rf"|\b(?P<n3>{_NAME})(?=,?[ \u00a0]+\(?\d{{1,2}}[ \u00a0]+år\b)")
_WORD = re.compile(rf"(?<![\w@.\[])(?P<w>[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?)(?![\w\]@])")

# month and weekday names are also given names ("Juni", "Maj"): only next to a surname
_CALENDAR = frozenset("""måndag tisdag onsdag torsdag fredag lördag söndag januari februari mars
april maj juni juli augusti september oktober november december""".split())
_ENDINGS = (("s", ""), ("ens", ""), ("ets", ""), ("en", ""), ("et", ""), ("n", ""), ("ns", ""),
            ("ernas", ""), ("arna", ""), ("orna", ""), ("na", ""), ("te", "a"), ("de", "a"),
            ("ade", "a"), ("ar", "a"), ("er", "a"), ("r", ""), ("t", ""), ("tt", ""), ("ades", "a"))

_COMMON_STARTS = frozenset("""
how what when where which who whom whose why does did do is are was were will would could should
can may might must has have had the a an in on of for to if there this that these those it its
they we you i my our your their be been being not no yes please thanks hello hi
dnr tel mvh bup sfs osl skollagen sol lvu
måndag tisdag onsdag torsdag fredag lördag söndag januari februari mars april maj juni juli
augusti september oktober november december idag igår imorgon""" """
jag du han hon vi ni de den det man vad vem vilka vilken vilket hur när var varför får kan ska
måste bör gäller om och men eller så är har hade finns blir kommer skulle vill tack hej hejsan
""".split())


def _label(number: str) -> str:
    """'personnummer', 'samordningsnummer' or 'felskrivet personnummer' (check digit wrong)."""
    try:
        from personnummer import personnummer

        p = personnummer.parse(number)
        return "samordningsnummer" if p.is_coordination_number() else "personnummer"
    except Exception:  # invalid (wrong check digit) or package missing
        return "felskrivet personnummer"


def _date_ok(century: str | None, yy: str, mm: str, dd: str) -> bool:
    month, day = int(mm), int(dd)
    if not 1 <= month <= 12:
        return False
    if day > 60:
        day -= 60
    if not 1 <= day <= 31:
        return False
    if month in (4, 6, 9, 11) and day > 30:
        return False
    if month == 2 and day > 29:
        return False
    return True


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _phone_ok(number: str) -> bool:
    digits = _digits(number)
    if number.startswith("+") or number.startswith("00"):
        national = digits[4:] if number.startswith("00") else digits[2:]
        return 7 <= len(national) <= 9
    return 8 <= len(digits) <= 10


class Redactor:
    """Finds personal data in user input.

    Args:
        vocabulary: words of the indexed documents (place names, "Socialtjänsten", the
            officials' names in public decisions): a capitalised word found there is not
            taken for a person's name unless its context says so.
        keep_numbers: phone numbers of the public authority that occur in the documents
            (any spelling; compared digit by digit), left alone.
        dictionary: lowercase Swedish words; default hunspell-sv via ``index.analyzer``.
    """

    def __init__(self, vocabulary: Iterable[str] = (), keep_numbers: Iterable[str] = (),
                 dictionary=None):
        self.vocabulary = {w.lower() for w in vocabulary}
        # words the documents write capitalised: place names, institutions, signing officials
        self.proper = {w.lower() for w in vocabulary if w[:1].isupper()}
        self.keep_numbers = {_digits(n) for n in keep_numbers if _digits(n)}
        self._dictionary = dictionary

    @classmethod
    def from_texts(cls, texts: Iterable[str], dictionary=None) -> "Redactor":
        """The corpus-aware redactor: vocabulary and phone numbers of these texts."""
        words: set[str] = set()
        numbers: set[str] = set()
        for text in texts:
            words.update(re.findall(rf"[{_UP}{_LOW}]+", text))
            numbers.update(m.group(0) for m in _PHONE.finditer(text) if _phone_ok(m.group(0)))
        return cls(words, numbers, dictionary)

    @property
    def dictionary(self):
        if self._dictionary is None:
            try:
                from index.analyzer import lexicon

                self._dictionary = lexicon()
            except Exception:  # hunspell missing: the analyzer already warns; context still works
                self._dictionary = frozenset()
        return self._dictionary

    def _known(self, word: str) -> bool:
        """A Swedish word or a word of the documents (so not, by itself, a person's name)."""
        low = word.lower()
        if low in _COMMON_STARTS or low in self.vocabulary or low in self.dictionary:
            return True
        if "-" in low:
            return all(self._known(p) for p in low.split("-"))
        # genitive and definite forms of known words ("Skolans", "Polisens") and verb forms the
        # dictionary lists only as infinitives ("Tyckte", "Bjuder", "Funkar" -> "-a")
        for cut, add in _ENDINGS:
            if low.endswith(cut) and len(low) - len(cut) >= 3:
                stem = low[: len(low) - len(cut)] + add
                if stem in self.dictionary or stem in self.vocabulary:
                    return True
        return False

    def _in_documents(self, low: str) -> bool:
        """Written capitalised in the documents (a place, an institution), with its genitive
        and hyphenated forms ("Älvsjös", "Hägersten-Liljeholmen")."""
        def one(p: str) -> bool:
            return p in self.proper or p + "s" in self.proper or (p.endswith("s") and p[:-1] in self.proper)
        return all(one(p) for p in low.split("-"))

    # -- finding spans ------------------------------------------------------------------------
    def spans(self, text: str, names: bool = True) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, kind), earliest first."""
        found: list[tuple[int, int, str]] = []
        for m in _EMAIL.finditer(text):
            found.append((m.start(), m.end(), "e-postadress"))
        # file names glue words with "_" ("Kalle_20120315-2381.pdf"): look at them as spaces
        # (same length, so the spans fit the original text)
        text = text.replace("_", " ")
        for m in _PNR.finditer(text):
            if not _date_ok(m["c"], m["y"], m["m"], m["d"]):
                continue
            ten = m["y"] + m["m"] + m["d"] + m["t"]
            if ten in self.keep_numbers or (m["c"] or "") + ten in self.keep_numbers:
                continue
            kind = _label((m["c"] or "") + m["y"] + m["m"] + m["d"] + "-" + m["t"])
            if kind == "felskrivet personnummer" and ten.startswith("0") and not m["c"] and (
                    _phone_ok(m.group(0)) and re.fullmatch(r"0\d{9}", _digits(m.group(0)))):
                kind = "telefonnummer"  # "0701234567": a mobile number as much as a 2007 birth
            found.append((m.start(), m.end(), kind))
        for m in _ADDRESS.finditer(text):
            found.append((m.start(), m.end(), "adress"))
        for m in _POSTCODE.finditer(text):
            found.append((m.start(), m.end(), "adress"))
        for m in _PHONE.finditer(text):
            if _phone_ok(m.group(0)) and _digits(m.group(0)) not in self.keep_numbers:
                found.append((m.start(), m.end(), "telefonnummer"))
        if names:
            found.extend(self._names(text))
        # earliest first, longer first; drop overlaps
        found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        out: list[tuple[int, int, str]] = []
        for s in found:
            if out and s[0] < out[-1][1]:
                continue
            out.append(s)
        return out

    def _names(self, text: str) -> list[tuple[int, int, str]]:
        spans: list[tuple[int, int]] = []
        for m in _STRONG.finditer(text):
            for w in _WORD.finditer(m["n"]):
                if w["w"].lower() in _NOT_NAMES:
                    continue
                spans.append((m.start("n") + w.start(), m.start("n") + w.end()))
        for m in _AFTER.finditer(text):
            g = "n" if m["n"] else ("n2" if m["n2"] else "n3")
            if m[g].lower() not in _NOT_NAMES and not (g != "n" and self._known(m[g])
                                                          and m[g].lower() in self.vocabulary):
                spans.append((m.start(g), m.end(g)))
        proper = proper_nouns()
        for w in _WORD.finditer(text):
            word = w["w"]
            low = word.lower()
            if len(word) < 2 or low in _COMMON_STARTS or low in _NOT_NAMES or self._in_documents(low) \
                    or (low in _TRIGGERS and self._known(word)):
                continue
            if not self._known(word):
                spans.append((w.start(), w.end()))
                continue
            # a dictionary word that hunspell also lists as a proper noun ("Linnea", "Ester"):
            # a name mid-sentence, or at the start when another capitalised word follows
            # a dictionary word written capitalised ("Linnea", "Tuva"): Swedish capitalises
            # names, not nouns, mid-sentence, except institutions in definite form ("Rektorn",
            # "Elevhälsan"); at a sentence start only when a second capitalised word follows
            start = re.search(r"(?:^|[.!?:]\s+|\n\s*)$", text[:w.start()]) is not None
            nxt = _WORD.match(text, w.end() + 1) if text[w.end():w.end() + 1] == " " else None
            if start:
                if nxt and nxt["w"].lower() not in _COMMON_STARTS | _NOT_NAMES \
                        and not self._in_documents(nxt["w"].lower()):
                    spans.append((w.start(), w.end()))
            elif low in proper or (low.endswith("s") and low[:-1] in proper) or \
                    not re.search(r"(?:en|an|et|n|na|erna|arna)$", low):
                spans.append((w.start(), w.end()))
        # a capitalised word right next to a found name is its other half ("Anna Berg")
        spans.sort()
        more = []
        for a, b in spans:
            nxt = _WORD.match(text, b + 1) if text[b:b + 1] == " " else None
            # (even when an official in the documents shares the surname)
            if nxt and nxt["w"].lower() not in _NOT_NAMES and nxt["w"].lower() not in _COMMON_STARTS:
                more.append((nxt.start(), nxt.end()))
            prev = re.search(rf"(?<![\w.])([{_UP}][{_LOW}]+) $", text[:a])
            if prev and prev.group(1).lower() not in _NOT_NAMES | (_COMMON_STARTS - _CALENDAR) | _TRIGGERS \
                    and prev.group(1).lower() not in self.proper and (
                        not self._known(prev.group(1)) or (
                            prev.group(1).lower() in proper
                            and not re.search(r"(?:^|[.!?:]\s+|\n\s*)$", text[:prev.start(1)]))):
                more.append((prev.start(1), prev.end(1)))
        return [(a, b, "namn") for a, b in spans + more]

    # -- replacing ----------------------------------------------------------------------------
    def redact(self, text: str, names: bool = True) -> tuple[str, list[str]]:
        """Replace personal data with tokens; returns the text and the kinds found, in order."""
        if not text:
            return text, []
        spans = self.spans(text, names=names)
        kinds: list[str] = []
        out, pos = [], 0
        for a, b, kind in spans:
            out.append(text[pos:a])
            out.append(TOKENS[kind])
            pos = b
            if kind not in kinds:
                kinds.append(kind)
        out.append(text[pos:])
        return "".join(out), kinds


_TRIGGERS = {w for w in _BEFORE.split("|") if "\\" not in w}
# capitalised words that follow a trigger word but are not names
_NOT_NAMES = {"jag", "du", "han", "hon", "vi", "ni", "de", "den", "det", "som", "har", "är", "i",
              "på", "och", "men", "skolan", "socialtjänsten", "polisen", "kommunen", "bup", "om",
              "att", "inte", "kan", "ska", "får", "en", "ett", "min", "mitt", "vår", "vårt"}

@functools.lru_cache(maxsize=1)
def proper_nouns() -> frozenset[str]:
    """Capitalised hunspell-sv entries (given names, surnames, places), lowercased."""
    try:
        from index.analyzer import _hunspell_dir
    except Exception:
        return frozenset()
    out: set[str] = set()
    for name in ("sv_SE.dic", "sv_SE_expanded.dic"):
        path = os.path.join(_hunspell_dir(), name)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                out.update(line.split("/", 1)[0].strip().lower() for line in f if line[:1].isupper())
    return frozenset(out)


_active: Redactor | None = None
_active_lock = threading.Lock()


def active() -> Redactor:
    """The redactor ``redact()`` uses: the configured one, else one without a corpus."""
    global _active
    with _active_lock:
        if _active is None:
            _active = Redactor()
        return _active


def configure(redactor: Redactor | None) -> None:
    """Make ``redactor`` the one every ``redact()`` call and the log filter use (None: reset)."""
    global _active
    with _active_lock:
        _active = redactor


def redact(text: str, names: bool = True) -> tuple[str, list[str]]:
    """Replace personal data with tokens (see ``Redactor.redact``)."""
    return active().redact(text, names=names)


def redact_text(text: str, names: bool = True) -> str:
    return redact(text, names=names)[0]


def shown_kinds(kinds: Iterable[str]) -> list[str]:
    """The kinds as the page names them, each once ("personnummer", "namn", ...)."""
    out: list[str] = []
    for k in kinds:
        k = SHOWN.get(k, k)
        if k not in out:
            out.append(k)
    return out


def warning(kinds: Iterable[str], where: str = "frågan") -> str:
    """What the page says after redaction: names what was removed; "" when nothing was."""
    shown = shown_kinds(kinds)
    if not shown:
        return ""
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " och " + shown[-1]
    return (f"Skriv inte personnummer eller andra personuppgifter i {where}. "
            f"Vi tog bort {listed} ur {where} innan något sparades.")


_FILE_NAME = re.compile(r"[^\s/\\'\"]+\.(?:pdf|txt|md|docx?|odt|rtf|html?)\b", re.IGNORECASE)


class RedactingFilter(logging.Filter):
    """Redacts every record's message; strips query strings from uvicorn's access lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access" and isinstance(record.args, tuple) and len(record.args) >= 3:
            # uvicorn's AccessFormatter unpacks the args tuple: keep its shape
            args = [redact_text(a, names=False) if isinstance(a, str) else a for a in record.args]
            args[2] = str(args[2]).split("?", 1)[0]
            record.args = tuple(args)
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the caller's bug; still redact what we have
            message = str(record.msg)
        # log lines are ours (English); only numbers and addresses can be personal data in them,
        # and names inside the file names they mention ("upload failed: Kalle_Berg.pdf")
        clean = _FILE_NAME.sub(lambda m: redact_text(m.group(0)), redact_text(message, names=False))
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info),
                                          names=False)
        elif record.exc_text:
            record.exc_text = redact_text(record.exc_text, names=False)
        return True


LOGGERS = ("", "gradio", "uvicorn", "uvicorn.error", "uvicorn.access", "httpx", "handbok", "assistant")


def install_log_redaction(names: tuple[str, ...] = LOGGERS) -> RedactingFilter:
    """Put one ``RedactingFilter`` on the named loggers and on their handlers (idempotent).

    A logger's filter only sees records logged on that logger; records of child
    loggers reach the handlers, which is why the handlers get the filter too.
    """
    existing = [f for f in logging.getLogger().filters if isinstance(f, RedactingFilter)]
    flt = existing[0] if existing else RedactingFilter()
    for name in names:
        logger = logging.getLogger(name)
        if flt not in logger.filters:
            logger.addFilter(flt)
        for handler in logger.handlers:
            if flt not in handler.filters:
                handler.addFilter(flt)
    return flt


def uninstall_log_redaction(names: tuple[str, ...] = LOGGERS) -> None:
    """Take the filters off again (tests that launched a server in-process)."""
    for name in names:
        logger = logging.getLogger(name)
        for owner in [logger, *logger.handlers]:
            for flt in [f for f in owner.filters if isinstance(f, RedactingFilter)]:
                owner.removeFilter(flt)
