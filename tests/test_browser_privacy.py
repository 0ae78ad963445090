"""A scripted session types personal data into questions and comments; none of it is kept."""
from __future__ import annotations

import logging
import shutil

import pytest

from conftest import skip_or_fail
from browser import CHROMIUM, DESKTOP, ask, chromium, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# planted items: valid, mistyped, coordination and spaced personnummer, names, address, phone, e-mail
PLANTED = ["19121212-1212", "20120315-2381", "201203152381", "1212721233", "2012 03 15 2382",
           "Kalle", "Linnea Sjöberg", "Omar", "Björkvägen 3B", "123 45 Kungsvik",
           "070-123 45 67", "0739876543", "anna.svensson@skolan.se", "Tuva Lindqvist"]
QUESTIONS = [
    "Eleven Kalle med personnummer 20120315-2381 och telefon 070-123 45 67 far illa, "
    "får jag berätta för soc?",
    "Får skolan lämna uppgifter om Linnea Sjöberg, 19121212-1212, som bor på Björkvägen 3B, "
    "123 45 Kungsvik?",
    "Omars mamma har samordningsnummer 1212721233, får polisen veta det i blåvalsärendet?",
]  # the last one gets no feedback: not even its harmless words may be written anywhere
UNRATED = "blåvalsärendet"
COMMENTS = ["Fel svar om 201203152381, ring mig på anna.svensson@skolan.se",
            "Tuva Lindqvist har nummer 2012 03 15 2382 och 0739876543"]


@pytest.fixture(autouse=True)
def chromium_installed():
    if not shutil.which(CHROMIUM):
        skip_or_fail(f"{CHROMIUM} is not installed (Debian package chromium)")


def variants(item: str) -> list[bytes]:
    digits = "".join(ch for ch in item if ch.isdigit())
    out = [item.encode("utf-8"), item.encode("utf-16-le")]
    if len(digits) >= 10:
        out.append(digits.encode())
    return out


def test_nothing_typed_in_questions_or_comments_is_left_in_any_file_or_the_log(
        indexed_corpus, tmp_path, caplog, capfd):
    from assistant.assistant import Assistant
    from assistant.settings import Settings

    home = tmp_path / "home"
    shutil.copytree(indexed_corpus, home)
    settings = Settings(home=home)
    caplog.set_level(logging.DEBUG)
    with chromium() as browser, serving(settings, Assistant.from_settings(settings)) as url:
        page = browser.new_context(viewport=DESKTOP, locale="sv-SE").new_page()
        page.goto(url)
        page.get_by_text("Materialet omfattar 5 dokument").wait_for()
        for i, question in enumerate(QUESTIONS):
            ask(page, question)
            note = page.locator("#hb-privacy").inner_text()
            assert "personnummer" in note and "namn" in note
            if i < len(COMMENTS):
                page.locator("#hb-comment textarea").fill(COMMENTS[i])
                page.locator("#hb-down" if i == 0 else "#hb-up").click()
                page.locator("#hb-feedback-status").get_by_text("Tack!").wait_for()
                status = page.locator("#hb-feedback-status").inner_text()
                assert "personnummer" in status
        chat = page.locator("#hb-chat").inner_text()
        assert "[personnummer]" in chat and "[namn]" in chat
    log_text = caplog.text + "\n".join(capfd.readouterr())
    assert any(r.name.startswith("handbok") for r in caplog.records)  # the server did log

    files = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.name == "feedback.sqlite3" for p in files)
    assert any("chroma" in p.name for p in files)
    found = []
    for path in files:
        raw = path.read_bytes()
        found += [(path.name, item) for item in PLANTED for v in variants(item) if v in raw]
    found += [(path.name, UNRATED) for path in files if UNRATED.encode() in path.read_bytes()]
    found += [("log", item) for item in PLANTED + [UNRATED] if item in log_text]
    assert found == []
    assert b"[personnummer]" in (home / "feedback.sqlite3").read_bytes()
