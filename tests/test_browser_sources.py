"""Opening sources in Debian's chromium: the cited PDF page with the quote marked, a Markdown
file at its section, the sign-in and roles on the viewer's routes, removed files no longer served."""
from __future__ import annotations

import io
import re
import shutil

import pytest

from conftest import skip_or_fail
from browser import CHROMIUM, DESKTOP, ask, chromium, serving, sign_in
from pdfs import MD_FACT, PDF_FACT, make_cited_corpus, require_font

pytestmark = [pytest.mark.browser, pytest.mark.slow]
USERS = {"HANDBOK_AUTH": "anna:anna-lösen:trainer,bo:bo-lösen:staff"}
PDF_QUESTION = "Får skolkuratorn delta i samverkansmöten med socialtjänsten?"
MD_QUESTION = "När dokumenterar mentorn kontakten med vårdnadshavarna?"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from assistant.assistant import Assistant
    from assistant.settings import Settings
    from index.embedders import make_embedder
    from index.store import ChunkStore
    from index.sync import ingest_paths

    if not shutil.which(CHROMIUM):
        skip_or_fail(f"{CHROMIUM} is not installed (Debian package chromium)")
    require_font()
    root = tmp_path_factory.mktemp("sources-browser")
    corpus = make_cited_corpus(root / "docs", scanned=False)
    home = root / "home"
    assert not ingest_paths([corpus], ChunkStore(home), make_embedder("e5-small")).failed
    settings = Settings(home=home)
    assistant = Assistant.from_settings(settings)
    with chromium() as browser, serving(settings, assistant, USERS) as url:
        yield browser, url, assistant, corpus


def marked_pixels(png: bytes) -> int:
    """Pixels of the viewer's yellow marker (a light yellow fill over white paper)."""
    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return int(((r > 230) & (g > 200) & (g < 240) & (b < 190)).sum())


def signed_in(browser, url, user, password):
    context = browser.new_context(viewport=DESKTOP, locale="sv-SE")
    page = context.new_page()
    sign_in(page, url, user, password)
    page.locator("#hb-question textarea").wait_for()
    return context, page


def open_source(context, page, label: str):
    link = page.locator("#hb-sources .hb-open a", has_text=label).first
    with context.expect_page() as opened:
        link.click()
    viewer = opened.value
    viewer.wait_for_load_state()
    return viewer


def test_staff_open_a_cited_pdf_at_its_page_with_the_quote_marked(served):
    browser, url, _, _ = served
    context, page = signed_in(browser, url, "bo", "bo-lösen")
    ask(page, PDF_QUESTION)
    card = page.locator("#hb-sources .hb-source").first
    assert PDF_FACT[:40] in card.locator("mark").first.inner_text()
    assert page.locator("#hb-sources .hb-why").count() == 0  # staff do not see the scores
    viewer = open_source(context, page, "Öppna originalet vid sidan 2")
    assert "/handbok/kalla/" in viewer.url
    figure = viewer.locator('figure[data-page="2"]')
    assert figure.is_visible() and "Sida 2" in figure.inner_text()
    assert viewer.locator("figure").count() == 1  # the cited page only
    image = figure.locator("img")
    assert viewer.evaluate("img => img.naturalWidth", image.element_handle()) > 500
    png = context.request.get(url.rstrip("/") + image.get_attribute("src"))
    assert png.ok and png.headers["content-type"] == "image/png"
    assert marked_pixels(png.body()) > 2000  # the quote's boxes are drawn
    unmarked = context.request.get(url.rstrip("/") + image.get_attribute("src").split("?")[0])
    assert marked_pixels(unmarked.body()) < 50  # ... and only where a quote is asked for
    original = viewer.locator("#hb-original")
    assert original.get_attribute("href").endswith("#page=2")
    pdf = context.request.get(url.rstrip("/") + original.get_attribute("href").split("#")[0])
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"


def test_markdown_source_opens_at_the_section_with_the_quote_marked(served):
    browser, url, _, _ = served
    context, page = signed_in(browser, url, "anna", "anna-lösen")
    ask(page, MD_QUESTION)
    assert page.locator("#hb-sources .hb-why").first.inner_text().startswith("Hittat genom")
    viewer = open_source(context, page, "Öppna originalet vid avsnittet")
    mark = viewer.locator("mark#markering")
    assert mark.is_visible() and MD_FACT[:40] in mark.inner_text()
    assert viewer.evaluate("location.hash") == "#markering"
    assert viewer.locator("#avsnitt mark").count() >= 1


def test_viewer_refuses_the_signed_out_the_unindexed_and_staff_on_trainer_views(served):
    from assistant.viewer import doc_id

    browser, url, assistant, corpus = served
    base = url.rstrip("/")
    chunk = next(c for c in assistant.retriever.chunks if c.source.endswith("samverkan.pdf"))
    anonymous = browser.new_context().request
    assert anonymous.get(f"{base}/handbok/kalla/{chunk.chunk_id}").status == 401
    assert anonymous.get(f"{base}/handbok/original/{doc_id(chunk.source)}").status == 401

    staff, _ = signed_in(browser, url, "bo", "bo-lösen")
    assert staff.request.get(f"{base}/handbok/original/{doc_id(chunk.source)}").status == 200
    (corpus / "inte-indexerad.pdf").write_bytes((corpus / "riktlinjer" / "samverkan.pdf").read_bytes())
    assert staff.request.get(f"{base}/handbok/original/{doc_id(str(corpus / 'inte-indexerad.pdf'))}").status == 404
    assert staff.request.get(f"{base}/handbok/original/..%2F..%2Fetc%2Fpasswd").status == 404
    assert staff.request.get(f"{base}/handbok/dokument/{doc_id(chunk.source)}").status == 403
    trainer, _ = signed_in(browser, url, "anna", "anna-lösen")
    assert trainer.request.get(f"{base}/handbok/dokument/{doc_id(chunk.source)}").status == 200


def test_a_document_removed_from_the_index_is_no_longer_served(served):
    from assistant.viewer import doc_id

    browser, url, assistant, _ = served
    context, page = signed_in(browser, url, "bo", "bo-lösen")
    ask(page, MD_QUESTION)
    href = page.locator("#hb-sources .hb-open a", has_text="vid avsnittet").first.get_attribute("href")
    assert context.request.get(url.rstrip("/") + href).status == 200
    retriever = assistant.retriever
    md = next(s for s in retriever.store.ids_by_source() if s.endswith("rutin.md"))
    retriever.store.delete(sorted(retriever.store.ids_by_source()[md]["ids"]))
    retriever.refresh(force=True)
    assert context.request.get(url.rstrip("/") + href).status == 404
    assert context.request.get(f"{url.rstrip('/')}/handbok/original/{doc_id(md)}").status == 404
    viewer = context.new_page()
    viewer.goto(url.rstrip("/") + href)
    assert re.search("finns inte i Handbok", viewer.inner_text("body"))
