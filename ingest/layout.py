"""Paragraphs and headings of a PDF's text layer, from where and how its lines are printed.

A text layer is a run of lines: ``pypdf``'s ``extract_text()`` gives no blank line between
paragraphs and nothing that tells a heading from body text, so a whole page became one
paragraph and a chunk mixed every section on it. This module reads each page's characters
with PDFium (position, loose box height, weight) and rebuilds what the reader sees:

* **lines**: the characters between PDFium's line breaks;
* **blocks**: consecutive lines in one style at the document's usual line spacing; a
  larger gap, another size or weight, a bullet or a list number starts a new block;
* **headings**: a short block printed larger or bolder than the body text (the style of
  most of the document's letters), or numbered like ``5.3 Rubrik``, with no sentence end;
  its level is the rank of its style among the document's heading styles;
* **gone**: running headers and footers (lines repeated at the top or bottom of most
  pages, ``ingest.pdf``), page numbers and table-of-contents lines (dot leaders ending in a
  page number), which never answer a question and made every question match the contents.

Nothing here was fitted to a suite: the thresholds are typographic (a heading is at least
12 % larger than body text or bold; a paragraph gap is 1.35 line steps).
``python -m ingest.layout FILE.pdf`` prints the blocks.
"""
from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

BOLD_WEIGHT = 600  # PDFium's font weight from which a letter is bold (regular 400, bold 700)
HEADING_SIZE = 1.12  # a line this much larger than body text is heading-sized
PARAGRAPH_GAP = 1.35  # a baseline step this many usual line steps long starts a new paragraph
HEADING_WORDS = 25  # a heading is at most this many words ...
HEADING_LINES = 3  # ... on at most this many lines

_BULLET = re.compile(r"^\s*(?:[•●▪◦■□➢►‣∙·*]|[-–—](?=\s))\s*")
_NUMBERED_ITEM = re.compile(r"^\s*(?:\(?\d{1,2}[.)]|\(?[a-zåäö][.)])\s+\S")
_NUMBERED_HEADING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2}){0,3}\.?|[A-Z]\.|Bilaga \d+:?|Kapitel \d+:?)\s+[A-ZÅÄÖ]")
_TOC_LINE = re.compile(r"(?:\.\s?){4,}\s*\d{1,4}\s*$|…{2,}\s*\d{1,4}\s*$|\s{2,}\d{1,4}\s*$(?<=\S\s\s\d)")
_TOC_TITLE = re.compile(r"^(?:innehåll|innehållsförteckning|innehåll\s*:)$", re.IGNORECASE)
_SENTENCE_END = (".", ",", ";")


@dataclass
class Line:
    text: str
    left: float
    right: float
    bottom: float  # PDF points from the bottom of the page
    top: float
    size: float  # median loose height of its letters (proportional to the font size)
    bold: bool  # most of its letters are bold


@dataclass
class Block:
    """A paragraph, list item, table row or heading; ``text`` keeps its line breaks."""

    text: str
    heading: bool = False
    level: int = 0  # 1 = the largest heading style of the document; 0 for body text
    lines: list[Line] = field(default_factory=list, repr=False)


@dataclass
class Style:
    """The document's body text: letter height and baseline step."""

    size: float
    step: float


# -------------------------------------------------------------------------------- lines

def _font_is_bold(textpage, index: int, cache: dict) -> bool:
    """Weight unknown to PDFium: read it from the font name ("Arial-BoldMT")."""
    import ctypes

    import pypdfium2.raw as raw

    buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    raw.FPDFText_GetFontInfo(textpage.raw, index, buf, 128, ctypes.byref(flags))
    name = buf.value.decode("latin-1", "replace")
    if name not in cache:
        low = name.lower()
        cache[name] = any(w in low for w in ("bold", "black", "heavy", "semibold", "demi")) \
            or bool(flags.value & (1 << 18))  # FXFONT_FORCE_BOLD
    return cache[name]


