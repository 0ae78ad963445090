"""The web interface, built without a server: layout, and the handlers run on the indexed corpus."""
from __future__ import annotations

import asyncio
import csv
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant import render
from assistant.assistant import Assistant
from assistant.auth import Users, parse_auth_env
from assistant.feedback import FeedbackStore
from assistant.settings import Settings
from assistant.handlers import NOT_TRAINER, THINKING, Handlers
from assistant.ui import create_app, is_loopback, launch, load_extra_tabs
from ingest.errors import ConfigError

QUESTION = "Får skolan lämna uppgifter om en elev till socialtjänsten utan samtycke?"
OLD_QUESTION = "Hur gick kartläggningen av barnavården i Stockholm 2007?"
OFF_TOPIC = "Hur söker jag bygglov för en altan?"
USERS = Users(parse_auth_env("anna:a-lösen:trainer,bo:b-lösen:staff"))


@pytest.fixture(scope="module")
def assistant(indexed_corpus):
    return Assistant.from_settings(Settings(home=indexed_corpus))


@pytest.fixture
def settings(handbok_home):
    return Settings(home=handbok_home)


@pytest.fixture
def handlers(assistant, settings):
    return Handlers(assistant, settings, USERS, stream_delay=0, today=date(2026, 11, 24))


def components(demo, kind):
    import gradio as gr

    return [b for b in demo.blocks.values() if isinstance(b, getattr(gr, kind))]


def labels(demo, kind):
    return {getattr(b, "label", None) or getattr(b, "value", None) for b in components(demo, kind)}


# -- layout ----------------------------------------------------------------------------------------
def test_app_has_labelled_chat_sources_feedback_and_start_in_swedish(assistant, settings):
    demo = create_app(assistant, settings)
    assert {"Samtal"} <= labels(demo, "Chatbot")
    assert {"Din fråga", "Kommentar (valfritt)"} <= labels(demo, "Textbox")
    buttons = labels(demo, "Button")
    assert {"👍 Bra svar", "👎 Dåligt svar", "Ny konversation", "Indexera filerna",
            "Exportera återkoppling (CSV)"} <= buttons
    assert "Får skolan lämna uppgifter om en elev till socialtjänsten utan samtycke?" in buttons
    assert "Vem på socialtjänsten är vår kontakt?" in buttons
    assert "Får vi veta om vår anmälan ledde till en utredning?" in buttons
    assert {"Ladda upp dokument (.pdf, .txt, .md)"} <= labels(demo, "File")
    [question] = [b for b in components(demo, "Textbox") if b.label == "Din fråga"]
    assert question.lines == 1  # Enter sends
    markdown = " ".join(str(b.value) for b in components(demo, "Markdown"))
    assert render.REMINDER in markdown
    assert {"Fråga", "Dokument"} <= labels(demo, "Tab")


def test_building_the_app_starts_no_server(assistant, settings):
    demo = create_app(assistant, settings)
    assert not demo.is_running and getattr(demo, "server", None) is None


def test_trainer_tabs_start_hidden_and_open_only_for_trainers(assistant, settings):
    import gradio as gr

    def extra(assistant, settings):
        with gr.Tab("Utvärdering"):
            gr.Button("Kör").click(lambda: None)

    demo = create_app(assistant, settings, [extra], users=USERS)
    tabs = {t.label: t for t in components(demo, "Tab")}
    assert tabs["Fråga"].visible and not tabs["Dokument"].visible and not tabs["Utvärdering"].visible
    [on_load] = [f.fn for f in demo.fns.values() if f.name == "on_load"]
    coverage, rows, *visibility = on_load(SimpleNamespace(username="bo"))
    assert "Materialet omfattar 5 dokument" in coverage
    assert rows.empty and [v["visible"] for v in visibility] == [False, False]
    coverage, rows, *visibility = on_load(SimpleNamespace(username="anna"))
    assert len(rows) == 5 and [v["visible"] for v in visibility] == [True, True]
    assert list(rows.columns) == render.DOCUMENT_COLUMNS


