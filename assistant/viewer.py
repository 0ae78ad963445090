"""The original documents behind the sources, served by Handbok itself.

Routes (added to Gradio's own server, so they share its sign-in):

* ``/handbok/kalla/{chunk_id}?m=S-E,...`` the cited place: for a PDF the cited page(s)
  as images with the quote's boxes drawn (``ingest.locate``) and a link to the PDF at
  the page; for a text or Markdown file the whole document with the section outlined and
  the quote in ``<mark>``. ``m`` are quote spans as offsets into the chunk's text.
* ``/handbok/kalla/{chunk_id}/sida/{n}.png?m=...`` one page image.
* ``/handbok/original/{doc_id}`` the file itself (a PDF opens in the browser's viewer;
  links add ``#page=N``).
* ``/handbok/dokument/{doc_id}`` trainers only: the document as the index holds it
  (every chunk with its id, page and section).

Files are only ever found through the index: a chunk id or document id is looked up in
the store, and the file must still be the one that was indexed (same content hash). Any
other path, a removed document or a changed file answers 404. With sign-in configured,
a request without a signed-in user answers 401; a staff user asking for a trainer view 403.
"""
from __future__ import annotations

import hashlib
import html
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from ingest.loader import file_hash

from . import render
from .auth import Users

log = logging.getLogger("handbok.viewer")

PREFIX = "/handbok"
SUFFIXES = {".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8",
            ".md": "text/markdown; charset=utf-8"}
MAX_SPANS = 8
_SPANS = re.compile(r"^\d{1,7}-\d{1,7}(,\d{1,7}-\d{1,7})*$")

PAGE_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
  background: #f3f4f6; color: #111827; }
