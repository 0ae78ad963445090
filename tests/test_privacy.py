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


@pytest.mark.parametrize("written", [
    "pnr:201203152381", "(120315-2381)", "120315-2381:", "120315–2381", "2012.03.15-2381",
    "12 03 15 2381", "pnr120315-2381",
])
def test_personnummer_glued_to_punctuation_or_letters_is_replaced(written):
    text, kinds = redact(f"Eleven {written} har slutat komma")
    assert "2381" not in text and kinds == ["felskrivet personnummer"]


def test_a_personnummer_with_a_genitive_ending_loses_the_number_and_keeps_the_ending():
    assert redact("för 120315-2381s ärende")[0] == "för [personnummer]s ärende"


@pytest.mark.parametrize("day", ["61", "75", "91"])
def test_samordningsnummer_days_61_to_91_are_replaced(day):
    number = with_check_digit(f"1201{day}123")
    assert redact(f"samordningsnr {number[:6]}-{number[6:]}") == (
        "samordningsnr [samordningsnummer]", ["samordningsnummer"])


@pytest.mark.parametrize("text", [
    "2016-11-23–2016-12-01", "20161123-20161201", "org.nr 212000-0142", "kl 08.00–16.30",
    "prop. 2008/09:150", "SI 2024:6531", "den 8 jan", "2016-11-23 kl. 14.00",
])
def test_date_ranges_times_and_organisation_numbers_survive(text):
    assert redact(text) == (text, [])


@pytest.mark.parametrize("number", ["0771-524 524", "020-50 50 50", "0900-123 45 67"])
def test_organisation_service_numbers_survive(number):
    assert redact(f"Ring {number} för frågor.") == (f"Ring {number} för frågor.", [])


def test_an_authority_number_in_the_documents_survives_in_any_context():
    text = "Mamma ringde från 0555-38 19 90 efter kl 16."
    assert Redactor().redact(text)[1] == ["telefonnummer"]
    assert Redactor.from_texts(["Ring socialjouren, 0555-38 19 90."]).redact(text) == (text, [])


@pytest.mark.parametrize("text", [
    "Socialjouren nås på 0555-38 19 90 efter kl 16.",
    "hur dokumenterar jag när jag ringer socialjouren (0555-38 00 00 efter kl 16)?",
    "ring växeln 0555-38 10 00 och be om mottagningsgruppen",
    "Skolinspektionens upplysningstjänst 08-586 080 00 – ska föräldrar hänvisas dit?",
    "regionens växel 0555-39 00 00, vilket val är barnhälsovården?",
    "the emergency social services number is 0555-38 19 91, isn't it?",
])
def test_a_landline_named_as_an_organisations_survives(text):
    assert Redactor().redact(text) == (text, [])


@pytest.mark.parametrize("text", [
    "socialjouren ringde mamma på 08-465 004 49",           # a family word in the clause
    "socialtjänsten har mitt privata nr 08-465 004 21",     # private
    "Johanna på mottagningen 08-465 004 56 säger nej",      # a person's name in the clause
    "kan socialjouren ringa mig på 08-465 004 21?",         # the pronoun is nearer than the service
    "socialjouren 070-174 06 05",                           # a mobile is a person's
    "Familjecentralen har 08-465 004 52 (pappa)",           # said after the number
])
def test_a_landline_near_an_organisation_is_redacted_when_the_clause_points_at_a_person(text):
    assert "telefonnummer" in Redactor().redact(text)[1]


@pytest.mark.parametrize("text, name", [
    ("Henrik har skrivit från sin privata mejl.", "Henrik"),  # a dictionary word in hunspell-sv
    ("Elin (130422-1185) har blåmärken.", "Elin"),
    ("Jag är orolig för Nasra, hon verkar rädd.", "Nasra"),  # in no list: not a word either
    ("Kan jag ringa Zeynep Aydın om hennes dotter?", "Aydın"),
    ("Ring Lotta på 070-174 06 44 om det behövs.", "Lotta"),
    ("mvh Anna-Karin Öberg-Nilsson, kurator", "Öberg-Nilsson"),
    ("Maximilian von Essen hotade en klasskompis.", "von"),
    ("can I share Liam's number with the nurse?", "Liam"),
    ("Vi ska skicka kopian till Per Nilsson.", "Per"),  # "per" is a preposition too
])
def test_names_of_persons_are_replaced_wherever_they_stand(text, name):
    out, kinds = corpus_redactor().redact(text)
    assert name not in out and "namn" in kinds, out


