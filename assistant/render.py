"""Answers and sources as HTML/Markdown for the web interface. Pure functions, no Gradio.

Every document text is HTML-escaped before it is marked up: passages come from
uploaded files and must never inject markup into the page.
"""
from __future__ import annotations

import html
import re
from datetime import date

from .models import Answer, Citation

REMINDER = ("Varje ärende kräver en egen sekretessprövning. "
            "Handbok ersätter inte den bedömningen.")
PRIVACY_WARNING = ("Skriv inte personnummer eller andra personuppgifter i frågan. "
                   "Vi har tagit bort dem innan något sparades.")
SOURCES_PLACEHOLDER = '<p class="hb-empty">Källorna till svaret visas här, med de citerade styckena markerade.</p>'
DOC_TYPES = {
    "interpellationssvar": "Interpellationssvar", "utlåtande": "Utlåtande",
    "tjänsteutlåtande": "Tjänsteutlåtande", "skrivelse": "Skrivelse", "riktlinje": "Riktlinje",
    "handbok": "Handbok", "rapport": "Rapport",
}
_MARKER = re.compile(r"\[(\d+)\]")
_CONTEXT = 220  # characters of passage shown around the quote before "Visa hela avsnittet"


def anchor(n: int) -> str:
    return f"kalla-{n}"


def answer_markdown(text: str) -> str:
    """The answer for the chat: escaped, with each [n] a link to its source in the panel."""
    escaped = html.escape(text, quote=False)
    return _MARKER.sub(lambda m: f'<a href="#{anchor(int(m.group(1)))}" class="hb-cite">[{m.group(1)}]</a>',
                       escaped)


def chat_message(answer: Answer) -> str:
    """The answer as the chat shows it: each outcome looks different (an answer carries [n]
    links to its sources; an uncertain answer is a marked warning, not an answer; a refusal
    says so plainly and the panel shows no sources)."""
    body = answer_markdown(answer.answer)
    if answer.outcome == "uncertain":
        return f'<div class="hb-uncertain" role="note">⚠️ <strong>Osäkert.</strong> {body}</div>'
    return body  # an answer with its [n] links, or the plain refusal


