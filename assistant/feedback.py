"""Staff ratings of answers, in SQLite under HANDBOK_HOME; redacted before they are written.

    store = FeedbackStore(settings.home / "feedback.sqlite3")
    store.add(-1, question, answer_text, [c.to_json() for c in answer.citations], comment="...")
    store.export_csv(Path("aterkoppling.csv"))
"""
from __future__ import annotations

import csv
import json
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from .privacy import redact_text

FILENAME = "feedback.sqlite3"
CSV_COLUMNS = ["id", "tid", "användare", "betyg", "fråga", "svar", "källor", "kommentar"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    user TEXT NOT NULL DEFAULT '',
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL DEFAULT '[]',
    comment TEXT NOT NULL DEFAULT ''
)
"""


def _redact_value(value):
    if isinstance(value, str):
        return redact_text(value, names=False)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_value(v) for v in value]
    return value


class FeedbackStore:
    """One row per 👍/👎. A connection per call, so one store serves every server thread."""

    def __init__(self, path: Path, days: int | None = 90, redactor=None):
        """``days``: rows older than this are deleted whenever the store is opened
        (HANDBOK_FEEDBACK_DAYS; None keeps them)."""
        self.path = Path(path)
        self.days = days
        self.redactor = redactor

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=10)
        con.row_factory = sqlite3.Row
        con.execute(_SCHEMA)
        con.execute("PRAGMA secure_delete = ON")  # deleted rows are overwritten, not left in pages
        if self.days is not None:
            cutoff = datetime.now(timezone.utc) - timedelta(days=self.days)
            with con:
                con.execute("DELETE FROM feedback WHERE created_at < ?",
                            (cutoff.isoformat(timespec="seconds"),))
        return con

    def purge(self, before: date | datetime | None = None) -> int:
        """Delete rows created before ``before`` (all rows when None). Returns how many."""
        if not self.path.exists():
            return 0
        con = self._connect()
        try:
            with con:
                if before is None:
                    cur = con.execute("DELETE FROM feedback")
                else:
                    if not isinstance(before, datetime):
                        before = datetime(before.year, before.month, before.day, tzinfo=timezone.utc)
                    cur = con.execute("DELETE FROM feedback WHERE created_at < ?",
                                      (before.isoformat(timespec="seconds"),))
            con.execute("VACUUM")
            return cur.rowcount
        finally:
            con.close()

    def _redact(self, text: str, names: bool = True) -> str:
        if self.redactor is not None:
            return self.redactor.redact(text, names=names)[0]
        return redact_text(text, names=names)

    def add(self, rating: int, question: str, answer: str, citations: list[dict],
            comment: str = "", user: str = "") -> int:
        """Store one rating (+1 or -1); every text is redacted first. Returns the row id."""
        if rating not in (1, -1):
            raise ValueError(f"rating must be +1 or -1, not {rating!r}")
        # the answer and citations quote the documents (officials' names stay); numbers go anyway
        row = (datetime.now(timezone.utc).isoformat(timespec="seconds"), self._redact(user or ""),
               rating, self._redact(question or ""), self._redact(answer or "", names=False),
               json.dumps(_redact_value(list(citations or [])), ensure_ascii=False),
               self._redact(comment or ""))
        con = self._connect()
        try:
            with con:
                cur = con.execute("INSERT INTO feedback (created_at, user, rating, question, answer, "
                                  "citations, comment) VALUES (?, ?, ?, ?, ?, ?, ?)", row)
            return int(cur.lastrowid)
        finally:
            con.close()

    def all(self) -> list[dict]:
        """Every row, oldest first, with ``citations`` parsed."""
        if not self.path.exists():
            return []
        con = self._connect()
        try:
            rows = con.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        finally:
            con.close()
        return [dict(row, citations=json.loads(row["citations"])) for row in rows]

    def export_csv(self, path: Path) -> Path:
        """Write all rows as CSV (UTF-8 with BOM, so Excel reads å, ä, ö). Returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(CSV_COLUMNS)
            for row in self.all():
                sources = " | ".join(
                    f"[{c.get('n', '')}] {c.get('title', '')} ({c.get('date') or 'odaterat'}), "
                    f"s. {c.get('page', '')}: ”{c.get('quote', '')}”" for c in row["citations"])
                writer.writerow([row["id"], row["created_at"], row["user"],
                                 "👍" if row["rating"] > 0 else "👎", row["question"],
                                 row["answer"], sources, row["comment"]])
        return path