def test_trainer_only_events_are_refused_server_side_to_staff(assistant, settings):
    import gradio as gr

    def extra(assistant, settings):
        with gr.Tab("Utvärdering"):
            gr.Button("Kör").click(lambda: "kört", None, gr.Textbox())

    demo = create_app(assistant, settings, [extra], users=USERS)
    names = {i: f.name for i, f in demo.fns.items()}
    gated = {names[i] for i in demo.trainer_fns}
    assert {"do_upload", "do_export", "<lambda>"} <= gated
    assert not gated & {"respond", "handler", "on_load", "clear"}
    [run] = [i for i in demo.trainer_fns if names[i] == "<lambda>"]
    with pytest.raises(gr.Error, match=NOT_TRAINER):
        asyncio.run(demo.process_api(run, [], request=SimpleNamespace(username="bo")))


# -- chat --------------------------------------------------------------------------------------------
def test_extractive_answer_follows_the_question_at_once_and_links_its_markers_to_the_sources(handlers):
    steps = list(handlers.respond(QUESTION, [], []))
    shown = [msgs[-1]["content"] for msgs, *_ in steps]
    assert shown[0] == THINKING and len(steps) == 2  # the quotes are whole: no typing them out
    messages, panel, note, questions, last = steps[-1]
    assert messages[0] == {"role": "user", "content": QUESTION}
    assert '<a href="#kalla-1" class="hb-cite">[1]</a>' in messages[-1]["content"]
    assert 'id="kalla-1"' in panel and "<mark>" in panel and "Visa hela avsnittet" in panel
    assert note == "" and questions == [QUESTION] and not last["refused"]
    quote = last["citations"][0]["quote"]
    assert render.highlight(quote, [(0, len(quote))]) in panel  # the quote itself is marked


def test_sources_show_title_type_date_diarienummer_page_and_age_warning(handlers):
    *_, (messages, panel, note, questions, last) = handlers.respond(OLD_QUESTION, [], [])
    cited = last["citations"][0]
    assert cited["date"].startswith("2008")
    assert render.html.escape(cited["title"]) in panel and f"s. {cited['page']}" in panel
    assert ("Obs: dokumentet är från 2008, över 5 år gammalt. "
            "Kontrollera att det fortfarande gäller.") in panel
    *_, (_, recent_panel, *_rest) = handlers.respond(QUESTION, [], [])
    assert "Utlåtande · 2016-11-23 · Dnr 106-360/2016" in recent_panel


def test_refusal_shows_the_refusal_and_no_sources(handlers):
    *_, (messages, panel, note, questions, last) = handlers.respond(OFF_TOPIC, [], [])
    assert last["refused"] and last["citations"] == []
    assert messages[-1]["content"].startswith("Det framgår inte av materialet")
    assert "hb-source" not in panel and "Inga källor" in panel


def test_a_failure_below_the_ui_gives_a_swedish_message_not_a_silent_page(handlers, monkeypatch):
    def broken_ask(question, **kwargs):
        raise ModuleNotFoundError("No module named 'scipy'")  # what a broken install looks like

    monkeypatch.setattr(handlers.assistant, "ask", broken_ask)
    *_, (messages, panel, note, questions, last) = handlers.respond(QUESTION, [], [])
    assert messages[-1]["content"].startswith("Något gick fel") and last is None


def test_follow_up_questions_are_asked_with_the_conversation_so_far(handlers, monkeypatch):
    seen = []
    real_ask = handlers.assistant.ask

    def recording_ask(question, **kwargs):
        seen.append((question, list(kwargs.get("history") or [])))
        return real_ask(question, **kwargs)

    monkeypatch.setattr(handlers.assistant, "ask", recording_ask)
    *_, (messages, _, _, questions, _) = handlers.respond(QUESTION, [], [])
    *_, (messages, _, _, questions, _) = handlers.respond("Och om vårdnadshavaren säger nej?",
                                                          messages, questions)
    assert seen == [(QUESTION, []), ("Och om vårdnadshavaren säger nej?", [QUESTION])]
    assert len(messages) == 4 and questions[-1] == "Och om vårdnadshavaren säger nej?"


