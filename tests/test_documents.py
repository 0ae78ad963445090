"""Real documents end to end: text PDFs, scanned PDFs through OCR, OCR-damaged text, metadata."""
from __future__ import annotations

from pathlib import Path

import pytest
from pdfs import make_scanned_pdf, make_text_pdf, require_font

from assistant.assistant import Assistant
from assistant.settings import Settings
from index.embedders import make_embedder
from index.retriever import HybridRetriever
from index.store import ChunkStore
from index.sync import ingest_paths

pytestmark = pytest.mark.slow

PAGE_1 = ("Riktlinje för samverkan\n\nSkolan och socialtjänsten ska ha en gemensam överenskommelse "
          "om samverkan kring barn som far illa. Överenskommelsen ska följas upp varje år av rektor "
          "och enhetschef tillsammans.")
PAGE_2 = ("Kontakt vid akuta ärenden\n\nVid akuta ärenden efter kontorstid ringer skolan "
          "socialjouren. Socialjouren nås dygnet runt och gör en första bedömning av barnets situation.")
PAGE_3 = ("Återkoppling\n\nSocialtjänsten lämnar en bekräftelse till skolan när en orosanmälan har "
          "tagits emot. Vidare information kräver vårdnadshavarens samtycke eller en sekretessprövning.")


@pytest.fixture(scope="module")
def e5():
    return make_embedder("e5-small")


def test_citations_from_a_text_pdf_show_the_page_of_the_quote(tmp_path, handbok_home, e5):
    require_font()
    pdf = make_text_pdf(tmp_path / "riktlinje.pdf", [PAGE_1, PAGE_2, PAGE_3])
    settings = Settings.from_env()
    report = ingest_paths([pdf], ChunkStore(handbok_home), e5)
    assert report.count("added") == 1
    answer = Assistant.from_settings(settings).ask("Vem ringer skolan vid akuta ärenden efter kontorstid?")
    assert not answer.refused
    citation = answer.citations[0]
    assert "socialjouren" in citation.quote.lower()
    # the quote's own page, also when its passage begins on an earlier page
    assert citation.page == 2 and citation.to_json()["page"] == 2
    headers = [c.text for c in ChunkStore(handbok_home).all_chunks() if "Stockholms stad" in c.text]
    assert headers == []  # the running header is not part of any chunk


def test_scanned_pdf_becomes_searchable_with_the_right_page(tmp_path, handbok_home, e5):
    require_font()
    pdf = make_scanned_pdf(tmp_path / "skannad.pdf", [PAGE_1, PAGE_2])
    report = ingest_paths([pdf], ChunkStore(handbok_home), e5)
    assert report.count("added") == 1, [f.reason for f in report.failed]
    top = HybridRetriever(ChunkStore(handbok_home), e5, handbok_home).search(
        "socialjouren dygnet runt", k=1)[0]
    assert top.chunk.page == 2 and "socialjouren" in top.chunk.text.lower()


def test_scanned_pdf_without_tesseract_is_reported_as_needs_ocr(tmp_path, handbok_home, e5, monkeypatch):
    require_font()
    import ingest.ocr

    monkeypatch.setattr(ingest.ocr, "tesseract_available", lambda lang="swe": False)
    scanned = make_scanned_pdf(tmp_path / "docs" / "skannad.pdf", [PAGE_1]) if (tmp_path / "docs").mkdir() is None else None
    (tmp_path / "docs" / "vanlig.txt").write_text(PAGE_3 * 3, encoding="utf-8")
    report = ingest_paths([tmp_path / "docs"], ChunkStore(handbok_home), e5)
    failed = {Path(f.source).name: f.reason for f in report.failed}
    assert "needs OCR" in failed["skannad.pdf"] and report.count("added") == 1
    assert scanned.exists()


@pytest.mark.parametrize("word", ["samhällets", "ögon", "Jönsson", "stöd"])
def test_searching_correct_swedish_finds_the_ocr_damaged_documents(indexed_home, word):
    retriever = Assistant.from_settings(Settings.from_env()).retriever
    top = retriever.search(word, k=5, source="2016-03-16")
    assert top and top[0].chunk.source.endswith("2016-03-16-interpellationssvar-barn-som-far-illa.txt")
    assert any(word.lower() in p.chunk.text.lower() for p in top)
    ranked = [p.chunk.source for p in retriever.search(word, k=10)]
    assert any("2016-03-16" in s or "2008-hagersten" in s for s in ranked)


def test_repaired_chunks_keep_their_raw_ocr_text(indexed_home):
    chunks = ChunkStore(indexed_home).all_chunks()
    damaged = [c for c in chunks if c.source.endswith("2016-03-16-interpellationssvar-barn-som-far-illa.txt")]
    assert damaged and all(c.raw_text for c in damaged)
    assert any("6gon" in c.raw_text and "ögon" in c.text for c in damaged)
    clean = [c for c in chunks if "2023-11-22" in c.source]
    assert all(c.raw_text == c.text for c in clean)


def test_ocr_documents_get_their_title_date_and_type(indexed_home):
    entries = ChunkStore(indexed_home).ids_by_source()
    doc = entries["corpus/2016-03-16-interpellationssvar-barn-som-far-illa.txt"]
    assert doc["date"] == "2016-03-16" and doc["doc_type"] == "interpellationssvar"
    assert "Jönsson" in doc["title"]
    report = entries["corpus/2008-hagersten-liljeholmen-barnuppdraget-anmalan-av-rapport.txt"]
    assert report["date"].startswith("2008") and "socialtjänst" in report["title"]
