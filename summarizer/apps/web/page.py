"""The editors' page (Gradio 6 Blocks): layout, handlers, the queue, and `launch`.

The page streams: the run handler yields the page state (`state.PageView`, worked out once per update) after each
event of the pipeline and while the model writes, and `state.change` renders the selected article. The API endpoint
`process` and the page share one queue ("pipeline"): `Settings.web_concurrency` pipelines run at once and up to
`Settings.web_queue` requests wait, with their position shown. Every request starts from the server's base Settings.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import gradio as gr

from summarizer.apps.web import render, service, state
from summarizer.config import REPO_DIR, Settings
from summarizer.engines import available_engines
from summarizer.engines.quality import QUALITY_LEVELS, describe
from summarizer.errors import BisumError

log = logging.getLogger(__name__)

EXAMPLES_DIR = REPO_DIR / "examples"
TRANSLATE_CHOICES = [("summary only", "summary"), ("full article", "full"), ("no translation", "none")]
QUALITY_INFO = " · ".join(describe(level) for level in QUALITY_LEVELS) + " (each level is slower than the one before)"
UPLOAD_TYPES = [".txt", ".md", ".markdown", ".html", ".htm", ".docx"]
CSS = """
.bisum-text { overflow-wrap: anywhere; }  /* a long unbroken run (a URL, a model's loop) must not widen the page */
.bisum-text p { margin: 0 0 .6em 0; line-height: 1.6; }
.bisum-text.cleaned { max-height: 32em; overflow-y: auto; }
.bisum-table { border-collapse: collapse; width: 100%; font-size: .92em; }
.bisum-table th, .bisum-table td { border: 1px solid var(--border-color-primary); padding: 4px 8px; vertical-align: top; text-align: left; }
.bisum-table.removed td:first-child { white-space: nowrap; }
.bisum-table.removed tr.instruction td { background: #fee2e2; }
.bisum-table td.num { color: var(--body-text-color-subdued); white-space: nowrap; }
.bisum-table td.sig, .bisum-table td.span { font-family: monospace; font-size: .85em; word-break: break-all; }
.bilingual td { width: 48%; line-height: 1.6; }
mark.flag { padding: 0 2px; border-radius: 3px; color: inherit; cursor: help; }
mark.flag.error { background: #fecaca; border-bottom: 2px solid #dc2626; }
mark.flag.warning { background: #fde68a; border-bottom: 2px solid #d97706; }
mark.flag.info { background: #bfdbfe; border-bottom: 2px solid #2563eb; }
.legend { font-size: .9em; margin-bottom: .5em; }
.muted { color: var(--body-text-color-subdued); font-style: italic; }
.ok { color: #15803d; }
.bisum-status { padding: 8px 12px; border-radius: 6px; border: 1px solid var(--border-color-primary); min-height: 1.5em; }
.bisum-status.error { background: #fee2e2; border-color: #dc2626; color: #7f1d1d; }
.bisum-status.warning { background: #fef3c7; border-color: #d97706; color: #78350f; }
.bisum-status.done { background: #dcfce7; border-color: #16a34a; color: #14532d; }
.bisum-text.streaming .cursor { color: var(--body-text-color-subdued); animation: blink 1s step-end infinite; }
@keyframes blink { 50% { opacity: 0; } }
.bisum-error, .bisum-failed { color: #b91c1c; font-weight: 600; }
.bisum-flags { margin: .3em 0 .8em 0; padding: 8px 12px 8px 28px; border-radius: 6px; background: #fee2e2;
  border: 1px solid #dc2626; color: #7f1d1d; font-weight: 600; }
"""


@dataclass
class Inputs:
    text: Any
    file: Any
    direction: Any
    length: Any
    translate: Any
    engine: Any
    quality: Any
    glossary: Any
    ref_summary: Any
    ref_translation: Any
    run: Any

    def all(self) -> list:
        return [self.text, self.file, self.direction, self.length, self.translate, self.engine, self.quality,
                self.glossary, self.ref_summary, self.ref_translation]


@dataclass
class Outputs:
    state: Any
    status: Any
    language: Any
    selector: Any
    article: list  # summary, translated summary, checks, cleaned, removed, bilingual, scores, details
    downloads: list  # JSON, Markdown


# --- layout ------------------------------------------------------------------------------------------


def theme() -> gr.themes.Base:
    """Default look, but system fonts only: the page must not fetch anything from the internet."""
    fonts = ("system-ui", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei")
    return gr.themes.Default(font=[gr.themes.Font(name) for name in fonts] + ["sans-serif"],
                             font_mono=[gr.themes.Font("ui-monospace"), "monospace"])


def engine_choices(engine: str, settings: Settings) -> list[str]:
    """`auto` and the registry's engines that can run here (and the default asked for, even if it cannot)."""
    engines = ["auto"] + [e for e in available_engines(settings) if e != "auto"]
    return engines if engine in engines else engines + [engine]


def example_rows() -> tuple[list[list[str]], list[str]]:
    rows, labels = [], []
    for path in sorted(EXAMPLES_DIR.glob("*.txt")):
        text = path.read_text("utf-8")
        rows.append([text])
        labels.append(f"{path.stem.split('_')[0]} · {render.first_words(text, 24)}")
    return rows, labels


def input_panel(settings: Settings) -> Inputs:
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            text = gr.Textbox(label="Article text (paste)", lines=12, max_lines=20, placeholder="粘贴新闻 / paste a news article…")
            file = gr.File(label="…or upload a file (.txt, .md, .html, .docx)", file_types=UPLOAD_TYPES, type="filepath")
            rows, labels = example_rows()
            if rows:
                gr.Examples(rows, inputs=[text], label="Seed pages", example_labels=labels)
        with gr.Column(scale=2):
            direction = gr.Radio(list(service.DIRECTIONS), value="auto", label="Direction")
            length = gr.Slider(1, 10, value=settings.summary_sentences, step=1, label="Summary length (sentences)")
            translate = gr.Radio(TRANSLATE_CHOICES, value="summary", label="Translate")
            engine_in = gr.Dropdown(engine_choices(settings.engine, settings), value=settings.engine, label="Engine")
            quality = gr.Radio(list(QUALITY_LEVELS), value=settings.quality, label="Translation quality", info=QUALITY_INFO)
            glossary = gr.File(label="Glossary (optional, TSV/CSV: zh, en)", file_types=[".tsv", ".csv", ".txt"], type="filepath")
            with gr.Accordion("References (optional): score against them", open=False):
                ref_summary = gr.Textbox(label="Reference summary", lines=3)
                ref_translation = gr.Textbox(label="Reference translation", lines=3)
            run = gr.Button("Summarize", variant="primary", elem_id="run")
    return Inputs(text, file, direction, length, translate, engine_in, quality, glossary, ref_summary, ref_translation,
                  run)


def article_panel() -> list:
    """The selected article: summary, translated summary, checks, then the tabs; returns the output components."""
    with gr.Row(equal_height=False):
        with gr.Column():
            gr.Markdown("### Summary")
            summary = gr.HTML(elem_id="summary")
        with gr.Column():
            gr.Markdown("### Translated summary")
            summary_translated = gr.HTML(elem_id="summary-translated")
    gr.Markdown("### Checks")
    checks = gr.HTML(elem_id="checks")
    with gr.Tabs():
        with gr.Tab("Cleaned text", id="cleaned"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    cleaned = gr.HTML(elem_id="cleaned")
                with gr.Column(scale=2):
                    gr.Markdown("**Removed during cleaning**")
                    removed = gr.HTML(elem_id="removed")
        with gr.Tab("Bilingual view", id="bilingual"):
            bilingual = gr.HTML(elem_id="bilingual")
        with gr.Tab("Scores", id="scores"):
            scores = gr.HTML(render.scores_html({}), elem_id="scores")
        with gr.Tab("Engine & timings", id="details"):
            details = gr.Markdown(elem_id="details")
    return [summary, summary_translated, checks, cleaned, removed, bilingual, scores, details]


def output_panel() -> Outputs:
    kept = gr.State({})  # the page's state: state.PageView.data()
    status = gr.HTML(render.status_html("Ready."), elem_id="status")
    with gr.Row():
        language = gr.Markdown(elem_id="language")
        selector = gr.Dropdown(choices=[], label="Article", elem_id="article-selector", interactive=True, scale=2)
    article = article_panel()
    with gr.Row():
        downloads = [gr.DownloadButton("Download JSON", visible=False, size="sm"),
                     gr.DownloadButton("Download Markdown", visible=False, size="sm")]
    return Outputs(kept, status, language, selector, article, downloads)


# --- handlers ------------------------------------------------------------------------------------------


def render_article(data: dict, index: int) -> list:
    """The outputs of `article_panel` for one article of the page state (`state.PageView.data()`)."""
    if not data:
        return [""] * 8
    article = data["articles"][min(int(index or 0), len(data["articles"]) - 1)]
    record, warnings = article["record"], data["warnings"]
    return [
        render.summary_html(record, article["partial_summary"]),
        render.translated_summary_html(record, article["translating"], warnings, article["partial_translation"]),
        render.checks_html(record, article["checked"]),
        render.cleaned_html(record),
        render.removed_html(record),
        render.bilingual_html(record),
        render.scores_html(service.reference_scores(record, *data["refs"]) if data["final"] else {}),
        render.details_md(record, warnings, data["timings"]),
    ]


def downloads_update(records: list[dict] | None = None, refs: tuple[str, str] = ("", ""), stem: str = "") -> list:
    """The two download buttons: hidden, or (given the final records) showing fresh files."""
    if records is None:
        return [gr.DownloadButton(visible=False), gr.DownloadButton(visible=False)]
    json_path, md_path = service.write_downloads(records, service.reference_scores(records[0], *refs), stem)
    return [gr.DownloadButton(value=json_path, visible=True), gr.DownloadButton(value=md_path, visible=True)]


def failed_update(message: str) -> list:
    return [{}, render.status_html(message, "error"), "", gr.Dropdown(choices=[], value=None), *downloads_update()]


def run_handler(base: Settings) -> Callable[..., Iterator[list]]:
    """The Summarize button's handler over the server's settings."""

    def on_run(text, file, direction, length, translate, engine, quality, glossary, ref_summary, ref_translation,
               progress=gr.Progress()):
        """Streams the page state after each event of the pipeline and, while the model writes, its text; the
        article selector is set once, so later steps keep whichever article the editor is reading. Closing the
        page cancels the request."""
        refs = (ref_summary, ref_translation)
        try:
            settings = service.settings_for(base, direction, length, translate, glossary, engine, quality)
            yield from page_updates(service.read_input(text, file, settings), settings, refs, progress)
        except BisumError as exc:  # bad input or setup, a time limit: one clear line in the status box
            yield failed_update(str(exc))
        except Exception as exc:  # a bug: still say something useful in the page, the traceback in the log
            log.exception("the web request failed")
            yield failed_update(f"Unexpected error ({exc.__class__.__name__}: {exc}). The server log has the details.")

    return on_run


def page_updates(docs: list, settings: Settings, refs: tuple[str, str], progress: Callable) -> Iterator[list]:
    """The run's outputs (state, status, language, selector, downloads), once for each change an editor can see."""
    records, first, shown = state.RecordCache(), True, None
    for step in service.run_stages(docs, settings, progress):
        seen = (step.stage, step.done, step.working, step.partial, step.ahead, step.final)
        if step.stage == "prepare" or seen == shown:
            continue
        shown = seen
        view = state.page_view(step, records, refs)
        selector = gr.Dropdown(choices=render.article_choices(view.records), value=0) if first else gr.skip()
        first = False
        downloads = downloads_update(view.records, refs, docs[0].id) if view.final else downloads_update()
        yield [view.data(), render.status_html(*view.status), render.language_md(view.records), selector, *downloads]


def api_endpoints(base: Settings) -> tuple[Callable[..., dict], Callable[..., Iterator[dict]]]:
    """`process` and `process_stream` for gradio_client over the server's settings (its engine and quality level
    are the defaults); input errors come back as one-line AppErrors."""

    def process(text: str, direction: str = "auto", summary_length: int = 3, translate: str = "summary",
                engine: str = base.engine, reference_summary: str = "", reference_translation: str = "",
                quality: str = base.quality) -> dict:
        try:
            return service.process(base, text, direction, summary_length, translate, engine, reference_summary,
                                   reference_translation, quality)
        except BisumError as exc:
            raise gr.Error(str(exc), print_exception=False) from exc

    def process_stream(text: str, direction: str = "auto", summary_length: int = 3, translate: str = "summary",
                       engine: str = base.engine, quality: str = base.quality) -> Iterator[dict]:
        try:
            yield from service.process_stream(base, text, direction, summary_length, translate, engine, quality)
        except BisumError as exc:
            raise gr.Error(str(exc), print_exception=False) from exc

    process.__doc__ = service.process.__doc__
    process_stream.__doc__ = service.process_stream.__doc__
    return process, process_stream


def wire(inputs: Inputs, outputs: Outputs, base: Settings) -> None:
    run_outputs = [outputs.state, outputs.status, outputs.language, outputs.selector, *outputs.downloads]
    inputs.run.click(run_handler(base), inputs.all(), run_outputs, api_visibility="private", concurrency_id="pipeline",
                     show_progress_on=[outputs.status])
    for trigger in (outputs.selector.input, outputs.state.change):
        trigger(lambda index, data: render_article(data, index), [outputs.selector, outputs.state], outputs.article,
                api_visibility="private", concurrency_limit=None, show_progress="hidden")


# --- the app -------------------------------------------------------------------------------------------


def build_app(base: Settings) -> gr.Blocks:
    """The page over the server's settings `base` (its engine is the page's default). Serve it with
    `server.launch()` (page + HTTP API), or `app.launch(**launch_options())`, so the offline theme applies."""
    with gr.Blocks(title="bisum · bilingual news summaries", analytics_enabled=False, delete_cache=(3600, 86400)) as app:
        gr.Markdown(
            "## bisum — bilingual news summaries\n"
            "Paste a news page or upload a file; bisum cleans it, splits it into articles, summarizes, "
            "translates (Chinese ↔ English) and flags numbers, names and terms that may be wrong."
        )
        inputs = input_panel(base)
        wire(inputs, output_panel(), base)
        process, process_stream = api_endpoints(base)
        gr.api(process, api_name="process", concurrency_id="pipeline")
        gr.api(process_stream, api_name="process_stream", concurrency_id="pipeline")
    app.queue(default_concurrency_limit=base.web_concurrency, max_size=base.web_queue)
    return app


def launch_options() -> dict:
    """launch() arguments: offline theme and CSS, no external footer link, uploads bounded."""
    return {
        "theme": theme(),
        "css": CSS,
        "footer_links": ["api", "settings"],
        "max_file_size": 50 * 1024 * 1024,
        "show_error": True,
        "ssr_mode": False,
        "pwa": False,
        "mcp_server": False,
    }
