"""Text normalisation: what every loader's output goes through before chunking.

The result is a list of paragraphs. Each paragraph is one line of clean text:
Unicode NFC, whitespace collapsed, words hyphenated across line breaks joined,
Markdown markup removed. Headings are marked so the chunker can follow the
document's structure.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# "barn- och ungdomsvården": a suspended compound, not a line-break hyphen.
_KEEP_HYPHEN_BEFORE = {"och", "eller", "samt", "resp", "respektive", "till", "som", "med", "utan"}
_HYPHEN_BREAK = re.compile(r"(\w)-[ \t]*\n[ \t]*(\w+)")
_HYPHEN_SPACE = re.compile(r"([a-zåäöé])- ([a-zåäöé]\w*)")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_EMPH = re.compile(r"(\*\*|__|\*(?=\S)|(?<=\S)\*)")
_MD_BULLET = re.compile(r"^\s*[-*+]\s+")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_SENTENCE_END = (".", "!", "?", ":", ";", ",")


@dataclass
class Paragraph:
    text: str
    heading: bool = False


def _join_hyphen(match: re.Match) -> str:
    head, word = match.group(1), match.group(2)
    if word.lower() in _KEEP_HYPHEN_BEFORE or not word[0].islower():
        return f"{head}- {word}"
    return f"{head}{word}"


def _strip_markdown_line(line: str) -> tuple[str, bool]:
    heading = bool(_MD_HEADING.match(line))
    line = _MD_HEADING.sub("", line)
    line = _MD_BULLET.sub("• ", line)
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_EMPH.sub("", line)
    return line, heading


_NAME = r"[A-ZÅÄÖÉ][a-zåäöéü]+(?:-[A-ZÅÄÖ][a-zåäöé]+)?"
_PERSON = re.compile(rf"^{_NAME}(?: {_NAME}){{1,3}}(?: [a-zåäö]*(?:chef|direktör|direktor|sekreterare|handläggare))?$")
_ON_BEHALF = re.compile(r"^På [\w ]+ vägnar\b")
_PLACE_DATE = re.compile(r"^[A-ZÅÄÖ][\w-]+,? den \d{1,2} [a-zåäö]+ \d{4}$")


def looks_like_heading(text: str) -> bool:
    """A short line that does not end like a sentence: a section heading."""
    words = text.split()
    if not words or len(words) > 12 or len(text) > 100:
        return False
    if text.rstrip().endswith(_SENTENCE_END) or text.startswith("•"):
        return False
    if _PLACE_DATE.match(text.strip()) or _PERSON.match(text.strip()) or _ON_BEHALF.match(text):
        # signature lines ("Stockholm den 16 mars 2016", "På kommunstyrelsens vägnar",
        # "Åsa Lindhagen") close, they head nothing;
        # Swedish headings are in sentence case, so two to four capitalised words (and a title) are a name
        return False
    return text[0].isupper() or text[0].isdigit()


_OPEN_END = re.compile(r"[^.!?:;…][\"”’)\]]*$")


def continues(before: Paragraph, after: Paragraph) -> bool:
    """``after`` carries on the sentence that ``before`` left open (a paragraph cut by a page
    break): neither is a heading, ``before`` has no sentence end, ``after`` starts in lower case."""
    return (not before.heading and not after.heading and bool(_OPEN_END.search(before.text))
            and after.text[:1].islower())


def normalize(raw: str, *, markdown: bool = False) -> list[Paragraph]:
    """Split raw text into clean paragraphs.

    >>> [p.text for p in normalize("Beslut i kommun-\\nfullmäktige.\\n\\nNy  rad")]
    ['Beslut i kommunfullmäktige.', 'Ny rad']
    """
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00ad", "").replace("\u00a0", " ").replace("\f", "\n\n")
    text = _HYPHEN_BREAK.sub(_join_hyphen, text)
    paragraphs: list[Paragraph] = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        md_heading = False
        if markdown:
            cleaned = []
            for line in lines:
                line, is_heading = _strip_markdown_line(line)
                md_heading = md_heading or is_heading
                # a Markdown bullet starts its own line of the paragraph
                if line.startswith("• ") and cleaned:
                    paragraphs.append(Paragraph(" ".join(cleaned)))
                    cleaned = []
                cleaned.append(line)
            lines = cleaned
        joined = re.sub(r"\s+", " ", " ".join(lines)).strip()
        joined = _HYPHEN_SPACE.sub(_join_hyphen, joined)
        if not joined or not any(c.isalnum() for c in joined):
            continue
        paragraphs.append(Paragraph(joined, heading=md_heading or looks_like_heading(joined)))
    return paragraphs
