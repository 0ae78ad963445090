"""The web interface for staff: ``create_app(assistant, settings) -> gr.Blocks`` and ``launch()``.

``create_app`` only builds; ``launch`` reads sign-in from the environment, refuses
to listen beyond the loopback without it, redacts the server log and runs Gradio
with analytics off and no external assets. Gradio is imported inside the
functions, after ``launch`` has switched its analytics off.

What the buttons do lives in ``assistant.handlers.Handlers`` (plain methods, no
Gradio); ``create_app`` wires it to components.

(No ``from __future__ import annotations`` here: Gradio finds ``gr.Request``
parameters by evaluating the wrappers' annotations.)
"""
import importlib
import ipaddress
import logging
import os
from typing import Callable, Iterable

from ingest.errors import ConfigError

from . import render
from .auth import Users
from .handlers import NOT_TRAINER, Handlers
from .privacy import install_log_redaction
from .settings import Settings
from .viewer import Viewer, routes as viewer_routes

log = logging.getLogger("handbok.ui")

EXTRA_TABS = ("evals.ui:eval_tab",)  # trainer-only tabs of higher layers, loaded by name
EXAMPLES = {
    "Lärare": ["Får skolan lämna uppgifter om en elev till socialtjänsten utan samtycke?",
               "Måste jag anmäla till socialtjänsten om jag misstänker att en elev far illa?"],
    "Rektor": ["Vem på socialtjänsten är vår kontakt?",
               "Hur ska samverkan mellan skola och socialtjänst organiseras?"],
    "Socialsekreterare": ["Får vi veta om vår anmälan ledde till en utredning?",
                          "När får socialtjänsten lämna uppgifter till polisen?"],
}
TITLE = "Handbok – sekretess och samverkan"
INTRO = "Svar med källhänvisningar om sekretess och samverkan mellan skola, socialtjänst och polis."
CHAT_PLACEHOLDER = ("Ställ en fråga, eller välj en exempelfråga nedan. Svaret citerar materialet "
                    "ordagrant – klicka på [1], [2] … för att se stycket det kommer från.")
AUTH_MESSAGE = "Logga in med ditt konto för Handbok."
UPLOAD_TYPES = [".pdf", ".txt", ".md"]
ALL_MATERIAL = "Allt material"
ALL_YEARS = "Alla år"

CSS = """
.hb-header h1 { margin-bottom: 0.2em; }
.hb-reminder { border-left: 4px solid #b45309; background: #fffbeb; color: #451a03;
  padding: 0.5em 0.8em; border-radius: 4px; }
.hb-reminder p { margin: 0; }
.hb-privacy { border-left: 4px solid #b91c1c; background: #fef2f2; color: #450a0a;
  padding: 0.5em 0.8em; border-radius: 4px; }
.hb-privacy p { margin: 0; }
.hb-coverage { font-size: 0.9em; }
.hb-coverage summary { cursor: pointer; }
.hb-coverage ul { margin: 0.3em 0 0 1.2em; }
.hb-spacer { min-height: 0 !important; }
@media (max-width: 700px) { .hb-spacer { display: none !important; } }
#hb-sources { max-height: 78vh; overflow-y: auto; }
.hb-sources h3 { margin: 0 0 0.5em 0; }
.hb-source { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 0.6em 0.8em;
  margin-bottom: 0.8em; background: var(--background-fill-primary); scroll-margin-top: 1em; }
.hb-source:target { outline: 3px solid #2563eb; }
.hb-source h4 { margin: 0 0 0.2em 0; font-size: 1em; }
.hb-n { color: #1d4ed8; font-weight: 700; }
.hb-meta, .hb-file { font-size: 0.85em; opacity: 0.8; margin: 0.1em 0; overflow-wrap: anywhere; }
.hb-old { color: #92400e; background: #fef3c7; padding: 0.3em 0.5em; border-radius: 4px; margin: 0.4em 0;
  font-size: 0.9em; }
.hb-excerpt { margin: 0.5em 0; padding-left: 0.7em; border-left: 3px solid var(--border-color-primary);
  white-space: pre-wrap; overflow-wrap: anywhere; }
.hb-passage { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.92em; margin-top: 0.4em; }
.hb-source mark { background: #fde68a; color: inherit; padding: 0 0.1em; }
.hb-empty { opacity: 0.75; font-style: italic; }
.hb-open { font-size: 0.9em; margin: 0.3em 0; }
.hb-why { font-size: 0.85em; color: #3730a3; background: #eef2ff; padding: 0.25em 0.5em; border-radius: 4px; }
.hb-uncertain { border-left: 4px solid #d97706; background: #fffbeb; padding: 0.4em 0.6em; }
a.hb-cite { font-weight: 700; color: var(--link-text-color, #1d4ed8); text-decoration: none; }
a.hb-cite:hover, a.hb-cite:focus { text-decoration: underline; }
.hb-example-role p { margin: 0.4em 0 0 0; font-size: 0.9em; }
button.hb-example { white-space: normal; text-align: left; justify-content: flex-start; height: auto;
  font-weight: 400; }
.hb-feedback button { min-width: 7em; }
#hb-documents table, #hb-documents td, #hb-documents th { font-family: var(--font); }
#hb-chat .placeholder-content { padding: 2.6em 1em 1em 1em; opacity: 0.85; }
@media (max-width: 640px) {
  #hb-chat { height: 50vh !important; }
  #hb-sources { max-height: none; }
  .hb-header h1 { font-size: 1.4em; }
}
"""


