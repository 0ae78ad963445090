"""What the web interface's buttons do, as plain methods: ``Handlers(assistant, settings, users)``.

No Gradio here: ``assistant.ui`` wires these to components, and tests call them
directly with the signed-in user's name.
"""
from __future__ import annotations

import html
import itertools
import logging
import re
import shutil
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator

from ingest.errors import HandbokError

from . import render
from .audit import AuditLog
from .auth import Users
from .feedback import FILENAME, FeedbackStore
from .privacy import Redactor, configure, warning
from .settings import Settings

log = logging.getLogger("handbok.ui")

THINKING = "Söker i materialet …"
NOT_TRAINER = "Den här delen är bara för utbildare."
ERROR = ("Något gick fel, och frågan kunde inte besvaras just nu. Försök igen om en stund, "
         "eller kontakta den som sköter Handbok.")


class Handlers:
    """What the buttons do. Methods take plain values and the signed-in user name.

    Args:
        assistant: answers questions (its retriever's store and embedder index uploads).
        users: who may do what; empty means no sign-in (everyone is a trainer).
        stream_delay: seconds between the words of a generated sentence as it appears (0 in tests).
        today: for the "older than N years" note (tests pin it).
    """

    def __init__(self, assistant, settings: Settings, users: Users | None = None,
                 feedback: FeedbackStore | None = None, stream_delay: float = 0.02,
                 today: date | None = None):
        self.assistant = assistant
        self.settings = settings
        self.users = users or Users()
        self.feedback_store = feedback or FeedbackStore(Path(settings.home) / FILENAME,
                                                        days=settings.feedback_days)
        self.audit = AuditLog(Path(settings.home))
        self._redactor: Redactor | None = None
        self.stream_delay = stream_delay
        self.today = today
        self._lock = threading.Lock()  # one upload at a time

    # -- roles --------------------------------------------------------------------------------
    def role(self, username: str | None) -> str | None:
        return self.users.role(username)

    def is_trainer(self, username: str | None) -> bool:
        return self.role(username) == "trainer"

    def require_trainer(self, username: str | None) -> None:
        if not self.is_trainer(username):
            raise PermissionError(NOT_TRAINER)

    # -- personal data ------------------------------------------------------------------------
    def redactor(self) -> Redactor:
        """Built from the indexed texts (their place names and phone numbers survive), once."""
        if self._redactor is None:
            try:
                with self._lock:
                    texts = [c.text for c in self.assistant.retriever.store.all_chunks()]
            except Exception:  # no index yet: the plain redactor still removes everything personal
                texts = []
            self._redactor = Redactor.from_texts(texts)
            configure(self._redactor)
            self.feedback_store.redactor = self._redactor
        return self._redactor

    def redact(self, text: str) -> tuple[str, list[str]]:
        return self.redactor().redact(text)

    # -- reading the index --------------------------------------------------------------------
    def sources(self) -> dict[str, dict]:
        # from the retriever's chunks in memory, not Chroma's metadata (~13 s at 100,000 chunks)
        return self.assistant.retriever.sources()

    def material_choices(self) -> tuple[list[str], list[str]]:
        """The collections and the document years staff can limit a question to."""
        from index.collections import collections_of

        with self._lock:
            names = [c.name for c in collections_of(self.assistant.retriever)]
        years = sorted({e["date"][:4] for e in self.sources().values() if e.get("date")}, reverse=True)
        return names, years

    def coverage(self) -> str:
        return render.coverage_html(self.sources())

    def documents(self, username: str | None) -> list[list]:
        self.require_trainer(username)
        return render.document_rows(self.sources())

    # -- chat ---------------------------------------------------------------------------------
    def respond(self, question: str, messages: list[dict], questions: list[str],
                username: str | None = None, *, collection: str | None = None,
                since: str | None = None) -> Iterator[tuple]:
        """Ask and stream the answer, from ``collection`` and documents dated ``since`` on when given.

        Yields tuples ``(messages, sources_html, privacy_note, questions, last)``:
        the conversation as chat messages, the sources panel, the personal-data warning
        ("" when none), the redacted questions so far (for follow-ups), and the latest
        answer as a dict for feedback (None until it is complete).
        """
        messages, questions = list(messages or []), list(questions or [])
        clean, kinds = self.redact((question or "").strip())
        note = warning(kinds, "frågan")
        if kinds:
            log.info("personal data removed from a question: %s", ", ".join(kinds))
        if not clean:
            return
        messages.append({"role": "user", "content": html.escape(clean, quote=False)})
        yield messages + [{"role": "assistant", "content": THINKING}], render.SOURCES_PLACEHOLDER, note, questions, None

        try:
            scope = {"collection": collection or None, "since": since or None}
            if getattr(getattr(self.assistant, "writer", None), "streams", False):
                answer = None
                for partial in self._ask_streaming(clean, questions, **scope):
                    if isinstance(partial, str):
                        yield messages + [{"role": "assistant", "content": partial + " …"}], None, note, questions, None
                    else:
                        answer = partial
            else:
                # no lock: the retriever swaps in a reloaded index whole (index.retriever._State),
                # so questions run in parallel and never wait for an upload
                answer = self.assistant.ask(clean, history=questions, **scope)
        except Exception as exc:  # the page must answer something, whatever broke below
            if isinstance(exc, HandbokError):
                log.error("ask failed: %s", exc)
            else:
                log.exception("ask failed unexpectedly")
            messages.append({"role": "assistant", "content": ERROR})
            yield messages, render.sources_html(None), note, questions, None
            return
        log.info("answered: outcome=%s confidence=%.2f %.0f ms", answer.outcome, answer.confidence,
                 answer.timings.get("total", 0.0))
        questions.append(clean)

        # an extractive answer is complete at once and is shown at once: typing it out word by
        # word cost every user a render and a message per step (`handbok bench --load 20`, README)
        messages.append({"role": "assistant", "content": render.chat_message(answer)})
        last = {"question": clean, "answer": answer.answer, "refused": answer.refused,
                "outcome": answer.outcome,
                "citations": [c.to_json() for c in answer.citations]}
        panel = render.sources_html(answer, old_years=self.settings.old_document_years, today=self.today,
                                    explain=self.is_trainer(username))
        yield messages, panel, note, questions, last

    def _ask_streaming(self, question: str, questions: list[str], **scope):
        """A generative answer: each checked sentence as the model finishes it, then the Answer."""
        stream = self.assistant.ask_stream(question, history=questions, **scope)
        with self._lock:  # retrieval reads the index; the model writing the answer does not
            first = next(stream)
        shown = ""
        for item in itertools.chain([first], stream):
            if not isinstance(item, str):
                yield item
            elif item:
                # the new, already checked, sentence appears word by word
                words = re.split(r"(\s+)", item[len(shown):] if item.startswith(shown) else item)
                base = shown if item.startswith(shown) else ""
                for i in range(2, len(words) + 2, 2):
                    yield render.answer_markdown(base + "".join(words[:i]))
                    if self.stream_delay:
                        time.sleep(self.stream_delay)
                shown = item

    def ask_once(self, question: str, questions: list[str] | None = None, username: str | None = None):
        """The final state of ``respond`` (for tests and scripts)."""
        final = None
        for final in self.respond(question, [], questions or [], username):
            pass
        return final

    # -- feedback -----------------------------------------------------------------------------
    def give_feedback(self, rating: int, comment: str, last: dict | None,
                      username: str | None = None) -> str:
        """Store 👍 (+1) or 👎 (-1) for the latest answer. Returns the message to show."""
        if not last:
            return "Ställ en fråga först, så kan du säga vad du tycker om svaret."
        clean, kinds = self.redact(comment or "")
        self.feedback_store.add(rating, last["question"], last["answer"], last["citations"],
                                comment=clean, user=username or "")
        thanks = "Tack! Din återkoppling är sparad."
        return f"{thanks} {warning(kinds, 'kommentaren')}" if kinds else thanks

    def export_feedback(self, username: str | None) -> str:
        """Write all feedback as CSV to a temporary file; returns its path (trainers only)."""
        self.require_trainer(username)
        folder = Path(tempfile.mkdtemp(prefix="handbok-export-"))
        self.audit.record("feedback_export", user=username or "", rows=len(self.feedback_store.all()))
        return str(self.feedback_store.export_csv(folder / f"aterkoppling-{date.today().isoformat()}.csv"))

    # -- documents ------------------------------------------------------------------------------
    def upload(self, files: Iterable[str] | None, username: str | None) -> tuple[str, list[list]]:
        """Save uploaded files under HANDBOK_HOME/uploads and index them (trainers only).

        Returns the per-file result lines and the refreshed document table.
        """
        from index.sync import ingest_paths

        self.require_trainer(username)
        files = [f for f in (files or []) if f]
        if not files:
            return "Välj en eller flera filer (.pdf, .txt, .md) först.", render.document_rows(self.sources())
        folder = Path(self.settings.home) / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        saved = []
        for f in files:
            path = Path(getattr(f, "name", f))
            name = re.sub(r"[^\w.\- ]", "_", path.name).lstrip(".") or "dokument"
            target = folder / name
            shutil.copyfile(path, target)
            saved.append(target)
        retriever = self.assistant.retriever
        with self._lock:
            report = ingest_paths(saved, retriever.store, retriever.embedder,
                                  max_file_mb=self.settings.max_file_mb, ocr=self.settings.ocr)
            retriever.refresh(force=True)  # the new documents' table; questions keep the old state meanwhile
            sources = retriever.sources()
        log.info("upload: %d files, %d failed", len(saved), len(report.failed))
        self.audit.record("document_upload", user=username or "", files=[p.name for p in saved],
                          failed=len(report.failed))
        self._redactor = None  # new documents, new vocabulary
        return render.ingest_lines(report), render.document_rows(sources)
