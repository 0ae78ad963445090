"""Text of a PDF, page by page: pypdf for text layers, Tesseract for scans.

Running headers and footers (lines that repeat at the top or bottom of most
pages) and standalone page numbers are removed; other line breaks are kept for
the normaliser downstream.

Reading order: plain ``extract_text()`` follows the content stream, which for
the PDFs we see (Word exports, fpdf2) is column by column. ``extraction_mode=
"layout"`` interleaves the lines of two columns, so it is not used.

Run ``handbok bench --ingest`` for pages-per-minute figures, or
``python -m ingest.pdf FILE.pdf`` to print what is read from a file.
"""
from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ingest import ocr as _ocr
from ingest.errors import CorruptFile, EmptyFile, EncryptedFile, IngestError
from ingest.models import Page
from ingest.readers import _describe_start, reading

log = logging.getLogger(__name__)

# How many non-empty lines at the top and bottom of a page can be running headers/footers.
ZONE_LINES = 3
# A line is "running" when it appears in the zone of at least this share of the pages
# that have text, and on at least MIN_RUNNING_PAGES pages.
RUNNING_SHARE = 0.5
MIN_RUNNING_PAGES = 3
OCR_DPI = 300

_DIGITS = re.compile(r"\d+")
_DASH = r"[-\u2010-\u2015\u2212]"
_N = r"\d{1,4}"
# Standalone page numbers: "3", "- 3 -", "Sida 3", "Sida 3 av 7", "Sida 3 (7)", "3 (7)",
# "3/7", "3 av 7", "Page 3 of 7", "s. 3". A bare number has at most 3 digits (not a year).
_PAGE_NUMBER = re.compile(
    rf"""^(?:
        {_DASH}\s*{_N}\s*{_DASH}
      | (?:sida|sid\.?|s\.|page|p\.)\s*{_N}(?:\s*(?:av|of|/)\s*{_N}|\s*\(\s*{_N}\s*\))?
      | {_N}\s*(?:(?:av|of|/)\s*{_N}|\(\s*{_N}\s*\))
      | \d{{1,3}}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


@dataclass
class PdfText:
    pages: list[Page]  # one per PDF page, 1-based numbers, in order (empty text allowed)
    needs_ocr: list[int] = field(default_factory=list)  # no text layer and not OCR'd
    ocr_pages: list[int] = field(default_factory=list)  # text came from OCR

    @property
    def title(self) -> str:
        """The text printed largest on the first page with text (a title page's title), when it
        is larger than the body text; "" when the layout is unknown or nothing stands out."""
        for page in self.pages:
            if not page.text.strip():
                continue
            blocks = [b for b in page.blocks or [] if b.lines and 2 <= len(b.text.split()) <= 40]
            if not blocks:
                return ""
            top = max(blocks, key=lambda b: max(x.size for x in b.lines))
            body = sorted(x.size for b in page.blocks for x in b.lines)[len([1 for b in page.blocks for _ in b.lines]) // 2]
            return " ".join(top.text.split()) if max(x.size for x in top.lines) > 1.2 * body else ""
        return ""


# --------------------------------------------------------------------------- headers/footers

def _key(line: str) -> str:
    """Comparison key for a running line: whitespace collapsed, digit runs as '#'."""
    return _DIGITS.sub("#", " ".join(line.split())).casefold()


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(" ".join(line.split())))


def _zones(lines: list[str]) -> tuple[list[int], list[int]]:
    """Indexes of the first and last ZONE_LINES non-empty lines."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return filled[:ZONE_LINES], filled[-ZONE_LINES:]


def running_keys(texts: list[str]) -> tuple[set[str], set[str]]:
    """Keys of lines that repeat in the top zone / bottom zone of most pages."""
    split = [t.split("\n") for t in texts if t.strip()]
    threshold = max(MIN_RUNNING_PAGES, math.ceil(RUNNING_SHARE * len(split)))
    if len(split) < threshold:
        return set(), set()
    top: Counter[str] = Counter()
    bottom: Counter[str] = Counter()
    for lines in split:
        head, tail = _zones(lines)
        top.update({_key(lines[i]) for i in head})
        bottom.update({_key(lines[i]) for i in tail})
    return ({k for k, c in top.items() if c >= threshold},
            {k for k, c in bottom.items() if c >= threshold})


def strip_running_lines(text: str, top_keys: set[str], bottom_keys: set[str]) -> str:
    """Remove running headers/footers and standalone page numbers from one page."""
    lines = text.split("\n")
    head, tail = _zones(lines)
    drop = {i for i in head if _key(lines[i]) in top_keys or is_page_number(lines[i])}
    drop |= {i for i in tail if _key(lines[i]) in bottom_keys or is_page_number(lines[i])}
    kept = [line.rstrip() for i, line in enumerate(lines) if i not in drop]
    return "\n".join(kept).strip("\n")


def remove_running_lines(texts: list[str], extra_top: set[str] = frozenset(),
                         extra_bottom: set[str] = frozenset()) -> tuple[list[str], set[str], set[str]]:
    """Clean every page; returns the cleaned texts and the keys that were used."""
    top, bottom = running_keys(texts)
    top |= set(extra_top)
    bottom |= set(extra_bottom)
    return [strip_running_lines(t, top, bottom) for t in texts], top, bottom


def _chars(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


# --------------------------------------------------------------------------- opening

def _one_line(exc: BaseException, limit: int = 120) -> str:
    msg = " ".join(str(exc).split()) or type(exc).__name__
    if len(msg) > limit:
        msg = msg[: limit - 1] + "…"
    return f"{type(exc).__name__}: {msg}"


def _check_bytes(path: Path) -> bool:
    """Reject what is plainly not a PDF; returns True when the %%EOF marker is missing."""
    with reading(path):
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(1024)
            fh.seek(max(0, size - 2048))
            tail = fh.read()
    if size == 0:
        raise EmptyFile(str(path), "file is empty (0 bytes) — re-export or copy it again")
    if not head.startswith(b"%PDF-"):
        raise CorruptFile(str(path), f"not a PDF (starts with {_describe_start(head)}); was it renamed?")
    return b"%%EOF" not in tail


def _corrupt(path: Path, exc: BaseException, truncated: bool) -> CorruptFile:
    if truncated:
        reason = (f"truncated or damaged PDF (no %%EOF marker at the end; {_one_line(exc)}) "
                  "— copy or download the file again")
    else:
        reason = (f"damaged PDF ({_one_line(exc)}) — get a fresh copy, or repair it "
                  "(e.g. qpdf damaged.pdf repaired.pdf) and ingest again")
    return CorruptFile(str(path), reason)


def _open(path: Path):
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    truncated = _check_bytes(path)
    try:
        reader = PdfReader(str(path), strict=False)
    except Exception as exc:  # PdfReadError, PdfStreamError, ValueError, KeyError, ...
        raise _corrupt(path, exc, truncated) from exc
    if reader.is_encrypted:
        try:
            result = reader.decrypt("")
        except DependencyError:
            raise EncryptedFile(
                str(path),
                "PDF is AES-encrypted and the Python package 'cryptography' is missing; "
                "install it (pip install cryptography) or remove the encryption "
                "(e.g. qpdf --decrypt) and ingest again") from None
        except Exception as exc:
            raise _corrupt(path, exc, truncated) from exc
        if not result:  # PasswordType.NOT_DECRYPTED
            raise EncryptedFile(
                str(path),
                "PDF is password-protected; remove the password (e.g. qpdf --decrypt) and ingest again")
    try:
        count = len(reader.pages)
    except Exception as exc:
        raise _corrupt(path, exc, truncated) from exc
    return reader, count, truncated


# --------------------------------------------------------------------------- reading

def _ocr_page(path: Path, number: int, lang: str) -> str | None:
    """OCR text of one page, or None when rendering or Tesseract failed."""
    try:
        image = _ocr.render_page(path, number, dpi=OCR_DPI)
        text = _ocr.ocr_image(image, lang=lang)
    except Exception as exc:  # pdfium render error, TesseractError, timeout
        log.warning("%s: OCR of page %d failed: %s", path, number, _one_line(exc))
        return None
    lines = [line.rstrip() for line in text.replace("\f", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def _layout_pages(path: Path, count: int):
    """Per page: the text without running lines, its blocks (``ingest.layout``), and the running
    lines' keys; None when PDFium cannot open the file (pypdf's plain text is used then)."""
    from . import layout

    try:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
    except Exception as exc:  # encrypted with a user password pypdf could open, or a PDFium gap
        log.info("%s: PDFium could not open it (%s); reading plain text", path, _one_line(exc))
        return None
    try:
        if len(pdf) != count:
            return None
        pages = []
        for i in range(count):
            try:
                pages.append(layout.page_lines(pdf[i].get_textpage()))
            except Exception as exc:  # a damaged content stream: treat as no text layer
                log.warning("%s: text of page %d could not be read: %s", path, i + 1, _one_line(exc))
                pages.append([])
    finally:
        pdf.close()
    # zones by position on the page, not by the content stream's order (a producer may write
    # the footer first)
    by_height = [sorted(range(len(lines)), key=lambda i: -lines[i].top) for lines in pages]
    top, bottom = running_keys(["\n".join(lines[i].text for i in order)
                                for lines, order in zip(pages, by_height)])
    kept, filled = [], []
    for lines, order in zip(pages, by_height):
        head, tail = order[:ZONE_LINES], order[-ZONE_LINES:]
        drop = {i for i in head if _key(lines[i].text) in top or is_page_number(lines[i].text)}
        drop |= {i for i in tail if _key(lines[i].text) in bottom or is_page_number(lines[i].text)}
        lines = [x for i, x in enumerate(lines) if i not in drop]
        filled.append(_chars("".join(x.text for x in lines)))  # a contents page is not a scan
        kept.append(layout.drop_contents(lines))
    style = layout.document_style(kept)
    blocks = [layout.page_blocks(lines, style) for lines in kept]
    layout.mark_headings(blocks, style)
    texts = ["\n\n".join(b.text for b in page) for page in blocks]
    return texts, [page or None for page in blocks], filled, top, bottom


def read_pdf(path: Path, *, ocr: bool = True, ocr_lang: str = "swe", min_chars: int = 25) -> PdfText:
    """Read every page of the PDF at ``path``.

    Pages with fewer than ``min_chars`` non-space characters (after removing
    running headers/footers) have no usable text layer: they are OCR'd when
    ``ocr`` is on and Tesseract with ``ocr_lang`` is installed, else reported in
    ``needs_ocr`` with empty text.

    Raises EmptyFile (0 bytes, 0 pages), CorruptFile (not a PDF, truncated,
    damaged), EncryptedFile (needs a password), IngestError (unreadable path).
    """
    path = Path(path)
    reader, count, truncated = _open(path)
    if count == 0:
        raise EmptyFile(str(path), "PDF has no pages — re-export it")

    laid_out = _layout_pages(path, count)
    if laid_out is not None:
        cleaned, blocks, filled, top_keys, bottom_keys = laid_out
    else:  # PDFium could not open it: pypdf's plain text, one paragraph per page
        raw: list[str] = []
        failures: list[BaseException] = []
        for number in range(1, count + 1):
            try:
                text = reader.pages[number - 1].extract_text() or ""
            except Exception as exc:  # a damaged content stream: treat as no text layer
                log.warning("%s: text of page %d could not be extracted: %s", path, number, _one_line(exc))
                failures.append(exc)
                text = ""
            raw.append(text.replace("\r\n", "\n").replace("\r", "\n"))
        if failures and len(failures) == count:
            raise _corrupt(path, failures[0], truncated)
        cleaned, top_keys, bottom_keys = remove_running_lines(raw)
        blocks = [None] * count
        filled = [_chars(text) for text in cleaned]
    blank = [i for i, n in enumerate(filled) if n < min_chars]

    pages = [Page(number=i + 1, text=text, blocks=b) for i, (text, b) in enumerate(zip(cleaned, blocks))]
    needs_ocr: list[int] = []
    ocr_pages: list[int] = []
    can_ocr = bool(blank) and ocr and _ocr.tesseract_available(ocr_lang)
    ocr_texts: dict[int, str] = {}
    for i in blank:
        text = _ocr_page(path, i + 1, ocr_lang) if can_ocr else None
        if text is None:
            pages[i].text = ""
            needs_ocr.append(i + 1)
        else:
            ocr_texts[i] = text
    if ocr_texts:
        # Scans carry their own headers and page numbers: learn them among the OCR'd
        # pages, and also drop those already seen on text pages.
        order = sorted(ocr_texts)
        stripped, _, _ = remove_running_lines([ocr_texts[i] for i in order], top_keys, bottom_keys)
        for i, text in zip(order, stripped):
            pages[i] = Page(number=i + 1, text=text, ocr=True)
            ocr_pages.append(i + 1)
    return PdfText(pages=pages, needs_ocr=needs_ocr, ocr_pages=ocr_pages)


# --------------------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ingest.pdf", description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="PDFs to read and print "
                        "(throughput: `handbok bench --ingest`)")
    parser.add_argument("--no-ocr", action="store_true")
    args = parser.parse_args(argv)
    status = 0
    for file in args.files:
        try:
            result = read_pdf(file, ocr=not args.no_ocr)
        except IngestError as exc:
            print(f"error: {exc}")
            status = 1
            continue
        for page in result.pages:
            print(f"=== {file} page {page.number}{' (OCR)' if page.ocr else ''}")
            print(page.text)
        if result.needs_ocr:
            print(f"--- needs OCR: pages {result.needs_ocr}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
