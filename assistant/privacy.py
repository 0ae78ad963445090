"""Personal data out of what users type, before anything is logged or stored.

``redact(text)`` replaces Swedish personnummer and samordningsnummer, names and
street addresses of persons, phone numbers and e-mail addresses with Swedish
placeholder tokens, and says which kinds it removed::

    >>> redact("Eleven Kalle 20120315-2381 bor på Storgatan 12, ring 070-123 45 67.")
    ('Eleven [namn] [personnummer] bor på [adress], ring [telefonnummer].', \
['namn', 'felskrivet personnummer', 'adress', 'telefonnummer'])

Personnummer are found by *shape* (a real date, day + 60 for a samordningsnummer,
then four digits, however separated or glued) and redacted whether or not the check
digit is right: a mistyped number still points at a child. The ``personnummer``
package only labels them. Names are found three ways: a list of common given names
and surnames (``data/given_names.txt``, ``data/surnames.txt``: Isof's and
Skatteverket's statistics and other locales, extracted once from Faker; not
``names-dataset``, which is built from leaked data); capitalised words that are
neither Swedish words (hunspell-sv, its inflected and compound forms included),
common English words nor words of the indexed documents; and context ("eleven X",
"X:s mamma", "X i 4B", "heter x"), which also decides names that are everyday words
("Sten", "Rosa", "Liv") and lowercase ones ("kalle säger ...").

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
# 6 or 8 date digits, then 4; "-", "+", " " or nothing before the last four (a word processor's
# dash too); the date may also be written with spaces, dashes or dots between its parts
# ("2012 03 15 2382"). Glued to letters or punctuation ("pnr:201203152381", "(120315-2381)",
# "150769-4378s ärende") it is still one; inside a longer number, a case number ("2016/1234"),
# a date range or a law reference it is not.
_S = r"[ \u00a0]?"
_DASHES = "-\u2010\u2011\u2012\u2013\u2212"
_PNR = re.compile(
    r"(?<![\d+§])(?<!\d[-/.,:])"
    r"(?:(?P<c>18|19|20)(?P<s0>[ \u00a0.-]?))?(?P<y>\d{2})(?P<s1>[ \u00a0.-]?)(?P<m>\d{2})(?P=s1)(?P<d>\d{2})"
    rf"(?:{_S}[+{_DASHES}]{_S}|[ \u00a0]|)(?P<t>\d{{4}})"
    rf"(?!\d|[{_DASHES}/.,:]\d)")
# +46 70 123 45 67 / 0046 8 123 45 67 / 070-123 45 67 / 08-508 25 471 / 0701234567
_PHONE = re.compile(
    r"(?<![\w+\-/:.,])"
    r"(?:(?:\+|00)46[\s-]?(?:\(0\)[\s-]?)?[1-9]\d{0,2}|0[1-9]\d{0,3})"
    r"(?:[\s-]?\d{2,4}){1,4}"
    r"(?![\w\-/:]|[.,]\d)")
# Number series that PTS gives to organisations, never to a private subscriber, at their full
# length: 020 + 6-7 digits (freephone), 077x + 6 (national numbers: Försäkringskassan
# 0771-524 524), 0900/0939/0944 + 5-7 (premium). "020-92385" is a Södertälje-like local number.
_SERVICE = re.compile(r"0(?:20\d{6,7}|77\d{7}|9(?:00|39|44)\d{5,7})")

_UP = "A-ZÅÄÖÉÜ"
_LOW = "a-zåäöéüßćčšžøæ"
# street names end like this ("Storgatan", "Björkvägen", "Lilla torget", "Skogsbrynet"); then a number
_STREET_END = (r"(?:gatan|gata|vägen|väg|gränd|gränden|stigen|stig|torget|torg|backen|backe|allén|"
               r"allé|plan|leden|led|platsen|esplanaden|kajen|parken|slingan|liden|höjden|ringen|"
               r"stråket|bron|udden|brynet|vången|ängen|hagen|gärdet|lyckan|vreten|åsen|kullen|"
               r"berget|stranden|strand|kroken|svängen|vallen|dalen|fältet|promenaden|hamnen|"
               r"holmen|näset|gången|terrassen|backarna|höjd|park)")
# after these, a capitalised word and a number are a home address whatever the word ends in
_HOME = (r"(?:bor|bodde|bott|bo|skriven|skrivna|skrivet|folkbokförd|folkbokförda|hemadress|adress|"
         r"adressen|adr\.?|flyttat\s+till|flyttar\s+till|flytta\s+till|lives\s+at|address)")
_ADDRESS_TAIL = (r"[ \u00a0]+\d{1,4}(?:[ \u00a0]?[A-Za-z](?![\w]))?"
                 r"(?:,?[ \u00a0]*(?:(?:tr|lgh|vån|våning)\.?[ \u00a0]*\d+|\d+[ \u00a0]*(?:tr|trappor|vån)\b\.?))*"
                 rf"(?:,?[ \u00a0]+\d{{3}}[ \u00a0]?\d{{2}}(?!\d)(?:[ \u00a0]+[{_UP}][{_LOW}]+)?)?")
_ADDRESS = re.compile(
    rf"\b(?:[{_UP}{_LOW}][{_LOW}]*{_STREET_END}|(?:Lilla|Stora|Norra|Södra|Östra|Västra|Gamla) "
    rf"[{_UP}{_LOW}][{_LOW}]+)" + _ADDRESS_TAIL)
_HOME_ADDRESS = re.compile(
    rf"(?i:\b{_HOME}):?[ \u00a0]+(?:(?i:på|i|hos|är|at)[ \u00a0]+)?"
    rf"(?P<a>[{_UP}][{_LOW}]+(?:[ \u00a0][{_UP}][{_LOW}]+)?{_ADDRESS_TAIL})")
_POSTCODE = re.compile(rf"\b\d{{3}}[ \u00a0]\d{{2}}[ \u00a0]+[{_UP}][{_LOW}]+")

# -- names -------------------------------------------------------------------------------------
# a word, any Latin letters ("Aydın", "Jovanović"); those written capitalised ("Kalle",
# "Anna-Karin") or lowercase ("kalle") are looked at, not acronyms ("BUP") or "McDonald"
_TOKEN = re.compile(r"(?<![\w@.\[])[^\W\d_]{2,}(?:-[^\W\d_]{2,})*(?![^\W\d_]|[@\]])")
# words before a person's name in staff questions ("eleven Kalle", "pojken Omar", "heter Sara")
_BEFORE = (r"eleven|elev|eleverna|pojken|pojke|flickan|flicka|tjejen|killen|barnet|barn|sonen|son|"
           r"dottern|dotter|brodern|brorsan|bror|systern|syster|syskonet|mamman|mamma|pappan|"
           r"pappa|modern|mor|fadern|far|föräldern|vårdnadshavaren|vårdnadshavare|styvpappan|"
           r"styvpappa|styvmamman|styvmamma|morfar|farfar|mormor|farmor|moster|faster|morbror|"
           r"farbror|lillebror|lillasyster|storebror|storasyster|kusinen|kusin|kompisen|kamraten|"
           r"vännen|grannen|kollegan|kollega|läraren|mentorn|mentor|kuratorn|rektorn|handläggaren|"
           r"socialsekreteraren|heter|hette|kallas|kallad|namnet|namn|min\s+elev|vår\s+elev|"
           r"mitt\s+barn|hans|hennes|herr|fru|familjen|barnen|"
           r"pupil|student|named|called|mum|mom|dad|mother|father|brother|sister|son|daughter")
_STRONG_BEFORE = re.compile(rf"\b(?i:{_BEFORE})[ \u00a0]+$")
# ... and before a lowercase name ("eleven kalle", "heter jennie"): not "hans", "far", "barn"
_LOWER_BEFORE = re.compile(
    r"\b(?i:eleven|elev|pojken|flickan|tjejen|killen|sonen|dottern|barnet|heter|hette|kallas|"
    r"kallad|namnet|mamma|mamman|pappa|pappan|morfar|farfar|mormor|farmor|moster|faster|morbror|"
    r"farbror|lillebror|lillasyster|storebror|storasyster|kusinen|syskonet|brodern|systern|"
    r"kompisen|kamraten|vårdnadshavaren|named|called|pupil)[ \u00a0]+$")
_NAMING = re.compile(r"\b(?i:heter|hette|kallas|kallad|namnet|named|called)[ \u00a0]+$")
# after a name: "Kalle:s mamma", "Kalles pappa", "Kalle i 4B", "Kalle i 7an", "Kalle, 9 år"
_FAMILY = (r"(?:mamma|pappa|mor|far|bror|syster|föräldrar|vårdnadshavare|familj|lärare|mentor|"
           r"klass|klasskamrat|kompis|styvpappa|styvmamma|morfar|mormor|farfar|farmor|lillebror|"
           r"lillasyster|storebror|storasyster|mum|mom|dad|mother|father|parents)")
_GENITIVE_FAMILY = re.compile(rf"(?::s|'s|’s)?[ \u00a0]+{_FAMILY}\b")
_CLASS_AFTER = re.compile(
    r"[ \u00a0]+(?:i|från|går[ \u00a0]+i|i[ \u00a0]+klass|in|in[ \u00a0]+year)[ \u00a0]+"
    r"(?:(?i:klass|åk|årskurs|year)[ \u00a0]*)?"
    r"(?:\d{1,2}(?::?an|[A-Za-zÅÄÖåäö])?|(?i:förskoleklass(?:en)?|f-klass(?:en)?|fritids))\b")
_AGE_AFTER = re.compile(r",?[ \u00a0]+\(?\d{1,2}[ \u00a0]+(?:år|years)\b")
# an everyday word at a sentence start is a name when a person's context follows: "Rosa, Ali och
# Vide", "Sol och hennes bror", "Storm (120315-2381)", "Iris 1203152381", "Emir har ny adress"
_PERSON_VERBS = frozenset("""har hade är var ska skulle säger sa sade berättar berättade ringer ringde
vill ville kan kunde går gick kom kommer bor bodde mår får fick blir blev slår slog hotar hotade
verkar brukar mejlade skrev skriver gråter grät pratar pratade vågar behöver saknar slutar började
börjar hämtar hämtade jobbar flyttade flyttar is has was says said told""".split())
_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*|\s[–—-]\s+|^\s*[–—-]\s*)$")
# titles before a name are no part of it ("Rektor Anna Berg")
_ROLE = re.compile(r"(?:rektor|kurator|mentor|lärare|lärarinna|fröken|skolsköterska|sjuksköterska|"
                   r"läkare|doktor|dr|socialsekreterare|handläggare|specialpedagog|psykolog|pedagog|"
                   r"chef|kollega|polis|advokat|ombud|tolk|assistent|elev|barn|förälder|"
                   r"vårdnadshavare|familjehem)(?:en|n|na|et)?")
_PARTICLES = frozenset("von van af de del della di du da al el bin ibn abu ben le la der den ter zu".split())

# month and weekday names are also given names ("Juni", "Maj"): only with a person's context
_CALENDAR = frozenset("""måndag tisdag onsdag torsdag fredag lördag söndag januari februari mars
april maj juni juli augusti september oktober november december monday tuesday wednesday thursday
friday saturday sunday january february march may june july august october
jan feb mar apr jun jul aug sep sept okt oct nov dec mån tis ons tor tors fre lör sön""".split())
_ENDINGS = (("s", ""), ("ens", ""), ("ets", ""), ("en", ""), ("et", ""), ("n", ""), ("ns", ""),
            ("ernas", ""), ("arna", ""), ("orna", ""), ("na", ""), ("te", "a"), ("de", "a"),
            ("ade", "a"), ("ar", "a"), ("er", "a"), ("r", ""), ("t", ""), ("tt", ""), ("ades", "a"))
# compound ends that make a Swedish surname ("Lotsberg", "Sjöström"), not an institution: a
# compound ending so is not, by itself, a known word
_SURNAME_ENDS = frozenset("""berg ström gren lund qvist kvist holm dahl dal sten stedt man blad borg
bäck mark ling sjö vall hed fors gård lid näs sand sköld strand vik son ros löf löv ek rot hag hult
stam bom by bo ryd torp""".split())

# words that are never a person's name, whatever a list says: function words, greetings,
# abbreviations that start questions
_COMMON_STARTS = frozenset("""
how what when where which who whom whose why does did do is are was were will would could should
can may might must has have had the a an in on of for to if there this that these those it its
they we you i my our your their be been being not no yes please thanks hello hi hey dear shall
he she him his her us me am lex
dnr tel mvh vh bup sfs osl skollagen lvu pnr nr mobil mejl epost obs ps edit ang angående
max min adress address telefon telefonnr telnr mobilnr email personnummer samordningsnummer
född ålder klass skola förskola idag igår imorgon""" """
jag du han hon vi ni de den det man vad vem vilka vilken vilket hur när var varför får kan ska
måste bör gäller om och men eller så är har hade finns blir kommer skulle vill tack hej hejsan
till över från med för på av under efter innan mellan utan vid hos mot genom sedan då nu här
där alla allt alltid aldrig också även bara ingen inget inga någon något några hela helt
""".split())
_NOT_NAMES = {"jag", "du", "han", "hon", "vi", "ni", "de", "den", "det", "som", "har", "är", "i",
              "på", "och", "men", "skolan", "socialtjänsten", "polisen", "kommunen", "bup", "om",
              "att", "inte", "kan", "ska", "får", "en", "ett", "min", "mitt", "vår", "vårt"}
_TRIGGERS = {w for w in _BEFORE.split("|") if "\\" not in w}
_STOP = _COMMON_STARTS | _NOT_NAMES | _TRIGGERS
# a place after these: "i Norrsund", "från Syrien"; before these: "Västerhamns kommun"
_PLACE_BEFORE = re.compile(r"\b(?i:i|från|in|from|utanför|nära)[ \u00a0]+$")
_PLACE_AFTER = re.compile(r"s?[ \u00a0]+(?:kommun|kommuns|stad|stads|län|läns|region|regions)\b")

_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
log = logging.getLogger("handbok.privacy")


def _read_list(name: str) -> dict[str, str]:
    """A data file's entries, lowercased: {word: rest of its line}. '#' lines are comments."""
    out: dict[str, str] = {}
    try:
        with open(os.path.join(_DATA, name), encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                word, _, rest = line.rstrip("\n").partition("\t")
                out[word.lower()] = rest
    except OSError:  # (no ".txt" in the message: the log filter would redact it with this list)
        log.warning("name list %s missing under %s: reinstall Handbok; names are found by context "
                    "and the dictionary only", name.rsplit(".", 1)[0], _DATA)
    return out


@functools.lru_cache(maxsize=1)
def name_lists() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(given names, the given names listed for Sweden, surnames), lowercased."""
    given = _read_list("given_names.txt")
    return (frozenset(given), frozenset(n for n, loc in given.items() if "sv_SE" in loc),
            frozenset(_read_list("surnames.txt")))


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    return frozenset(_read_list("english_words.txt"))


class _Hunspell:
    """What the name rules need of hunspell-sv, read once.

    ``proper``: its capitalised entries (names, places, institutions), lowercased; ``places``:
    those that may begin a compound ("Farsta" -> "Farstaskolan": places, countries); ``bare``:
    names of our lists that it has only as lowercase entries without flags ("henrik", "lukas":
    stray names, not words, unlike "sten/ADGY"); ``forms``: names that are an inflected form of
    another word ("kalle" of "kall", "sanna" of "sann"), words but rarely typed as such.
    ``word_form()`` analyses a word by the affix rules ("akuta", "nytt", "kom", "nås"): the
    lexicon of ``index.analyzer`` keeps only the forms a compound may end in.
    """

    def __init__(self) -> None:
        self.proper: set[str] = set()
        self.places: set[str] = set()
        self.flags: dict[str, str] = {}
        self.suffixes: dict[str, list] = {}  # ending added -> [(flag, stripped, condition)]
        given, _, surnames = name_lists()
        names = given | surnames
        try:
            from index.analyzer import _hunspell_dir, _read_affix_rules
        except Exception:
            self.bare, self.forms = frozenset(), frozenset()
            return
        aff = os.path.join(_hunspell_dir(), "sv_SE.aff")
        for flag, rules in (_read_affix_rules(aff) if os.path.exists(aff) else {}).items():
            for condition, suffixes in rules:
                for strip, _n, add, cont in suffixes:
                    if not cont:
                        self.suffixes.setdefault(add, []).append((flag, strip, condition))
        bare: set[str] = set()
        for fname in ("sv_SE.dic", "sv_SE_expanded.dic"):
            path = os.path.join(_hunspell_dir(), fname)
            if not os.path.exists(path):
                continue
            with open(path, encoding="utf-8") as f:
                for line in f:
                    word, _, flags = line.strip().partition("/")
                    if line[:1].isupper():
                        low = word.lower()
                        self.proper.add(low)
                        if "X" in flags or "e" in flags or "v" in flags:
                            self.places.add(low)
                    elif flags:
                        self.flags[word] = self.flags.get(word, "") + flags
                    elif word in names:
                        bare.add(word)
        self.bare = frozenset(w for w in bare if w not in self.flags)
        self.forms = frozenset(n for n in names if self.word_form(n, inflected=True))

    def word_form(self, word: str, inflected: bool = False) -> str | None:
        """The dictionary entry ``word`` is a form of ("akuta" -> "akut"), or None; with
        ``inflected``, only another word's form ("kalle" -> "kall", not "sten" -> "sten")."""
        for k in range(min(len(word) - 1, 8), -1, -1):
            for flag, strip, condition in self.suffixes.get(word[len(word) - k:] if k else "", ()):
                stem = word[:len(word) - k] + strip
                if stem == word and inflected:
                    continue
                flags = self.flags.get(stem)
                if flags and flag in flags and (condition is None or condition(stem)):
                    return stem
        return None


@functools.lru_cache(maxsize=1)
def _hunspell() -> _Hunspell:
    return _Hunspell()


@functools.lru_cache(maxsize=1)
def _swedish_stop_words() -> frozenset[str]:
    try:
        from index.analyzer import STOP_WORDS
    except Exception:
        return frozenset()
    return STOP_WORDS


def proper_nouns() -> frozenset[str]:
    """Capitalised hunspell-sv entries (given names, surnames, places), lowercased."""
    return frozenset(_hunspell().proper)


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


def _national(number: str) -> str:
    """The digits as dialled inside Sweden: "+46 70 …" and "0046 70 …" as "070…"."""
    digits = _digits(number)
    if number.startswith("+"):
        return "0" + digits[2:]
    if number.startswith("00"):
        return "0" + digits[4:]
    return digits


def _service_number(number: str) -> bool:
    """An organisation's number by its series (020, 077x, 0900): no person's."""
    return _SERVICE.fullmatch(_national(number)) is not None


# An organisation's own landline, as staff type it: "socialjouren 0555-38 19 90", "ring växeln på
# 08-…", "Skolinspektionens upplysningstjänst 08-…". Kept when a word naming an organisation or
# one of its services stands in the same clause before the number, nearer to it than any
# pronoun ("jag ringer socialjouren 08-…"), and nothing in the clause around it points at a
# person: a family word, "privat", "mobil", "hem", a name. Mobile numbers (07…) are a person's
# whatever is said around them. The words are general Swedish (and English) nouns for
# organisations; a word is one when it ends like one ("familjecentralen", "regionens").
_ORG_ENDINGS = (
    "växel", "växeln", "jour", "jouren", "central", "centralen", "mottagning", "mottagningen",
    "gruppen", "enhet", "enheten", "kontor", "kontoret", "center", "centret", "tjänst", "tjänsten",
    "förvaltning", "förvaltningen", "nämnd", "nämnden", "verket", "kassan", "inspektion",
    "inspektionen", "myndighet", "myndigheten", "polis", "polisen", "kommun", "kommunen", "region",
    "regionen", "bup", "barnahus", "linjen", "expedition", "expeditionen", "reception", "receptionen",
    "kansli", "kansliet", "sjukhus", "sjukhuset", "vårdcentral", "vårdcentralen", "akuten",
    "elevhälsa", "elevhälsan", "switchboard", "services", "service", "office", "hotline",
    "helpline", "centre", "department", "police", "agency", "authority")
# a person's number, wherever in the clause: family, home, private, the child
_PERSONAL_WORDS = frozenset(
    "privat privata privatnr privatnummer mobil mobilen mobilnr mobilnummer förälder föräldern "
    "föräldrar föräldrarna vårdnadshavare vårdnadshavaren vårdnadshavarna vh mormor morfar farmor "
    "farfar moster faster morbror farbror syster systern bror brodern släkting familj familjen "
    "granne grannen man kontaktman kontaktperson anmälare anmälaren eleven elevens barnet barnets "
    "flickan pojken mum mom dad mother father parent parents family private mobile home".split())
# ... or, when nearer to the number than the organisation: whose it is
_PRONOUNS = frozenset("jag mig mej min mitt mina hans hennes deras dennes hon han hen själv "
                      "my me mine his her their".split())
_CLAUSE_END = re.compile(r"[.!?;\n](?:\s|$)")
_WORD = re.compile(r"[^\W\d_]+(?::s|'s)?")


def _mobile(number: str) -> bool:
    return _national(number).startswith("07")


def _bare(word: str) -> str:
    return word.lower().replace(":s", "").replace("'s", "")


def _personal_word(word: str) -> bool:
    low = _bare(word)
    return low in _PERSONAL_WORDS or any(k in low for k in ("mamm", "papp", "hem"))


def _organisation_word(word: str) -> bool:
    low = _bare(word)
    return any(low.endswith(e) or (low.endswith("s") and low[:-1].endswith(e)) for e in _ORG_ENDINGS)


def _organisation_window(text: str, start: int, end: int) -> int | None:
    """Where the clause before an organisation's landline at [start, end) begins (for the name
    check), or None when the number is not one by the words around it."""
    if _mobile(text[start:end]):
        return None
    begin = max(0, start - 60)
    cut = list(_CLAUSE_END.finditer(text, begin, start))
    if cut:
        begin = cut[-1].end()
    before = _WORD.findall(text[begin:start])[-6:]
    tail = re.split(r"[,.!?;\n]|\s[–-]\s", text[end:end + 40], maxsplit=1)[0]
    after = _WORD.findall(tail)[:3]
    if any(_personal_word(w) for w in before + after):
        return None
    for word in reversed(before):  # the nearest of an organisation or a pronoun decides
        if _organisation_word(word):
            return begin
        if _bare(word) in _PRONOUNS:
            return None
    return None


class Redactor:
    """Finds personal data in user input.

    Args:
        vocabulary: words of the indexed documents (place names, "Socialtjänsten", the
            officials' names in public decisions): a capitalised word found there is not
            taken for a person's name unless its context says so or a name list has it.
        keep_numbers: phone numbers of the public authority that occur in the documents
            (any spelling; compared digit by digit), left alone.
        dictionary: lowercase Swedish words; default hunspell-sv via ``index.analyzer``.
    """

    def __init__(self, vocabulary: Iterable[str] = (), keep_numbers: Iterable[str] = (),
                 dictionary=None):
        vocabulary = list(vocabulary)
        self.vocabulary = {w.lower() for w in vocabulary}
        # words the documents write capitalised: place names, institutions, signing officials
        self.proper = {w.lower() for w in vocabulary if w[:1].isupper()}
        # ... and lowercase: everyday words, even where a list has them as names ("liv", "juni")
        self.common = {w for w in vocabulary if w[:1].islower()}
        self.keep_numbers = {_digits(n) for n in keep_numbers if _digits(n)}
        self._dictionary = dictionary
        self._compounds: dict[str, bool] = {}

    @classmethod
    def from_texts(cls, texts: Iterable[str], dictionary=None) -> "Redactor":
        """The corpus-aware redactor: vocabulary and phone numbers of these texts."""
        words: set[str] = set()
        numbers: set[str] = set()
        for text in texts:
            words.update(re.findall(r"[^\W\d_]+", text))
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

    # -- what a word is --------------------------------------------------------------------------
    def _known(self, word: str) -> bool:
        """A Swedish or common English word, or a word of the documents (so not, by itself, a
        person's name)."""
        low = word.lower()
        if low in _COMMON_STARTS or low in self.vocabulary or low in self.dictionary \
                or low in english_words() or self._in_documents(low):
            return True
        if "-" in low:
            return all(self._known(p) for p in low.split("-"))
        # inflected forms: the lexicon keeps only those a compound may end in
        if _hunspell().word_form(low):  # "akuta", "nytt", "kom", "Polisens"
            return True
        # genitive and definite forms of the documents' words ("Skolans" of "Skolan") and of
        # English ones ("Teams")
        for cut, add in _ENDINGS:
            if low.endswith(cut) and len(low) - len(cut) >= 3:
                stem = low[: len(low) - len(cut)] + add
                if stem in self.vocabulary or stem in english_words():
                    return True
        return self._compound(low)

    def _in_documents(self, low: str) -> bool:
        """Written capitalised in the documents (a place, an institution), with its genitive
        and hyphenated forms ("Älvsjös", "Hägersten-Liljeholmen")."""
        def one(p: str) -> bool:
            return p in self.proper or p + "s" in self.proper or (p.endswith("s") and p[:-1] in self.proper)
        return all(one(p) for p in low.split("-"))

    def _compound(self, low: str, depth: int = 0) -> bool:
        """Made of dictionary words ("familjecentralen", "omsorgsförvaltningen", "solgläntan"),
        unless it ends like a surname ("lotsberg")."""
        if low in self._compounds:
            return self._compounds[low]
        lex = self.dictionary
        heads = getattr(lex, "heads", lex)
        tails = getattr(lex, "tails", lex)
        places = _hunspell().places
        ok = False
        stop = _swedish_stop_words()
        for i in range(3, len(low) - 3):
            head, tail = low[:i], low[i:]  # both of 3+ letters, the end of 4+ ("far|han" is no word)
            if len(tail) >= 5 and re.search(r"(?:en|an|et|n)$", tail) and tail in tails \
                    and tail not in stop:
                ok = True  # an institution or place in the definite form: "Hagaskolan", "Solgläntan"
                break
            if not (head in heads or head in lex or head in places
                    or (head.endswith("s") and head[:-1] in lex)):
                continue
            if tail in _SURNAME_ENDS or head in stop or tail in stop:
                continue
            if tail in tails or tail in lex or _hunspell().word_form(tail) \
                    or (depth < 2 and len(tail) >= 6 and self._compound(tail, depth + 1)):
                ok = True
                break
        if depth == 0:
            self._compounds[low] = ok
        return ok

    def _everyday(self, low: str) -> bool:
        """A name that is also an everyday word ("sten", "rosa", "liv", "will", "juni", "ville")."""
        return ((low in self.dictionary and low not in _hunspell().bare)
                or low in english_words() or low in _CALENDAR or low in self.common
                or low in _swedish_stop_words())

    def _kind(self, word: str) -> str:
        """'stop', 'given', 'given?' (also an everyday word), 'surname', 'surname?', 'calendar',
        'place', 'known' or 'unknown' (not a word we know: a name, most likely)."""
        low = word.lower()
        if low in _STOP or low in _swedish_stop_words():
            return "stop"
        if low in _CALENDAR:
            return "calendar"
        given, _, surnames = name_lists()
        base = low
        # the genitive "Kalles", "ahmeds" (but "dags" is a word, and so is lowercase "klaras")
        if low not in given and low not in surnames and low.endswith("s") and len(low) > 3 \
                and (low[:-1] in given or low[:-1] in surnames) and (word[0].isupper() or not self._known(low)):
            base = low[:-1]
        if "-" in base:  # "Anna-Karin", "Öberg-Nilsson"; "Saga-stunden", "samordningsnr-elev" are words
            kinds = [self._kind(p) for p in base.split("-")]
            if any(k in ("given", "surname", "given~", "surname~") for k in kinds):
                return "given"
            return "unknown" if all(k == "unknown" for k in kinds) else "known"
        places = _hunspell().places
        if base in given or base in surnames:
            if self._everyday(base):
                if base not in given and base in places:
                    return "place"  # "Lund", "Holland"
                return "given?" if base in given else "surname?"
            if base in _hunspell().forms:
                return "given~" if base in given else "surname~"  # "kalle", "sanna"
            return "given" if base in given else "surname"
        if self._known(low):
            return "known"
        if low in places:
            return "place"
        return "unknown"

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
        for m in _HOME_ADDRESS.finditer(text):
            found.append((m.start("a"), m.end("a"), "adress"))
        for m in _POSTCODE.finditer(text):
            found.append((m.start(), m.end(), "adress"))
        kept: list[tuple[int, int, int]] = []  # organisations' landlines: (clause start, start, end)
        for m in _PHONE.finditer(text):
            number = m.group(0)
            if _phone_ok(number) and _digits(number) not in self.keep_numbers and not _service_number(number):
                begin = _organisation_window(text, m.start(), m.end())
                if begin is None:
                    found.append((m.start(), m.end(), "telefonnummer"))
                else:
                    kept.append((begin, m.start(), m.end()))
        if names:
            numbers = {a for a, _, kind in found if kind in ("personnummer", "samordningsnummer",
                                                                "felskrivet personnummer")}
            named = self._names(text, numbers)
            found.extend(named)
            # "Johanna på mottagningen 08-…": a person's name in the clause makes it hers
            found.extend((a, b, "telefonnummer") for begin, a, b in kept
                         if any(begin <= n < a for n, _, _ in named))
        else:
            found.extend((a, b, "telefonnummer") for _, a, b in kept)
        # earliest first, longer first; drop overlaps
        found.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        out: list[tuple[int, int, str]] = []
        for s in found:
            if out and s[0] < out[-1][1]:
                continue
            out.append(s)
        return out

    def _names(self, text: str, numbers: set[int] = frozenset()) -> list[tuple[int, int, str]]:
        """A word is a name by what it is (a listed name, or a word neither the dictionary nor
        the documents know) where Swedish capitalises only names, and by its context where it
        could be an everyday word ("Rosa, Ali och Vide", "eleven ebba", "kalles mamma")."""
        toks = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text)
                if all(p[1:].islower() for p in m.group(0).split("-"))]
        kinds = [self._kind(w) for _, _, w in toks]
        given, swedish, surnames = name_lists()
        namelike = ("given", "surname", "given?", "surname?", "given~", "surname~", "unknown")
        found: set[int] = set()

        def cap(i: int) -> bool:
            return toks[i][2][0].isupper()

        def spaced(i: int, j: int) -> bool:
            return re.fullmatch(r"[ \u00a0]+", text[toks[i][1]:toks[j][0]]) is not None

        def start(i: int) -> bool:
            return _START.search(text[:toks[i][0]]) is not None

        def genitive(i: int) -> tuple[bool, str]:
            """Whether the word is a genitive ("Kalles", "Noah:s", "Liam's"), and the text after it."""
            rest = text[toks[i][1]:]
            m = re.match(r"(?::s|'s|’s)", rest)
            if m:
                return True, rest[m.end():]
            low = toks[i][2].lower()
            return low.endswith("s") and low not in given and low not in surnames, rest

        def after(i: int) -> bool:
            """'X i 4B', 'X, 9 år', 'Xs mamma'."""
            gen, rest = genitive(i)
            return (_CLASS_AFTER.match(text, toks[i][1]) is not None or _AGE_AFTER.match(text, toks[i][1]) is not None
                    or (gen and _GENITIVE_FAMILY.match(rest) is not None))

        def number_after(i: int) -> bool:
            """A personnummer follows: "Storm (120315-2381)", "Iris 1203152381"."""
            _, rest = genitive(i)
            return len(text) - len(rest) + re.match(r"[ \u00a0]*\(?[ \u00a0]*", rest).end() in numbers

        def person_after(i: int, digits: bool = True) -> bool:
            """A person's context follows: a name, '(', a person's number or class, a verb (not
            for a weekday or month: "Måndag ringde skolan" is Swedish word order, not a subject)."""
            _, rest = genitive(i)
            if digits and (number_after(i) or re.match(r"[ \u00a0]+\d{1,2}[A-Za-zÅÄÖåäö]\b", rest)):
                return True  # "Storm (120315-2381)", "Ines 8B"
            if re.match(r"[ \u00a0]*\([ \u00a0]*[^\W\d_]", rest):
                return True  # "Maj (farmor)", "Björn (pappa till ...)"
            if re.match(r"[ \u00a0]*(?:,|&)[ \u00a0]*$", text[toks[i][1]:toks[i + 1][0]] if i + 1 < len(toks) else ""):
                return cap(i + 1) and kinds[i + 1] in namelike
            j = i + 1
            if j >= len(toks) or not spaced(i, j):
                return after(i)
            nxt = toks[j][2].lower()
            if cap(j) and kinds[j] in namelike or (digits and nxt in _PERSON_VERBS):
                return True
            if nxt in ("och", "and", "resp") and j + 1 < len(toks) and spaced(j, j + 1):
                return (cap(j + 1) and kinds[j + 1] in namelike) or toks[j + 1][2].lower() in (
                    "hans", "hennes", "hens", "his", "her")
            return after(i)

        for i, (a, b, word) in enumerate(toks):
            kind = kinds[i]
            if kind == "stop":
                continue
            before = text[max(0, a - 40):a]
            low = word.lower()
            if re.search(r"\b(?i:lex)[ \u00a0]+$", before):
                continue  # "lex Sarah", "lex Maria": laws
            if cap(i):
                trigger = _STRONG_BEFORE.search(before) is not None
                if kind in ("given", "surname"):
                    found.add(i)
                elif kind in ("given?", "surname?", "given~", "surname~"):
                    if not start(i) or trigger or person_after(i) or after(i):
                        found.add(i)
                elif kind == "calendar":
                    if (trigger or person_after(i, digits=False) or after(i)) and not re.search(
                            r"(?:\d|\b(?i:i|den|från|till|sedan|mellan|under|före|efter|in|on|of|since|"
                            r"from|until|by))[ \u00a0]+$", before):
                        found.add(i)
                elif kind == "unknown":
                    if not trigger and (_PLACE_BEFORE.search(before) or _PLACE_AFTER.match(text, b)):
                        continue  # "i Norrsund", "från Syrien", "Västerhamns kommun"
                    if not trigger and re.match(r":(?!s\b)", text[b:b + 2]):
                        continue  # a form's label: "Pnr: ...", "Edit: ..."
                    found.add(i)
                elif kind == "known" and low not in self.proper and (trigger or (
                        not start(i) and not _ROLE.fullmatch(low) and number_after(i))):
                    found.add(i)  # "pojken Emir", "heter Vilja"; "och Ask (120315-2381)"
            else:
                base = low[:-1] if low not in given and low.endswith("s") and low[:-1] in given else low
                if kind == "given" and base in swedish and len(base) >= 3 and len(toks) >= 3:
                    found.add(i)  # "kalle", "ahmeds" in a sentence (a lone "anna" is a user name)
                elif kind == "given" and (_LOWER_BEFORE.search(before) or after(i)):
                    found.add(i)
                elif kind == "unknown" and (_NAMING.search(before) or (
                        genitive(i)[0] and _GENITIVE_FAMILY.match(genitive(i)[1]))):
                    found.add(i)  # "heter hodan"; not "mamma kom" (a verb form hunspell lacks)
                elif kind in ("given?", "surname?") and (_NAMING.search(before) or after(i)):
                    found.add(i)  # "heter rosa", "ebba i förskoleklassen"; not "hennes rosa jacka"
                elif kind == "given~" and base in swedish and (
                        _LOWER_BEFORE.search(before) or person_after(i)):
                    found.add(i)  # "kalle säger att ...": a word form, but rarely typed as one
        # the rest of a name: capitalised words right next to a found one ("Anna Berg", "Sol
        # Andersson", "Maximilian von Essen", "Karin Lindgren Abdi")
        grew = True
        while grew:
            grew = False
            for i in sorted(found):
                j, particles = i + 1, []
                while j < len(toks) and toks[j][2].lower() in _PARTICLES and spaced(j - 1, j):
                    particles.append(j)
                    j += 1
                if j < len(toks) and spaced(j - 1, j) and cap(j) and (j in found or (
                        kinds[j] not in ("stop", "calendar")
                        and not (kinds[j] == "known" and toks[j][2].lower() in self.proper))):
                    grew = grew or not found.issuperset(particles + [j])
                    found.update(particles + [j])
                j = i - 1
                prev = toks[j][2].lower() if j >= 0 else ""
                if j >= 0 and j not in found and spaced(j, i) and cap(j) and (
                        kinds[j] in namelike or (kinds[j] == "known" and not start(j)
                                                 and prev not in self.proper and not _ROLE.fullmatch(prev))
                        # "morfar Bror Strand", "Per Andersson", "Hans Olsson": a function or
                        # kinship word that is also a given name, capitalised before a name
                        or (kinds[j] == "stop" and prev in given and (
                            not start(j) or kinds[i] in ("surname", "surname?", "surname~")))):
                    found.add(j)
                    grew = True
        return [(toks[i][0], toks[i][1], "namn") for i in sorted(found)]

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


