"""Append-only audit trail for trainers: who did what, when; never question text.

    AuditLog(settings.home).record("feedback_export", user="anna", rows=12)

One JSON object per line in HANDBOK_HOME/audit.jsonl. There is no update or
delete path: the file is only ever opened for appending. Details are redacted.
"""
from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path

from .privacy import redact_text

FILENAME = "audit.jsonl"
EVENTS = ("feedback_export", "feedback_purge", "suite_run", "document_upload", "document_remove")
_lock = threading.Lock()


class AuditLog:
    def __init__(self, home: Path):
        self.path = Path(home) / FILENAME

    def record(self, event: str, user: str = "", **details) -> dict:
        """Append one event (one of ``EVENTS``); string details are redacted first."""
        if event not in EVENTS:
            raise ValueError(f"unknown audit event {event!r}; one of {', '.join(EVENTS)}")
        clean = {k: redact_text(v) if isinstance(v, str) else
                 [redact_text(x) if isinstance(x, str) else x for x in v] if isinstance(v, list) else v
                 for k, v in details.items()}
        entry = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "event": event,
                 "user": redact_text(user or ""), **clean}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return entry

    def entries(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line]
