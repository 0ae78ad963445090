"""Generators for test inputs: text PDFs, scanned (image-only) PDFs, encrypted
and damaged PDFs. Everything is built at test time; nothing is checked in.

Needs a TTF font with å ä ö (Debian: fonts-dejavu-core). Tests that need one
call :func:`require_font`, which skips with a reason when none is found.
"""
from __future__ import annotations

import functools
import io
import shutil
import subprocess
from pathlib import Path

import pytest

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_FONT_CANDIDATES = (
    DEJAVU,
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/freefont/FreeSans.ttf"),
    Path("/Library/Fonts/Arial Unicode.ttf"),
    Path("C:/Windows/Fonts/arial.ttf"),
)

SWEDISH_SENTENCES = [
    "Socialtjänsten får lämna uppgifter till skolan när barnet behöver stöd.",
    "Samverkan mellan skola, socialtjänst och polis ska stärkas i stadsdelen.",
    "Nämnden föreslår att pilotprojektet förlängs under ytterligare ett år.",
    "Anmälan om oro för ett barn görs skriftligen till mottagningsenheten.",
    "Förvaltningen har utrett frågan och redovisar här sina slutsatser.",
    "Vårdnadshavare ska informeras om vilka uppgifter som lämnas ut.",
    "Sekretessen hindrar inte att uppgifter lämnas när ett barn far illa.",
    "Åtgärderna följs upp av stadsdelsförvaltningen i slutet av året.",
]


def _has_swedish_glyphs(path: Path) -> bool:
    try:
        from fontTools.ttLib import TTFont
    except ImportError:  # fpdf2 depends on fontTools, so this is unexpected
        return path.exists()
    try:
        cmap = TTFont(str(path), lazy=True).getBestCmap()
    except Exception:
        return False
    return all(ord(ch) in cmap for ch in "åäöÅÄÖ")


@functools.lru_cache(maxsize=None)
def find_font() -> Path | None:
    """A TrueType font with å ä ö: DejaVuSans where installed, else what fc-list offers."""
    for candidate in _FONT_CANDIDATES:
        if candidate.exists() and _has_swedish_glyphs(candidate):
            return candidate
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", ":lang=sv", "file"], capture_output=True, text=True,
                                 timeout=30, check=False).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        for line in sorted(out.splitlines()):
            file = Path(line.split(":")[0].strip())
            if file.suffix.lower() == ".ttf" and _has_swedish_glyphs(file):
                return file
    return None


def require_font() -> Path:
    font = find_font()
    if font is None:
        from conftest import skip_or_fail
        skip_or_fail("no TrueType font with å ä ö found (install Debian package fonts-dejavu-core)")
    return font


TOPICS = ["skolans ansvar", "socialtjänstens uppdrag", "polisens roll", "sekretess",
          "vårdnadshavare", "uppföljning", "ekonomi", "anmälningsplikt", "fritid", "förebyggande arbete"]


def sample_paragraphs(n_pages: int, sentences: int = 12) -> list[str]:
    """``n_pages`` page texts of Swedish prose. Each page starts with the heading
    "Avsnitt N om TOPIC." where the topic cycles, so that headings do not look
    like a running header (which is a line that differs only in its digits)."""
    pages = []
    for p in range(n_pages):
        body = " ".join(SWEDISH_SENTENCES[(p + i) % len(SWEDISH_SENTENCES)] for i in range(sentences))
        pages.append(f"Avsnitt {p + 1} om {TOPICS[p % len(TOPICS)]}.\n{body}")
    return pages


# --------------------------------------------------------------------------- text PDFs

def _fpdf(header: str | None, footer: str | None, total: int):
    from fpdf import FPDF

    font = require_font()

    class _Doc(FPDF):
        def header(self):
            if header:
                self.set_font("Body", size=9)
                self.cell(0, 8, header.format(n=self.page_no(), total=total),
                          new_x="LMARGIN", new_y="NEXT")
                self.ln(4)

        def footer(self):
            if footer:
                self.set_y(-15)
                self.set_font("Body", size=9)
                self.cell(0, 8, footer.format(n=self.page_no(), total=total), align="C")

    doc = _Doc(format="A4")
    doc.add_font("Body", fname=str(font))
    doc.set_font("Body", size=11)
    doc.set_auto_page_break(True, margin=20)
    return doc


def make_text_pdf(path: Path, pages: list[str], header: str | None = "Stockholms stad",
                  footer: str | None = "Sida {n} av {total}") -> Path:
    """A PDF with a text layer: one PDF page per entry of ``pages`` (keep each short
    enough to fit). ``header``/``footer`` may use ``{n}`` and ``{total}``; None for none."""
    doc = _fpdf(header, footer, len(pages))
    for text in pages:
        doc.add_page()
        doc.set_font("Body", size=11)
        for paragraph in text.split("\n"):
            doc.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
            doc.ln(2)
    if doc.page_no() != len(pages):
        raise ValueError(f"text overflowed: {len(pages)} pages asked, {doc.page_no()} made")
    path = Path(path)
    doc.output(str(path))
    return path


