"""Ingest into the index: idempotent writes, changed and removed files, bad input that loses nothing."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.embedders import make_embedder
from index.store import ChunkStore
from index.sync import ingest_paths

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
PARA = ("Skolan ska anmäla till socialtjänsten när den får kännedom om att ett barn far illa. "
        "Anmälningsskyldigheten gäller alla som arbetar i skolan och kan inte delegeras bort. ")


@pytest.fixture(scope="module")
def e5():
    return make_embedder("e5-small")


def _write(folder: Path, name: str, paragraphs: int = 3, extra: str = "") -> Path:
    path = folder / name
    path.write_text(f"Rubrik för {name}\n\n" + "\n\n".join(PARA * 2 for _ in range(paragraphs)) + extra,
                    encoding="utf-8")
    return path


def test_reingest_unchanged_folder_adds_no_chunks(tmp_path, handbok_home, e5):
    docs = tmp_path / "docs"
    docs.mkdir()
    _write(docs, "a.txt")
    _write(docs, "b.md")
    store = ChunkStore(handbok_home)
    first = ingest_paths([docs], store, e5)
    assert first.count("added") == 2 and first.chunks_added > 0
    count = store.count()
    second = ingest_paths([docs], store, e5)
    assert second.chunks_added == 0 and second.count("unchanged") == 2
    assert store.count() == count


def test_changed_file_replaces_its_old_chunks(tmp_path, handbok_home, e5):
    path = _write(tmp_path, "a.txt")
    store = ChunkStore(handbok_home)
    ingest_paths([path], store, e5)
    old_ids = store.ids_by_source()[next(iter(store.ids_by_source()))]["ids"]
    path.write_text(path.read_text(encoding="utf-8").replace("Rubrik", "Ny rubrik") + "\n\nEtt nytt sista stycke om samverkan.",
                    encoding="utf-8")
    report = ingest_paths([path], store, e5)
    assert report.count("updated") == 1 and report.chunks_removed >= 1
    entry = next(iter(store.ids_by_source().values()))
    assert entry["ids"].isdisjoint(old_ids - entry["ids"]) and "Ny rubrik" in " ".join(
        c.text for c in store.all_chunks())
    assert not any("Rubrik för" in c.text and "Ny" not in c.text for c in store.all_chunks())


def test_ingesting_a_file_reads_only_its_own_chunks_from_the_store(tmp_path, handbok_home, e5, monkeypatch):
    store = ChunkStore(handbok_home)
    ingest_paths([_write(tmp_path, "a.txt"), _write(tmp_path, "b.txt", paragraphs=2)], store, e5)
    read = []
    real = ChunkStore._iter
    monkeypatch.setattr(ChunkStore, "_iter", lambda self, include, **kw: (read.append(include),
                                                                          real(self, include, **kw))[1])
    path = _write(tmp_path, "a.txt", extra="\n\nEtt nytt sista stycke om samverkan.")
    report = ingest_paths([path], store, e5)
    assert report.count("updated") == 1 and report.chunks_removed >= 1
    assert all("metadatas" not in include for include in read)  # no chunk of b.txt was read
    assert {Path(s).name for s in store.ids_by_source()} == {"a.txt", "b.txt"}


def test_file_removed_from_folder_loses_its_chunks(tmp_path, handbok_home, e5):
    docs = tmp_path / "docs"
    docs.mkdir()
    _write(docs, "a.txt")
    gone = _write(docs, "b.txt")
    store = ChunkStore(handbok_home)
    ingest_paths([docs], store, e5)
    gone.unlink()
    report = ingest_paths([docs], store, e5)
    assert report.count("removed") == 1
    assert {c.source.rsplit("/", 1)[-1] for c in store.all_chunks()} == {"a.txt"}


def test_bad_files_are_reported_and_the_rest_is_indexed(tmp_path, handbok_home, e5):
    docs = tmp_path / "docs"
    docs.mkdir()
    _write(docs, "good.txt")
    (docs / "empty.txt").write_bytes(b"")
    (docs / "fake.pdf").write_bytes(b"PK\x03\x04 this is a zip file really")
    (docs / "notes.docx").write_bytes(b"whatever")
    (docs / "moved.txt").symlink_to(tmp_path / "gone.txt")  # a link whose target was moved
    store = ChunkStore(handbok_home)
    report = ingest_paths([docs, tmp_path / "missing-folder"], store, e5)
    failed = {Path(f.source).name: f.reason for f in report.failed}
    assert set(failed) == {"empty.txt", "fake.pdf", "notes.docx", "moved.txt", "missing-folder"}
    assert all(reason and "\n" not in reason for reason in failed.values())
    assert report.count("added") == 1 and store.count() > 0


def test_interrupted_ingest_leaves_a_usable_index_and_the_next_run_completes(
        tmp_path, handbok_home, e5, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        _write(docs, name)
    store = ChunkStore(handbok_home)
    calls = {"n": 0}
    real_embed = e5.embed

    def crash_on_second_file(texts, kind="passage"):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the run
        return real_embed(texts, kind)

    monkeypatch.setattr(e5, "embed", crash_on_second_file)
    with pytest.raises(KeyboardInterrupt):
        ingest_paths([docs], store, e5)
    monkeypatch.setattr(e5, "embed", real_embed)
    assert {Path(s).name for s in store.ids_by_source()} == {"a.txt"}  # usable, consistent
    report = ingest_paths([docs], store, e5)
    assert report.count("unchanged") == 1 and report.count("added") == 2
    assert {Path(s).name for s in store.ids_by_source()} == {"a.txt", "b.txt", "c.txt"}


def test_failed_reingest_of_a_broken_file_keeps_its_old_chunks(tmp_path, handbok_home, e5):
    path = _write(tmp_path, "a.txt")
    store = ChunkStore(handbok_home)
    ingest_paths([path], store, e5)
    before = store.count()
    path.write_bytes(b"")  # the file got truncated to nothing
    report = ingest_paths([path], store, e5)
    assert report.failed and store.count() == before
