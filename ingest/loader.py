"""From a file on disk to a normalised, repaired, chunked document."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from .chunker import chunk_document
from .errors import EmptyFile
from .metadata import extract, find_type
from .models import Chunk, Document, Page
from .normalize import Paragraph, continues, normalize
from .repair import Edit, looks_damaged, repair_text

SUPPORTED = (".pdf", ".txt", ".md")
DEFAULT_MAX_FILE_MB = 50


@dataclass
class Loaded:
    document: Document
    chunks: list[Chunk]
    needs_ocr: list[int] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)
    repaired: int = 0


def display_path(path: Path) -> str:
    """The path as stored in the index: relative to the working directory when inside it."""
    absolute = Path(os.path.abspath(path))  # not resolve(): a link is named as the user named it
    for base in {Path(os.path.abspath(Path.cwd())), Path.cwd().resolve()}:
        try:
            return absolute.relative_to(base).as_posix()
        except ValueError:
            continue
    return absolute.as_posix()


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:20]


def _read_pages(path: Path, ocr: bool) -> tuple[list[Page], list[int], list[int], str]:
    """Pages, pages that need OCR, pages that were OCR'd, and the title the layout shows ("")."""
    if path.suffix.lower() == ".pdf":
        from .pdf import read_pdf
        pdf = read_pdf(path, ocr=ocr)
        return pdf.pages, pdf.needs_ocr, pdf.ocr_pages, pdf.title
    from .readers import read_text_file
    return [Page(1, read_text_file(path))], [], [], ""


def _paragraphs(page: Page, markdown: bool) -> list[Paragraph]:
    """A page's clean paragraphs; where the PDF's layout is known, its blocks and headings."""
    if not page.blocks:
        return normalize(page.text, markdown=markdown)
    out = []
    for block in page.blocks:
        for p in normalize(block.text):
            out.append(Paragraph(p.text, heading=block.heading))
    return out


def load_document(path: Path, *, max_file_mb: float = DEFAULT_MAX_FILE_MB, ocr: bool = True,
                  repair: bool = True) -> Loaded:
    """Read, normalise, repair (where damaged), describe and chunk one file.

    Raises an ``IngestError`` subclass with a one-line reason when the file cannot be used.
    """
    from .readers import check_file
    check_file(path, max_bytes=int(max_file_mb * 1024 * 1024))
    source = display_path(path)
    pages, needs_ocr, ocr_pages, layout_title = _read_pages(path, ocr)
    markdown = path.suffix.lower() == ".md"

    parts, headings, page_starts, edits, raw_parts = [], [], [], [], []
    end, last = 0, None  # offset after the text so far; its last paragraph (None after a blank page)
    repaired = 0
    for page in pages:
        paragraphs = _paragraphs(page, markdown)
        text = "\n\n".join(p.text for p in paragraphs)
        # a paragraph that runs over the page break stays one paragraph (the page number of
        # each character still comes from page_starts)
        joins = bool(text) and last is not None and continues(last, paragraphs[0])
        start = 0 if not parts else end + (1 if joins else 2)
        if repair and text:
            if looks_damaged(text):
                result = repair_text(text)
                text = result.text
                edits.extend(Edit(e.start + start, e.end + start, e.original, e.replacement)
                             for e in result.edits)
                repaired += result.repaired
        page_starts.append(start)
        if not text:
            last = None
            continue
        if parts:
            parts.append(" " if joins else "\n\n")
            raw_parts.append(parts[-1])
        parts.append(text)
        raw_parts.append("\n\n".join(p.text for p in paragraphs))
        headings.extend(p.heading for p in (paragraphs[1:] if joins else paragraphs))
        end, last = start + len(text), paragraphs[-1]
    full = "".join(parts)
    if not full.strip():
        if needs_ocr:
            raise EmptyFile(source, f"no text layer on pages {_pages(needs_ocr)} and Tesseract is "
                                    "not installed (needs OCR): run scripts/setup.sh or install "
                                    "tesseract-ocr tesseract-ocr-swe")
        raise EmptyFile(source, "no text found in the file")

    meta = extract(full.split("\n\n"), fallback_title=path.stem)
    if layout_title:  # what the title page prints largest says better what the document is
        meta.title = layout_title
        meta.doc_type = find_type(layout_title, full[:800])
    doc = Document(
        source=source, text=full, title=meta.title, doc_type=meta.doc_type, date=meta.date,
        diarienummer=meta.diarienummer, issuer=meta.issuer, content_hash=file_hash(path),
        page_starts=page_starts or [0], repairs=edits,
        raw_text="".join(raw_parts) if edits else "")
    if needs_ocr:
        doc.warnings.append(f"needs OCR: pages {_pages(needs_ocr)} have no text layer")
    return Loaded(doc, chunk_document(doc, headings), needs_ocr, ocr_pages, repaired)


def _pages(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def discover(paths: list[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Expand folders into files (sorted). Returns (files, problems) where problems are paths that do not exist."""
    files, problems = [], []
    for path in paths:
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files.extend(Path(root) / n for n in sorted(names) if not n.startswith("."))
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            problems.append((path, "no such file or folder"))
    return files, problems