def make_two_column_pdf(path: Path, left: str, right: str) -> Path:
    """One page, two columns side by side: ``left`` is written first."""
    doc = _fpdf(None, None, 1)
    doc.add_page()
    y = doc.get_y()
    doc.set_xy(10, y)
    doc.multi_cell(90, 6, left)
    doc.set_xy(110, y)
    doc.multi_cell(90, 6, right)
    path = Path(path)
    doc.output(str(path))
    return path


# --------------------------------------------------------------------------- scanned PDFs

def render_text_image(text: str, font_px: int = 40, dpi: int = 150):
    """An A4 page image (grayscale, ``dpi``) with ``text`` wrapped in ``font_px`` type."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(require_font()), font_px)
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    margin = round(0.8 * dpi)
    image = Image.new("L", (width, height), color=255)
    draw = ImageDraw.Draw(image)
    y = margin
    line_height = round(font_px * 1.4)
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if draw.textlength(candidate, font=font) <= width - 2 * margin:
                line = candidate
                continue
            draw.text((margin, y), line, font=font, fill=0)
            y += line_height
            line = word
        if line:
            draw.text((margin, y), line, font=font, fill=0)
            y += line_height
        y += line_height // 2
        if y > height - margin:
            raise ValueError("text does not fit on one page image")
    image.info["dpi"] = (dpi, dpi)
    return image


def make_scanned_pdf(path: Path, pages: list[str], font_px: int = 40, dpi: int = 150) -> Path:
    """A PDF whose pages are images of ``pages`` only: no text layer at all."""
    images = [render_text_image(text, font_px=font_px, dpi=dpi) for text in pages]
    path = Path(path)
    images[0].save(str(path), "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return path


# --------------------------------------------------------------------------- encrypted and damaged

def make_encrypted_pdf(path: Path, text: str, user_password: str = "hemligt",
                       owner_password: str | None = "agarlosen", algorithm: str | None = None) -> Path:
    """A one-page PDF encrypted with pypdf. ``user_password=""`` gives a PDF that opens
    without a password (owner password only). ``algorithm`` as for
    ``PdfWriter.encrypt`` (default RC4-128; "AES-256" needs the cryptography package)."""
    from pypdf import PdfReader, PdfWriter

    plain = Path(path).with_suffix(".plain.pdf")
    make_text_pdf(plain, [text], header=None, footer=None)
    writer = PdfWriter(clone_from=PdfReader(str(plain)))
    plain.unlink()
    writer.encrypt(user_password, owner_password, algorithm=algorithm)
    buffer = io.BytesIO()
    writer.write(buffer)
    Path(path).write_bytes(buffer.getvalue())
    return Path(path)


def make_truncated_pdf(path: Path) -> Path:
    """The first half of the bytes of a valid two-page PDF (an interrupted download)."""
    full = Path(path).with_suffix(".full.pdf")
    make_text_pdf(full, sample_paragraphs(2), header=None, footer=None)
    data = full.read_bytes()
    full.unlink()
    Path(path).write_bytes(data[: len(data) // 2])
    return Path(path)


def make_garbage_pdf(path: Path) -> Path:
    """A ZIP-like file (what a .docx is) renamed to .pdf."""
    Path(path).write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 8)
    return Path(path)


def cryptography_available() -> bool:
    try:
        import cryptography  # noqa: F401
    except ImportError:
        return False
    return True


# --------------------------------------------------------------------------- a corpus to cite from

# Sentences found nowhere else, so that each quote has one place in the corpus.
BREAK_START = "Rektorn ska därför kontakta mottagningsgruppen"
BREAK_END = "på socialförvaltningen samma dag som oron uppstår, skriver nämnden."
PDF_FACT = "Skolkuratorn får delta i samverkansmöten med socialtjänsten när eleven har samtyckt till det."
SCAN_FACT = "Polisen kallas till skolan först efter att rektorn har bedömt att ett brott kan ha begåtts."
MD_FACT = "Mentorn dokumenterar varje kontakt med vårdnadshavarna i elevakten samma vecka."


def make_cited_corpus(folder: Path, *, scanned: bool = True) -> Path:
    """Three folders of documents that answer known questions (tests of the source viewer):
    ``riktlinjer/samverkan.pdf`` (text layer, a sentence over the break from page 1 to 2, and
    ``PDF_FACT`` on page 2), ``rutiner/rutin.md`` (``MD_FACT`` under a heading) and, when
    ``scanned``, ``skannat/beslut.pdf`` (an image-only page with ``SCAN_FACT``)."""
    folder = Path(folder)
    for sub in ("riktlinjer", "rutiner", "skannat"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    pages = sample_paragraphs(2, 8)
    pages[0] = ("Riktlinje för samverkan mellan skola och socialtjänst\nBeslutad 2024-05-14\n" + pages[0]
                + f" {BREAK_START}")
    pages[1] = f"{BREAK_END} {pages[1]}\n{PDF_FACT}"
    make_text_pdf(folder / "riktlinjer" / "samverkan.pdf", pages)
    (folder / "rutiner" / "rutin.md").write_text(
        "# Skolans rutin vid oro\n\n## Dokumentation\n\n"
        f"{MD_FACT} Rutinen gäller alla skolenheter i området.\n\n"
        "## Uppföljning\n\nElevhälsoteamet följer upp ärendet efter en månad.\n", encoding="utf-8")
    if scanned:
        make_scanned_pdf(folder / "skannat" / "beslut.pdf", [f"Beslut om ordning. {SCAN_FACT}"])
    return folder


# --------------------------------------------------------------------------- a structured handbook

HANDBOOK_CONTINUED = ("Anmälan ska göras genast och skriftligt till mottagningsgruppen, och den som "
                      "anmäler behöver inte vara säker på att barnet far illa för att anmälan ska vara "
                      "befogad enligt lagen.")
HANDBOOK_QUOTE_ON_PAGE_3 = "Rektorn ansvarar för att kopian av anmälan förvaras inlåst på skolan."
HANDBOOK_FAQ_ANSWER = "Svar: Nej, ett löfte till eleven får aldrig hindra att anmälan görs."


def make_structured_pdf(path: Path, *, footer_first: bool = True) -> Path:
    """A small municipal handbook as PDF: contents page with dot leaders, numbered headings
    larger than the body, a paragraph running over a page break, an FAQ with bold questions, a
    running header and a footer that (with ``footer_first``) is written before the page's text,
    as some producers do. Pages: 1 contents, 2-3 chapter 1, 4 FAQ."""
    from fpdf import FPDF

    font = require_font()
    bold = font.with_name(font.stem + "-Bold" + font.suffix)
    doc = FPDF(format="A4")
    doc.add_font("Body", fname=str(font))
    doc.add_font("Body", style="B", fname=str(bold if bold.is_file() else font))
    doc.set_auto_page_break(False)  # pages are laid out by hand
    total = 4

    def page(n: int):
        doc.add_page()
        if footer_first:
            doc.set_y(-18)
            doc.set_font("Body", size=8)
            doc.cell(0, 6, f"Dnr KS 2025/0087 · Sida {n} av {total}", align="C")
        doc.set_xy(doc.l_margin, 10)
        doc.set_font("Body", size=8)
        doc.cell(0, 6, "Sekretesshandbok · Kungsviks kommun", new_x="LMARGIN", new_y="NEXT")
        doc.ln(6)

    def heading(text: str, size: float):
        doc.set_font("Body", "B", size)
        doc.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
        doc.ln(2)

    def paragraph(text: str):
        doc.set_font("Body", size=10.5)
        doc.multi_cell(0, 5.2, text, new_x="LMARGIN", new_y="NEXT")
        doc.ln(3)

    page(1)
    heading("Innehåll", 16)
    doc.set_font("Body", size=10.5)
    for entry, n in (("1 Orosanmälan", 2), ("1.1 Vem ska anmäla", 2), ("1.2 Förvaring av anmälan", 3),
                     ("2 Vanliga frågor", 4)):
        doc.cell(0, 6, f"{entry} {'.' * (90 - 2 * len(entry))} {n}", new_x="LMARGIN", new_y="NEXT")
    page(2)
    heading("1 Orosanmälan", 15)
    heading("1.1 Vem ska anmäla", 12)
    for i in range(3):
        paragraph(" ".join(SWEDISH_SENTENCES[(i + j) % len(SWEDISH_SENTENCES)] for j in range(3)))
    # the last paragraph of the page runs on over the page break
    doc.set_font("Body", size=10.5)
    doc.set_y(doc.h - 25 - 2 * 5.2)
    doc.multi_cell(0, 5.2, HANDBOOK_CONTINUED.split(" befogad")[0], new_x="LMARGIN", new_y="NEXT")
    page(3)
    paragraph("befogad" + HANDBOOK_CONTINUED.split(" befogad")[1])
    heading("1.2 Förvaring av anmälan", 12)
    paragraph(f"En kopia av anmälan ska inte sparas i elevens vanliga mapp. {HANDBOOK_QUOTE_ON_PAGE_3}")
    page(4)
    heading("2 Vanliga frågor", 15)
    heading("Fråga 1: En elev bad mig lova att inte berätta. Får jag hålla löftet?", 10.5)
    paragraph(HANDBOOK_FAQ_ANSWER + " Förklara för eleven vad som händer härnäst.")
    heading("Fråga 2: Kan jag vara anonym när jag anmäler?", 10.5)
    paragraph("Svar: Nej, personal anmäler i tjänsten och med namn.")
    if doc.page_no() != total:
        raise ValueError(f"the handbook came out with {doc.page_no()} pages, not {total}")
    path = Path(path)
    doc.output(str(path))
    return path
