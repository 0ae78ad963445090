"""Bring the index in step with files on disk: add new chunks, drop stale ones, report.

Writes are idempotent: chunk ids derive from source and content, so an unchanged
file adds nothing, and a changed file's new chunks are written before its old
ones are removed — an interrupted run leaves a usable index that the next run
completes.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ingest.errors import IngestError
from ingest.loader import discover, display_path, load_document

from .embedders import Embedder
from .store import ChunkStore


@dataclass
class FileResult:
    source: str
    status: str  # added | updated | unchanged | failed | removed
    added: int = 0
    removed: int = 0
    unchanged: int = 0
    reason: str = ""
    repaired: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def chunks_added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def chunks_removed(self) -> int:
        return sum(f.removed for f in self.files)

    @property
    def chunks_unchanged(self) -> int:
        return sum(f.unchanged for f in self.files)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]


def ingest_paths(paths: list[Path], store: ChunkStore, embedder: Embedder, *,
                 max_file_mb: float = 50, ocr: bool = True,
                 progress: Callable | None = None) -> IngestReport:
    """Index files and folders; a file that fails is reported and skipped.

    Args:
        paths: files and folders; folders are walked (hidden entries skipped).
        progress: wraps the file list for display (e.g. ``tqdm``); identity when None.
    """
    import time

    started = time.perf_counter()
    store.check_embedder(embedder)
    report = IngestReport()
    files, missing = discover(paths)
    for path, reason in missing:
        report.files.append(FileResult(str(path), "failed", reason=reason))
    # a folder's ingest lists everything indexed (to drop the files gone from it); files alone
    # look up their own sources (reading every chunk's metadata takes ~12 s at 100,000 chunks)
    folders_given = any(p.is_dir() for p in paths)
    indexed = store.ids_by_source(None if folders_given else [display_path(f) for f in files])

    seen_sources = set()
    for path in (progress(files) if progress else files):
        source = display_path(path)
        seen_sources.add(source)
        try:
            loaded = load_document(path, max_file_mb=max_file_mb, ocr=ocr)
        except IngestError as exc:
            report.files.append(FileResult(source, "failed", reason=exc.reason))
            continue
        except Exception as exc:  # a reader bug must not stop the other files
            report.files.append(FileResult(source, "failed", reason=f"unexpected error: {exc!r}"))
            continue
        old_ids = indexed.get(source, {}).get("ids", set())
        new = [c for c in loaded.chunks if c.chunk_id not in old_ids]
        stale = sorted(old_ids - {c.chunk_id for c in loaded.chunks})
        if new:
            store.add(new, embedder.embed([c.search_text() for c in new], kind="passage"), embedder)
        store.delete(stale)
        status = "unchanged" if not new and not stale else ("updated" if old_ids else "added")
        report.files.append(FileResult(
            source, status, added=len(new), removed=len(stale),
            unchanged=len(loaded.chunks) - len(new), repaired=loaded.repaired,
            warnings=loaded.document.warnings))

    # files gone from a folder that was ingested lose their chunks
    folders = [display_path(p).rstrip("/") + "/" for p in paths if p.is_dir()]
    for source, entry in indexed.items():
        if source not in seen_sources and any(source.startswith(f) or f == "./" for f in folders):
            store.delete(sorted(entry["ids"]))
            report.files.append(FileResult(source, "removed", removed=len(entry["ids"])))
    # the lexical index follows the store here, so that no serving process has to rebuild it
    from .lexstore import LexicalStore

    LexicalStore(store.home / "lexical").sync(store)
    report.seconds = time.perf_counter() - started
    return report
