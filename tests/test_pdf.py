"""Reading PDFs: text layers, running headers, OCR of scans, damaged and encrypted files."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf.errors import DependencyError

from conftest import skip_or_fail
from ingest import ocr as ocr_module
from ingest import pdf as pdf_module
from ingest.errors import CorruptFile, EmptyFile, EncryptedFile, IngestError
from ingest.pdf import is_page_number, read_pdf, remove_running_lines
from pdfs import (
    TOPICS,
    cryptography_available,
    make_encrypted_pdf,
    make_garbage_pdf,
    make_scanned_pdf,
    make_text_pdf,
    make_truncated_pdf,
    make_two_column_pdf,
    sample_paragraphs,
    SWEDISH_SENTENCES,
)

SWEDISH = "Socialtjänsten får lämna uppgifter om barnet till skolan efter samtycke från vårdnadshavaren."


def words(text: str) -> str:
    """Whitespace collapsed: pypdf puts double spaces where fpdf2 justifies."""
    return " ".join(text.split())


def needs_tesseract():
    if not ocr_module.tesseract_available("swe"):
        skip_or_fail("tesseract with Swedish not installed (Debian: tesseract-ocr tesseract-ocr-swe)")


# --------------------------------------------------------------------------- text layer

def test_text_and_swedish_letters_are_read(tmp_path):
    path = make_text_pdf(tmp_path / "a.pdf", [SWEDISH])
    result = read_pdf(path)
    assert [p.number for p in result.pages] == [1]
    assert SWEDISH in words(result.pages[0].text)
    assert result.needs_ocr == [] and result.ocr_pages == []
    assert result.pages[0].ocr is False


def test_page_numbers_are_kept_per_page(tmp_path):
    pages = sample_paragraphs(5)
    path = make_text_pdf(tmp_path / "five.pdf", pages)
    result = read_pdf(path)
    assert [p.number for p in result.pages] == [1, 2, 3, 4, 5]
    for page in result.pages:
        assert words(page.text).startswith(f"Avsnitt {page.number} om {TOPICS[page.number - 1]}.")
        others = [n for n in range(1, 6) if n != page.number]
        assert not any(f"Avsnitt {n} om" in page.text for n in others)


def test_running_headers_and_footers_are_removed(tmp_path):
    path = make_text_pdf(tmp_path / "hf.pdf", sample_paragraphs(7),
                         header="Stockholms stad", footer="Sida {n} av {total}")
    result = read_pdf(path)
    for page in result.pages:
        assert "Stockholms stad" not in page.text
        assert "Sida" not in page.text
        # the body starts and ends where it should
        assert words(page.text).startswith(f"Avsnitt {page.number} om")
        assert page.text.rstrip().endswith(".")


def test_headers_on_too_few_pages_are_kept(tmp_path):
    # Two pages are below the three-page minimum: a repeated line may be content.
    path = make_text_pdf(tmp_path / "two.pdf", sample_paragraphs(2), header="Stockholms stad", footer=None)
    result = read_pdf(path)
    assert all("Stockholms stad" in p.text for p in result.pages)


def test_header_repeated_on_a_minority_of_pages_is_kept():
    bodies = [f"{s}\n{t}" for s, t in zip(SWEDISH_SENTENCES, reversed(SWEDISH_SENTENCES))]
    texts = [f"Bilaga {i}\n{bodies[i - 1]}" for i in range(1, 3)]
    texts += [f"Rubrik {i}\n{bodies[i - 1]}" for i in range(3, 9)]
    cleaned, top, _ = remove_running_lines(texts)
    # "Bilaga #" is on 2 of 8 pages: not running, so kept.
    assert cleaned[0] == texts[0]
    # "Rubrik #" is on 6 of 8 pages: running, so removed; the bodies stay.
    assert cleaned[5] == bodies[5]
    assert top == {"rubrik #"}


def test_line_breaks_inside_a_page_are_kept(tmp_path):
    path = make_text_pdf(tmp_path / "lines.pdf", ["Första stycket om samverkan.\nAndra stycket om socialtjänsten."],
                         header=None, footer=None)
    text = read_pdf(path).pages[0].text
    assert "\n" in text
    first, second = text.index("Första"), text.index("Andra")
    assert "\n" in text[first:second]


@pytest.mark.parametrize("line", ["3", "- 3 -", "– 12 –", "Sida 3", "sida 3 av 7", "3 (7)", "Sida 3 (7)", "3/7"])
def test_standalone_page_numbers_are_recognised(line):
    assert is_page_number(line)


@pytest.mark.parametrize("line", ["2016", "3 kap. 2 §", "Sidan 3 handlar om skolan", "Punkt 3 gäller"])
def test_numbers_in_content_are_not_page_numbers(line):
    assert not is_page_number(line)


def test_standalone_page_numbers_at_top_and_bottom_are_removed_even_on_short_documents():
    texts = ["- 1 -\nFörsta sidans text om samverkan.\n1", "Sida 2\nAndra sidans text om skolan.\n2"]
    cleaned, _, _ = remove_running_lines(texts)
    assert cleaned == ["Första sidans text om samverkan.", "Andra sidans text om skolan."]


def test_two_columns_are_read_column_by_column(tmp_path):
    left = "Vänster spalt börjar. " + "Alfa beta gamma delta. " * 8 + "Vänster slutar."
    right = "Höger spalt börjar. " + "Ett två tre fyra fem. " * 8 + "Höger slutar."
    path = make_two_column_pdf(tmp_path / "cols.pdf", left, right)
    text = words(read_pdf(path).pages[0].text)
    assert text.index("Vänster spalt börjar") < text.index("Vänster slutar") < text.index("Höger spalt börjar")
    assert "Alfa beta gamma delta. Alfa beta" in text  # the left column's lines are not interleaved


# --------------------------------------------------------------------------- OCR

def test_scanned_page_is_ocrd_in_swedish(tmp_path):
    needs_tesseract()
    text = ("Socialtjänsten och skolan ska utveckla sin samverkan kring barn som far illa. "
            "Förvaltningen föreslår att nämnden godkänner rapporten.")
    path = make_scanned_pdf(tmp_path / "scan.pdf", [text])
    result = read_pdf(path)
    assert result.ocr_pages == [1]
    assert result.needs_ocr == []
    page = result.pages[0]
    assert page.ocr is True and page.number == 1
    lowered = page.text.lower()
    for word in ("socialtjänsten", "samverkan", "förvaltningen", "föreslår", "nämnden"):
        assert word in lowered, f"{word!r} missing from OCR text {page.text!r}"


def test_scanned_page_without_tesseract_is_reported_as_needs_ocr(tmp_path, monkeypatch):
    path = make_scanned_pdf(tmp_path / "scan.pdf", ["Socialtjänsten samverkan skola"] * 2)
    monkeypatch.setattr(ocr_module, "tesseract_available", lambda lang="swe": False)

    def must_not_run(*args, **kwargs):
        raise AssertionError("OCR must not run without tesseract")

    monkeypatch.setattr(ocr_module, "ocr_image", must_not_run)
    result = read_pdf(path)
    assert result.needs_ocr == [1, 2]
    assert result.ocr_pages == []
    assert [p.text for p in result.pages] == ["", ""]
    assert [p.number for p in result.pages] == [1, 2]


def test_ocr_can_be_switched_off(tmp_path, monkeypatch):
    path = make_scanned_pdf(tmp_path / "scan.pdf", ["Socialtjänsten samverkan skola"])
    monkeypatch.setattr(ocr_module, "ocr_image", lambda *a, **k: pytest.fail("OCR ran with ocr=False"))
    result = read_pdf(path, ocr=False)
    assert result.needs_ocr == [1] and result.ocr_pages == []


def test_only_pages_without_text_layer_are_ocrd(tmp_path, monkeypatch):
    from pypdf import PdfReader, PdfWriter

    text_pdf = make_text_pdf(tmp_path / "t.pdf", sample_paragraphs(2), header=None, footer=None)
    scan_pdf = make_scanned_pdf(tmp_path / "s.pdf", ["Inskannad bilaga om samverkan"])
    writer = PdfWriter()
    text_pages = list(PdfReader(str(text_pdf)).pages)
    for page in [text_pages[0], *PdfReader(str(scan_pdf)).pages, text_pages[1]]:
        writer.add_page(page)
    mixed = tmp_path / "mixed.pdf"
    with open(mixed, "wb") as fh:
        writer.write(fh)
    calls = []
    monkeypatch.setattr(ocr_module, "tesseract_available", lambda lang="swe": True)
    monkeypatch.setattr(ocr_module, "ocr_image", lambda image, lang="swe": calls.append(lang) or "OCR-TEXT sida två")
    result = read_pdf(mixed)
    assert result.ocr_pages == [2]
    assert calls == ["swe"]
    assert [p.ocr for p in result.pages] == [False, True, False]
    assert result.pages[1].text == "OCR-TEXT sida två"
    assert "Avsnitt 1 om" in result.pages[0].text and "Avsnitt 2 om" in result.pages[2].text


def test_page_with_too_little_text_counts_as_having_no_text_layer(tmp_path, monkeypatch):
    path = make_text_pdf(tmp_path / "short.pdf", ["Kort text."], header=None, footer=None)
    monkeypatch.setattr(ocr_module, "tesseract_available", lambda lang="swe": False)
    assert read_pdf(path, min_chars=25).needs_ocr == [1]
    assert read_pdf(path, min_chars=5).needs_ocr == []


def test_failed_ocr_is_reported_as_needs_ocr(tmp_path, monkeypatch):
    path = make_scanned_pdf(tmp_path / "scan.pdf", ["Socialtjänsten samverkan skola"])
    monkeypatch.setattr(ocr_module, "tesseract_available", lambda lang="swe": True)

    def broken(image, lang="swe"):
        raise RuntimeError("tesseract crashed")

    monkeypatch.setattr(ocr_module, "ocr_image", broken)
    result = read_pdf(path)
    assert result.needs_ocr == [1] and result.ocr_pages == []


def test_tesseract_available_is_false_for_a_missing_language():
    ocr_module.tesseract_available.cache_clear()
    assert ocr_module.tesseract_available("xx_no_such_language") is False


def test_render_page_gives_300_dpi_image(tmp_path):
    path = make_scanned_pdf(tmp_path / "scan.pdf", ["Samverkan"])
    image = ocr_module.render_page(path, 1, dpi=300)
    assert abs(image.width - round(8.27 * 300)) <= 3  # A4 width at 300 dpi
    with pytest.raises(ValueError):
        ocr_module.render_page(path, 2)


# --------------------------------------------------------------------------- encryption

def test_encrypted_pdf_with_empty_password_is_read(tmp_path):
    path = make_encrypted_pdf(tmp_path / "open.pdf", SWEDISH, user_password="")
    from pypdf import PdfReader

    assert PdfReader(str(path)).is_encrypted  # the test input really is encrypted
    result = read_pdf(path)
    assert SWEDISH in words(result.pages[0].text)


@pytest.mark.skipif(not cryptography_available(), reason="AES needs the 'cryptography' package")
def test_aes_encrypted_pdf_with_empty_password_is_read(tmp_path):
    path = make_encrypted_pdf(tmp_path / "aes.pdf", SWEDISH, user_password="", algorithm="AES-256")
    assert SWEDISH in words(read_pdf(path).pages[0].text)


def test_password_protected_pdf_is_rejected_with_reason(tmp_path):
    path = make_encrypted_pdf(tmp_path / "secret.pdf", SWEDISH, user_password="hemligt")
    with pytest.raises(EncryptedFile) as info:
        read_pdf(path)
    assert "password-protected" in info.value.reason
    assert "qpdf --decrypt" in info.value.reason
    assert info.value.path == str(path)
    assert "\n" not in str(info.value)


def test_aes_pdf_without_cryptography_package_says_what_to_install(tmp_path, monkeypatch):
    from pypdf import PdfReader

    path = make_encrypted_pdf(tmp_path / "open.pdf", SWEDISH, user_password="")

    def needs_cryptography(self, password):
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    monkeypatch.setattr(PdfReader, "decrypt", needs_cryptography)
    with pytest.raises(EncryptedFile) as info:
        read_pdf(path)
    assert "cryptography" in info.value.reason and "qpdf --decrypt" in info.value.reason


# --------------------------------------------------------------------------- damaged

def test_truncated_pdf_is_rejected_with_reason(tmp_path):
    path = make_truncated_pdf(tmp_path / "cut.pdf")
    with pytest.raises(CorruptFile) as info:
        read_pdf(path)
    assert "truncated" in info.value.reason
    assert "\n" not in info.value.reason


def test_renamed_non_pdf_is_rejected(tmp_path):
    path = make_garbage_pdf(tmp_path / "report.pdf")
    with pytest.raises(CorruptFile) as info:
        read_pdf(path)
    assert info.value.reason.startswith("not a PDF (starts with b'PK")
    assert "was it renamed?" in info.value.reason


def test_damaged_pdf_body_is_rejected_as_corrupt(tmp_path):
    path = tmp_path / "bad.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"this is not a pdf body at all\n" * 20 + b"%%EOF\n")
    with pytest.raises(CorruptFile) as info:
        read_pdf(path)
    assert "damaged PDF" in info.value.reason or "no pages" in info.value.reason


def test_zero_byte_pdf_is_empty(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(EmptyFile):
        read_pdf(path)


def test_pdf_without_pages_is_empty(tmp_path):
    from pypdf import PdfWriter

    path = tmp_path / "nopages.pdf"
    with open(path, "wb") as fh:
        PdfWriter().write(fh)
    with pytest.raises(EmptyFile) as info:
        read_pdf(path)
    assert "no pages" in info.value.reason


def test_missing_pdf_is_an_ingest_error(tmp_path):
    with pytest.raises(IngestError) as info:
        read_pdf(tmp_path / "nowhere.pdf")
    assert "not found" in info.value.reason


def test_command_prints_each_page_of_a_pdf(tmp_path, capsys):
    pdf = make_text_pdf(tmp_path / "a.pdf", sample_paragraphs(2))
    assert pdf_module.main([str(pdf)]) == 0
    out = capsys.readouterr().out
    assert f"=== {pdf} page 1" in out and f"=== {pdf} page 2" in out


def test_ingest_benchmark_pdfs_have_the_pages_it_reports(tmp_path):
    from evals.bench_ingest import _prose, scanned_pdf, text_pdf

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    assert len(read_pdf(text_pdf(tmp_path / "t.pdf", _prose(corpus, 3))).pages) == 3
    scanned = read_pdf(scanned_pdf(tmp_path / "s.pdf", _prose(corpus, 1, 60)))
    assert scanned.ocr_pages == [1] and "samverkan" in scanned.pages[0].text.lower()
