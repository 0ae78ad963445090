"""Screenshots of the web interface for the README: docs/screenshot-desktop.png and -mobile.png,
and docs/screenshot-source-pdf.png (a PDF page opened from an answer, the quote marked).

    python scripts/screenshots.py            # indexes the bundled corpus in a temp HANDBOK_HOME
    HANDBOK_HOME=.handbok python scripts/screenshots.py   # or uses an index that exists
    python scripts/screenshots.py --only source-pdf       # just the viewer (a generated PDF)

Needs Debian's chromium (/usr/bin/chromium) and the playwright package; no network.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

QUESTION = "Får skolan lämna uppgifter om en elev till socialtjänsten utan samtycke?"
PDF_QUESTION = "Var ska kopian av en orosanmälan förvaras?"


def source_pdf_shot(browser, out: Path) -> Path:
    """Ask about a generated handbook PDF (tests/pdfs.py), open the source's page and photograph it."""
    from browser import DESKTOP, ask, serving
    from pdfs import make_structured_pdf

    from assistant.assistant import Assistant, open_store
    from assistant.settings import Settings
    from index.embedders import make_embedder
    from index.sync import ingest_paths

    root = Path(tempfile.mkdtemp(prefix="handbok-shots-pdf-"))
    os.chdir(root)  # files are named relative to where they were indexed from (and served)
    settings = Settings.from_env(home=root / "home")
    (root / "material").mkdir()
    ingest_paths([make_structured_pdf(Path("material") / "sekretesshandbok.pdf")], open_store(settings),
                 make_embedder(settings.embedder))
    with serving(settings, Assistant.from_settings(settings), environ={}) as url:
        context = browser.new_context(viewport=DESKTOP, locale="sv-SE", device_scale_factor=1)
        page = context.new_page()
        page.goto(url)
        page.locator("#hb-question textarea").wait_for(timeout=30000)
        ask(page, PDF_QUESTION)
        with context.expect_page() as opened:
            page.locator("#hb-sources .hb-open a").first.click()
        viewer = opened.value
        viewer.locator("figure img").wait_for()
        viewer.wait_for_function("document.querySelector('figure img').complete")
        target = out / "screenshot-source-pdf.png"
        viewer.screenshot(path=str(target), full_page=True, clip={"x": 0, "y": 0, "width": DESKTOP["width"],
                                                                  "height": 600})
        context.close()
    os.chdir(ROOT)
    return target


def _settings():
    from assistant.assistant import open_store
    from assistant.settings import Settings

    os.environ.update({"HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
                       "ANONYMIZED_TELEMETRY": "False"})
    settings = Settings.from_env()
    if os.environ.get("HANDBOK_HOME") and open_store(settings).count():
        return settings
    from index.embedders import make_embedder
    from index.sync import ingest_paths

    settings = Settings.from_env(home=Path(tempfile.mkdtemp(prefix="handbok-shots-")) / "home")
    print(f"indexing {settings.corpus} into {settings.home} …", file=sys.stderr)
    ingest_paths([ROOT / "corpus"], open_store(settings), make_embedder(settings.embedder),
                 max_file_mb=settings.max_file_mb, ocr=settings.ocr)
    return settings


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--full", type=Path, help="Also save whole-page screenshots in this folder.")
    parser.add_argument("--only", choices=["chat", "source-pdf"], help="Make only these screenshots.")
    args = parser.parse_args(argv)
    if args.only == "source-pdf":
        from browser import chromium

        os.chdir(ROOT)
        with chromium() as browser:
            print(source_pdf_shot(browser, args.out))
        return

    from browser import DESKTOP, MOBILE, ask, chromium, serving

    from assistant.assistant import Assistant

    os.chdir(ROOT)
    settings = _settings()
    assistant = Assistant.from_settings(settings)
    args.out.mkdir(parents=True, exist_ok=True)
    with serving(settings, assistant, environ={}) as url, chromium() as browser:
        # the mobile picture is the whole page down to the sources (the phone scrolls)
        for name, viewport, height in (("desktop", DESKTOP, 1000), ("mobile", MOBILE, None)):
            context = browser.new_context(viewport=viewport, locale="sv-SE", device_scale_factor=1)
            page = context.new_page()
            page.goto(url)
            page.locator("#hb-question textarea").wait_for(timeout=30000)
            ask(page, args.question)
            time.sleep(0.5)  # let the last streamed piece render
            page.evaluate("window.scrollTo(0, 0)")
            target = args.out / f"screenshot-{name}.png"
            if height:
                page.set_viewport_size({"width": viewport["width"], "height": height})
                page.screenshot(path=str(target))
            else:
                box = page.locator("#hb-sources").bounding_box()
                bottom = min(box["y"] + box["height"] + 16, 4000)
                page.screenshot(path=str(target), full_page=True,
                                clip={"x": 0, "y": 0, "width": viewport["width"], "height": bottom})
            if args.full:
                args.full.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.full / f"full-{name}.png"), full_page=True)
            print(target)
            context.close()
        if args.only is None:
            print(source_pdf_shot(browser, args.out))


if __name__ == "__main__":
    main()
