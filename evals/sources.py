"""Does the source viewer show each citation where it is? For every citation an eval run
makes on a PDF, the viewer must serve the cited page and the marked region must contain
the quote: the text under the drawn boxes (pypdfium2 ``get_text_bounded``, or the OCR'd
words on a scanned page) is compared with the quote on letters and digits.

Suites name their documents with a top-level ``corpus:`` key (folders and files relative to
the repository root); ``suites_with_corpus`` finds them.

    python -m evals.sources evals/suites/kungsvik.yaml    # indexes the suite's corpus (evals.corpus_index)
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


def suites_with_corpus(folder: Path) -> list[tuple[Path, list[str]]]:
    """(suite, its corpus paths) for each YAML suite in ``folder`` with a ``corpus:`` key."""
    from .suite import load_suite

    out = []
    for path in sorted(Path(folder).glob("*.yaml")):
        suite = load_suite(path)
        if suite.corpus:
            out.append((path, list(suite.corpus)))
    return out


def check_citation(viewer, citation) -> str | None:
    """None when the viewer serves ``citation`` at its page with the quote marked, else why not."""
    chunk = citation.passage.chunk
    page = citation.page
    where = f"{chunk.source} s. {page}: {citation.quote[:60]!r}"
    path = viewer.file(chunk)
    if path is None:
        return f"{where}: the file is not served (missing or changed since indexing)"
    start = chunk.text.find(citation.quote)
    if start < 0:
        return f"{where}: the quote is not in its passage"
    marks = viewer.marks(chunk, path, [(start, start + len(citation.quote))])
    if not marks:
        return f"{where}: the quote was not found on the page"
    if marks[0].page != page:
        return f"{where}: marked on page {marks[0].page}, cited on page {page}"
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
    from dataclasses import replace

    from assistant.assistant import Assistant
    from assistant.settings import Settings

    from .corpus_index import index_corpus
    from .suite import load_suite

    parser = argparse.ArgumentParser(prog="python -m evals.sources", description=__doc__.split("\n")[0])
    parser.add_argument("suites", nargs="*", type=Path, help="default: every suite with a corpus: key")
    args = parser.parse_args(argv)
    paths = args.suites or [p for p, _ in suites_with_corpus(Path(__file__).parent / "suites")]
    status = 0
    settings = Settings.from_env()
    for suite_path in paths:
        suite = load_suite(suite_path)
        if not suite.corpus:
            raise SystemExit(f"{suite_path}: no corpus: key (the suite's documents)")
        home = index_corpus(suite, settings)
        result = check_sources(Assistant.from_settings(replace(settings, home=home)), suite)
        print(f"{suite_path}: {result.pdf_citations} PDF citations of {result.citations}, "
              f"{len(result.problems)} not shown where cited")
        for p in result.problems:
            print(f"  {p}")
        status |= not result.ok
    return status


if __name__ == "__main__":
    raise SystemExit(main())
