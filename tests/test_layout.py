"""PDFs read by layout (ingest.layout): headings, paragraphs over page breaks, contents pages,
running lines wherever the producer wrote them."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.loader import load_document
from ingest.pdf import read_pdf
from pdfs import (HANDBOOK_CONTINUED, HANDBOOK_FAQ_ANSWER, HANDBOOK_QUOTE_ON_PAGE_3, make_structured_pdf,
                  make_text_pdf, require_font, sample_paragraphs)


@pytest.fixture(scope="module")
def handbook(tmp_path_factory) -> Path:
    require_font()
    return make_structured_pdf(tmp_path_factory.mktemp("layout") / "handbok.pdf")


def _words(text: str) -> str:
    return " ".join(text.split())


def test_headings_printed_larger_or_bold_become_the_sections_of_the_chunks(handbook):
    chunks = load_document(handbook).chunks
    sections = {c.section for c in chunks}
    assert {"1.1 Vem ska anmäla", "1.2 Förvaring av anmälan"} <= sections
    faq = next(c for c in chunks if HANDBOOK_FAQ_ANSWER in c.text)
    assert faq.section.startswith("Fråga 1:")  # a bold question heads its answer
    blocks = [b for page in read_pdf(handbook, ocr=False).pages for b in page.blocks or []]
    headings = [_words(b.text) for b in blocks if b.heading]
    assert headings[:2] == ["1 Orosanmälan", "1.1 Vem ska anmäla"]
    assert not any(b.heading for b in blocks if "Svar:" in b.text)


def test_contents_page_and_running_lines_are_not_indexed_even_when_the_footer_comes_first(handbook):
    text = "\n".join(c.text for c in load_document(handbook).chunks)
    assert "....." not in text and "Innehåll" not in text
    assert "Sida" not in text and "Dnr KS 2025/0087" not in text  # the footer, written first
    assert "Kungsviks kommun" not in text  # the running header
    # the contents page holds text, so it is not taken for a scan to OCR
    assert read_pdf(handbook, ocr=False).needs_ocr == []


def test_paragraph_cut_by_a_page_break_is_one_paragraph_and_each_quote_keeps_its_page(handbook):
    chunks = load_document(handbook).chunks
    (chunk,) = [c for c in chunks if _words(HANDBOOK_CONTINUED) in _words(c.text)]
    assert chunk.page == 2 and chunk.pages() == [2, 3]
    assert "\n\n" not in chunk.text[chunk.text.index("Anmälan ska göras genast"):]  # not cut in two
    assert chunk.quote_page("Anmälan ska göras genast") == 2
    assert chunk.quote_page("befogad enligt lagen.") == 3
    other = next(c for c in chunks if HANDBOOK_QUOTE_ON_PAGE_3 in c.text)
    assert other.quote_page(HANDBOOK_QUOTE_ON_PAGE_3) == 3


def test_a_new_paragraph_at_the_top_of_a_page_is_not_joined_to_the_last_page(tmp_path):
    require_font()
    pages = sample_paragraphs(2, 4)
    path = make_text_pdf(tmp_path / "two.pdf", pages)
    doc = load_document(path).document
    page_two = doc.page_starts[1]
    assert doc.text[page_two - 2:page_two] == "\n\n"  # the first page ends its sentence


def test_pdf_that_pdfium_cannot_open_is_read_as_plain_text(handbook, monkeypatch):
    import pypdfium2

    def refuse(*args, **kwargs):
        raise pypdfium2.PdfiumError("Failed to load document (PDFium: Data format error).")

    monkeypatch.setattr(pypdfium2, "PdfDocument", refuse)
    result = read_pdf(handbook, ocr=False)
    assert all(page.blocks is None for page in result.pages)
    assert HANDBOOK_QUOTE_ON_PAGE_3 in _words(result.pages[2].text)
    assert load_document(handbook).chunks  # still indexed, one paragraph per page


def test_what_the_first_page_prints_largest_is_the_title_and_names_the_type(tmp_path):
    from fpdf import FPDF

    font = require_font()
    doc = FPDF(format="A4")
    doc.add_font("Body", fname=str(font))
    doc.add_page()
    doc.set_font("Body", size=9)
    doc.cell(0, 6, "Västerås stad, utbildningsförvaltningen", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Body", size=20)
    doc.multi_cell(0, 9, "Rutin för samverkan kring elever med hög frånvaro", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Body", size=10.5)
    doc.multi_cell(0, 5.2, " ".join(sample_paragraphs(1, 6)), new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "rutin.pdf"
    doc.output(str(path))
    document = load_document(path).document
    assert document.title == "Rutin för samverkan kring elever med hög frånvaro"
    assert document.doc_type == "rutin"
