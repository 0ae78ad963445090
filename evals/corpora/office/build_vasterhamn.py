"""Build the Västerhamn evaluation corpus the way a municipality makes its PDFs: Word, then PDF.

Västerhamns kommun is fictional. Its documents are written for the held-out suite
``evals/suites/vasterhamn.yaml`` and are never used to tune anything.

Sources (text written for this corpus, in evals/corpora/office/vasterhamn/):

- ``handlaggarstod-informationsutbyte.txt`` -> ``vasterhamn-handlaggarstod-informationsutbyte.pdf``
  (title page, table of contents, chapters, FAQ, tables)
- ``rutin-skolfranvaro.txt`` -> ``vasterhamn-rutin-skolfranvaro.pdf`` (short routine, no title page)

The third document, ``evals/corpora/vasterhamn/vasterhamn-overenskommelse-sip-region.md``, is a
Markdown page "exported from the intranet"; it is edited in place and not built.

Source format: ``key: value`` lines (output, municipality, title, header, subtitle, dnr, date,
version, issuer, decided, owner, valid, compact), a line ``---``, then the body, one paragraph
per line: ``# 1 Kapitel`` (Heading 1), ``## 1.1 Avsnitt`` (Heading 2), ``### Fråga?``
(Heading 3), ``- punkt`` (List Bullet), ``1. steg`` (List Number), ``| a | b |`` rows (a
table; the first row is the heading row), ``Tabell N. ...`` (a caption), anything else a
justified body paragraph. Blank lines are ignored.

Each document is written as a .docx with python-docx (real Heading 1/2/3, List Bullet and
List Number styles, Table Grid tables, a running header with the title and municipality and a
footer with Dnr, date and "Sida N av M" as PAGE/NUMPAGES fields) and converted with
LibreOffice. The table of contents is a Word TOC field whose entries are filled in from a
first conversion (the page on which each heading landed), then converted again; the build
checks that the pages did not move.

Rebuild (Debian/Ubuntu), from the repository root::

    apt-get install -y --no-install-recommends libreoffice-writer fonts-liberation fonts-dejavu-core
    python3 -m venv /tmp/docxvenv && /tmp/docxvenv/bin/pip install python-docx pypdf
    /tmp/docxvenv/bin/python evals/corpora/office/build_vasterhamn.py

The .docx files are written to a temporary folder (``--keep-docx DIR`` keeps them); only the
PDFs go to evals/corpora/vasterhamn/, which must hold nothing but the three documents.
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "vasterhamn"
OUT = HERE.parent / "vasterhamn"
DOCS = ["handlaggarstod-informationsutbyte.txt", "rutin-skolfranvaro.txt"]

BODY_FONT = "Liberation Serif"
HEAD_FONT = "Liberation Sans"
TEXT_WIDTH_CM = 16.0  # A4 with 2.5 cm margins
DARK = RGBColor(0x1F, 0x3A, 0x5F)


# --------------------------------------------------------------------------- source

def parse(path: Path) -> tuple[dict, list[tuple[str, object]]]:
    meta, body, in_body = {}, [], False
    table: list[list[str]] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if not in_body:
            if line == "---":
                in_body = True
            elif line:
                key, _, value = line.partition(":")
                meta[key.strip()] = value.strip()
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if table is None:
                table = []
                body.append(("table", table))
            table.append(cells)
            continue
        table = None
        if not line.strip():
            continue
        if line.startswith("### "):
            body.append(("h3", line[4:]))
        elif line.startswith("## "):
            body.append(("h2", line[3:]))
        elif line.startswith("# "):
            body.append(("h1", line[2:]))
        elif line.startswith("- "):
            body.append(("bullet", line[2:]))
        elif re.match(r"\d+\. ", line):
            body.append(("number", line.split(" ", 1)[1]))
        elif re.match(r"Tabell \d+\. ", line):
            body.append(("caption", line))
        else:
            body.append(("p", line))
    return meta, body


# --------------------------------------------------------------------------- docx helpers

def _fonts(rpr_owner, name: str) -> None:
    """Set all four rFonts slots and drop theme fonts, so Word and LibreOffice agree."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), name)


