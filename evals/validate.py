"""Does a suite match the corpus? Unknown files, key phrases that are not there, duplicate ids, ...

Validation is against the *indexed* chunks, since that is what the runner
scores; when nothing is indexed it falls back to the files on disk (read and
chunked the way ingest would) and says so.
"""
from __future__ import annotations

import difflib
import re
from collections import defaultdict
from pathlib import Path

from ingest.errors import EvalError, HandbokError
from ingest.models import Chunk

from .gate import split_name
from .suite import LANGS, ROLES, Case, Suite, fold

_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_HYPHEN_BREAK = re.compile(r"(\w)-\s+(\w)")


def _as_chunks(corpus) -> tuple[list[Chunk], bool]:
    """(chunks, pages_known): a mapping source -> full text becomes one pseudo-chunk per file."""
    if isinstance(corpus, dict):
        return [Chunk(chunk_id=src, source=src, title="", text=text, start=0, end=len(text), page=0)
                for src, text in corpus.items()], False
    return list(corpus), True


def _hint(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    if not close:  # a typo in a long path: compare file names alone
        by_name = {Path(k).name: k for k in known}
        names = difflib.get_close_matches(Path(name).name, list(by_name), n=1, cutoff=0.5)
        close = [by_name[n] for n in names]
    return f"; did you mean {close[0]!r}?" if close else ""


def _phrase_problem(case: Case, phrase: str, chunks_by_source: dict[str, list[Chunk]],
                    pages_known: bool) -> str | None:
    """None when the phrase is in a chunk that the case's sources (file, page, section) allow."""
    folded = fold(phrase)

    def holds(c: Chunk) -> bool:
        return folded in fold(c.text) or (bool(c.raw_text) and folded in fold(c.raw_text))

    where = f"question {case.id!r}: key phrase {phrase!r}"
    for s in case.sources:
        chunks = chunks_by_source.get(s.file, [])
        hits = [c for c in chunks if holds(c)]
        allowed = [c for c in hits
                   if (s.page is None or not pages_known or s.page in c.pages())
                   and (not s.section or fold(s.section) in fold(c.section))]
        if allowed:
            return None
    files = [s.file for s in case.sources if s.file in chunks_by_source]
    if not files:
        return None  # the unknown file is reported on its own
    for s in case.sources:
        hits = [c for c in chunks_by_source.get(s.file, []) if holds(c)]
        if hits and s.page is not None:
            pages = sorted({p for c in hits for p in c.pages()})
            return f"{where} is in {s.file} but not on page {s.page} (found on page {', '.join(map(str, pages))})"
        if hits and s.section:
            sections = sorted({c.section for c in hits})
            return f"{where} is in {s.file} but not in section {s.section!r} (found in {sections})"
    for f in files:
        joined = fold(" ".join(c.text for c in sorted(chunks_by_source[f], key=lambda c: c.start)))
        if folded in joined:
            return (f"{where} is in {f} but spans two chunks, so no single passage holds it: "
                    "use a shorter phrase")
    joined_word = _HYPHEN_BREAK.sub(r"\1\2", phrase)
    if joined_word != phrase and any(fold(joined_word) in fold(c.text) or fold(joined_word) in fold(c.raw_text)
                                     for f in files for c in chunks_by_source[f]):
        return (f"{where} not found in {' or '.join(files)}: ingest joins words hyphenated "
                f"at a line break, write {joined_word!r}")
    elsewhere = sorted({src for src, cs in chunks_by_source.items() if src not in files
                        and any(holds(c) for c in cs)})
    also = f" (it occurs in {', '.join(elsewhere)})" if elsewhere else ""
    return (f"{where} not found in {' or '.join(files)}{also}: copy the phrase verbatim "
            "from the passage (case, accents and spacing do not matter)")


def validate_suite(suite: Suite, corpus) -> list[str]:
    """Problems of ``suite`` against ``corpus`` (a list of Chunks, or a mapping source -> text).

    Returns an empty list when the suite is valid. Each problem is one line naming the
    question id and what to change.
    """
    chunks, pages_known = _as_chunks(corpus)
    by_source: dict[str, list[Chunk]] = defaultdict(list)
    for c in chunks:
        by_source[c.source].append(c)
    known = sorted(by_source)
    problems: list[str] = []

    for name in suite.thresholds:
        try:
            split_name(name)
        except EvalError as exc:
            problems.append(f"thresholds: {exc}")

    seen: dict[str, int] = {}
    texts: dict[str, str] = {}
    for i, case in enumerate(suite.cases, 1):
        if case.id in seen:
            problems.append(f"duplicate id {case.id!r} (questions {seen[case.id]} and {i}): "
                            "every question needs its own id")
        else:
            seen[case.id] = i
        q = fold(case.question)
        if q in texts:
            problems.append(f"question {case.id!r}: same question text as {texts[q]!r}")
        texts.setdefault(q, case.id)
        problems.extend(_case_problems(case, by_source, known, pages_known))
    return problems


def _case_problems(case: Case, by_source, known: list[str], pages_known: bool) -> list[str]:
    p = []
    where = f"question {case.id!r}"
    if not _SLUG.fullmatch(case.id):
        p.append(f"{where}: id should be lowercase ASCII letters, digits and hyphens "
                 "(e.g. farsta-kontaktpersoner; no å, ä, ö)")
    if case.role and case.role not in ROLES:
        p.append(f"{where}: role {case.role!r} is not one of {', '.join(ROLES)}")
    if case.lang not in LANGS:
        p.append(f"{where}: lang {case.lang!r} is not one of {', '.join(LANGS)}")
    if case.must_refuse:
        for name in ("sources", "key_phrases", "facts"):
            if getattr(case, name):
                p.append(f"{where}: must_refuse is true but {name} are given; an out-of-scope "
                         f"question has no expected answer (remove {name} or set must_refuse: false)")
        return p
    if not case.sources:
        p.append(f"{where}: in-scope question without sources: add sources: [{{file: corpus/...}}] "
                 "or set must_refuse: true")
    if not case.key_phrases:
        p.append(f"{where}: in-scope question without key_phrases: add at least one verbatim "
                 "phrase of the right passage")
    for s in case.sources:
        if s.file not in by_source:
            on_disk = Path(s.file).is_file()
            why = ("exists on disk but is not indexed (run `handbok ingest`)" if on_disk
                   else "is not indexed and not on disk")
            p.append(f"{where}: source {s.file!r} {why}{_hint(s.file, known)}")
            continue
        pages = sorted({p for c in by_source[s.file] for p in c.pages()})
        if s.page is not None and pages_known and s.page not in pages:
            p.append(f"{where}: {s.file} has no page {s.page} (pages {pages[0]}–{pages[-1]})")
        if s.section and not any(fold(s.section) in fold(c.section) for c in by_source[s.file]):
            p.append(f"{where}: {s.file} has no section {s.section!r}")
    for phrase in case.key_phrases:
        problem = _phrase_problem(case, phrase, by_source, pages_known)
        if problem:
            p.append(problem)
    return p


def _disk_chunks(settings, suite: Suite | None) -> list[Chunk]:
    """The corpus folder (and any suite source on disk), chunked as ingest would, without OCR."""
    from ingest.loader import discover, load_document

    paths = [Path(settings.corpus)]
    if suite is not None:
        paths += [Path(s.file) for c in suite.cases for s in c.sources if Path(s.file).is_file()]
    files, _missing = discover([p for p in paths if p.exists()])
    chunks, seen = [], set()
    for f in files:
        if f.resolve() in seen:
            continue
        seen.add(f.resolve())
        try:
            chunks.extend(load_document(f, max_file_mb=settings.max_file_mb, ocr=False).chunks)
        except HandbokError:
            continue  # an unreadable file shows up as "not indexed" for the cases that need it
    return chunks


def corpus_for(settings, suite: Suite | None = None) -> tuple[list[Chunk], str | None]:
    """(chunks, note): the indexed chunks, or the files on disk with a note saying so."""
    from assistant.assistant import open_store

    chunks = open_store(settings).all_chunks()
    if chunks:
        return chunks, None
    return _disk_chunks(settings, suite), (
        f"the index in {settings.home} is empty: validated against the files on disk "
        f"({settings.corpus}/); run `handbok ingest` to validate against what is indexed")


def validate_indexed(suite: Suite, settings) -> tuple[list[str], str | None]:
    """Validate against the index (or the disk when the index is empty): (problems, note)."""
    chunks, note = corpus_for(settings, suite)
    return validate_suite(suite, chunks), note
