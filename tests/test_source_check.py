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
        c.passage, chunk=dataclasses.replace(c.passage.chunk, page=1, page_starts="")))
    problem = check_citation(Viewer(assistant.retriever), moved)
    assert problem is not None and "s. 1" in problem
    # a quote cut at a page break is marked on the page it is cited on
    break_citations = [c for c in assistant.ask("Vem ska rektorn kontakta på socialförvaltningen när oron "
                                                "uppstår?").citations if BREAK_START[:20] in c.quote]
    for c in break_citations:
        assert check_citation(Viewer(assistant.retriever), c) is None


class _AnswerEverything:
    """A refusal that lets every question through, so that every question's citations are checked
    (more than an eval run shows) and no calibration has to be fitted: this file tests the viewer."""

    @staticmethod
    def get(retriever):
        from assistant.calibration import NullDistribution
        return NullDistribution("none", [], [], [], [])


def repo_corpora() -> dict[tuple[str, ...], list[Path]]:
    """The repository's suites with a ``corpus:`` key, grouped by corpus (indexed once each)."""
    from evals.sources import suites_with_corpus

    def has_pdf(corpus) -> bool:
        return any(p.suffix.lower() == ".pdf" for root in corpus
                   for p in ([ROOT / root] if (ROOT / root).is_file() else (ROOT / root).rglob("*")))

    grouped: dict[tuple[str, ...], list[Path]] = {}
    for suite, corpus in suites_with_corpus(ROOT / "evals" / "suites"):
        if has_pdf(corpus):
            grouped.setdefault(tuple(sorted(corpus)), []).append(Path(suite))
    return grouped


CORPORA = repo_corpora()


@pytest.mark.parametrize("corpus", list(CORPORA), ids=["+".join(Path(p).name for p in c) for c in CORPORA])
def test_repository_suite_citations_are_shown_where_cited(corpus, indexed_corpus, tmp_path, monkeypatch):
    import shutil

    from assistant.assistant import Assistant
    from assistant.refusal import RefusalPolicy
    from assistant.settings import Settings
    from evals.sources import check_sources
    from evals.suite import load_suite
    from index.embedders import make_embedder
    from index.store import ChunkStore
    from index.sync import ingest_paths

    monkeypatch.chdir(ROOT)
    paths = [ROOT / p for p in corpus]
    home = tmp_path / "home"
    shutil.copytree(indexed_corpus, home)  # the bundled documents are embedded already
    report = ingest_paths(paths, ChunkStore(home), make_embedder("e5-small"))
    assert not report.failed, report.failed
    base = Assistant.from_settings(Settings(home=home))
    assistant = Assistant(base.retriever, policy=RefusalPolicy(refuse_below=0.0, answer_from=0.0),
                          calibration=_AnswerEverything())
    for suite in CORPORA[corpus]:
        result = check_sources(assistant, load_suite(suite))
        assert result.pdf_citations > 0, suite
        assert result.ok, (suite.name, result.problems)
