"""The real server in Debian's chromium: ask, read the marked source, give feedback, sign in."""
from __future__ import annotations

import logging
import re
import shutil
import sqlite3

import pytest

from conftest import skip_or_fail
from browser import CHROMIUM, DESKTOP, MOBILE, ask, chromium, serving, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(autouse=True)
def chromium_installed():
    if not shutil.which(CHROMIUM):
        skip_or_fail(f"{CHROMIUM} is not installed (Debian package chromium)")

QUESTION = ("Får skolan lämna uppgifter om eleven 19121212-1212 till socialtjänsten "
            "utan samtycke?")
USERS = {"HANDBOK_AUTH": "anna:anna-lösen:trainer,bo:bo-lösen:staff"}


@pytest.fixture(scope="module")
def corpus_home(indexed_corpus, tmp_path_factory):
    home = tmp_path_factory.mktemp("browser") / "home"
    shutil.copytree(indexed_corpus, home)
    return home


@pytest.fixture(scope="module")
def settings(corpus_home):
    from assistant.settings import Settings

    return Settings(home=corpus_home)


@pytest.fixture(scope="module")
def assistant(settings):
    from assistant.assistant import Assistant

    return Assistant.from_settings(settings)


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def local_only(requests: list[str], url: str) -> list[str]:
    host = re.match(r"https?://[^/]+", url).group(0)
    return [r for r in requests if not r.startswith((host, "data:", "blob:"))]


def test_question_answer_marked_source_and_redacted_feedback(browser, settings, assistant, caplog):
    caplog.set_level(logging.DEBUG)
    with serving(settings, assistant) as url:
        page = browser.new_context(viewport=DESKTOP, locale="sv-SE").new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url)
        page.get_by_text("Materialet omfattar 5 dokument").wait_for()
        assert page.get_by_text("Varje ärende kräver en egen sekretessprövning.").is_visible()

        ask(page, QUESTION)
        chat = page.locator("#hb-chat")
        assert "Det här säger materialet" in chat.inner_text()
        assert "[personnummer]" in chat.inner_text() and "19121212" not in chat.inner_text()
        assert page.locator("#hb-privacy").get_by_text("Skriv inte personnummer").is_visible()
        mark = page.locator("#hb-sources .hb-source mark").first
        assert mark.is_visible() and len(mark.inner_text()) > 20
        chat.locator('a[href="#kalla-1"]').first.click()
        assert page.evaluate("location.hash") == "#kalla-1"

        page.locator("#hb-comment textarea").fill("Gäller inte 19121212-1212, ring 070-123 45 67")
        page.locator("#hb-down").click()
        page.locator("#hb-feedback-status").get_by_text("Tack!").wait_for()

        con = sqlite3.connect(settings.home / "feedback.sqlite3")
        rows = con.execute("SELECT rating, question, comment FROM feedback").fetchall()
        con.close()
        assert rows == [(-1, QUESTION.replace("19121212-1212", "[personnummer]"),
                         "Gäller inte [personnummer], ring [telefonnummer]")]
        assert b"19121212" not in (settings.home / "feedback.sqlite3").read_bytes()
        assert local_only(requests, url) == []  # no CDN, fonts or analytics
    assert any(r.name.startswith("handbok") for r in caplog.records)  # the server did log
    assert "19121212" not in caplog.text and "070-123" not in caplog.text


def test_sign_in_and_staff_see_no_trainer_tabs(browser, settings, assistant):
    from assistant.ui import load_extra_tabs

    trainer_tabs = ["Dokument"] + (["Utvärdering"] if load_extra_tabs() else [])
    with serving(settings, assistant, USERS) as url:
        staff = browser.new_context(viewport=MOBILE, locale="sv-SE").new_page()
        staff.goto(url)
        staff.get_by_label(re.compile("användarnamn|username", re.I)).wait_for()
        assert staff.locator("#hb-question").count() == 0  # nothing before signing in
        sign_in(staff, url, "bo", "bo-lösen")
        staff.locator("#hb-question textarea").wait_for()
        staff.get_by_text("Materialet omfattar 5 dokument").wait_for()
        tabs = staff.get_by_role("tab").all_inner_texts()
        assert "Fråga" in tabs and not set(trainer_tabs) & set(tabs)
        ask(staff, "Vem på socialtjänsten är vår kontakt?")  # staff can still use the chat

        trainer = browser.new_context(viewport=DESKTOP, locale="sv-SE").new_page()
        sign_in(trainer, url, "anna", "anna-lösen")
        trainer.locator("#hb-question textarea").wait_for()
        trainer.get_by_role("tab", name="Dokument").wait_for()
        assert set(trainer_tabs) <= set(trainer.get_by_role("tab").all_inner_texts())
        trainer.get_by_role("tab", name="Dokument").click()
        trainer.locator("#hb-documents").get_by_text("2016-11-23").first.wait_for()
