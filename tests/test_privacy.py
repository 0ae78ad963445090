"""Personal data is found and replaced; case numbers, dates and laws are left alone."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant.privacy import (RedactingFilter, Redactor, install_log_redaction, redact,
                               uninstall_log_redaction, warning)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def with_check_digit(nine: str) -> str:
    """Complete YYMMDDNNN with its Luhn digit."""
    return next(nine + d for d in "0123456789" if luhn_ok(nine + d))


SAMORDNING = with_check_digit("121272123")  # day 12 + 60
CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.mark.parametrize("number", [
    "19121212-1212", "121212-1212", "121212+1212", "1212121212", "191212121212",
    "2012 03 15 2382", "20120315 2381", "120315 2381", "121212-1213",
])
def test_personnummer_valid_or_mistyped_are_replaced_in_every_form(number):
    text, kinds = redact(f"Eleven har nummer {number}, vad gäller?")
    assert text == "Eleven har nummer [personnummer], vad gäller?"
    assert kinds in (["personnummer"], ["felskrivet personnummer"])


def test_mistyped_personnummer_is_labelled_but_still_removed():
    assert redact("20120315-2381") == ("[personnummer]", ["felskrivet personnummer"])
    assert redact("19121212-1212") == ("[personnummer]", ["personnummer"])


def test_spaced_personnummer_is_not_mistaken_for_a_phone_number():
    assert redact("Fel om 2012 03 15 2382")[0] == "Fel om [personnummer]"


def test_samordningsnummer_is_reported_as_its_own_kind():
    assert redact(SAMORDNING) == ("[samordningsnummer]", ["samordningsnummer"])


@pytest.mark.parametrize("text", [
    "121312-1212",  # month 13
    "Dnr KS 2023/1099", "SFS 2009:400", "26 kap. 1 §", "95 mnkr",
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
        "Mejla [e-postadress] eller [e-postadress]", ["e-postadress"])


def test_every_kind_in_one_text_is_listed_once_in_order_found():
    text, kinds = redact("19121212-1212 och 121212-1212, tel 070-123 45 67, a@b.se")
    assert text == "[personnummer] och [personnummer], tel [telefonnummer], [e-postadress]"
    assert kinds == ["personnummer", "telefonnummer", "e-postadress"]


def corpus_redactor():
    return Redactor.from_texts(p.read_text(encoding="utf-8") for p in sorted(CORPUS.iterdir()))


def test_the_issue_example_loses_name_personnummer_phone_and_email():
    r = corpus_redactor()
    text, kinds = r.redact("Eleven Kalle med personnummer 20120315-2381 och telefon 070-123 45 67 "
                           "far illa, får jag berätta för soc?")
    assert text == ("Eleven [namn] med personnummer [personnummer] och telefon [telefonnummer] "
                    "far illa, får jag berätta för soc?")
    assert r.redact("Fel svar om 201203152381, ring mig på anna.svensson@skolan.se")[0] == (
        "Fel svar om [personnummer], ring mig på [e-postadress]")


@pytest.mark.parametrize("text, kinds", [
    ("Omars mamma ringde igen.", ["namn"]),
    ("Sara i 4B berättade.", ["namn"]),
    ("Pojken heter Linnea Sjöberg.", ["namn"]),
    ("Hon bor på Björkvägen 3B, 123 45 Kungsvik.", ["adress"]),
    ("Storgatan 12 är adressen.", ["adress"]),
])
def test_names_and_street_addresses_of_persons_are_replaced(text, kinds):
    assert corpus_redactor().redact(text)[1] == kinds


def test_place_names_weekdays_and_the_authoritys_phone_in_the_documents_survive():
    text = "Måndag ringde Socialtjänsten i Skärholmen från 08-508 25 471 om Dnr KS 2023/1099."
    assert corpus_redactor().redact(text) == (text, [])


def test_warning_names_what_was_removed_and_is_empty_when_nothing_was():
    assert warning([]) == ""
    note = warning(["namn", "felskrivet personnummer", "e-postadress"])
    assert "namn, personnummer och e-postadress" in note and "Skriv inte personnummer" in note


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


def test_uploaded_file_names_lose_personal_data_in_log_lines(caplog):
    logger = logging.getLogger("handbok.test-privacy-files")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="handbok.test-privacy-files"):
        logger.info("could not read %s", "uploads/Anmälan_Kalle_Sjöberg_201203152381.pdf")
    [message] = caplog.messages
    assert message.startswith("could not read uploads/") and message.endswith("_[personnummer].pdf")
    assert "Kalle" not in message and "Sjöberg" not in message and "[namn]" in message