def test_personal_data_is_removed_from_the_question_and_the_user_is_warned(handlers, monkeypatch):
    asked = []
    real_ask = handlers.assistant.ask
    monkeypatch.setattr(handlers.assistant, "ask", lambda q, **kw: asked.append(q) or real_ask(q, **kw))
    *_, (messages, _, note, questions, last) = handlers.respond(
        "Eleven 19121212-1212 far illa, mamma har 070-123 45 67. Får skolan lämna uppgifter "
        "till socialtjänsten utan samtycke?", [], [])
    assert "Vi tog bort personnummer och telefonnummer ur frågan" in note
    for text in (messages[0]["content"], asked[0], questions[0], last["question"]):
        assert "19121212" not in text and "070-123" not in text
        assert "[personnummer]" in text and "[telefonnummer]" in text


def test_no_warning_when_nothing_personal_was_removed(handlers):
    *_, (_, _, note, _, _) = handlers.respond(QUESTION, [], [])
    assert note == ""


def test_empty_question_changes_nothing(handlers):
    assert list(handlers.respond("   ", [{"role": "user", "content": "x"}], ["x"])) == []


# -- feedback ------------------------------------------------------------------------------------------
def test_thumbs_down_with_comment_is_stored_redacted_with_the_answer(handlers):
    *_, (_, _, _, _, last) = handlers.respond(QUESTION, [], [])
    message = handlers.give_feedback(-1, "Fel svar för elev 19121212-1212", last, username="bo")
    assert message.startswith("Tack!") and "Vi tog bort personnummer ur kommentaren" in message
    [row] = FeedbackStore(handlers.settings.home / "feedback.sqlite3").all()
    assert row["rating"] == -1 and row["user"] == "bo" and row["question"] == QUESTION
    assert row["comment"] == "Fel svar för elev [personnummer]"
    assert row["answer"] == last["answer"] and row["citations"] == last["citations"]
    assert b"19121212" not in (handlers.settings.home / "feedback.sqlite3").read_bytes()


def test_feedback_before_any_answer_asks_for_a_question_first(handlers):
    assert handlers.give_feedback(1, "", None).startswith("Ställ en fråga först")
    assert not (handlers.settings.home / "feedback.sqlite3").exists()


def test_trainer_exports_feedback_as_csv_and_staff_may_not(handlers):
    *_, (_, _, _, _, last) = handlers.respond(QUESTION, [], [])
    handlers.give_feedback(1, "Bra", last, username="bo")
    with pytest.raises(PermissionError):
        handlers.export_feedback("bo")
    path = Path(handlers.export_feedback("anna"))
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 2 and rows[1][3] == "👍" and rows[1][7] == "Bra"


# -- documents -------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_trainer_upload_indexes_new_files_and_reports_failures_like_the_cli(indexed_home, tmp_path):
    settings = Settings.from_env()
    handlers = Handlers(Assistant.from_settings(settings), settings, USERS, stream_delay=0)
    good = tmp_path / "riktlinje-läxhjälp.txt"
    good.write_text("Riktlinje för läxhjälp i Handboksstaden\n\nLäxhjälpen i Handboksstaden ges på "
                    "biblioteket varje tisdag av frivilliga mentorer från gymnasiet.\n", encoding="utf-8")
    empty = tmp_path / "tom.md"
    empty.write_text("", encoding="utf-8")
    odd = tmp_path / "bild.png"
    odd.write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(PermissionError):
        handlers.upload([str(good)], "bo")
    text, rows = handlers.upload([str(good), str(empty), str(odd)], "anna")
    lines = text.splitlines()
    assert any(line.startswith("✅") and "riktlinje-läxhjälp.txt: tillagd" in line for line in lines)
    assert any(line.startswith("❌") and "tom.md: kunde inte indexeras" in line for line in lines)
    assert any(line.startswith("❌") and "bild.png: kunde inte indexeras" in line for line in lines)
    assert lines[-1].startswith("Dokument: 1 tillagda")
    assert (indexed_home / "uploads" / "riktlinje-läxhjälp.txt").exists()
    assert len(rows) == 6 and any("riktlinje-läxhjälp.txt" in str(r[-1]) for r in rows)
    *_, (_, panel, *_rest) = handlers.respond("När ges läxhjälpen på biblioteket?", [], [])
    assert "riktlinje-läxhjälp.txt" in panel


