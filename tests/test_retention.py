"""Feedback is deleted after HANDBOK_FEEDBACK_DAYS and on request; trainers' actions are audited."""
from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta, timezone

from click.testing import CliRunner

from assistant.audit import AuditLog
from assistant.cli import cli
from assistant.feedback import FILENAME, FeedbackStore


def age_row(path, row_id, days):
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE feedback SET created_at = ? WHERE id = ?",
                    ((datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds"), row_id))
    con.close()


def test_feedback_older_than_the_retention_is_deleted_when_the_store_is_opened(tmp_path):
    store = FeedbackStore(tmp_path / FILENAME, days=90)
    old = store.add(1, "gammal fråga", "svar", [])
    store.add(-1, "ny fråga", "svar", [])
    age_row(store.path, old, 91)
    assert [r["question"] for r in store.all()] == ["ny fråga"]
    assert b"gammal fr" not in store.path.read_bytes()


def test_retention_days_come_from_the_environment(monkeypatch):
    from assistant.settings import Settings

    monkeypatch.setenv("HANDBOK_FEEDBACK_DAYS", "7")
    assert Settings.from_env().feedback_days == 7
    monkeypatch.delenv("HANDBOK_FEEDBACK_DAYS")
    assert Settings.from_env().feedback_days == 90


def test_purge_before_a_date_deletes_only_older_rows_and_is_audited(tmp_path, monkeypatch):
    monkeypatch.setenv("HANDBOK_HOME", str(tmp_path))
    store = FeedbackStore(tmp_path / FILENAME)
    old = store.add(1, "fråga ett", "svar", [])
    store.add(1, "fråga två", "svar", [])
    age_row(store.path, old, 30)
    before = (date.today() - timedelta(days=10)).isoformat()
    result = CliRunner().invoke(cli, ["feedback", "purge", "--before", before])
    assert result.exit_code == 0, result.output
    assert "1 feedback rows deleted" in result.output
    assert [r["question"] for r in store.all()] == ["fråga två"]
    result = CliRunner().invoke(cli, ["feedback", "purge"])
    assert "1 feedback rows deleted" in result.output and store.all() == []
    events = [e["event"] for e in AuditLog(tmp_path).entries()]
    assert events == ["feedback_purge", "feedback_purge"]
    listing = CliRunner().invoke(cli, ["audit", "--json"])
    assert [json.loads(line)["rows"] for line in listing.output.splitlines()] == [1, 1]


def test_purge_with_a_bad_date_says_how_to_write_it(tmp_path, monkeypatch):
    monkeypatch.setenv("HANDBOK_HOME", str(tmp_path))
    result = CliRunner().invoke(cli, ["feedback", "purge", "--before", "igår"])
    assert result.exit_code == 2 and "yyyy-mm-dd" in result.output


def test_audit_log_only_appends_and_keeps_no_personal_data(tmp_path):
    log = AuditLog(tmp_path)
    log.record("feedback_export", user="anna", rows=3)
    log.record("document_upload", user="anna", files=["Kalle 20120315-2381.pdf"], failed=0)
    first = log.path.read_text(encoding="utf-8")
    log.record("suite_run", user="anna", suite="demo.yaml", passed=True)
    assert log.path.read_text(encoding="utf-8").startswith(first)
    assert [e["event"] for e in log.entries()] == ["feedback_export", "document_upload", "suite_run"]
    assert "20120315" not in log.path.read_text(encoding="utf-8")


def test_handlers_audit_export_and_store_only_redacted_feedback(tmp_path):
    from assistant.handlers import Handlers
    from assistant.settings import Settings

    class NoIndex:
        class retriever:
            class store:
                @staticmethod
                def all_chunks():
                    return []

    h = Handlers(NoIndex(), Settings(home=tmp_path))
    last = {"question": "fråga", "answer": "svar", "citations": []}
    msg = h.give_feedback(-1, "Fel om 201203152381, eleven Kalle", last, "anna")
    assert "personnummer och namn" in msg
    assert h.give_feedback(1, "Bra svar", last, "anna") == "Tack! Din återkoppling är sparad."
    h.export_feedback("anna")
    assert [e["event"] for e in AuditLog(tmp_path).entries()] == ["feedback_export"]
    raw = (tmp_path / FILENAME).read_bytes()
    assert b"201203152381" not in raw and b"Kalle" not in raw
