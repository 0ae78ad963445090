"""Feedback is stored in SQLite under HANDBOK_HOME, redacted, and exported as CSV."""
from __future__ import annotations

import csv
import sqlite3

import pytest

from assistant.feedback import CSV_COLUMNS, FeedbackStore

CITATION = {"n": 1, "chunk_id": "abc", "source": "corpus/a.txt", "title": "Utlåtande 2016:203",
            "page": 2, "date": "2016-11-23", "doc_type": "utlåtande", "diarienummer": "106-360/2016",
            "quote": "Kontakta handläggaren på 08-508 25 471."}


@pytest.fixture
def store(handbok_home):
    return FeedbackStore(handbok_home / "feedback.sqlite3")


def test_rating_is_stored_with_question_answer_and_citations(store):
    store.add(1, "Får skolan lämna uppgifter?", "Det här säger materialet: … [1]", [CITATION],
              comment="Bra", user="anna")
    [row] = store.all()
    assert (row["rating"], row["question"], row["comment"], row["user"]) == (
        1, "Får skolan lämna uppgifter?", "Bra", "anna")
    assert row["citations"][0]["diarienummer"] == "106-360/2016"
    assert row["created_at"]


def test_personal_data_never_reaches_the_database_file(store):
    store.add(-1, "Eleven 19121212-1212 då?", "Svar", [CITATION],
              comment="Ring mig 070-123 45 67 eller anna@skola.se, gäller 121212-1212")
    raw = store.path.read_bytes()
    for secret in (b"19121212-1212", b"121212-1212", b"070-123 45 67", b"anna@skola.se",
                   "08-508 25 471".encode()):
        assert secret not in raw
    row = store.all()[0]
    assert row["question"] == "Eleven [personnummer] då?"
    assert row["comment"] == "Ring mig [telefonnummer] eller [e-postadress], gäller [personnummer]"
    assert row["citations"][0]["quote"] == "Kontakta handläggaren på [telefonnummer]."
    # the stored text is what SQLite itself returns, not only what .all() shows
    con = sqlite3.connect(store.path)
    assert con.execute("SELECT question FROM feedback").fetchone()[0] == "Eleven [personnummer] då?"
    con.close()


@pytest.mark.parametrize("rating", [0, 2, "+1"])
def test_rating_other_than_plus_or_minus_one_is_refused(store, rating):
    with pytest.raises(ValueError):
        store.add(rating, "q", "a", [])


def test_empty_store_has_no_rows_and_creates_no_file(store):
    assert store.all() == []
    assert not store.path.exists()


def test_export_writes_one_csv_row_per_rating_readable_by_excel(store, tmp_path):
    store.add(1, "Fråga ett", "Svar ett [1]", [CITATION])
    store.add(-1, "Fråga två", "Svar två", [], comment="Saknar källa")
    path = store.export_csv(tmp_path / "ut" / "aterkoppling.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads å, ä, ö
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == CSV_COLUMNS
    assert [r[3] for r in rows[1:]] == ["👍", "👎"]
    assert rows[1][4] == "Fråga ett" and "Utlåtande 2016:203" in rows[1][6]
    assert rows[2][7] == "Saknar källa"


def test_two_stores_on_one_file_see_each_others_rows(store):
    FeedbackStore(store.path).add(1, "a", "b", [])
    store.add(-1, "c", "d", [])
    assert [r["question"] for r in FeedbackStore(store.path).all()] == ["a", "c"]