# -- rendering --------------------------------------------------------------------------------------------
def test_document_text_is_escaped_and_the_quote_marked():
    text = 'Före <script>alert("x")</script> citatet & efter.'
    spans = render.quote_spans(text, ["citatet & efter."])
    assert render.highlight(text, spans) == (
        'Före &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>citatet &amp; efter.</mark>')


def test_an_uncertain_answer_shows_the_closest_passages_marked_as_no_answer():
    from assistant.models import Answer
    from index.models import Passage
    from ingest.models import Chunk

    chunk = Chunk(chunk_id="c1", source="corpus/rutin.pdf", title="Rutin <för> samverkan",
                  text="Skolan kontaktar socialtjänsten.", start=0, end=32, doc_type="riktlinje",
                  date="2024-01-02", page=3)
    answer = Answer("q", "osäkert", False, passages=[Passage(chunk, 0.5)], outcome="uncertain")
    panel = render.sources_html(answer, old_years=5, today=date(2026, 11, 24))
    assert "inget av dem besvarar frågan direkt" in panel and "s. 3" in panel
    assert "Rutin &lt;för&gt; samverkan" in panel and "Skolan kontaktar socialtjänsten." in panel


def test_answer_markup_escapes_html_and_links_each_marker():
    assert render.answer_markdown('”a < b” [1] och [12]') == (
        '”a &lt; b” <a href="#kalla-1" class="hb-cite">[1]</a> och '
        '<a href="#kalla-12" class="hb-cite">[12]</a>')


@pytest.mark.parametrize("doc_date, old", [
    ("2008-12-02", True), ("2021-11-23", True), ("2021-11-24", False), ("2023-11-22", False),
    ("2020", True), ("2021", False), ("", False), ("okänt", False),
])
def test_documents_older_than_the_setting_get_a_note(doc_date, old):
    note = render.age_note(doc_date, 5, today=date(2026, 11, 24))
    assert (note is not None) == old
    if old:
        assert note == (f"Obs: dokumentet är från {doc_date[:4]}, över 5 år gammalt. "
                        "Kontrollera att det fortfarande gäller.")


def test_coverage_names_every_document_with_its_date_newest_first():
    html_text = render.coverage_html({
        "a.txt": {"title": "Äldre <b>", "date": "2008-12-02"},
        "b.txt": {"title": "Nyare", "date": "2023-11-22"}})
    assert "Materialet omfattar 2 dokument, 2008–2023" in html_text
    assert html_text.index("Nyare (2023-11-22)") < html_text.index("Äldre &lt;b&gt; (2008-12-02)")


# -- launching ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "handbok.kommun.se"])
def test_launch_refuses_a_network_host_without_sign_in(host):
    with pytest.raises(ConfigError, match="HANDBOK_USERS.*HANDBOK_AUTH"):
        launch(Settings(), host=host, port=1, environ={})


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                            ("0.0.0.0", False), ("10.0.0.1", False), ("", False)])
def test_loopback_hosts(host, loopback):
    assert is_loopback(host) == loopback


def test_extra_tabs_that_do_not_exist_are_skipped():
    assert load_extra_tabs(["no_such_module_for_handbok:tab", "assistant.render:no_such_tab"]) == []
    assert load_extra_tabs(["assistant.render:anchor"]) == [render.anchor]
