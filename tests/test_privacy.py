"""Personal data is found and replaced; case numbers, dates and laws are left alone."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant.privacy import (RedactingFilter, install_log_redaction, luhn_ok, redact,
                               uninstall_log_redaction)


def with_check_digit(nine: str) -> str:
    """Complete YYMMDDNNN with its Luhn digit."""
    return next(nine + d for d in "0123456789" if luhn_ok(nine + d))


SAMORDNING = with_check_digit("121272123")  # day 12 + 60
CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.mark.parametrize("number", [
    "19121212-1212", "121212-1212", "121212+1212", "1212121212", "191212121212",
    f"{SAMORDNING[:6]}-{SAMORDNING[6:]}", f"19{SAMORDNING}",
])
def test_personnummer_and_samordningsnummer_are_replaced(number):
    text, kinds = redact(f"Eleven har nummer {number}, vad gäller?")
    assert text == "Eleven har nummer [personnummer], vad gäller?"
    assert kinds in (["personnummer"], ["samordningsnummer"])


def test_samordningsnummer_is_reported_as_its_own_kind():
    assert redact(SAMORDNING)[1] == ["samordningsnummer"]


@pytest.mark.parametrize("text", [
    "121212-1213",  # Luhn fails
    "121312-1212",  # month 13
    "SFS 2016:21", "Dnr 106-360/2016", "Utlåtande 2016:203 RVI", "den 2016-03-16",
    "år 2015 och 2016", "§ 12, 2016-11-23", "20 000 kronor", "kapitel 26 § 1 OSL",
])
def test_case_numbers_dates_and_laws_are_not_personal_data(text):
    assert redact(text) == (text, [])


@pytest.mark.parametrize("number", [
    "08-508 25 471", "08-123 45 67", "070-123 45 67", "0701234567", "+46 70 123 45 67",
    "+46701234567", "0046 8 123 45 67", "031-123 45 67",
])
def test_swedish_phone_numbers_are_replaced(number):
    assert redact(f"Ring {number}.") == ("Ring [telefonnummer].", ["telefonnummer"])


def test_email_addresses_are_replaced():
    assert redact("Mejla anna.andersson@skola.stockholm.se eller bo+x@ex.se") == (
        "Mejla [e-post] eller [e-post]", ["e-post"])


def test_every_kind_in_one_text_is_listed_once_in_order_found():
    text, kinds = redact("19121212-1212 och 121212-1212, tel 070-123 45 67, a@b.se")
    assert text == "[personnummer] och [personnummer], tel [telefonnummer], [e-post]"
    assert kinds == ["e-post", "personnummer", "telefonnummer"]


def test_bundled_corpus_loses_only_its_phone_number():
    found = {}
    for path in CORPUS.iterdir():
        _, kinds = redact(path.read_text(encoding="utf-8"))
        if kinds:
            found[path.name] = kinds
    assert found == {"2015-12-15-tjansteutlatande-pilotprojekt-samverkan-skola-socialtjanst.md":
                     ["telefonnummer"]}


def test_log_records_are_redacted_before_any_handler_formats_them(caplog):
    logger = logging.getLogger("handbok.test-privacy")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="handbok.test-privacy"):
        logger.info("fråga om %s, ring %s", "19121212-1212", "070-123 45 67")
    assert caplog.messages == ["fråga om [personnummer], ring [telefonnummer]"]


def test_access_log_keeps_its_shape_and_loses_the_query_string():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/?q=19121212-1212", "1.1", 200), None)
    assert RedactingFilter().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET / HTTP/1.1" 200'


def test_install_puts_one_filter_on_loggers_and_their_handlers_and_uninstall_removes_it():
    root = logging.getLogger()
    handler = logging.StreamHandler()
    root.addHandler(handler)
    try:
        first = install_log_redaction()
        second = install_log_redaction()
        assert first is second
        assert handler.filters.count(first) == 1
        for name in ("gradio", "uvicorn.error", "uvicorn.access"):
            assert logging.getLogger(name).filters.count(first) == 1
        uninstall_log_redaction()
        assert first not in handler.filters
        assert not any(isinstance(f, RedactingFilter) for f in logging.getLogger("gradio").filters)
    finally:
        root.removeHandler(handler)
        uninstall_log_redaction()