@pytest.mark.parametrize("text, name", [
    ("vad gör jag om kalle säger att han inte vill gå hem", "kalle"),
    ("ahmeds mamma har ringt tre gånger", "ahmeds"),
    ("Eleven heter amina och går i 3b.", "amina"),
    ("mohammed i 5c har slutat komma", "mohammed"),
    ("pappa heter goran och jobbar natt", "goran"),
    ("ebba i förskoleklassen säger att pappa slår", "ebba"),
])
def test_lowercase_names_are_replaced_in_running_text(text, name):
    out = corpus_redactor().redact(text)[0]
    assert name not in out.split() and "[namn]" in out, out


@pytest.mark.parametrize("text, kept", [
    ("Det låg en sten i skolväskan.", "sten"),
    ("Hon hade en rosa jacka och var ledsen.", "rosa"),
    ("Vi såg en björn på utflykten!", "björn"),
    ("Liv och hälsa är viktigt för eleverna.", "Liv"),
    ("Klara färdiga gå, sa läraren på idrotten.", "Klara"),
    ("Mötet är den 3 Maj klockan 10.", "Maj"),
])
def test_everyday_words_that_are_also_names_survive_without_a_persons_context(text, kept):
    assert corpus_redactor().redact(text) == (text, [])


@pytest.mark.parametrize("text, name", [
    ("Sten hämtar barnen på torsdagar, han är morfar.", "Sten"),  # mid-sentence: not after "."
    ("Lilja och Ester bråkar varje rast.", "Lilja"),
    ("Frans Ek (12 år) har skolkat.", "Ek"),
    ("Björn Ek och Rosa Sund ringde i morse.", "Rosa"),
    ("Storm (120315-2381) har inte kommit.", "Storm"),
    ("Vi pratade med Rosa om hennes bror.", "Rosa"),
])
def test_everyday_words_are_names_in_a_persons_context(text, name):
    out = corpus_redactor().redact(text)[0]
    assert name not in out.split() and "[namn]" in out, out


@pytest.mark.parametrize("text", [
    "Vi har möte med Omsorgsförvaltningen och Familjecentralen på Tisdag.",
    "Eleven går i åk 9 på Ängsskolan och har hjälp av Habiliteringen.",
    "Barnet kom från Afghanistan och bor med pappa i Lillby.",
    "Ska Skolinspektionen ha kopia på anmälan?",
    "Okej, men vad gäller om Vårdnadshavarna säger nej?",
    "Hur anmäler man en vårdskada enligt lex Maria?",
    "Pnr: saknas. Adress: okänd. Hur gör vi då?",
])
def test_institutions_places_weekdays_and_form_labels_survive(text):
    assert corpus_redactor().redact(text) == (text, [])


@pytest.mark.parametrize("text, address", [
    ("Båda är skrivna på Tallbacka 9 sedan i våras.", "Tallbacka 9"),
    ("Posten ska till Kyrkogatan 3, 2 tr, tack.", "Kyrkogatan 3, 2 tr"),
    ("Han bor på Björkbacken 12 med sin mamma.", "Björkbacken 12"),
])
def test_home_addresses_are_replaced_with_their_floor(text, address):
    out, kinds = corpus_redactor().redact(text)
    assert address not in out and "[adress]" in out and "2 tr" not in out, out


def test_name_lists_name_their_lawful_source():
    from assistant.privacy import name_lists

    given, swedish, surnames = name_lists()
    assert {"kalle", "fatima", "mohammed"} <= swedish <= given and {"johansson", "karlsson"} <= surnames
    data = Path(__file__).resolve().parents[1] / "assistant" / "data"
    head = (data / "given_names.txt").read_text(encoding="utf-8")[:2000]
    assert "Isof" in head and "MIT" in head and "names-dataset" in head and "Regenerate" in head
