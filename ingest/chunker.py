"""Structure-aware chunking: headings and paragraphs first, never inside a sentence.

Chunks are contiguous spans of the document's normalised text, so
``doc.text[chunk.start:chunk.end] == chunk.text`` always holds.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .models import Chunk, Document

MIN_WORDS = 80
MAX_WORDS = 250

# Swedish abbreviations that end in a period but do not end a sentence.
_ABBREV = ("t.ex", "bl.a", "m.m", "s.k", "dvs", "d.v.s", "kap", "nr", "jfr", "ca", "resp", "fr.o.m",
           "t.o.m", "o.s.v", "osv", "p.g.a", "pga", "m.fl", "f.d", "st", "tf", "ang", "enl", "prop",
           "SFS", "dnr", "Dnr", "sid", "s", "e.d", "mfl", "inkl", "exkl", "forts", "obs", "t.ex.")
_SENT = re.compile(r"[.!?…]+[\"”’)]*\s+(?=[\"“(]?[A-ZÅÄÖ0-9•–-])")


@dataclass
class Block:
    start: int
    end: int
    words: int
    heading: bool


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence boundaries as (start, end) offsets; abbreviations and "26 kap. 1 §" do not split."""
    spans, start = [], 0
    for m in _SENT.finditer(text):
        before = text[start:m.start() + 1]
        last = re.search(r"(\S+)$", before[:-1] + "")
        token = last.group(1).rstrip(".") if last else ""
        if token in _ABBREV or token.lower() in _ABBREV or re.fullmatch(r"\d{1,2}", token) \
                or (len(token) == 1 and token.isalpha()):
            continue
        end = m.end()
        while end > start and text[end - 1].isspace():
            end -= 1
        spans.append((offset + start, offset + end))
        start = m.end()
    if start < len(text) and text[start:].strip():
        spans.append((offset + start, offset + len(text.rstrip())))
    return spans


def _blocks(doc: Document, headings: list[bool]) -> list[Block]:
    blocks, pos = [], 0
    for i, para in enumerate(doc.text.split("\n\n")):
        heading = headings[i] if i < len(headings) else False
        if len(para.split()) > MAX_WORDS:
            # a very long paragraph is cut between sentences
            group_start, words = None, 0
            for s, e in sentence_spans(para, pos):
                n = len(doc.text[s:e].split())
                if group_start is not None and words + n > MAX_WORDS:
                    blocks.append(Block(group_start, prev_end, words, False))
                    group_start, words = None, 0
                if group_start is None:
                    group_start = s
                words += n
                prev_end = e
            if group_start is not None:
                blocks.append(Block(group_start, prev_end, words, False))
        else:
            blocks.append(Block(pos, pos + len(para), len(para.split()), heading))
        pos += len(para) + 2
    return blocks


def _chunk_id(source: str, text: str, seen: dict[str, int]) -> str:
    digest = hashlib.sha1(f"{source}\n{text}".encode()).hexdigest()[:20]
    seen[digest] = seen.get(digest, 0) + 1
    return digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"


def chunk_document(doc: Document, headings: list[bool] | None = None,
                   min_words: int = MIN_WORDS, max_words: int = MAX_WORDS) -> list[Chunk]:
    """Cut ``doc`` into chunks of about ``min_words``–``max_words`` words.

    Args:
        doc: a normalised document; paragraphs are separated by a blank line.
        headings: per paragraph, whether it is a heading (starts a new chunk).
    """
    groups: list[list[Block]] = []
    current: list[Block] = []
    sections: list[str] = []
    section, current_section = "", ""

    def flush():
        nonlocal current
        if current:
            groups.append(current)
            sections.append(current_section)
        current = []

    for block in _blocks(doc, headings or []):
        words = sum(b.words for b in current)
        # a section runs on over a page break (Chunk.page_of gives each quote its own page)
        if block.heading:
            if words >= min_words // 2 or (current and not current[-1].heading):
                flush()
            section = doc.text[block.start:block.end]
        elif words + block.words > max_words:
            flush()
        if not current or all(b.heading for b in current):
            current_section = section  # stacked headings: the innermost names the text
        current.append(block)
    flush()

    def fits(a: list[Block], b: list[Block]) -> bool:
        # groups on different pages are not joined: a section that runs on over a page break is
        # one group already, and a short section must not join another page's section
        return (doc.page_at(a[0].start) == doc.page_at(b[0].start)
                and sum(x.words for x in a) + sum(x.words for x in b) <= max_words + 20)

    # a short group that opens a section ("Norrmalms stadsdelsnämnd" and one sentence)
    # joins the chunk after it when they fit, so that its text is not labelled with the
    # section before; otherwise (and any other short tail) it joins the chunk before
    forward: list[tuple[list[Block], str, bool]] = []  # group, section, may merge backward
    carry: tuple[list[Block], str] | None = None
    for group, sec in zip(groups, sections):
        if carry is not None:
            if fits(carry[0], group):
                group, sec = carry[0] + group, carry[1]
            else:
                forward.append((carry[0], carry[1], True))
            carry = None
        if group[0].heading and sum(b.words for b in group) < min_words:
            carry = (group, sec)
            continue
        forward.append((group, sec, not group[0].heading))
    if carry is not None:
        forward.append((carry[0], carry[1], True))

    merged: list[list[Block]] = []
    merged_sections: list[str] = []
    for group, sec, backward in forward:
        if backward and merged and sum(b.words for b in group) < min_words and fits(merged[-1], group):
            merged[-1].extend(group)
        else:
            merged.append(group)
            merged_sections.append(sec)

    chunks, seen = [], {}
    for group, sec in zip(merged, merged_sections):
        start, end = group[0].start, group[-1].end
        text = doc.text[start:end]
        raw = _raw_span(doc, start, end) if doc.repairs else text
        # the id follows what is embedded (the section heading in front of the text): a chunk
        # whose heading changed is embedded again at the next ingest, not left with the old one
        embedded = f"{sec}\n\n{text}" if sec and not text.startswith(sec) else text
        chunks.append(Chunk(
            chunk_id=_chunk_id(doc.source, embedded, seen), source=doc.source, title=doc.title,
            text=text, start=start, end=end, page=doc.page_at(start), section=sec,
            page_starts=_page_starts(doc, start, end),
            doc_type=doc.doc_type, date=doc.date, diarienummer=doc.diarienummer,
            issuer=doc.issuer, content_hash=doc.content_hash, raw_text=raw))
    return chunks


def _page_starts(doc: Document, start: int, end: int) -> str:
    """"offset:page" for each page that begins inside [start, end), offsets relative to start."""
    return ",".join(f"{at - start}:{doc.page_at(at)}" for at in sorted(set(doc.page_starts))
                    if start < at < end)


def _raw_span(doc: Document, start: int, end: int) -> str:
    from .repair import unrepair
    return unrepair(doc.text, doc.repairs, start, end)
