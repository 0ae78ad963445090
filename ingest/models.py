"""What ingest produces: documents made of pages, and the chunks cut from them."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Page:
    """Text of one page as read (before normalisation). ``number`` is 1-based."""

    number: int
    text: str
    ocr: bool = False  # text came from Tesseract, not a text layer
    # paragraphs and headings as printed (ingest.layout), "\n\n"-joined in ``text``; None: unknown
    blocks: list | None = None


@dataclass
class Document:
    """One source file, normalised. ``text`` is what chunk offsets point into."""

    source: str  # path as given, relative to the working directory when inside it
    text: str  # normalised (and, where damaged, OCR-repaired) full text
    title: str = ""
    doc_type: str = ""  # interpellationssvar, utlåtande, tjänsteutlåtande, ...
    date: str = ""  # ISO yyyy-mm-dd, or yyyy when only the year is stated
    diarienummer: str = ""
    issuer: str = ""
    content_hash: str = ""  # of the file's bytes
    page_starts: list[int] = field(default_factory=lambda: [0])  # offset of each page in text
    raw_text: str = ""  # normalised text before OCR repair ("" when nothing was repaired)
    repairs: list = field(default_factory=list)  # ingest.repair.Edit, in ``text`` coordinates
    warnings: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> int:
        """1-based page number of the character at ``offset``."""
        page = 1
        for i, start in enumerate(self.page_starts):
            if start <= offset:
                page = i + 1
        return page


@dataclass
class Chunk:
    """A passage of a document: what is embedded, searched, shown and cited."""

    chunk_id: str
    source: str
    title: str
    text: str
    start: int
    end: int
    page: int = 1
    section: str = ""
    doc_type: str = ""
    date: str = ""
    diarienummer: str = ""
    issuer: str = ""
    content_hash: str = ""
    raw_text: str = ""
    # where later pages begin inside ``text``: "offset:page,..." ("" when all of it is on ``page``)
    page_starts: str = ""

    def page_of(self, offset: int) -> int:
        """1-based page of the character at ``offset`` in ``text`` (a chunk may run over a page break)."""
        page = self.page
        for item in filter(None, self.page_starts.split(",")):
            at, number = item.split(":")
            if int(at) <= offset:
                page = int(number)
        return page

    def pages(self) -> list[int]:
        """Every page the chunk's text is on, in order."""
        return [self.page] + [int(item.split(":")[1]) for item in filter(None, self.page_starts.split(","))]

    def quote_page(self, quote: str) -> int:
        """The page where ``quote`` (a substring of ``text``) begins; ``page`` when not found."""
        at = self.text.find(quote)
        return self.page_of(at) if at >= 0 else self.page

    def search_text(self) -> str:
        """What is embedded and BM25-indexed: the text with its section heading in front.

        District answers in a long remiss compilation only name the district in the
        section heading; without it, "Hur gör Farsta?" cannot find Farsta's passage.
        """
        if self.section and not self.text.startswith(self.section):
            return f"{self.section}\n\n{self.text}"
        return self.text

    def metadata(self) -> dict:
        """Flat metadata for the vector store (no None values)."""
        return {
            "source": self.source,
            "title": self.title,
            "page": self.page,
            "section": self.section,
            "start": self.start,
            "end": self.end,
            "doc_type": self.doc_type,
            "date": self.date,
            "diarienummer": self.diarienummer,
            "issuer": self.issuer,
            "content_hash": self.content_hash,
            "raw_text": self.raw_text,
            "page_starts": self.page_starts,
        }

    @classmethod
    def from_record(cls, chunk_id: str, text: str, meta: dict) -> "Chunk":
        fields = {k: meta.get(k, "") for k in (
            "source", "title", "section", "doc_type", "date", "diarienummer",
            "issuer", "content_hash", "raw_text", "page_starts")}
        return cls(chunk_id=chunk_id, text=text, start=int(meta.get("start", 0)),
                   end=int(meta.get("end", 0)), page=int(meta.get("page", 1)), **fields)
