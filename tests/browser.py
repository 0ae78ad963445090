"""Helpers for driving the web interface in Debian's chromium (tests and scripts/screenshots.py)."""
from __future__ import annotations

import re
import socket
from contextlib import contextmanager

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def chromium():
    """A headless chromium (no browser download: Debian's /usr/bin/chromium)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def serving(settings, assistant, environ: dict | None = None):
    """The real ``launch`` on 127.0.0.1 and a free port, in this process; yields the URL."""
    from assistant.privacy import uninstall_log_redaction
    from assistant.ui import launch

    port = free_port()
    demo = launch(settings, host="127.0.0.1", port=port, assistant=assistant, block=False,
                  environ=environ or {})
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close(verbose=False)
        uninstall_log_redaction()


def sign_in(page, url: str, user: str, password: str) -> None:
    page.goto(url)
    page.get_by_label(re.compile("username|användarnamn", re.I)).first.wait_for(timeout=15000)
    page.get_by_label(re.compile("username|användarnamn", re.I)).first.fill(user)
    page.get_by_label(re.compile("password|lösenord", re.I)).first.fill(password)
    page.get_by_role("button", name=re.compile("^(login|logga in)$", re.I)).click()


def ask(page, question: str, timeout: float = 30000) -> None:
    """Type a question, press Enter and wait until its sources are shown."""
    box = page.locator("#hb-question textarea")
    box.fill(question)
    box.press("Enter")
    page.locator("#hb-sources .hb-source, #hb-sources .hb-empty:has-text('Inga källor')").first.wait_for(
        timeout=timeout)
