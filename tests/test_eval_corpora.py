"""The evaluation corpora under evals/corpora/: PDFs built from their sources, and their suites."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evals.corpora import pdfbuild
from evals.suite import load_suite
from evals.validate import validate_suite

ROOT = Path(__file__).resolve().parents[1]
PAIRS = pdfbuild.all_sources()
KUNGSVIK_SUITES = [ROOT / "evals/suites/kungsvik.yaml", ROOT / "evals/suites/kungsvik-heldout.yaml"]


def _require_builder_font() -> None:
    try:
        pdfbuild._font_files()
    except pdfbuild.BuildError as exc:
        from conftest import skip_or_fail
        skip_or_fail(str(exc))


def _page_texts(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(str(path)).pages]


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_every_corpus_source_has_a_built_pdf_beside_it():
    assert PAIRS, "no sources found under evals/corpora/sources/"
    missing = [_rel(pdf) for _src, pdf in PAIRS if not pdf.is_file()]
    assert not missing, f"run `python -m evals.corpora.pdfbuild --all`: missing {missing}"


@pytest.mark.parametrize("src,pdf", PAIRS, ids=[p.stem for _s, p in PAIRS])
def test_checked_in_pdf_has_the_text_its_source_builds_to(src, pdf, tmp_path):
    _require_builder_font()
    rebuilt = pdfbuild.build(src, tmp_path / pdf.name)
    assert _page_texts(rebuilt) == _page_texts(pdf), (
        f"{_rel(pdf)} is out of date with {_rel(src)}: run `python -m evals.corpora.pdfbuild --all`")


def test_rebuilding_gives_the_same_bytes(tmp_path):
    _require_builder_font()
    src = next(s for s, _p in PAIRS)
    first = pdfbuild.build(src, tmp_path / "a.pdf").read_bytes()
    second = pdfbuild.build(src, tmp_path / "b.pdf").read_bytes()
    assert first == second


@pytest.mark.parametrize("src,pdf", PAIRS, ids=[p.stem for _s, p in PAIRS])
def test_every_page_has_the_running_header_and_footer(src, pdf):
    meta = pdfbuild.parse(src.read_text(encoding="utf-8"), str(src)).meta
    pages = _page_texts(pdf)
    for n, text in enumerate(pages, 1):
        lines = text.splitlines()
        assert meta["municipality"] in lines[0] and (meta.get("header") or meta["title"]) in lines[0], \
            f"page {n}: no running header in {lines[0]!r}"
        footer = f"Dnr {meta['dnr']} {meta['date']} Sida {n} av {len(pages)}"
        assert footer in text, f"page {n}: footer {footer!r} missing"


def test_kungsvik_handbook_is_a_long_document_with_a_faq_and_a_table():
    pages = _page_texts(ROOT / "evals/corpora/kungsvik/kungsvik-sekretesshandbok.pdf")
    text = "\n".join(pages)
    assert len(pages) >= 12
    assert "Innehåll" in pages[1] and "Vanliga frågor" in text
    assert "Från Till Vad Stöd för att lämna ut" in text  # the table's heading row


def test_source_without_front_matter_is_refused_with_what_to_add(tmp_path):
    src = tmp_path / "bad.md"
    src.write_text("# 1 Inledning\nText.\n", encoding="utf-8")
    with pytest.raises(pdfbuild.BuildError, match="title:, municipality:, date:, dnr:, issuer:"):
        pdfbuild.build(src, tmp_path / "bad.pdf")
    assert not (tmp_path / "bad.pdf").exists()


@pytest.mark.parametrize("suite_path", KUNGSVIK_SUITES, ids=lambda p: p.stem)
def test_kungsvik_suite_names_folders_that_exist_and_has_both_kinds_of_questions(suite_path):
    folders = yaml.safe_load(suite_path.read_text(encoding="utf-8"))["corpus"]
    assert folders == ["corpus", "evals/corpora/kungsvik"]
    assert all((ROOT / f).is_dir() for f in folders)
    suite = load_suite(suite_path)
    assert any(c.must_refuse for c in suite.cases) and any(not c.must_refuse for c in suite.cases)


def test_kungsvik_suite_and_held_out_part_share_no_question():
    main, held = (load_suite(p) for p in KUNGSVIK_SUITES)
    assert not {c.id for c in main.cases} & {c.id for c in held.cases}
    assert not {c.question for c in main.cases} & {c.question for c in held.cases}


@pytest.mark.slow
def test_kungsvik_suites_validate_against_the_chunks_of_their_corpus(indexed_home):
    from ingest.loader import load_document
    from index.store import ChunkStore

    # the chunks ingest makes of the PDFs (no need to embed them to check the key phrases)
    chunks = ChunkStore(indexed_home).all_chunks() + [
        c for pdf in sorted((ROOT / "evals/corpora/kungsvik").glob("*.pdf"))
        for c in load_document(pdf.relative_to(ROOT)).chunks]
    assert {c.source for c in chunks} >= {"evals/corpora/kungsvik/kungsvik-sekretesshandbok.pdf",
                                           "evals/corpora/kungsvik/kungsvik-rutin-orosanmalan.pdf"}
    for path in KUNGSVIK_SUITES:
        assert validate_suite(load_suite(path), chunks) == [], path.name