def _field(paragraph, instr: str, placeholder: str = "1") -> None:
    """A complex field (PAGE, NUMPAGES) with a cached result."""
    def run_with(child):
        r = paragraph.add_run()
        r._r.append(child)
        return r
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instr} "
    run_with(text)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _bottom_border(paragraph, where: str = "bottom") -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    edge = OxmlElement(f"w:{where}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), "4")
    edge.set(qn("w:space"), "4")
    edge.set(qn("w:color"), "808080")
    borders.append(edge)
    ppr.append(borders)


def _styles(doc) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.size = Pt(11)
    _fonts(normal.element, BODY_FONT)
    pf = normal.paragraph_format
    pf.space_after = Pt(6)
    pf.line_spacing = 1.15
    pf.widow_control = True
    for name, size, before, after in (("Heading 1", 15, 18, 6), ("Heading 2", 12.5, 12, 4),
                                      ("Heading 3", 11, 10, 3), ("Title", 24, 0, 12)):
        st = styles[name]
        st.font.size = Pt(size)
        st.font.bold = True
        st.font.italic = False
        st.font.color.rgb = DARK
        _fonts(st.element, HEAD_FONT)
        st.paragraph_format.space_before = Pt(before)
        st.paragraph_format.space_after = Pt(after)
        st.paragraph_format.keep_with_next = True
        st.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    for name in ("List Bullet", "List Number"):
        st = styles[name]
        st.paragraph_format.space_after = Pt(3)
        st.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    cap = styles["Caption"]
    cap.font.size = Pt(9.5)
    cap.font.bold = True
    cap.font.italic = False
    cap.font.color.rgb = DARK
    _fonts(cap.element, HEAD_FONT)
    cap.paragraph_format.keep_with_next = True
    cap.paragraph_format.space_before = Pt(6)
    for level in (1, 2):
        st = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        st.paragraph_format.space_after = Pt(2 if level == 2 else 4)
        st.paragraph_format.space_before = Pt(0 if level == 2 else 6)
        st.paragraph_format.left_indent = Cm(0 if level == 1 else 0.8)
        st.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT,
                                                   WD_TAB_LEADER.DOTS)
        st.font.bold = level == 1
    for name in ("Header", "Footer"):
        st = styles[name]
        st.font.size = Pt(8.5)
        st.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
        _fonts(st.element, HEAD_FONT)


def _header_footer(section, meta: dict) -> None:
    section.different_first_page_header_footer = False
    head = section.header.paragraphs[0]
    head.text = ""
    head.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    head.add_run(meta["header"] + " ")
    head.add_run("\t" + meta["municipality"])
    _bottom_border(head)
    foot = section.footer.paragraphs[0]
    foot.text = ""
    foot.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    _bottom_border(foot, "top")
    foot.add_run(f"Dnr {meta['dnr']}   {meta['date']}\tSida ")
    _field(foot, "PAGE")
    foot.add_run(" av ")
    _field(foot, "NUMPAGES")


