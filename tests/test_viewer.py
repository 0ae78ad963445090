"""The original at the cited place: quotes located on PDF pages, the viewer's pages, who may see what."""
from __future__ import annotations

import shutil

import pytest

from conftest import skip_or_fail
from ingest import ocr as ocr_module
from ingest.locate import key, locate, render
from pdfs import (BREAK_END, BREAK_START, MD_FACT, PDF_FACT, SCAN_FACT, make_cited_corpus, make_text_pdf,
                  require_font, sample_paragraphs)


def covered(quote: str, marked: str) -> bool:
    return key(quote) in key(marked)


def test_quote_over_a_page_break_is_marked_on_both_pages(tmp_path):
    require_font()
    pages = sample_paragraphs(2, 6)
    pages[0] += f" {BREAK_START}"
    pages[1] = f"{BREAK_END} {pages[1]}"
    path = make_text_pdf(tmp_path / "break.pdf", pages)
    marks = locate(path, 1, f"{BREAK_START} {BREAK_END}")
    assert [m.page for m in marks] == [1, 2]
    assert covered(BREAK_START, marks[0].text) and not covered(BREAK_END, marks[0].text)
    assert covered(BREAK_END, marks[1].text)
    assert render(path, 2, marks[1].boxes)[:8] == b"\x89PNG\r\n\x1a\n"


def test_quote_not_on_the_page_is_not_marked(tmp_path):
    require_font()
    path = make_text_pdf(tmp_path / "a.pdf", sample_paragraphs(1, 6))
    assert locate(path, 1, "Ingen sådan mening finns någonstans i dokumentet alls.") == []


def test_scanned_page_marks_the_ocr_words_of_the_quote(tmp_path):
    require_font()
    if not ocr_module.tesseract_available("swe"):
        skip_or_fail("tesseract with Swedish not installed (Debian: tesseract-ocr tesseract-ocr-swe)")
    from pdfs import make_scanned_pdf
    path = make_scanned_pdf(tmp_path / "scan.pdf", [f"Beslut om ordning. {SCAN_FACT}"])
    (mark,) = locate(path, 1, SCAN_FACT)
    assert mark.ocr and mark.page == 1 and mark.boxes
    ocr_words, quote_words = set(key(w) for w in mark.text.split()), [key(w) for w in SCAN_FACT.split()]
    assert sum(w in ocr_words for w in quote_words) >= 0.8 * len(quote_words)
    assert "beslut" not in ocr_words  # the sentence before the quote is not marked


# -- the viewer over an index ------------------------------------------------------------------
@pytest.fixture(scope="module")
def cited_home(tmp_path_factory):
    from index.embedders import make_embedder
    from index.store import ChunkStore
    from index.sync import ingest_paths

    require_font()
    root = tmp_path_factory.mktemp("cited")
    corpus = make_cited_corpus(root / "docs", scanned=False)
    home = root / "home"
    report = ingest_paths([corpus], ChunkStore(home), make_embedder("e5-small"))
    assert not report.failed, report.failed
    return home, corpus


@pytest.fixture
def viewer_parts(cited_home, tmp_path):
    from assistant.assistant import Assistant
    from assistant.auth import Users, parse_auth_env
    from assistant.settings import Settings
    from assistant.viewer import Viewer

    home = tmp_path / "home"
    shutil.copytree(cited_home[0], home)
    assistant = Assistant.from_settings(Settings(home=home))
    users = Users(parse_auth_env("anna:a:trainer,bo:b:staff"))
    return assistant, Viewer(assistant.retriever, users), cited_home[1]


def cited(assistant, question, fact):
    answer = assistant.ask(question)
    for c in answer.citations:
        if key(c.quote) in key(fact) or key(fact) in key(c.quote):
            return c
    raise AssertionError(f"no citation of {fact!r}: {[c.quote for c in answer.citations]}")


def spans_of(citation):
    text = citation.passage.chunk.text
    start = text.index(citation.quote)
    return f"{start}-{start + len(citation.quote)}"


