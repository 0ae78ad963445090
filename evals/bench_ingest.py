"""`handbok bench --ingest`: ingest throughput (pages per minute) for text and scanned PDFs.

It makes its own PDFs from the bundled corpus' prose — a text-layer PDF with fpdf2
and a scanned one rendered with Pillow (both from the test extra) — ingests each into
a fresh temporary index with the default embedder, and reports wall-clock pages per
minute, OCR and embedding included. Also times the bundled corpus itself.
"""
from __future__ import annotations

import tempfile
import textwrap
import time
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _prose(corpus: Path, pages: int, words_per_page: int = 330) -> list[str]:
    words = (corpus / "2016-11-23-utlatande-samverkan-skola-socialtjanst.txt").read_text(
        encoding="utf-8").split()
    return [" ".join(words[i * words_per_page:(i + 1) * words_per_page]) for i in range(pages)]


def text_pdf(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF

    doc = FPDF(format="A4")
    doc.add_font("Body", fname=str(FONT))
    for n, text in enumerate(pages, 1):
        doc.add_page()
        doc.set_font("Body", size=10)
        doc.cell(0, 8, "Stockholms stad", new_x="LMARGIN", new_y="NEXT")
        doc.multi_cell(0, 5, text)
        doc.set_auto_page_break(False)  # the footer sits inside the bottom margin
        doc.set_y(-15)
        doc.cell(0, 8, f"Sida {n} av {len(pages)}", align="C")
        doc.set_auto_page_break(True, margin=20)
    doc.output(str(path))
    return path


def scanned_pdf(path: Path, pages: list[str], dpi: int = 150) -> Path:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), 26)
    images = []
    for text in pages:
        image = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(textwrap.wrap(text, 80)):
            draw.text((100, 100 + i * 36), line, font=font, fill=0)
        images.append(image)
    images[0].save(str(path), "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return path


def run(corpus: Path, text_pages: int = 40, scanned_pages: int = 5) -> list[tuple[str, int, float]]:
    """(what, pages, seconds) for the bundled corpus, a text PDF and a scanned PDF."""
    from index.embedders import make_embedder
    from index.store import ChunkStore
    from index.sync import ingest_paths

    embedder = make_embedder("e5-small")
    rows = []
    with tempfile.TemporaryDirectory(prefix="handbok-bench-ingest-") as tmp:
        tmp = Path(tmp)
        cases = [("bundled corpus (5 files)", corpus, 5),
                 ("text PDF", text_pdf(tmp / "text.pdf", _prose(corpus, text_pages)), text_pages),
                 ("scanned PDF (OCR)", scanned_pdf(tmp / "scanned.pdf", _prose(corpus, scanned_pages, 150)),
                  scanned_pages)]
        for i, (what, path, pages) in enumerate(cases):
            store = ChunkStore(tmp / f"home-{i}")
            t0 = time.perf_counter()
            report = ingest_paths([path], store, embedder)
            seconds = time.perf_counter() - t0
            if report.failed:
                raise RuntimeError(f"{what}: {report.failed[0].reason}")
            rows.append((what, pages, seconds, report.chunks_added))
    return rows


def markdown(rows) -> str:
    out = ["| input | pages (files) | chunks | seconds | pages per minute |", "|---|---|---|---|---|"]
    for what, pages, seconds, chunks in rows:
        out.append(f"| {what} | {pages} | {chunks} | {seconds:.1f} | {pages / seconds * 60:.1f} |")
    return "\n".join(out)