# -- building the app ---------------------------------------------------------------------------
def table_value(rows: list[list]):
    """The document rows with their column names, as Gradio's table wants them."""
    import pandas as pd

    return pd.DataFrame(rows, columns=render.DOCUMENT_COLUMNS)


def theme():
    """Gradio's default look with the system's fonts: nothing is fetched from a font CDN."""
    import gradio as gr

    return gr.themes.Default(font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
                             font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"])


def launch_options(settings: Settings) -> dict:
    """Arguments for ``Blocks.launch``: the look, and nothing that reaches outside the server."""
    return dict(theme=theme(), css=CSS, ssr_mode=False, footer_links=["settings"],
                run_history=False,  # would keep questions in the browser's storage
                enable_monitoring=False, mcp_server=False, show_error=False, pwa=False,
                max_file_size=int(settings.max_file_mb * 2 * 1024 * 1024))


_BLOCKS_CLASS = None
# questions answered in parallel (threads; the embedder takes one at a time, the rest runs
# side by side): 20 colleagues at once on the bundled corpus, p95 measured by
# `handbok bench --load 20` (README). Uploads have their own limit of 1, so an upload or a
# slow generator holds its own slot and never the other questions'.
ANSWERS_AT_ONCE = 32


def _blocks_class():
    """``gr.Blocks`` that refuses trainer-only events, server-side, to anyone else."""
    global _BLOCKS_CLASS
    if _BLOCKS_CLASS is None:
        import gradio as gr

        class HandbokBlocks(gr.Blocks):
            trainer_fns: set = set()
            handlers: "Handlers | None" = None

            async def process_api(self, block_fn, inputs, state=None, request=None, *args, **kwargs):
                fn = self.fns[block_fn] if isinstance(block_fn, int) else block_fn
                if fn._id in self.trainer_fns and self.handlers is not None:
                    req = request[0] if isinstance(request, list) and request else request
                    if not self.handlers.is_trainer(getattr(req, "username", None)):
                        raise gr.Error(NOT_TRAINER)
                return await super().process_api(block_fn, inputs, state, request, *args, **kwargs)

        _BLOCKS_CLASS = HandbokBlocks
    return _BLOCKS_CLASS


def create_app(assistant, settings: Settings, extra_tabs: Iterable[Callable] = (), *,
               users: Users | None = None, handlers: Handlers | None = None):
    """Build the interface (never launches it).

    Args:
        assistant: an ``Assistant``.
        settings: home (feedback, uploads), old_document_years, max_file_mb, ocr.
        extra_tabs: callables ``tab(assistant, settings)`` that add trainer-only tabs.
        users: sign-in users and roles; None or empty: no sign-in, everyone is a trainer.
        handlers: to share or pin them (tests); made from the other arguments when None.
    """
    import gradio as gr

    h = handlers or Handlers(assistant, settings, users)

    def user(request) -> str | None:
        return getattr(request, "username", None) if request is not None else None

    def guarded(fn):
        try:
            return fn()
        except PermissionError as exc:
            raise gr.Error(str(exc)) from None

    with _blocks_class()(title="Handbok", analytics_enabled=False, fill_width=False) as demo:
        demo.handlers = h
        messages = gr.State([])
        questions = gr.State([])
        last = gr.State(None)

        with gr.Column(elem_classes="hb-header"):
            gr.Markdown(f"# {TITLE}\n{INTRO}")
            gr.Markdown(render.REMINDER, elem_classes="hb-reminder")

        with gr.Tabs():
            with gr.Tab("Fråga", id="fraga", elem_id="hb-tab-fraga"):
                coverage = gr.HTML("", elem_id="hb-coverage", js_on_load=None)
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=330):
                        chatbot = gr.Chatbot(
                            label="Samtal", elem_id="hb-chat", height="60vh", min_height=260,
                            feedback_options=None, buttons=["copy"], autoscroll=True,
                            layout="panel", placeholder=CHAT_PLACEHOLDER)
                        privacy = gr.Markdown("", visible=False, elem_classes="hb-privacy",
                                              elem_id="hb-privacy")
                        with gr.Row(elem_id="hb-material"):
                            collection = gr.Dropdown([ALL_MATERIAL], value=ALL_MATERIAL, label="Material",
                                                     elem_id="hb-collection", min_width=160)
                            since = gr.Dropdown([ALL_YEARS], value=ALL_YEARS, label="Dokument från år",
                                                elem_id="hb-since", min_width=120)
                        question = gr.Textbox(
                            label="Din fråga", placeholder="Skriv din fråga …",
                            lines=1, max_lines=6, submit_btn="Skicka", elem_id="hb-question")
                    with gr.Column(scale=2, min_width=300):
                        sources = gr.HTML(render.SOURCES_PLACEHOLDER, elem_id="hb-sources",
                                          label="Källor", js_on_load=None, padding=True)
                # a second row, so that on a phone the sources come right after the answer
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=330):
                        with gr.Group(visible=False, elem_classes="hb-feedback") as feedback_box:
                            gr.Markdown("**Var svaret till hjälp?**", padding=True)
                            comment = gr.Textbox(label="Kommentar (valfritt)", lines=2,
                                                 placeholder="Vad saknades eller var fel?",
                                                 elem_id="hb-comment")
                            with gr.Row():
                                up = gr.Button("👍 Bra svar", elem_id="hb-up", size="sm")
                                down = gr.Button("👎 Dåligt svar", elem_id="hb-down", size="sm")
                        feedback_status = gr.Markdown("", elem_id="hb-feedback-status")
                        new = gr.Button("Ny konversation", variant="secondary", size="sm",
                                        elem_id="hb-new")
                        with gr.Accordion("Exempelfrågor", open=True, elem_id="hb-examples"):
                            example_buttons = []
                            for role, qs in EXAMPLES.items():
                                gr.Markdown(f"**{role}**", elem_classes="hb-example-role")
                                example_buttons += [(q, gr.Button(q, size="sm", variant="secondary",
                                                                  elem_classes="hb-example"))
                                                    for q in qs]
                    gr.Column(scale=2, min_width=300, elem_classes="hb-spacer")

            trainer_before = set(demo.fns)
            blocks_before = set(demo.blocks)
            with gr.Tab("Dokument", id="dokument", visible=False, elem_id="hb-tab-dokument") as docs_tab:
                gr.Markdown("### Indexerade dokument")
                table = gr.Dataframe(table_value([]), headers=render.DOCUMENT_COLUMNS,
                                     column_count=len(render.DOCUMENT_COLUMNS), interactive=False,
                                     column_widths=["34%", "13%", "11%", "12%", "8%", "22%"],
                                     wrap=True, label="Dokument i indexet", elem_id="hb-documents")
                gr.Markdown("### Lägg till dokument")
                files = gr.File(label="Ladda upp dokument (.pdf, .txt, .md)", file_count="multiple",
                                file_types=UPLOAD_TYPES, elem_id="hb-upload")
                index_button = gr.Button("Indexera filerna", variant="primary", elem_id="hb-index")
                ingest_result = gr.Textbox(label="Resultat", lines=4, interactive=False,
                                           elem_id="hb-ingest-result")
                gr.Markdown("### Återkoppling från användarna")
                export_button = gr.Button("Exportera återkoppling (CSV)", elem_id="hb-export")
                export_file = gr.File(label="CSV-fil", interactive=False, visible=False,
                                      elem_id="hb-export-file")

                def do_upload(paths, request: gr.Request):
                    text, rows = guarded(lambda: h.upload(paths, user(request)))
                    return text, table_value(rows), None

                index_button.click(do_upload, [files], [ingest_result, table, files],
                                   concurrency_limit=1, api_visibility="private")

                def do_export(request: gr.Request):
                    path = guarded(lambda: h.export_feedback(user(request)))
                    return gr.update(value=path, visible=True)

                export_button.click(do_export, None, [export_file], api_visibility="private")
            for tab in extra_tabs:
                tab(assistant, settings)
            # every event registered from the Dokument tab on is trainer-only, extra tabs' too
            demo.trainer_fns = set(demo.fns) - trainer_before
            trainer_tabs = [docs_tab] + [b for i, b in demo.blocks.items()
                                         if i not in blocks_before and isinstance(b, gr.Tab)
                                         and b is not docs_tab]
            for t in trainer_tabs:
                t.visible = False

        # -- events ------------------------------------------------------------------------------
        chat_outputs = [chatbot, sources, privacy, questions, last, question, feedback_box,
                        feedback_status, messages]

        def respond(text, msgs, qs, chosen, year, request: gr.Request):
            answered = False
            limits = dict(collection=None if chosen in (None, ALL_MATERIAL) else chosen,
                          since=None if year in (None, ALL_YEARS) else year)
            for msgs_out, panel, note, qs_out, last_out in h.respond(text, msgs, qs, user(request), **limits):
                answered = True
                yield (msgs_out, gr.update() if panel is None else panel,
                       gr.update(value=note, visible=bool(note)), qs_out, last_out, "",
                       gr.update(visible=last_out is not None), "", msgs_out)
            if not answered:  # an empty question changes nothing
                yield tuple(gr.update() for _ in chat_outputs)

        chat_inputs = [question, messages, questions, collection, since]
        question.submit(respond, chat_inputs, chat_outputs, concurrency_limit=ANSWERS_AT_ONCE,
                        show_progress="hidden", api_visibility="private")
        for text, button in example_buttons:
            button.click(lambda text=text: text, None, question, queue=False, api_visibility="private",
                         show_progress="hidden").then(
                respond, chat_inputs, chat_outputs, concurrency_limit=ANSWERS_AT_ONCE, show_progress="hidden",
                api_visibility="private")

        def clear():
            return ([], render.SOURCES_PLACEHOLDER, gr.update(value="", visible=False), [], None, "",
                    gr.update(visible=False), "", [])

        new.click(clear, None, chat_outputs, queue=False, api_visibility="private")
        chatbot.clear(clear, None, chat_outputs, queue=False, api_visibility="private")

        def rate(rating):
            def handler(text, current, request: gr.Request):
                return h.give_feedback(rating, text, current, user(request)), ""
            return handler

        up.click(rate(1), [comment, last], [feedback_status, comment], api_visibility="private")
        down.click(rate(-1), [comment, last], [feedback_status, comment], api_visibility="private")

        def on_load(request: gr.Request):
            trainer = h.is_trainer(user(request))
            rows = render.document_rows(h.sources()) if trainer else []
            return (h.coverage(), table_value(rows), *[gr.update(visible=trainer) for _ in trainer_tabs])

        demo.load(on_load, None, [coverage, table, *trainer_tabs], api_visibility="private")

        def material_choices():
            names, years = h.material_choices()
            return gr.update(choices=[ALL_MATERIAL] + names), gr.update(choices=[ALL_YEARS] + years)

        demo.load(material_choices, None, [collection, since], api_visibility="private")
    return demo