def quote_spans(text: str, quotes: list[str]) -> list[tuple[int, int]]:
    """Where the quotes occur in ``text``, merged and sorted."""
    spans = []
    for quote in quotes:
        quote = quote.strip()
        start = text.find(quote) if quote else -1
        if start >= 0:
            spans.append((start, start + len(quote)))
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def highlight(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """``text[start:end]`` escaped, with the spans inside ``<mark>``."""
    end = len(text) if end is None else end
    out, pos = [], start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def _excerpt_bounds(text: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    if not spans:
        return 0, min(len(text), 2 * _CONTEXT)
    start = max(0, spans[0][0] - _CONTEXT)
    end = min(len(text), spans[-1][1] + _CONTEXT)
    if start > 0:  # begin at a word
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    if end < len(text):
        space = text.rfind(" ", spans[-1][1], end)
        end = space if space > spans[-1][1] else end
    return start, end


def _parse_date(value: str) -> tuple[int, int | None, int | None] | None:
    m = re.match(r"^((?:19|20)\d\d)(?:-(\d\d))?(?:-(\d\d))?", value or "")
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None, int(m.group(3)) if m.group(3) else None


def age_note(doc_date: str, years: int, today: date | None = None) -> str | None:
    """The warning for a document older than ``years`` years, or None."""
    parsed = _parse_date(doc_date)
    if not parsed or years <= 0:
        return None
    today = today or date.today()
    year, month, day = parsed
    if month is None:  # only the year is known: old when the whole year is
        old = year < today.year - years
    else:
        old = (year, month, day or 1) < (today.year - years, today.month, today.day)
    if not old:
        return None
    return (f"Obs: dokumentet är från {year}, över {years} år gammalt. "
            "Kontrollera att det fortfarande gäller.")


def describe(chunk, page: int | None = None) -> str:
    """Type · date · Dnr · page (``page``, else where the chunk begins), as one escaped line."""
    page = page or chunk.page
    parts = [DOC_TYPES.get(chunk.doc_type, chunk.doc_type.capitalize()) if chunk.doc_type else "",
             chunk.date or "odaterat",
             f"Dnr {chunk.diarienummer}" if chunk.diarienummer else "",
             f"s. {page}" if page else ""]
    return " · ".join(html.escape(p) for p in parts if p)


def _grouped(citations: list[Citation]) -> list[tuple[int, Citation, list[str]]]:
    groups: dict[int, tuple[Citation, list[str]]] = {}
    for c in citations:
        groups.setdefault(c.n, (c, []))[1].append(c.quote)
    return [(n, c, quotes) for n, (c, quotes) in sorted(groups.items())]


def _legal(token: str) -> str:
    """"ref:osl:26:1" -> "26 kap. 1 § OSL", "ref:19" -> "19 §"."""
    parts = token.split(":")[1:]
    law = parts.pop(0).upper() if parts and parts[0].isalpha() else ""
    place = f"{parts[0]} kap. {parts[1]} §" if len(parts) == 2 else f"{':'.join(parts)} §"
    return f"{place} {law}".strip()


def _legal_refs(tokens) -> list[str]:
    named = [t for t in tokens if len(t.split(":")) > 2 and t.split(":")[1].isalpha()]
    return sorted({_legal(t) for t in (named or tokens)})


def _num(x: float, digits: int) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def why_line(passage) -> str:
    """Why this passage was found, in plain Swedish, for trainers: signals, rank, score, copy.

    betydelse = among e5's nearest passages (cosine), ordmatchning = BM25 found the
    question's words, lagrum = a legal reference of the question ("26 kap. 1 § OSL") is in it.
    """
    signals = []
    if passage.dense > 0:
        signals.append(f"betydelse (likhet {_num(passage.dense, 2)})")
    if passage.lexical > 0:
        signals.append(f"ordmatchning (BM25 {_num(passage.lexical, 1)})")
    laws = _legal_refs(passage.legal)
    if laws:
        signals.append("lagrum " + ", ".join(laws))
    found = " och ".join([", ".join(signals[:-1]), signals[-1]]) if len(signals) > 1 else (
        signals[0] if signals else "ingen enskild signal")
    text = f"Hittat genom {found}. Plats {passage.rank}, poäng {_num(passage.score, 2)}."
    if passage.moved_copy:
        text += " Flyttat nedåt: nästan samma text som ett stycke ovanför."
    return text


def sources_html(answer: Answer | None, *, old_years: int = 5, today: date | None = None,
                 explain: bool = False, links: bool = True) -> str:
    """The sources panel: one entry per cited passage, quotes marked. Empty for a refusal.

    Args:
        explain: add "why this passage" (signals, rank, score) to each source (trainers).
        links: link each source to its original (``assistant.viewer``).
    """
    from .viewer import original_url, source_url

    if answer is None:
        return SOURCES_PLACEHOLDER
    if answer.outcome == "uncertain" and answer.passages:
        return _closest_html(answer, old_years, today)
    if answer.refused or not answer.citations:
        return '<p class="hb-empty">Inga källor: materialet besvarar inte frågan.</p>'
    items = []
    for n, citation, quotes in _grouped(answer.citations):
        chunk = citation.passage.chunk
        text = chunk.text
        spans = quote_spans(text, quotes)
        start, end = _excerpt_bounds(text, spans)
        excerpt = ("… " if start > 0 else "") + highlight(text, spans, start, end) + (" …" if end < len(text) else "")
        note = age_note(chunk.date, old_years, today)
        page = chunk.page_of(spans[0][0]) if spans else chunk.page  # where the first quote begins
        open_link = ""
        if links:
            where = f"sidan {page}" if chunk.source.lower().endswith(".pdf") else "avsnittet"
            open_link = (f'<p class="hb-open"><a href="{source_url(chunk, spans)}" target="_blank" '
                         f'rel="noopener">Öppna originalet vid {where}</a> · '
                         f'<a href="{original_url(chunk, page)}" target="_blank" rel="noopener">hela filen</a></p>')
        why = f'<p class="hb-why">{html.escape(why_line(citation.passage))}</p>' if explain else ""
        items.append(
            f'<article class="hb-source" id="{anchor(n)}">'
            f'<h4><span class="hb-n">[{n}]</span> {html.escape(chunk.title or chunk.source)}</h4>'
            f'<p class="hb-meta">{describe(chunk, page)}</p>'
            + (f'<p class="hb-old" role="note">{html.escape(note)}</p>' if note else "")
            + f'<blockquote class="hb-excerpt">{excerpt}</blockquote>'
            f'<details><summary>Visa hela avsnittet</summary>'
            f'<div class="hb-passage">{highlight(text, spans)}</div></details>'
            + open_link + why
            + f'<p class="hb-file">Fil: {html.escape(chunk.source)}</p>'
            "</article>")
    return '<section class="hb-sources" aria-label="Källor"><h3>Källor</h3>' + "".join(items) + "</section>"


def _closest_html(answer: Answer, old_years: int, today: date | None, n: int = 3) -> str:
    """An uncertain answer's panel: the closest passages, plainly marked as not an answer."""
    items = []
    for i, p in enumerate(answer.passages[:n], 1):
        chunk = p.chunk
        note = age_note(chunk.date, old_years, today)
        start, end = _excerpt_bounds(chunk.text, [])
        excerpt = highlight(chunk.text, [], start, end) + (" …" if end < len(chunk.text) else "")
        items.append(
            f'<article class="hb-source hb-closest">'
            f'<h4><span class="hb-n">{i}.</span> {html.escape(chunk.title or chunk.source)}</h4>'
            f'<p class="hb-meta">{describe(chunk)}</p>'
            + (f'<p class="hb-old" role="note">{html.escape(note)}</p>' if note else "")
            + f'<blockquote class="hb-excerpt">{excerpt}</blockquote>'
            f'<details><summary>Visa hela avsnittet</summary>'
            f'<div class="hb-passage">{html.escape(chunk.text)}</div></details>'
            f'<p class="hb-file">Fil: {html.escape(chunk.source)}</p>'
            "</article>")
    return ('<section class="hb-sources hb-uncertain-sources" aria-label="Närmaste avsnitt">'
            "<h3>Närmaste avsnitt – inget av dem besvarar frågan direkt</h3>"
            '<p class="hb-old" role="note">Materialet verkar inte besvara frågan direkt. '
            "Läs avsnitten själv innan du drar någon slutsats.</p>" + "".join(items) + "</section>")


def coverage_html(sources: dict[str, dict]) -> str:
    """What the material covers: a summary line that opens to the titles and dates, newest first."""
    if not sources:
        return '<p class="hb-coverage">Inga dokument är indexerade ännu.</p>'
    docs = sorted(sources.values(), key=lambda e: (e.get("date") or "", e.get("title") or ""), reverse=True)
    years = sorted({e["date"][:4] for e in docs if e.get("date")})
    span = f", {years[0]}–{years[-1]}" if len(years) > 1 else (f", {years[0]}" if years else "")
    items = "".join(f"<li>{html.escape(e.get('title') or '(utan titel)')} "
                    f"({html.escape(e.get('date') or 'odaterat')})</li>" for e in docs)
    return (f'<details class="hb-coverage"><summary><strong>Materialet omfattar {len(docs)} '
            f"dokument{span}</strong> – visa vilka</summary><ul>{items}</ul></details>")


DOCUMENT_COLUMNS = ["Titel", "Typ", "Datum", "Diarienummer", "Avsnitt", "Fil"]


def document_rows(sources: dict[str, dict]) -> list[list]:
    rows = [[e.get("title", ""), DOC_TYPES.get(e.get("doc_type", ""), e.get("doc_type", "")),
             e.get("date", ""), e.get("diarienummer", ""), len(e.get("ids", ())), source]
            for source, e in sources.items()]
    return sorted(rows, key=lambda r: (r[2], r[0]), reverse=True)


_STATUS = {"added": "tillagd", "updated": "uppdaterad", "unchanged": "oförändrad",
           "removed": "borttagen", "failed": "MISSLYCKADES"}


def ingest_lines(report) -> str:
    """One line per file and a summary, like `handbok ingest` prints them, in Swedish."""
    lines = []
    for f in report.files:
        if f.status == "failed":
            lines.append(f"❌ {f.source}: kunde inte indexeras – {f.reason}")
        else:
            lines.append(f"✅ {f.source}: {_STATUS.get(f.status, f.status)} "
                         f"({f.added} nya avsnitt, {f.removed} borttagna, {f.unchanged} oförändrade)")
        for w in f.warnings:
            lines.append(f"⚠️ {f.source}: {w}")
        if f.repaired:
            lines.append(f"🔧 {f.source}: OCR-lagning, {f.repaired} ord återställda")
    lines.append(
        f"Dokument: {report.count('added')} tillagda, {report.count('updated')} uppdaterade, "
        f"{report.count('unchanged')} oförändrade, {report.count('failed')} misslyckade "
        f"| avsnitt: {report.chunks_added} nya, {report.chunks_removed} borttagna "
        f"({report.seconds:.1f} s)")
    return "\n".join(lines)