def page_lines(textpage) -> list[Line]:
    """The printed lines of one page, in PDFium's reading order."""
    import pypdfium2.raw as raw

    lines: list[Line] = []
    chars: list[str] = []
    boxes: list[tuple[float, float, float, float]] = []
    bolds: list[bool] = []
    font_cache: dict[str, bool] = {}

    def close():
        text = "".join(chars).strip()
        if text and boxes:
            heights = sorted(t - b for _l, b, _r, t in boxes)
            lines.append(Line(
                text=re.sub(r"[ \t]+", " ", text),
                left=min(b[0] for b in boxes), right=max(b[2] for b in boxes),
                bottom=statistics.median(b[1] for b in boxes), top=max(b[3] for b in boxes),
                size=heights[len(heights) // 2], bold=sum(bolds) * 2 > len(bolds)))
        chars.clear()
        boxes.clear()
        bolds.clear()

    tp = textpage.raw
    for i in range(textpage.count_chars()):
        code = raw.FPDFText_GetUnicode(tp, i)
        if code in (10, 13, 2):  # line break (2: PDFium's end of a hyphenated line)
            if code == 2:
                chars.append("-")
            if code != 13:
                close()
            continue
        ch = chr(code) if code else " "
        if ch.isspace():
            chars.append(" ")
            continue
        box = textpage.get_charbox(i, loose=True)
        if boxes:
            # a character far off the line's baseline without a break: a new line
            prev_bottom, prev_top = boxes[-1][1], boxes[-1][3]
            overlap = min(prev_top, box[3]) - max(prev_bottom, box[1])
            if overlap < 0.3 * min(prev_top - prev_bottom, box[3] - box[1]):
                close()
        chars.append(ch)
        boxes.append(tuple(float(v) for v in box))
        if ch.isalnum():
            weight = raw.FPDFText_GetFontWeight(tp, i)
            bolds.append(weight >= BOLD_WEIGHT if weight > 0 else _font_is_bold(textpage, i, font_cache))
    close()
    return lines


# -------------------------------------------------------------------------------- style

def _round(x: float, to: float = 0.25) -> float:
    return round(x / to) * to


def document_style(pages: list[list[Line]]) -> Style:
    """The body text's letter height (most letters are printed in it) and baseline step."""
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            if not line.bold:
                sizes[_round(line.size)] += len(line.text)
    if not sizes:
        return Style(10.0, 12.0)
    size = sizes.most_common(1)[0][0]
    steps: Counter[float] = Counter()
    for lines in pages:
        for a, b in zip(lines, lines[1:]):
            if _round(a.size) == size == _round(b.size) and not a.bold and not b.bold:
                step = a.bottom - b.bottom
                if 0.5 * size < step < 3 * size:
                    steps[_round(step)] += 1
    step = steps.most_common(1)[0][0] if steps else 1.2 * size
    return Style(size, step)


def is_toc_line(text: str) -> bool:
    return bool(_TOC_LINE.search(text)) and len(text) < 200


# -------------------------------------------------------------------------------- blocks

def _starts_item(text: str) -> bool:
    return bool(_BULLET.match(text) or _NUMBERED_ITEM.match(text))


def _same_style(a: Line, b: Line) -> bool:
    return abs(a.size - b.size) <= 0.08 * max(a.size, b.size) and a.bold == b.bold


def page_blocks(lines: list[Line], style: Style) -> list[Block]:
    """Group one page's lines into blocks (headings not yet decided)."""
    blocks: list[Block] = []
    current: list[Line] = []
    for line in lines:
        if current:
            prev = current[-1]
            step = prev.bottom - line.bottom
            usual = style.step * max(line.size, prev.size) / style.size
            new = (not _same_style(prev, line) or step > PARAGRAPH_GAP * usual
                   or step < -0.5 * line.size  # moved up: another column or a box
                   or _starts_item(line.text))
            if new:
                blocks.append(Block("\n".join(x.text for x in current), lines=current))
                current = []
        current.append(line)
    if current:
        blocks.append(Block("\n".join(x.text for x in current), lines=current))
    return blocks


def _heading_style(block: Block, style: Style) -> tuple[float, bool] | None:
    """The block's (size, bold) when it looks like a heading, else None."""
    text = " ".join(block.text.split())
    if (len(block.lines) > HEADING_LINES or len(text.split()) > HEADING_WORDS
            or text.endswith(_SENTENCE_END) or _BULLET.match(text) or not text[:1].isalnum()):
        return None
    size = max(x.size for x in block.lines)
    bold = all(x.bold for x in block.lines)
    if size >= HEADING_SIZE * style.size or (bold and size >= 0.95 * style.size):
        return (_round(size, 0.5), bold)
    if _NUMBERED_HEADING.match(text) and len(text.split()) <= 12 and not text.endswith(("?", ":")):
        return (_round(size, 0.5), bold)
    return None


def mark_headings(pages: list[list[Block]], style: Style) -> None:
    """Decide which blocks are headings and give each its level (by style, largest first)."""
    found = {}
    for blocks in pages:
        for block in blocks:
            hs = _heading_style(block, style)
            if hs is not None:
                found[id(block)] = hs
    ranked = sorted(set(found.values()), key=lambda s: (-s[0], not s[1]))
    level = {s: i + 1 for i, s in enumerate(ranked)}
    for blocks in pages:
        for block in blocks:
            if id(block) in found:
                block.heading, block.level = True, level[found[id(block)]]


def drop_contents(lines: list[Line]) -> list[Line]:
    """A table of contents' lines (and its title) removed; other lines kept."""
    toc = [is_toc_line(x.text) for x in lines]
    if sum(toc) < 3:
        return lines
    return [x for x, t in zip(lines, toc) if not t and not _TOC_TITLE.match(x.text.strip())]


def main(argv: list[str] | None = None) -> int:
    import argparse
    from pathlib import Path

    from .pdf import read_pdf

    parser = argparse.ArgumentParser(prog="python -m ingest.layout", description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    for page in read_pdf(args.file, ocr=False).pages:
        print(f"=== page {page.number}")
        for block in page.blocks or []:
            tag = f"H{block.level}" if block.heading else "  "
            print(f"{tag} {' '.join(block.text.split())[:110]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