# -- the name lists (assistant/data/given_names.txt, surnames.txt, english_words.txt) -------------
# Locales of Faker's person providers whose names are common among people living in Sweden (Swedish,
# Nordic and the largest groups born abroad); Faker's sv_SE data are Isof's and Skatteverket's
# public name statistics. Names in other scripts (Arabic, Persian, Cyrillic) are left out: users
# type names in Latin letters.
NAME_LOCALES = ("sv_SE", "fi_FI", "no_NO", "da_DK", "de_DE", "pl_PL", "hr_HR", "tr_TR", "en_GB",
                "en_US", "en_PK", "en_KE")


def build_name_lists(faker_root: str, out_dir: str | None = None) -> None:
    """Write the name lists from an unpacked Faker wheel (maintainer tool; Faker is no dependency).

    ``pip download --no-deps faker==40.63.0 -d /tmp/faker && unzip -q /tmp/faker/*.whl -d /tmp/faker/x
    && python -m assistant.privacy build-name-lists /tmp/faker/x``
    """
    import importlib
    import sys

    sys.path.insert(0, faker_root)
    out = out_dir or os.path.join(os.path.dirname(__file__), "data")
    version = importlib.import_module("faker").VERSION
    latin = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏ]+(?:[-'][A-Za-zÀ-ÖØ-öø-ɏ]+)*")
    given: dict[str, set[str]] = {}
    family: dict[str, set[str]] = {}
    for loc in NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        for attrs, table in ((("first_names", "first_names_male", "first_names_female"), given),
                             (("last_names", "last_names_male", "last_names_female"), family)):
            for attr in attrs:
                for name in getattr(provider, attr, None) or ():
                    if latin.fullmatch(name) and len(name) >= 2:
                        table.setdefault(name[0].upper() + name[1:], set()).add(loc)
    head = (f"# Source: Faker {version} (MIT License, (c) Daniele Faraglia and the Faker contributors),\n"
            "# faker/providers/person/<locale>, locales " + " ".join(NAME_LOCALES) + ".\n"
            "# sv_SE: first names from Isof (Institutet för språk och folkminnen) name statistics, top 500,\n"
            "# 2023; surnames from Skatteverket, the 500 most common, 2025 (public statistics). fi_FI:\n"
            "# the Finnish population register's open data (avoindata.fi); no_NO: Statistics Norway;\n"
            "# en_GB: ONS; en_US: SSA baby names and the US Census; de_DE: Wiktionary's lists of common\n"
            "# German names; en_PK, en_KE: baby-name and name-frequency sites; da_DK, pl_PL, hr_HR,\n"
            "# tr_TR: no source named in Faker. Aggregate statistics and public lists of common names,\n"
            "# none from leaked or scraped personal data (not `names-dataset`, which comes from leaked\n"
            "# social-network data). Latin script only.\n"
            "# Regenerate: pip download --no-deps faker==" + version + " -d /tmp/faker && unzip -q\n"
            "# /tmp/faker/*.whl -d /tmp/faker/x && python -m assistant.privacy build-name-lists /tmp/faker/x\n")
    for fname, table, what in (("given_names.txt", given, "Given names"), ("surnames.txt", family, "Surnames")):
        with open(os.path.join(out, fname), "w", encoding="utf-8") as f:
            f.write(f"# {what} for assistant/privacy.py: one a line, then the Faker locales that list it.\n")
            f.write(head)
            for name in sorted(table, key=lambda n: (n.lower(), n)):
                f.write(f"{name}\t{','.join(l for l in NAME_LOCALES if l in table[name])}\n")
    words = importlib.import_module("faker.providers.lorem.en_US").Provider.word_list
    with open(os.path.join(out, "english_words.txt"), "w", encoding="utf-8") as f:
        f.write("# Common English words for assistant/privacy.py (an English question's capitalised words\n"
                "# are not taken for names). Source: Faker " + version + " (MIT License),\n"
                "# faker/providers/lorem/en_US word_list, itself from lists of the most common English\n"
                "# words (ef.edu top 1000, talkenglish.com top nouns, verbs, adjectives, adverbs).\n"
                "# Regenerate: as assistant/data/given_names.txt says.\n")
        f.write("\n".join(sorted(set(w.lower() for w in words))) + "\n")


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["build-name-lists"] and len(sys.argv) == 3:
        build_name_lists(sys.argv[2])
    else:
        sys.exit("usage: python -m assistant.privacy build-name-lists FAKER_UNPACKED_WHEEL_DIR")