def test_staff_open_the_cited_pdf_page_with_the_quote_marked(viewer_parts):
    assistant, viewer, _ = viewer_parts
    c = cited(assistant, "Får skolkuratorn delta i samverkansmöten med socialtjänsten?", PDF_FACT)
    chunk = c.passage.chunk
    assert c.page == 2  # the quote's page (its passage may begin on page 1)
    page = viewer.source_page("bo", chunk.chunk_id, spans_of(c))
    assert page.status == 200
    assert f'/sida/2.png?m={spans_of(c)}' in page.body and 'data-page="2"' in page.body
    assert "#page=2" in page.body
    image = viewer.page_image("bo", chunk.chunk_id, 2, spans_of(c))
    assert image.status == 200 and image.media_type == "image/png"
    (mark,) = viewer.marks(chunk, viewer.file(chunk), viewer.parse_spans(spans_of(c), chunk.text))
    assert mark.page == 2 and covered(c.quote, mark.text)
    # only the cited page of the file is served as an image
    assert viewer.page_image("bo", chunk.chunk_id, 1, spans_of(c)).status == 404


def test_markdown_opens_at_the_section_with_the_quote_marked(viewer_parts):
    assistant, viewer, _ = viewer_parts
    c = cited(assistant, "När dokumenterar mentorn kontakten med vårdnadshavarna?", MD_FACT)
    page = viewer.source_page("bo", c.passage.chunk.chunk_id, spans_of(c))
    assert page.status == 200
    assert f'<mark id="markering">{c.quote}</mark>' in page.body
    section = page.body[page.body.index('<div id="avsnitt">'):]
    assert section.index("<mark") < section.index("</div>")
    assert "Elevhälsoteamet följer upp" in page.body  # the whole document, opened at the section


def test_original_file_is_served_by_document_id_only(viewer_parts):
    from assistant.viewer import doc_id

    assistant, viewer, corpus = viewer_parts
    pdf = next(c for c in assistant.retriever.chunks if c.source.endswith("samverkan.pdf"))
    reply = viewer.original("bo", doc_id(pdf.source))
    assert reply.status == 200 and reply.path.read_bytes()[:5] == b"%PDF-"
    assert viewer.original("bo", doc_id(str(corpus / "riktlinjer" / "other.pdf"))).status == 404
    assert viewer.original("bo", "../../etc/passwd").status == 404
    assert viewer.source_page("bo", "no-such-chunk").status == 404


def test_sign_in_and_roles_are_enforced(viewer_parts):
    from assistant.viewer import doc_id

    assistant, viewer, _ = viewer_parts
    chunk = assistant.retriever.chunks[0]
    assert viewer.source_page(None, chunk.chunk_id).status == 401
    assert viewer.original("mallory", doc_id(chunk.source)).status == 401
    assert viewer.document_page("bo", doc_id(chunk.source)).status == 403
    page = viewer.document_page("anna", doc_id(chunk.source))
    assert page.status == 200 and chunk.chunk_id in page.body


def test_removed_or_changed_document_is_no_longer_served(viewer_parts):
    from assistant.viewer import doc_id

    assistant, viewer, corpus = viewer_parts
    md = next(c for c in assistant.retriever.chunks if c.source.endswith("rutin.md"))
    pdf = next(c for c in assistant.retriever.chunks if c.source.endswith("samverkan.pdf"))
    assert viewer.source_page("bo", md.chunk_id).status == 200
    path = corpus / "rutiner" / "rutin.md"
    original = path.read_bytes()
    try:
        path.write_bytes(original + b"\nEn ny rad efter indexeringen.\n")
        assert viewer.source_page("bo", md.chunk_id).status == 404  # changed since it was indexed
    finally:
        path.write_bytes(original)
    assert viewer.source_page("bo", md.chunk_id).status == 200
    retriever = assistant.retriever
    retriever.store.delete(sorted(retriever.store.ids_by_source()[md.source]["ids"]))
    retriever.refresh(force=True)
    assert viewer.source_page("bo", md.chunk_id).status == 404
    assert viewer.original("bo", doc_id(md.source)).status == 404
    assert viewer.original("bo", doc_id(pdf.source)).status == 200


def test_why_line_names_signals_rank_and_score_in_swedish(viewer_parts):
    from assistant import render

    assistant, _, _ = viewer_parts
    answer = assistant.ask("Får skolkuratorn delta i samverkansmöten med socialtjänsten?")
    line = render.why_line(answer.citations[0].passage)
    assert line.startswith("Hittat genom betydelse") and "ordmatchning" in line
    assert f"Plats {answer.citations[0].passage.rank}," in line
    staff = render.sources_html(answer)
    trainer = render.sources_html(answer, explain=True)
    assert "hb-why" not in staff and "Hittat genom" in trainer
    assert "/handbok/kalla/" in staff and "Öppna originalet vid sidan 2" in staff
