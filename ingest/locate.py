"""Where a quote is on the pages of a PDF, as boxes to draw: pypdfium2 for text layers,
Tesseract's word boxes for scanned pages.

The quote is the chunk's normalised text (hyphens joined, spaces collapsed, NFC), so it
is matched on letters and digits only: ``sekretess-\\nprövning`` on the page and
``sekretessprövning`` in the chunk are the same key. A quote that is not whole on its
page continues on the next one (a passage over a page break); each page gets its part.

Boxes are in PDF points, origin bottom-left of the page (pdfium's page coordinates).
``python -m ingest.locate FILE.pdf PAGE "quote"`` prints what is found.
"""
from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

Box = tuple[float, float, float, float]  # left, bottom, right, top (PDF points)

OCR_DPI = 300  # as ingest.pdf reads scans, so that Tesseract sees the same image
# key characters a part of a quote on a following page must have: chosen, not tuned (a shorter
# piece, two short words, is found on most pages by chance); every citation of the generated
# and Kungsvik test PDFs is marked with it (evals.sources)
MIN_PIECE = 12
VIEW_SCALE = 1.6  # rendered page: 115 dpi, about 950 px wide for A4


@dataclass
class Mark:
    """The part of a quote on one page."""

    page: int  # 1-based
    boxes: list[Box] = field(default_factory=list)
    text: str = ""  # the page's text under the boxes (text layer, or the OCR'd words)
    ocr: bool = False


def _key_chars(text: str) -> list[tuple[str, int]]:
    """(character, index into ``text``) for every letter or digit, case-folded, ligatures split."""
    out = []
    for i, ch in enumerate(text):
        for k in unicodedata.normalize("NFKC", ch).casefold():
            if k.isalnum():
                out.append((k, i))
    return out


def key(text: str) -> str:
    return "".join(k for k, _ in _key_chars(text))


def _longest_prefix(haystack: str, needle: str) -> tuple[int, int]:
    """(length, position) of the longest prefix of ``needle`` found in ``haystack``."""
    lo, hi, pos = 0, len(needle), -1
    while lo < hi:  # a prefix found means every shorter one is found too
        mid = (lo + hi + 1) // 2
        at = haystack.find(needle[:mid])
        if at >= 0:
            lo, pos = mid, at
        else:
            hi = mid - 1
    return lo, (pos if lo else -1)


def _page_chars(textpage) -> str:
    import pypdfium2.raw as raw

    n = textpage.count_chars()
    return "".join(chr(raw.FPDFText_GetUnicode(textpage.raw, i) or 32) for i in range(n))


def _merge_line_boxes(boxes: list[Box]) -> list[Box]:
    out: list[Box] = []
    for b in boxes:
        if out:
            l, bo, r, t = out[-1]
            same_line = min(t, b[3]) - max(bo, b[1]) > 0.5 * min(t - bo, b[3] - b[1])
            if same_line and b[0] - r < max(6.0, t - bo):  # a word space, not a column gap
                out[-1] = (min(l, b[0]), min(bo, b[1]), max(r, b[2]), max(t, b[3]))
                continue
        out.append(b)
    return out


def _closing(textpage, index: int, tail: str) -> int:
    """``index`` moved over the punctuation ``tail`` that ends the quote, where the page has it."""
    import pypdfium2.raw as raw

    for ch in tail:
        if index + 1 < textpage.count_chars() and chr(raw.FPDFText_GetUnicode(textpage.raw, index + 1)) == ch:
            index += 1
        else:
            break
    return index