# -- running it ---------------------------------------------------------------------------------
def load_extra_tabs(names: Iterable[str] = EXTRA_TABS) -> list[Callable]:
    """Tabs of higher layers, by "module:function"; those not installed are skipped."""
    tabs = []
    for spec in names:
        module_name, attr = spec.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue
            log.warning("tab %s not loaded: %s", spec, exc)
            continue
        except Exception as exc:  # a broken optional tab must not keep staff from the chat
            log.warning("tab %s not loaded: %r", spec, exc)
            continue
        tab = getattr(module, attr, None)
        if callable(tab):
            tabs.append(tab)
    return tabs


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860, *, assistant=None,
           block: bool = True, environ=None):
    """Build the assistant and the app and serve it.

    Sign-in comes from ``settings.auth_file`` (HANDBOK_USERS) and HANDBOK_AUTH; without
    either, only a loopback host is allowed.

    Args:
        assistant: reuse a built one (tests); built from ``settings`` when None.
        block: False returns the running app at once (tests, scripts); ``demo.close()`` stops it.
    Raises:
        ConfigError: a non-loopback host without sign-in, or a bad users file.
    """
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    environ = os.environ if environ is None else environ
    users = Users.from_settings(settings, environ)
    if not users and not is_loopback(host):
        raise ConfigError(
            f"refusing to serve on {host} without sign-in: set HANDBOK_USERS=/path/users.txt "
            "(add users with `python -m assistant.auth add NAME --role trainer`) or "
            "HANDBOK_AUTH=name:password:role,... — or serve on 127.0.0.1")
    install_log_redaction()
    if assistant is None:
        from .assistant import Assistant
        assistant = Assistant.from_settings(settings)
    assistant.retriever.background = True  # a change to the index loads while questions are answered
    demo = create_app(assistant, settings, load_extra_tabs(), users=users)
    demo.queue(default_concurrency_limit=4)
    viewer = Viewer(assistant.retriever, users, lock=demo.handlers._lock)
    demo.launch(app_kwargs={"routes": viewer_routes(viewer)},  # the originals, behind the same sign-in
                server_name=host, server_port=port, auth=users.check if users else None,
                auth_message=AUTH_MESSAGE if users else None, prevent_thread_lock=not block,
                quiet=not block, **launch_options(settings))
    install_log_redaction()  # uvicorn configured its loggers while starting
    return demo
