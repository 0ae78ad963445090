"""Every PDF citation of an eval run is served at its page with the quote under the mark
(``evals.sources``): on a generated corpus (text pages, a passage over a page break, a scan)
and on every suite in evals/suites with a ``corpus:`` key."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from conftest import ROOT, skip_or_fail
from ingest import ocr as ocr_module
from pdfs import BREAK_START, PDF_FACT, make_cited_corpus, require_font

pytestmark = pytest.mark.slow
KURATOR = "Får skolkuratorn delta i samverkansmöten med socialtjänsten?"

QUESTIONS = """
name: generated
corpus: {corpus}
defaults: &d {{role: lärare, topic: sekretess, lang: sv, sources: [], key_phrases: [], must_refuse: false, note: ""}}
questions:
  - id: kurator
    question: "Får skolkuratorn delta i samverkansmöten med socialtjänsten?"
    <<: *d
  - id: polis
    question: "När kallas polisen till skolan av rektorn?"
    <<: *d
  - id: rektor-kontakt
    question: "Vem ska rektorn kontakta på socialförvaltningen när oron uppstår?"
    <<: *d
  - id: mentor
    question: "När dokumenterar mentorn kontakten med vårdnadshavarna?"
    <<: *d
"""


def checked(suite_path: Path, corpus, home: Path):
    from assistant.assistant import Assistant
    from assistant.settings import Settings
    from evals.sources import check_sources
    from evals.suite import load_suite
    from index.embedders import make_embedder
    from index.store import ChunkStore
    from index.sync import ingest_paths

    corpus = list(corpus) if isinstance(corpus, (list, tuple)) else [corpus]
    report = ingest_paths(corpus, ChunkStore(home), make_embedder("e5-small"))
    assert not report.failed, report.failed
    assistant = Assistant.from_settings(Settings(home=home))
    return assistant, check_sources(assistant, load_suite(suite_path))


def test_generated_corpus_citations_are_shown_where_cited(tmp_path):
    from evals.sources import suites_with_corpus

    require_font()
    scanned = ocr_module.tesseract_available("swe")
    if not scanned:
        skip_or_fail("tesseract with Swedish not installed (Debian: tesseract-ocr tesseract-ocr-swe)")
    corpus = make_cited_corpus(tmp_path / "docs")
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "generated.yaml").write_text(QUESTIONS.format(corpus=corpus), encoding="utf-8")
    ((suite, found_corpus),) = suites_with_corpus(tmp_path / "suites")
    assert [Path(p) for p in found_corpus] == [corpus]
    assistant, result = checked(suite, corpus, tmp_path / "home")
    assert result.ok, result.problems
    assert result.pdf_citations >= 3 and result.citations > result.pdf_citations  # the .md one too
    sources = {c.passage.chunk.source for q in (KURATOR, "När kallas polisen till skolan av rektorn?")
               for c in assistant.ask(q).citations}
    assert any(s.endswith("beslut.pdf") for s in sources)  # the scanned page was checked

    # the check fails a citation the viewer would show on another page than cited
    from evals.sources import check_citation
    from assistant.viewer import Viewer
    c = next(c for c in assistant.ask(KURATOR).citations if PDF_FACT[:30] in c.quote)
    moved = dataclasses.replace(c, passage=dataclasses.replace(
        c.passage, chunk=dataclasses.replace(c.passage.chunk, page=1)))
    problem = check_citation(Viewer(assistant.retriever), moved)
    assert problem is not None and "s. 1" in problem
    # a quote cut at a page break is marked on the page it is cited on
    break_citations = [c for c in assistant.ask("Vem ska rektorn kontakta på socialförvaltningen när oron "
                                                "uppstår?").citations if BREAK_START[:20] in c.quote]
    for c in break_citations:
        assert check_citation(Viewer(assistant.retriever), c) is None


def repo_suites():
    from evals.sources import suites_with_corpus
    return suites_with_corpus(ROOT / "evals" / "suites")


@pytest.mark.parametrize("suite,corpus", repo_suites(), ids=[Path(s).stem for s, _ in repo_suites()])
def test_repository_suite_citations_are_shown_where_cited(suite, corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    paths = [ROOT / p for p in corpus]
    if not any(p.suffix.lower() == ".pdf" for root in paths for p in ([root] if root.is_file() else root.rglob("*"))):
        pytest.skip(f"{corpus} has no PDFs")
    _, result = checked(suite, paths, tmp_path / "home")
    assert result.pdf_citations > 0
    assert result.ok, result.problems