def _text_marks(pdf, first: int, quote_key: str, quote_tail: str = "") -> list[Mark] | None:
    """Marks on text-layer pages from ``first`` on, or None when the quote is not found.

    ``quote_tail``: the punctuation after the quote's last letter or digit."""
    marks, rest, number = [], quote_key, first
    while rest and number <= len(pdf):
        textpage = pdf[number - 1].get_textpage()
        chars = _key_chars(_page_chars(textpage))
        page_key = "".join(k for k, _ in chars)
        length, at = _longest_prefix(page_key, rest)
        if length < min(len(rest), MIN_PIECE) or (marks and at > len(page_key) // 2):
            return None  # the continuation of a quote is at the top of the next page
        a, b = chars[at][1], chars[at + length - 1][1]
        if length == len(rest):  # the quote's closing punctuation ("." after the last word) too
            b = _closing(textpage, b, quote_tail)
        boxes = [textpage.get_rect(i) for i in range(textpage.count_rects(a, b - a + 1))]
        boxes = _merge_line_boxes([tuple(float(v) for v in box) for box in boxes])
        marks.append(Mark(number, boxes, text_under(textpage, boxes)))
        rest, number = rest[length:], number + 1
    return marks if not rest else None


def text_under(textpage, boxes: list[Box]) -> str:
    """The text layer's characters inside ``boxes`` (what a reader sees marked)."""
    return " ".join(textpage.get_text_bounded(*box).strip() for box in boxes)


# -- scanned pages ------------------------------------------------------------------------------
def _ocr_words(path: Path, number: int, lang: str) -> tuple[list[str], list[Box]]:
    import pytesseract

    from .ocr import render_page

    image = render_page(path, number, dpi=OCR_DPI)
    data = pytesseract.image_to_data(image, lang=lang, config=f"--dpi {OCR_DPI}",
                                     output_type=pytesseract.Output.DICT)
    height_pt = image.height * 72 / OCR_DPI
    words, boxes = [], []
    for text, left, top, width, h in zip(data["text"], data["left"], data["top"],
                                         data["width"], data["height"]):
        if text.strip():
            s = 72 / OCR_DPI
            words.append(text)
            boxes.append((left * s, height_pt - (top + h) * s, (left + width) * s, height_pt - top * s))
    return words, boxes


def _ocr_mark(path: Path, number: int, quote: str, lang: str) -> Mark | None:
    """The OCR'd words that match the quote's words (misread words between matches included)."""
    from difflib import SequenceMatcher

    words, boxes = _ocr_words(path, number, lang)
    page_keys = [key(w) for w in words]
    quote_keys = [k for k in (key(w) for w in quote.split()) if k]
    if not quote_keys:
        return None
    blocks = SequenceMatcher(None, page_keys, quote_keys, autojunk=False).get_matching_blocks()
    matched = [i for b in blocks for i in range(b.a, b.a + b.size)]
    if len(matched) < 0.5 * len(quote_keys):  # not this passage (chosen, not tuned: Tesseract reads
        return None                            # 95-100 % of the words of the generated scans)
    span = range(min(matched), max(matched) + 1)
    return Mark(number, _merge_line_boxes([boxes[i] for i in span]),
                " ".join(words[i] for i in span), ocr=True)


# -- entry points -------------------------------------------------------------------------------
@lru_cache(maxsize=256)
def _locate(path: str, mtime: float, page: int, quote: str, lang: str) -> tuple[Mark, ...]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        if not 1 <= page <= len(pdf):
            return ()
        quote_key = key(quote)
        if not quote_key:
            return ()
        if pdf[page - 1].get_textpage().count_chars() > 0:
            stripped = quote.rstrip()
            tail = stripped[len(stripped.rstrip(".,;:!?…)”\"'")):]
            return tuple(_text_marks(pdf, page, quote_key, tail) or ())
    finally:
        pdf.close()
    from .ocr import tesseract_available
    if not tesseract_available(lang):
        return ()
    mark = _ocr_mark(Path(path), page, quote, lang)
    return (mark,) if mark else ()


def locate(path: Path, page: int, quote: str, *, lang: str = "swe") -> list[Mark]:
    """Where ``quote`` is, starting on 1-based ``page``: one Mark per page it covers.

    Empty when it cannot be found (the file changed, or OCR read the words too differently).
    """
    path = Path(path)
    return list(_locate(str(path), path.stat().st_mtime, page, quote, lang))


def render(path: Path, page: int, boxes: list[Box], scale: float = VIEW_SCALE) -> bytes:
    """The page as a PNG, with ``boxes`` drawn as a yellow marker with a dark outline."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    pdf = pdfium.PdfDocument(str(path))
    try:
        p = pdf[page - 1]
        left, _, _, top = p.get_bbox()  # get_cropbox() falls back to US Letter when unset
        image = p.render(scale=scale).to_pil().convert("RGBA")
    finally:
        pdf.close()
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    pad = 1.5
    for l, b, r, t in boxes:
        xy = ((l - left - pad) * scale, (top - t - pad) * scale, (r - left + pad) * scale, (top - b + pad) * scale)
        draw.rectangle(xy, fill=(250, 204, 21, 110), outline=(180, 83, 9, 255), width=2)
    out = io.BytesIO()
    Image.alpha_composite(image, overlay).convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ingest.locate", description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("page", type=int)
    parser.add_argument("quote")
    args = parser.parse_args(argv)
    marks = locate(args.file, args.page, args.quote)
    for m in marks:
        print(f"page {m.page}{' (OCR)' if m.ocr else ''}: {len(m.boxes)} boxes: {m.text}")
    return 0 if marks else 1


if __name__ == "__main__":
    raise SystemExit(main())
