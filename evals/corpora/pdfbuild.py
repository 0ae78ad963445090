"""Build a municipal-looking PDF from a small Markdown-like source file.

The evaluation corpora under ``evals/corpora/`` are written as text sources and
built into PDFs that look like what a municipality publishes: A4, a title page
with metadata, a table of contents, numbered chapters, a running header
(document title and municipality) and footer ("Sida N av M", date, Dnr) on
every page. The output is deterministic: the same source gives the same bytes
(fixed creation date, no random ids) with the same fpdf2 and font files.

Source format::

    ---
    title: Sekretesshandbok för skola och socialtjänst
    municipality: Kungsviks kommun
    date: 2025-03-14
    dnr: KS 2025/0117
    issuer: Kommunstyrelsens förvaltning, Avdelningen för juridik
    subtitle: Version 2.1          (optional)
    header: Sekretesshandbok       (optional, short title for the running header)
    chapter_break: true            (optional, each "# " chapter starts a new page)
    toc: true                      (optional, default true)
    toc_pages: 2                   (optional, pages for the table of contents; default: counted)
    ---
    # 1 Chapter title
    ## 1.1 Section title
    ### Sub-heading (unnumbered is fine)
    A paragraph runs until a blank line. **bold** words are allowed.
    - a bullet item (continuation lines are indented by two spaces)
    | Col A | Col B |
    |-------|-------|
    | cell  | cell  |

Usage::

    python -m evals.corpora.pdfbuild SRC.md OUT.pdf
    python -m evals.corpora.pdfbuild --all      # every evals/corpora/sources/*/*.md

Keep sources out of the folder that gets indexed (see :func:`all_sources`).
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

CORPORA = Path(__file__).resolve().parent
# A fixed timestamp keeps rebuilt PDFs byte-identical.
CREATION_DATE = dt.datetime(2025, 1, 1, 0, 0, 0, tzinfo=dt.timezone.utc)
_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/dejavu"),
)
_REQUIRED_META = ("title", "municipality", "date", "dnr", "issuer")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BuildError(Exception):
    """A source file that cannot be built; the message says what to fix."""


@dataclass
class Block:
    kind: str                      # h1 h2 h3 para bullets table
    text: str = ""
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Document:
    meta: dict[str, str]
    blocks: list[Block]


# --------------------------------------------------------------------------- parsing

def _front_matter(lines: list[str], where: str) -> tuple[dict[str, str], list[str]]:
    if not lines or lines[0].strip() != "---":
        raise BuildError(f"{where}: must start with a '---' block (title:, municipality:, date:, dnr:, issuer:)")
    meta: dict[str, str] = {}
    for n, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            break
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise BuildError(f"{where}:{n}: expected 'key: value' in the front matter, got {line!r}")
        meta[key.strip()] = value.strip()
    else:
        raise BuildError(f"{where}: the front matter has no closing '---'")
    missing = [k for k in _REQUIRED_META if not meta.get(k)]
    if missing:
        raise BuildError(f"{where}: front matter lacks {', '.join(missing)}")
    if not _DATE.match(meta["date"]):
        raise BuildError(f"{where}: date must be YYYY-MM-DD, got {meta['date']!r}")
    return meta, lines[n:]


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse(text: str, where: str = "source") -> Document:
    """The front matter and the blocks of a source text."""
    meta, body = _front_matter(text.splitlines(), where)
    blocks: list[Block] = []
    para: list[str] = []
    i = 0

    def flush() -> None:
        if para:
            blocks.append(Block("para", " ".join(s.strip() for s in para)))
            para.clear()

    while i < len(body):
        line = body[i].rstrip()
        stripped = line.strip()
        if not stripped:
            flush()
            i += 1
            continue
        heading = re.match(r"^(#{1,3})\s+(.*)$", stripped)
        if heading:
            flush()
            blocks.append(Block(f"h{len(heading.group(1))}", heading.group(2).strip()))
            i += 1
            continue
        if stripped.startswith("- ") and not para:
            items: list[str] = []
            while i < len(body) and body[i].strip():
                cur = body[i]
                if cur.strip().startswith("- "):
                    items.append(cur.strip()[2:].strip())
                elif cur[:1].isspace():  # an indented continuation line
                    items[-1] += " " + cur.strip()
                else:
                    break
                i += 1
            blocks.append(Block("bullets", items=items))
            continue
        if stripped.startswith("|") and not para:
            rows: list[list[str]] = []
            while i < len(body) and body[i].strip().startswith("|"):
                cells = _cells(body[i])
                if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            width = len(rows[0])
            if any(len(r) != width for r in rows):
                raise BuildError(f"{where}: table starting {rows[0]!r} has rows of different lengths")
            blocks.append(Block("table", rows=rows))
            continue
        para.append(line)
        i += 1
    flush()
    return Document(meta, blocks)


# --------------------------------------------------------------------------- rendering

def _font_files() -> tuple[Path, Path]:
    for folder in _FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists():
            return regular, bold if bold.exists() else regular
    raise BuildError("no DejaVuSans.ttf found: install the Debian package fonts-dejavu-core")


def _pdf_class():
    from fpdf import FPDF

    class MunicipalPDF(FPDF):
        meta: dict[str, str] = {}

        def header(self):
            self.set_font("Body", size=8)
            self.set_text_color(90, 90, 90)
            title = self.meta.get("header") or self.meta["title"]
            self.cell(0, 5, title, align="L")
            self.set_x(self.l_margin)
            self.cell(0, 5, self.meta["municipality"], align="R", new_x="LMARGIN", new_y="NEXT")
            self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
            self.ln(6)
            self.set_text_color(0, 0, 0)

        def footer(self):
            self.set_y(-14)
            self.set_font("Body", size=8)
            self.set_text_color(90, 90, 90)
            self.line(self.l_margin, self.get_y() - 1, self.w - self.r_margin, self.get_y() - 1)
            self.cell(0, 5, f"Dnr {self.meta['dnr']}", align="L")
            self.set_x(self.l_margin)
            self.cell(0, 5, self.meta["date"], align="C")
            self.set_x(self.l_margin)
            self.cell(0, 5, f"Sida {self.page_no()} av {{nb}}", align="R")
            self.set_text_color(0, 0, 0)

    return MunicipalPDF


def _render_toc(pdf, outline) -> None:
    pdf.set_xy(pdf.l_margin, pdf.t_margin + 11)  # the footer left the cursor at the bottom
    pdf.set_font("Body", "B", 16)
    pdf.cell(0, 10, "Innehåll", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for section in outline:
        if section.level > 1:
            continue
        indent = 0 if section.level == 0 else 8
        pdf.set_font("Body", "B" if section.level == 0 else "", 10.5 if section.level == 0 else 10)
        pdf.set_x(pdf.l_margin + indent)
        page = str(section.page_number)
        width = pdf.epw - indent
        name = section.name
        dots = "." * max(3, int((width - pdf.get_string_width(name) - pdf.get_string_width(page) - 4)
                                / max(pdf.get_string_width("."), 0.1)))
        pdf.cell(width, 6.2, f"{name} {dots} {page}", new_x="LMARGIN", new_y="NEXT",
                 link=pdf.add_link(page=section.page_number))


def _toc_pages(doc: Document, pdf) -> int:
    """Pages the table of contents needs: ``toc_pages`` in the front matter, else counted."""
    if doc.meta.get("toc_pages"):
        return int(doc.meta["toc_pages"])
    entries = sum(b.kind in ("h1", "h2") for b in doc.blocks)
    usable = pdf.h - pdf.t_margin - pdf.b_margin - 11
    return max(1, math.ceil((entries * 6.2 + 13) / usable))


def _title_page(pdf, meta: dict[str, str]) -> None:
    pdf.add_page()
    pdf.ln(35)
    pdf.set_font("Body", "B", 13)
    pdf.cell(0, 8, meta["municipality"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(18)
    pdf.set_font("Body", "B", 24)
    pdf.multi_cell(0, 11, meta["title"], align="L", new_x="LMARGIN", new_y="NEXT")
    if meta.get("subtitle"):
        pdf.ln(3)
        pdf.set_font("Body", "", 14)
        pdf.multi_cell(0, 8, meta["subtitle"], align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(30)
    pdf.set_font("Body", "", 10.5)
    rows = [("Beslutsdatum", meta["date"]), ("Diarienummer", meta["dnr"]), ("Utfärdare", meta["issuer"])]
    for key in ("decided_by", "owner", "valid_until", "audience"):
        if meta.get(key):
            label = {"decided_by": "Beslutad av", "owner": "Dokumentägare",
                     "valid_until": "Gäller till och med", "audience": "Målgrupp"}[key]
            rows.append((label, meta[key]))
    for label, value in rows:
        pdf.set_font("Body", "B", 10.5)
        pdf.cell(45, 7, label)
        pdf.set_font("Body", "", 10.5)
        pdf.multi_cell(0, 7, value, align="L", new_x="LMARGIN", new_y="NEXT")


def _paragraph(pdf, text: str, size: float = 10.5, indent: float = 0) -> None:
    pdf.set_font("Body", "", size)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(pdf.epw - indent, 5.4, text, new_x="LMARGIN", new_y="NEXT", markdown="**" in text)


def render(doc: Document) -> bytes:
    """The PDF bytes of a parsed document."""
    regular, bold = _font_files()
    pdf = _pdf_class()(format="A4")
    pdf.meta = doc.meta
    pdf.set_creation_date(CREATION_DATE)
    pdf.set_title(doc.meta["title"])
    pdf.set_author(doc.meta["issuer"])
    pdf.set_subject(f"{doc.meta['municipality']}, Dnr {doc.meta['dnr']}")
    pdf.set_creator("evals.corpora.pdfbuild")
    pdf.set_producer("evals.corpora.pdfbuild")
    pdf.add_font("Body", "", str(regular))
    pdf.add_font("Body", "B", str(bold))
    pdf.set_margins(22, 18, 22)
    pdf.set_auto_page_break(True, margin=22)
    pdf.alias_nb_pages()
    _title_page(pdf, doc.meta)
    chapter_break = doc.meta.get("chapter_break", "false").lower() == "true"
    if doc.meta.get("toc", "true").lower() == "true":
        pdf.add_page()
        # Reserves this page for the table of contents and opens the next one.
        pdf.insert_toc_placeholder(_render_toc, pages=_toc_pages(doc, pdf), reset_page_indices=False)
    else:
        pdf.add_page()
    first_chapter = True
    for block in doc.blocks:
        if block.kind == "h1":
            if chapter_break and not first_chapter:
                pdf.add_page()
            elif not first_chapter:
                pdf.ln(4)
            if pdf.will_page_break(30):
                pdf.add_page()
            first_chapter = False
            pdf.start_section(block.text, level=0)
            pdf.set_font("Body", "B", 15)
            pdf.multi_cell(0, 8, block.text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif block.kind in ("h2", "h3"):
            if pdf.will_page_break(22):
                pdf.add_page()
            pdf.ln(2)
            if block.kind == "h2":
                pdf.start_section(block.text, level=1)
            pdf.set_font("Body", "B", 12 if block.kind == "h2" else 10.5)
            pdf.multi_cell(0, 6.5, block.text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif block.kind == "para":
            _paragraph(pdf, block.text)
            pdf.ln(2.2)
        elif block.kind == "bullets":
            for item in block.items:
                pdf.set_font("Body", "", 10.5)
                pdf.set_x(pdf.l_margin + 3)
                pdf.cell(5, 5.4, "•")
                pdf.multi_cell(pdf.epw - 8, 5.4, item, new_x="LMARGIN", new_y="NEXT",
                               markdown="**" in item)
                pdf.ln(0.8)
            pdf.ln(1.8)
        elif block.kind == "table":
            pdf.set_font("Body", "", 9)
            with pdf.table(line_height=4.8, text_align="LEFT", first_row_as_headings=True,
                           headings_style=_headings_style()) as table:
                for row in block.rows:
                    cells = table.row()
                    for cell in row:
                        cells.cell(cell)
            pdf.ln(3)
    return bytes(pdf.output())


def _headings_style():
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", fill_color=(225, 230, 238))


def build(src: Path, out: Path) -> Path:
    """Build ``src`` (a source .md) into ``out`` (a .pdf); returns ``out``."""
    src, out = Path(src), Path(out)
    if not src.is_file():
        raise BuildError(f"{src}: not found (give a source .md file)")
    doc = parse(src.read_text(encoding="utf-8"), str(src))
    data = render(doc)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out


def all_sources(root: Path = CORPORA) -> list[tuple[Path, Path]]:
    """(source, pdf) pairs for every corpus source under ``root``.

    Sources live in ``sources/<corpus>/<doc>.md`` and build to ``<corpus>/<doc>.pdf``,
    so that ingesting the folder ``<corpus>/`` indexes the PDFs only (ingest reads
    .md files too, and would index a source copy beside its PDF). A source kept in
    ``<corpus>/sources/<doc>.md`` also builds, to ``<corpus>/<doc>.pdf``.
    """
    pairs = [(src, root / src.parent.name / f"{src.stem}.pdf") for src in root.glob("sources/*/*.md")]
    pairs += [(src, src.parent.parent / f"{src.stem}.pdf") for src in root.glob("*/sources/*.md")
              if src.parent.parent.name != "sources"]
    return sorted(pairs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.corpora.pdfbuild", description=__doc__.splitlines()[0])
    parser.add_argument("src", nargs="?", help="source .md file")
    parser.add_argument("out", nargs="?", help="output .pdf file")
    parser.add_argument("--all", action="store_true", help="rebuild every evals/corpora/sources/CORPUS/DOC.md into evals/corpora/CORPUS/DOC.pdf")
    args = parser.parse_args(argv)
    if args.all:
        pairs = all_sources()
    elif args.src and args.out:
        pairs = [(Path(args.src), Path(args.out))]
    else:
        parser.error("give SRC.md OUT.pdf, or --all")
    try:
        for src, out in pairs:
            build(src, out)
            print(f"{src} -> {out}")
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