def _table(doc, rows: list[list[str]]) -> None:
    ncols = max(len(r) for r in rows)
    table = doc.add_table(rows=len(rows), cols=ncols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, row in enumerate(rows):
        for j in range(ncols):
            cell = table.cell(i, j)
            para = cell.paragraphs[0]
            para.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
            para.paragraph_format.space_after = Pt(2)
            run = para.add_run(row[j] if j < len(row) else "")
            run.font.size = Pt(9.5)
            if i == 0:
                run.bold = True
                _shade(cell, "DCE6F0")
        if i == 0:  # repeat the heading row on a new page
            trpr = table.rows[0]._tr.get_or_add_trPr()
            hdr = OxmlElement("w:tblHeader")
            trpr.append(hdr)
    doc.add_paragraph().paragraph_format.space_after = Pt(2)


def _title_page(doc, meta: dict) -> None:
    p = doc.add_paragraph()
    r = p.add_run(meta["municipality"])
    r.bold, r.font.size = True, Pt(20)
    _fonts(r._r, HEAD_FONT)
    r.font.color.rgb = DARK
    p = doc.add_paragraph()
    r = p.add_run(meta["issuer"])
    r.font.size = Pt(11)
    _fonts(r._r, HEAD_FONT)
    for _ in range(7):
        doc.add_paragraph()
    doc.add_paragraph(meta["title"], style="Title")
    p = doc.add_paragraph()
    r = p.add_run(meta["subtitle"])
    r.font.size = Pt(13)
    r.italic = True
    for _ in range(9):
        doc.add_paragraph()
    info = [("Dokumenttyp", "Handläggarstöd"), ("Version", meta["version"]),
            ("Diarienummer", meta["dnr"]), ("Beslut", meta["decided"]),
            ("Dokumentansvarig", meta["owner"]), ("Giltighet", meta["valid"])]
    table = doc.add_table(rows=len(info), cols=2)
    for i, (k, v) in enumerate(info):
        a, b = table.cell(i, 0), table.cell(i, 1)
        a.width, b.width = Cm(4), Cm(12)
        ra = a.paragraphs[0].add_run(k)
        ra.bold, ra.font.size = True, Pt(9.5)
        rb = b.paragraphs[0].add_run(v)
        rb.font.size = Pt(9.5)
        for c in (a, b):
            c.paragraphs[0].paragraph_format.space_after = Pt(1)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _compact_title(doc, meta: dict) -> None:
    info = [("Dokumenttyp", "Rutin"), ("Diarienummer", meta["dnr"]), ("Beslut", meta["decided"]),
            ("Ansvarig", meta["owner"]), ("Giltighet", meta["valid"]), ("Omfattning", meta["subtitle"])]
    table = doc.add_table(rows=3, cols=4)
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    for column, width in zip(table.columns, (2.6, 5.4, 2.4, 5.6)):
        column.width = Cm(width)  # the grid, which LibreOffice follows
        for cell in column.cells:
            cell.width = Cm(width)
    for i, (k, v) in enumerate(info):
        cell = table.cell(i % 3, (i // 3) * 2)
        val = table.cell(i % 3, (i // 3) * 2 + 1)
        rk = cell.paragraphs[0].add_run(k)
        rk.bold, rk.font.size = True, Pt(9)
        _shade(cell, "DCE6F0")
        rv = val.paragraphs[0].add_run(v)
        rv.font.size = Pt(9)
        for c in (cell, val):
            c.paragraphs[0].paragraph_format.space_after = Pt(1)
            c.paragraphs[0].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    doc.add_paragraph()
    doc.add_paragraph(meta["title"], style="Title")


def _toc(doc, entries: list[tuple[int, str]], pages: dict[str, int]) -> None:
    doc.add_paragraph("Innehåll", style="TOC Heading")
    heading = doc.paragraphs[-1]
    heading.style.font.size = Pt(16)
    heading.style.font.color.rgb = DARK
    _fonts(heading.style.element, HEAD_FONT)
    for i, (level, text) in enumerate(entries):
        p = doc.add_paragraph(style=f"toc {level}")
        if i == 0:
            for kind, value in (("begin", None), ("instr", ' TOC \\o "1-2" \\h \\z \\u '), ("separate", None)):
                r = p.add_run()
                if kind == "instr":
                    el = OxmlElement("w:instrText")
                    el.set(qn("xml:space"), "preserve")
                    el.text = value
                else:
                    el = OxmlElement("w:fldChar")
                    el.set(qn("w:fldCharType"), kind)
                r._r.append(el)
        p.add_run(f"{text}\t{pages.get(text, 0)}")
        if i == len(entries) - 1:
            r = p.add_run()
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), "end")
            r._r.append(el)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def build_docx(meta: dict, body: list, pages: dict[str, int], path: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.3), Cm(2.2)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
    _styles(doc)
    _header_footer(section, meta)
    compact = meta.get("compact") == "true"
    if compact:
        _compact_title(doc, meta)
    else:
        _title_page(doc, meta)
        entries = [(1 if k == "h1" else 2, v) for k, v in body if k in ("h1", "h2")]
        _toc(doc, entries, pages)
    for kind, value in body:
        if kind == "h1":
            doc.add_heading(value, level=1)
        elif kind == "h2":
            doc.add_heading(value, level=2)
        elif kind == "h3":
            doc.add_heading(value, level=3)
        elif kind == "bullet":
            doc.add_paragraph(value, style="List Bullet")
        elif kind == "number":
            doc.add_paragraph(value, style="List Number")
        elif kind == "caption":
            doc.add_paragraph(value, style="Caption")
        elif kind == "table":
            _table(doc, value)
        else:
            p = doc.add_paragraph(value)
            p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    props = doc.core_properties
    props.title = meta["title"]
    props.author = meta["issuer"]
    props.subject = meta["municipality"]
    props.keywords = f"Dnr {meta['dnr']}"
    stamp = dt.datetime.fromisoformat(meta["date"] + "T09:00:00")
    props.created = props.modified = stamp
    props.last_modified_by = meta["issuer"]
    props.revision = 1
    doc.save(str(path))


# --------------------------------------------------------------------------- pdf

def to_pdf(docx: Path, outdir: Path) -> Path:
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(outdir), str(docx)],
                       check=True, capture_output=True, timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return outdir / (docx.stem + ".pdf")


def heading_pages(pdf: Path, body: list) -> dict[str, int]:
    from pypdf import PdfReader

    texts = [p.extract_text() or "" for p in PdfReader(str(pdf)).pages]
    wanted = [v for k, v in body if k in ("h1", "h2")]
    found, page = {}, 0
    for text in wanted:
        for n in range(max(page, 2), len(texts)):  # pages 1-2: title page and contents
            lines = [" ".join(line.split()) for line in texts[n].splitlines()]
            if " ".join(text.split()) in lines:
                found[text], page = n + 1, n
                break
        else:
            raise SystemExit(f"{pdf.name}: heading {text!r} not found after page {page + 1}")
    return found


def build(src: Path, workdir: Path) -> Path:
    meta, body = parse(src)
    name = meta["output"]
    docx = workdir / f"{name}.docx"
    pages: dict[str, int] = {}
    if meta.get("compact") != "true":
        build_docx(meta, body, pages, docx)
        pages = heading_pages(to_pdf(docx, workdir), body)
    build_docx(meta, body, pages, docx)
    pdf = to_pdf(docx, workdir)
    if pages and heading_pages(pdf, body) != pages:
        raise SystemExit(f"{pdf.name}: headings moved when the contents were filled in")
    target = OUT / pdf.name
    shutil.copyfile(pdf, target)
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep-docx", type=Path, help="keep the .docx files in this folder")
    args = ap.parse_args(argv)
    if shutil.which("soffice") is None:
        print("soffice not found: apt-get install -y --no-install-recommends libreoffice-writer "
              "fonts-liberation fonts-dejavu-core", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in DOCS:
            pdf = build(SOURCES / name, work)
            print(f"built {pdf.relative_to(HERE.parents[2])}")
            if args.keep_docx:
                args.keep_docx.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(work / (pdf.stem + ".docx"), args.keep_docx / (pdf.stem + ".docx"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