header { background: #fff; border-bottom: 1px solid #d1d5db; padding: 0.8em 1.2em; }
header h1 { font-size: 1.2em; margin: 0 0 0.2em 0; }
header p { margin: 0.2em 0; font-size: 0.92em; }
main { padding: 1em; max-width: 62em; margin: 0 auto; }
figure { margin: 0 0 1.2em 0; }
figure img { width: 100%; height: auto; background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.25); }
figcaption { font-size: 0.9em; margin: 0.3em 0; }
.hb-note { background: #fef3c7; border-left: 4px solid #b45309; padding: 0.4em 0.7em; }
.hb-doc { background: #fff; padding: 1em 1.4em; white-space: pre-wrap; overflow-wrap: anywhere;
  line-height: 1.5; box-shadow: 0 1px 4px rgba(0,0,0,.2); }
#avsnitt { outline: 2px solid #93c5fd; outline-offset: 3px; border-radius: 2px; }
mark { background: #fde68a; outline: 1px solid #b45309; }
mark:target, #markering { scroll-margin-top: 30vh; }
table { border-collapse: collapse; background: #fff; font-size: 0.9em; }
td, th { border: 1px solid #d1d5db; padding: 0.3em 0.5em; vertical-align: top; text-align: left; }
"""


def doc_id(source: str) -> str:
    """A document's id in links: derived from its indexed path, never a path itself."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]


def spans_param(spans: list[tuple[int, int]]) -> str:
    return ",".join(f"{s}-{e}" for s, e in spans)


def source_url(chunk, spans: list[tuple[int, int]]) -> str:
    """Where a source card links: the cited place, scrolled to the first mark."""
    query = f"?m={spans_param(spans)}" if spans else ""
    return f"{PREFIX}/kalla/{chunk.chunk_id}{query}#markering"


def original_url(chunk, page: int | None = None) -> str:
    """The whole file; a PDF opens at ``page`` (default: where the chunk begins)."""
    anchor = f"#page={page or chunk.page}" if chunk.source.lower().endswith(".pdf") else ""
    return f"{PREFIX}/original/{doc_id(chunk.source)}{anchor}"


@dataclass
class Reply:
    status: int
    body: bytes | str
    media_type: str = "text/html; charset=utf-8"
    path: Path | None = None  # a file to send instead of body


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="sv"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)} – Handbok</title><style>{PAGE_CSS}</style></head>"
            f"<body>{body}</body></html>")


def _error(status: int, message: str) -> Reply:
    return Reply(status, _page("Handbok", f'<main><h1>{html.escape(message)}</h1>'
                                          f'<p><a href="/">Till Handbok</a></p></main>'))


NOT_SIGNED_IN = "Logga in i Handbok först."
NOT_FOUND = "Dokumentet finns inte i Handbok (det kan ha tagits bort eller ändrats sedan det indexerades)."


class Viewer:
    """Looks sources up in the index and renders them. Plain methods; ``routes`` wires HTTP.

    Args:
        retriever: a ``HybridRetriever`` (its ``chunks`` are what is indexed).
        users: sign-in users; empty means no sign-in (a local, single-user setup).
        ocr_lang: Tesseract language for marking scanned pages.
    """

    def __init__(self, retriever, users: Users | None = None, *, ocr_lang: str = "swe", lock=None):
        self.retriever = retriever
        self.lock = lock or threading.Lock()  # the retriever reloads its index in place
        self.users = users or Users()
        self.ocr_lang = ocr_lang
        self._hashes: dict[tuple[str, float, int], str] = {}
        self._texts: dict[tuple[str, float], object] = {}

    # -- lookups through the index ----------------------------------------------------------
    def chunk(self, chunk_id: str):
        with self.lock:
            return next((c for c in self.retriever.chunks if c.chunk_id == chunk_id), None)

    def document(self, document_id: str) -> list:
        with self.lock:
            return [c for c in self.retriever.chunks if doc_id(c.source) == document_id]

    def file(self, chunk) -> Path | None:
        """The indexed file of ``chunk`` when it is still there and unchanged, else None."""
        path = Path(chunk.source)
        if path.suffix.lower() not in SUFFIXES or not path.is_file():
            return None
        stat = path.stat()
        cache = (str(path.resolve()), stat.st_mtime, stat.st_size)
        if cache not in self._hashes:
            self._hashes[cache] = file_hash(path)
        return path if self._hashes[cache] == chunk.content_hash else None

    def allowed(self, username: str | None, trainer_only: bool = False) -> int | None:
        """None when ``username`` may see it; else the HTTP status to answer."""
        role = self.users.role(username)
        if role is None:
            return 401
        if trainer_only and role != "trainer":
            return 403
        return None

    @staticmethod
    def parse_spans(value: str | None, text: str) -> list[tuple[int, int]]:
        if not value or not _SPANS.match(value):
            return []
        spans = []
        for part in value.split(",")[:MAX_SPANS]:
            s, e = (int(x) for x in part.split("-"))
            if 0 <= s < e <= len(text):
                spans.append((s, e))
        return spans

    # -- what each route answers ----------------------------------------------------------
    def _guard(self, username, chunk_id: str, trainer_only=False):
        status = self.allowed(username, trainer_only)
        if status:
            return None, None, _error(status, NOT_SIGNED_IN if status == 401 else
                                      "Den här sidan är bara för utbildare.")
        chunk = self.chunk(chunk_id)
        path = self.file(chunk) if chunk is not None else None
        if path is None:
            return None, None, _error(404, NOT_FOUND)
        return chunk, path, None

    def marks(self, chunk, path: Path, spans: list[tuple[int, int]]):
        """The quote's marks on the pages, for each span (``ingest.locate.Mark``)."""
        from ingest.locate import locate

        found = []
        for s, e in spans:  # each quote from the page it begins on (a chunk may span pages)
            found += locate(path, chunk.page_of(s), chunk.text[s:e], lang=self.ocr_lang)
        return found

    def source_page(self, username: str | None, chunk_id: str, m: str | None = None) -> Reply:
        chunk, path, error = self._guard(username, chunk_id)
        if error:
            return error
        spans = self.parse_spans(m, chunk.text)
        page = chunk.page_of(spans[0][0]) if spans else chunk.page
        title = chunk.title or chunk.source
        head = (f'<header><h1>{html.escape(title)}</h1><p>{render.describe(chunk, page)}</p>'
                f'<p><a href="{original_url(chunk, page)}" id="hb-original">Öppna originalfilen'
                f'{" på sidan " + str(page) if path.suffix.lower() == ".pdf" else ""}</a>'
                f' · Fil: {html.escape(chunk.source)}</p></header>')
        if path.suffix.lower() == ".pdf":
            body = self._pdf_body(chunk, path, spans)
        else:
            body = self._text_body(chunk, path, spans)
        return Reply(200, _page(title, head + f"<main>{body}</main>"))

    def _pdf_body(self, chunk, path: Path, spans) -> str:
        marks = self.marks(chunk, path, spans)
        pages = sorted({mk.page for mk in marks}) or [chunk.page_of(spans[0][0]) if spans else chunk.page]
        query = f"?m={spans_param(spans)}" if spans else ""
        out = []
        if spans and not marks:
            out.append('<p class="hb-note">Citatet kunde inte markeras på sidan; '
                       "det finns i texten nedan i källkortet.</p>")
        for i, n in enumerate(pages):
            caption = f"Sida {n}" + (" (fortsättning)" if i else "")
            if any(mk.ocr for mk in marks if mk.page == n):
                caption += " – inskannad sida, de markerade orden är lästa med OCR"
            out.append(f'<figure id="{"markering" if i == 0 else f"sida-{n}"}" data-page="{n}">'
                       f'<figcaption>{html.escape(caption)}</figcaption>'
                       f'<img src="{PREFIX}/kalla/{chunk.chunk_id}/sida/{n}.png{query}" '
                       f'alt="Sida {n} av {html.escape(chunk.title or chunk.source)} med citatet markerat">'
                       "</figure>")
        return "".join(out)

    def _text_body(self, chunk, path: Path, spans) -> str:
        from ingest.loader import load_document

        stat = path.stat()
        cache = (str(path), stat.st_mtime)
        if cache not in self._texts:
            self._texts = {cache: load_document(path, ocr=False).document}
        text = self._texts[cache].text
        if text[chunk.start:chunk.end] != chunk.text:  # read differently than at ingest
            text, offset = chunk.text, 0
            start, end = 0, len(text)
        else:
            offset, start, end = chunk.start, chunk.start, chunk.end
        doc_spans = [(s + offset, e + offset) for s, e in spans]
        inner = (render.highlight(text, doc_spans, 0, start) + '<div id="avsnitt">'
                 + render.highlight(text, doc_spans, start, end) + "</div>"
                 + render.highlight(text, doc_spans, end, len(text)))
        inner = inner.replace("<mark>", '<mark id="markering">', 1)
        return f'<article class="hb-doc">{inner}</article>'

    def page_image(self, username: str | None, chunk_id: str, page: int, m: str | None = None) -> Reply:
        from ingest.locate import render as render_page

        chunk, path, error = self._guard(username, chunk_id)
        if error:
            return error
        if path.suffix.lower() != ".pdf":
            return _error(404, NOT_FOUND)
        spans = self.parse_spans(m, chunk.text)
        marks = self.marks(chunk, path, spans)
        # only the pages the quotes are on; without a quote, the pages the passage is on
        allowed = ({mk.page for mk in marks} | {chunk.page_of(spans[0][0])}) if spans else set(chunk.pages())
        if page not in allowed:  # only the cited pages, not any page of any file
            return _error(404, NOT_FOUND)
        boxes = [b for mk in marks if mk.page == page for b in mk.boxes]
        return Reply(200, render_page(path, page, boxes), "image/png")

    def original(self, username: str | None, document_id: str) -> Reply:
        status = self.allowed(username)
        if status:
            return _error(status, NOT_SIGNED_IN)
        for chunk in self.document(document_id)[:1]:
            path = self.file(chunk)
            if path is not None:
                return Reply(200, b"", SUFFIXES[path.suffix.lower()], path=path)
        return _error(404, NOT_FOUND)

    def document_page(self, username: str | None, document_id: str) -> Reply:
        status = self.allowed(username, trainer_only=True)
        if status:
            return _error(status, NOT_SIGNED_IN if status == 401 else "Den här sidan är bara för utbildare.")
        chunks = sorted(self.document(document_id), key=lambda c: c.start)
        if not chunks:
            return _error(404, NOT_FOUND)
        rows = "".join(f"<tr><td>{c.page}</td><td>{html.escape(c.section)}</td>"
                       f'<td><a href="{source_url(c, [])}">{html.escape(c.chunk_id)}</a></td>'
                       f"<td>{html.escape(c.text[:300])}</td></tr>" for c in chunks)
        title = chunks[0].title or chunks[0].source
        return Reply(200, _page(title, f"<header><h1>{html.escape(title)}</h1><p>{len(chunks)} avsnitt i "
                                       f"indexet · {html.escape(chunks[0].source)}</p></header><main><table>"
                                       "<tr><th>Sida</th><th>Avsnitt</th><th>Id</th><th>Text</th></tr>"
                                       f"{rows}</table></main>"))


# -- HTTP -----------------------------------------------------------------------------------------
def signed_in_user(request) -> str | None:
    """The Gradio sign-in behind a request to a route on Gradio's own app."""
    app = request.app
    cookie_id = getattr(app, "cookie_id", None)
    tokens = getattr(app, "tokens", None) or {}
    token = (request.cookies.get(f"access-token-{cookie_id}")
             or request.cookies.get(f"access-token-unsecure-{cookie_id}"))
    return tokens.get(token) if token else None


def routes(viewer: Viewer) -> list:
    """The viewer's FastAPI routes, for ``Blocks.launch(app_kwargs={"routes": ...})``."""
    from fastapi.responses import FileResponse, Response
    from fastapi.routing import APIRoute
    from fastapi import Request

    def respond(reply: Reply):
        headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
        if reply.path is not None:
            return FileResponse(reply.path, media_type=reply.media_type, headers=headers,
                                content_disposition_type="inline", filename=reply.path.name)
        return Response(reply.body, status_code=reply.status, media_type=reply.media_type, headers=headers)

    def source(request: Request, chunk_id: str, m: str | None = None):
        return respond(viewer.source_page(signed_in_user(request), chunk_id, m))

    def page(request: Request, chunk_id: str, number: int, m: str | None = None):
        return respond(viewer.page_image(signed_in_user(request), chunk_id, number, m))

    def original(request: Request, document_id: str):
        return respond(viewer.original(signed_in_user(request), document_id))

    def document(request: Request, document_id: str):
        return respond(viewer.document_page(signed_in_user(request), document_id))

    for fn in (source, page, original, document):  # this module's annotations are strings
        fn.__annotations__["request"] = Request
    return [APIRoute(f"{PREFIX}/kalla/{{chunk_id}}", source, methods=["GET"], include_in_schema=False),
            APIRoute(f"{PREFIX}/kalla/{{chunk_id}}/sida/{{number}}.png", page, methods=["GET"],
                     include_in_schema=False),
            APIRoute(f"{PREFIX}/original/{{document_id}}", original, methods=["GET"], include_in_schema=False),
            APIRoute(f"{PREFIX}/dokument/{{document_id}}", document, methods=["GET"],
                     include_in_schema=False)]
