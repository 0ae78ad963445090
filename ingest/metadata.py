"""Metadata of Swedish municipal documents, read from their text.

Title, document date, diarienummer, document type and issuing body, as the
first page of a Stockholm council paper states them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = {m: i + 1 for i, m in enumerate(
    "januari februari mars april maj juni juli augusti september oktober november december".split())}
_MONTH = "|".join(MONTHS)
_SIGNED = re.compile(rf"Stockholm\s+den\s+(\d{{1,2}})\s+({_MONTH})\s+((?:19|20)\d\d)", re.I)
_ISO = re.compile(r"\b((?:19|20)\d\d)-([01]\d)-([0-3]\d)\b")
_LONG = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH})\s+((?:19|20)\d\d)\b", re.I)
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_DNR = re.compile(r"\bDnr\.?:?\s*((?:[A-ZÅÄÖ]{1,5}\s+)?\d[\d\-.]*/\d{2,4}(?:[:\-]\d+)?)")
_TYPES = [
    ("svar på interpellation", "interpellationssvar"),
    ("interpellation", "interpellationssvar"),
    ("tjänsteutlåtande", "tjänsteutlåtande"),
    ("svar på skrivelse", "tjänsteutlåtande"),
    ("utlåtande", "utlåtande"),
    ("skrivelse", "skrivelse"),
    ("riktlinje", "riktlinje"),
    ("handbok", "handbok"),
    ("handläggarstöd", "handbok"),
    ("rutin", "rutin"),
    ("vägledning", "vägledning"),
    ("överenskommelse", "överenskommelse"),
    ("stödmaterial", "stödmaterial"),
    ("rapport", "rapport"),
]
_ISSUER = re.compile(
    r"\b([A-ZÅÄÖ][\wåäöÅÄÖé\-]*s\s+)?(stadsdelsförvaltning|stadsdelsnämnd|socialförvaltningen|"
    r"socialnämnden|utbildningsförvaltningen|utbildningsnämnden|kommunstyrelsen|kommunfullmäktige|"
    r"stadsledningskontoret)\b", re.I)


@dataclass
class Metadata:
    title: str = ""
    date: str = ""
    diarienummer: str = ""
    doc_type: str = ""
    issuer: str = ""


def find_date(text: str) -> str:
    """The document's own date: the signature line, else the first date in its head."""
    if m := _SIGNED.search(text):
        return f"{m.group(3)}-{MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
    head = text[:1500]
    if m := _ISO.search(head):
        return m.group(0)
    if m := _LONG.search(text):
        return f"{m.group(3)}-{MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
    if m := _YEAR.search(head):
        return m.group(1)
    return ""


def find_diarienummer(text: str) -> str:
    m = _DNR.search(text[:3000])
    return re.sub(r"\s+", " ", m.group(1)).strip() if m else ""


def find_type(title: str, head: str) -> str:
    for needle, kind in _TYPES:
        if needle in title.lower():
            return kind
    for needle, kind in _TYPES:
        if needle in head.lower():
            return kind
    return ""


def find_issuer(head: str) -> str:
    letterhead = re.match(r"\s*((?:[A-ZÅÄÖ\-]{3,}\s+)+)", head)
    if letterhead and len(letterhead.group(1).split()) >= 2:
        return letterhead.group(1).strip().capitalize()
    m = _ISSUER.search(head)
    if not m:
        return ""
    name = (m.group(1) or "") + m.group(2)
    return name[0].upper() + name[1:].lower()


def find_title(paragraphs: list[str], fallback: str) -> str:
    """First substantial heading-like paragraph; joined with the next when it is only a label."""
    candidates = [_drop_letterhead(p) for p in paragraphs[:8] if len(p.split()) <= 30]
    candidates = [p for p in candidates if p]
    for i, p in enumerate(candidates):
        if p.lower().startswith(("handläggare", "till ", "dnr")):
            continue
        title = p.rstrip(" -–")
        nxt = candidates[i + 1] if i + 1 < len(candidates) else ""
        if p.endswith(("-", "–")) and nxt:
            # a title broken over two blocks: take the lowercase continuation only
            tail = []
            for word in nxt.split():
                if word[0].isupper() and tail:
                    break
                tail.append(word)
            title = f"{title} – {' '.join(tail)}"
        elif len(p.split()) <= 6 and nxt and len(nxt.split()) <= 12 and nxt != p:
            # "Utlåtande 2016:203 RVI (Dnr ...)" says what, the next line says about what
            title = f"{title} – {nxt.rstrip('.')}"
        return title
    return fallback


def _drop_letterhead(paragraph: str) -> str:
    """Remove leading ALL-CAPS words (the issuing office's letterhead)."""
    words = paragraph.split()
    i = 0
    while i < len(words) and words[i].isupper() and len(words[i]) > 2:
        i += 1
    return " ".join(words[i:])


def extract(paragraphs: list[str], fallback_title: str) -> Metadata:
    text = "\n\n".join(paragraphs)
    title = find_title(paragraphs, fallback_title)
    head = text[:800]
    return Metadata(
        title=title,
        date=find_date(text),
        diarienummer=find_diarienummer(text),
        doc_type=find_type(title, head),
        issuer=find_issuer(head),
    )
