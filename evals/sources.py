"""Does the source viewer show each citation where it is? For every citation an eval run
makes on a PDF, the viewer must serve the cited page and the marked region must contain
the quote: the text under the drawn boxes (pypdfium2 ``get_text_bounded``, or the OCR'd
words on a scanned page) is compared with the quote on letters and digits.

Suites name their documents with a top-level ``corpus:`` key (a folder or file, or a list
of them, relative to the repository root); ``suites_with_corpus`` finds them.

    python -m evals.sources evals/suites/kungsvik.yaml    # ingests the corpus into a temp home
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ingest.locate import key


@dataclass
class SourceCheck:
    citations: int = 0  # every citation of the run
    pdf_citations: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def corpus_paths(suite_path: Path) -> list[Path]:
    """The suite's ``corpus:`` (one path or a list), [] when it has none."""
    import yaml

    data = yaml.safe_load(Path(suite_path).read_text(encoding="utf-8")) or {}
    value = data.get("corpus") if isinstance(data, dict) else None
    if not value:
        return []
    return [Path(v) for v in ([value] if isinstance(value, str) else value)]


def suites_with_corpus(folder: Path) -> list[tuple[Path, list[Path]]]:
    """(suite, corpus paths) for each YAML suite in ``folder`` with a ``corpus:`` key."""
    return [(path, corpus_paths(path)) for path in sorted(Path(folder).glob("*.yaml"))
            if corpus_paths(path)]


def check_citation(viewer, citation) -> str | None:
    """None when the viewer serves ``citation`` at its page with the quote marked, else why not."""
    chunk = citation.passage.chunk
    where = f"{chunk.source} s. {chunk.page}: {citation.quote[:60]!r}"
    path = viewer.file(chunk)
    if path is None:
        return f"{where}: the file is not served (missing or changed since indexing)"
    start = chunk.text.find(citation.quote)
    if start < 0:
        return f"{where}: the quote is not in its passage"
    marks = viewer.marks(chunk, path, [(start, start + len(citation.quote))])
    if not marks:
        return f"{where}: the quote was not found on the page"
    if marks[0].page != chunk.page:
        return f"{where}: marked on page {marks[0].page}, cited on page {chunk.page}"
    marked = "".join(key(m.text) for m in marks)
    quote = key(citation.quote)
    if marks[0].ocr:  # OCR'd words: most of the quote's words must be among the marked ones
        words = set(key(w) for m in marks for w in m.text.split())
        wanted = [key(w) for w in citation.quote.split() if key(w)]
        if sum(w in words for w in wanted) < 0.8 * len(wanted):
            return f"{where}: the marked OCR words miss the quote"
    elif quote not in marked:
        return f"{where}: the marked text is {' | '.join(m.text for m in marks)[:120]!r}"
    return None


def check_sources(assistant, suite, viewer=None) -> SourceCheck:
    """Ask every question of ``suite`` and check each PDF citation in the viewer."""
    from assistant.viewer import Viewer

    viewer = viewer or Viewer(assistant.retriever)
    result = SourceCheck()
    for case in suite.cases:
        for citation in assistant.ask(case.question).citations:
            result.citations += 1
            if not citation.passage.chunk.source.lower().endswith(".pdf"):
                continue
            result.pdf_citations += 1
            problem = check_citation(viewer, citation)
            if problem:
                result.problems.append(f"{case.id}: {problem}")
    return result


def main(argv: list[str] | None = None) -> int:
    import argparse
    import tempfile

    from assistant.assistant import Assistant
    from assistant.settings import Settings
    from index.embedders import make_embedder
    from index.store import ChunkStore
    from index.sync import ingest_paths

    from .suite import load_suite

    parser = argparse.ArgumentParser(prog="python -m evals.sources", description=__doc__.split("\n")[0])
    parser.add_argument("suites", nargs="*", type=Path, help="default: every suite with a corpus: key")
    args = parser.parse_args(argv)
    pairs = ([(s, corpus_paths(s)) for s in args.suites] if args.suites
             else suites_with_corpus(Path("evals/suites")))
    status = 0
    for suite_path, corpus in pairs:
        if not corpus:
            print(f"{suite_path}: no corpus: key (the documents the suite is about)")
            status = 1
            continue
        with tempfile.TemporaryDirectory() as home:
            ingest_paths(corpus, ChunkStore(Path(home)), make_embedder("e5-small"))
            result = check_sources(Assistant.from_settings(Settings(home=Path(home))), load_suite(suite_path))
        print(f"{suite_path}: {result.pdf_citations} PDF citations of {result.citations}, "
              f"{len(result.problems)} not shown where cited")
        for p in result.problems:
            print(f"  {p}")
        status |= not result.ok
    return status


if __name__ == "__main__":
    raise SystemExit(main())
