"""The editors' web page (Gradio 6) over the same pipeline as the CLI, plus a JSON API endpoint `process`.

    summarizer serve --port 7860            # or: python gradio_app.py --port 7860
    gradio_client.Client(url).predict(text, api_name="/process")

The page streams: the summary shows as soon as it is ready, then the translation, then the checks.
Engines are loaded once per process and shared by all requests; the queue runs one pipeline at a time
(BISUM_WEB_CONCURRENCY) and lets up to BISUM_WEB_QUEUE requests wait with their position shown.
"""
from __future__ import annotations

import copy
import html
import json
import os
import shutil
import tempfile
import threading
import time
import traceback
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported anywhere

from .config import REPO_DIR, Settings
from .document import Document, Result
from .errors import BisumError, InputError
from .ingest import documents_from_bytes, human_size
from .pipeline import Pipeline, with_memory, articles_of, choose_engines

EXAMPLES_DIR = REPO_DIR / "examples"
DIRECTIONS = {"auto": "auto", "zh→en": "en", "en→zh": "zh"}
TRANSLATE_CHOICES = [("summary only", "summary"), ("full article", "full"), ("no translation", "none")]
UPLOAD_TYPES = [".txt", ".md", ".markdown", ".html", ".htm", ".docx"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
NO_TRANSLATION_MODEL = (
    "Translation is not available here: no translation model is ready "
    "(run `summarizer models pull`, then choose the llm or llamacpp engine). Showing the summary only."
)


# ================================================================================================
# Running the pipeline (shared by the page and the API)


@dataclass
class Progressed:
    """The state of one request after a stage (or after one article of a stage, for slow model engines)."""

    results: list[Result]
    stage: str  # prepare | summarize | translate | check
    warnings: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # stages still to run (the current one if it is not finished)
    done: int = 0  # articles finished in this stage

    @property
    def final(self) -> bool:
        return not self.pending


_ENGINES: dict[tuple, Any] = {}
_BUILD_LOCK = threading.Lock()  # one model load at a time, even when two requests ask at once
_MODEL_LOCK = threading.Lock()  # model engines are not thread-safe: one generation at a time


def cached_engine(name: str, settings: Settings):
    """The engine `name`, built once per process; each request gets a shallow copy that carries its own settings
    (summary length, glossary) while sharing the loaded model."""
    from .engines import get_engine

    key = (name, settings.model, settings.threads)
    with _BUILD_LOCK:
        base = _ENGINES.get(key)
        if base is None:
            base = get_engine(name, settings)
            _ENGINES[key] = base
            _ENGINES.setdefault((base.name, settings.model, settings.threads), base)  # `auto` resolves once
    view = copy.copy(base)
    view.settings = settings
    return view


def pipeline_for(settings: Settings, engine: str) -> tuple[Pipeline, list[str]]:
    """A pipeline over cached engines; when translation is asked for but no model can translate,
    the pipeline summarizes only and the warning says why."""
    settings = settings.with_(engine=engine)
    summarizer, translator, missing = choose_engines(settings, get=cached_engine)
    warnings: list[str] = []
    if missing:
        warnings.append(f"{NO_TRANSLATION_MODEL} ({missing})")
        settings = settings.with_(translate="none")
    if settings.cache:
        summarizer, translator = with_memory(summarizer, translator, settings)
    return Pipeline(settings=settings, summarizer=summarizer, translator=translator), warnings


def read_input(text: str | None, file_path: str | None, max_bytes: int) -> list[Document]:
    """The uploaded file if there is one, else the pasted text, as Documents (size limit and formats as the CLI)."""
    if file_path:
        path = Path(file_path)
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{path.name}: {human_size(size)} is over the size limit of {human_size(max_bytes)}")
        return documents_from_bytes(path.read_bytes(), path.name, path.stem, max_bytes)
    if not text or not text.strip():
        raise InputError("nothing to do: paste an article or upload a file")
    data = text.encode("utf-8")
    if len(data) > max_bytes:
        raise InputError(f"the pasted text is {human_size(len(data))}, over the size limit of {human_size(max_bytes)}")
    return documents_from_bytes(data, "pasted text", "text", max_bytes)


def run_stages(
    docs: list[Document], settings: Settings, engine: str, progress: Callable | None = None, per_article: bool | None = None
) -> Iterator[Progressed]:
    """Prepare the articles, then summarize, translate and check them, yielding after each stage.

    per_article: run each stage one article at a time and yield after each (default: for model engines,
    which take minutes per page, so that the page shows each result when it is ready)."""
    progress = progress or (lambda *a, **k: None)
    progress(0.05, desc="Cleaning and splitting")
    start = time.perf_counter()
    articles = [a for doc in docs for a in articles_of(doc)]
    share = (time.perf_counter() - start) / len(articles)
    results = [Result(article=a, timings={"prepare": share}) for a in articles]
    progress(0.15, desc="Loading the engine")
    pipeline, warnings = pipeline_for(settings, engine)
    uses_model = any(getattr(e, "can_translate", False) for e in (pipeline.summarizer, pipeline.translator) if e)
    steps = [("summarize", pipeline.summarize, 0.2, "Summarizing")]
    if pipeline.translator is not None:
        steps.append(("translate", pipeline.translate, 0.5, "Translating"))
    if settings.check:
        steps.append(("check", pipeline.check, 0.85, "Checking the output"))
    names = [step[0] for step in steps]
    yield Progressed(results, "prepare", warnings, names)
    chunks = [[r] for r in results] if (uses_model if per_article is None else per_article) else [results]
    for i, (name, stage, fraction, desc) in enumerate(steps):
        end = steps[i + 1][2] if i + 1 < len(steps) else 1.0
        done = 0
        for chunk in chunks:
            progress(fraction + (end - fraction) * done / len(results), desc=f"{desc}: {done} of {len(results)} articles done")
            with _MODEL_LOCK if uses_model else nullcontext():
                replace(pipeline, stages=[(name, stage)]).run(chunk)  # Pipeline.run: timings, per-article errors
            done += len(chunk)
            pending = names[i:] if done < len(results) else names[i + 1:]
            yield Progressed(results, name, warnings, pending, done)
    progress(1.0, desc="Done")


# ================================================================================================
# Scores against references (same metric code as `summarizer score`)


def reference_scores(record: dict, reference_summary: str = "", reference_translation: str = "") -> dict:
    """ROUGE of the summary and BLEU/chrF of the translation against the references given (empty dict if none)."""
    reference_summary, reference_translation = (reference_summary or "").strip(), (reference_translation or "").strip()
    if not reference_summary and not reference_translation:
        return {}
    out: dict[str, Any] = {"article": record.get("id"), "notes": []}
    try:
        from .scoring import score_summaries, score_translations
    except ImportError as exc:
        out["notes"].append(f"scoring is not available ({exc})")
        return out
    lang = _language_of(record)
    try:
        if reference_summary:
            if record.get("summary"):
                report = score_summaries([record["summary"]], [reference_summary], lang)
                out["summary"] = _report_json(report)
            else:
                out["notes"].append("no summary to score")
        if reference_translation:
            hypothesis = record.get("translation") or record.get("summary_translated")
            if hypothesis:
                report = score_translations([hypothesis], [reference_translation], record.get("target_lang"))
                out["translation"] = _report_json(report)
                out["translation"]["of"] = "full article" if record.get("translation") else "summary"
            else:
                out["notes"].append("no translation to score")
    except BisumError as exc:
        out["notes"].append(str(exc))
    return out


def _report_json(report) -> dict:
    return {"metrics": {k: round(v, 2) for k, v in report.metrics.items()}, "signature": dict(report.signature)}


def _language_of(record: dict) -> str | None:
    lang = record.get("source_lang")
    if lang == "mixed":
        lang = (record.get("meta") or {}).get("dominant_lang")
    return lang if lang in ("zh", "en") else None


# ================================================================================================
# The API endpoint


def settings_for(direction: str, summary_length: int, translate: str, glossary: str | None = None) -> Settings:
    if direction not in DIRECTIONS and direction not in DIRECTIONS.values():
        raise InputError(f"unknown direction {direction!r}; choose one of {', '.join(DIRECTIONS)}")
    if translate not in ("summary", "full", "none"):
        raise InputError(f"unknown translate mode {translate!r}; choose summary, full or none")
    to = DIRECTIONS.get(direction, direction)
    return Settings.from_env().with_(
        to=to, translate=translate, summary_sentences=max(1, int(summary_length)), glossary=glossary or None
    )


def process(
    text: str,
    direction: str = "auto",
    summary_length: int = 3,
    translate: str = "summary",
    engine: str = "auto",
    reference_summary: str = "",
    reference_translation: str = "",
) -> dict:
    """Summarize (and translate, and check) an article or a page of articles.

    Returns {"results": [one record per article, as `summarizer run` writes them], "scores": scores of the
    first article against the references given, "warnings": [...]}. Bad input raises a BisumError.
    """
    settings = settings_for(direction, summary_length, translate)
    docs = read_input(text, None, settings.max_bytes)
    last = None
    for last in run_stages(docs, settings, engine, per_article=False):  # batch across articles: faster
        pass
    records = [r.to_record() for r in last.results]
    return {
        "results": records,
        "scores": reference_scores(records[0], reference_summary, reference_translation),
        "warnings": last.warnings,
    }


# ================================================================================================
# Rendering one record as HTML for the page


def marked(text: str, spans: list[tuple[str, str, str]]) -> str:
    """`text` HTML-escaped, with each (span, severity, message) found in it wrapped in <mark title=message>."""
    hits: list[tuple[int, int, str, str]] = []
    for span, severity, message in spans:
        if not span or not span.strip():
            continue
        start = text.find(span)
        while start != -1:
            hits.append((start, start + len(span), severity, message))
            start = text.find(span, start + len(span))
    out, pos = [], 0
    for start, end, severity, message in sorted(hits, key=lambda h: (h[0], -h[1])):
        if start < pos:
            continue  # overlaps a span already marked
        out.append(html.escape(text[pos:start]))
        out.append(f'<mark class="flag {severity}" title="{html.escape(f"{severity}: {message}")}">{html.escape(text[start:end])}</mark>')
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _paragraphs_html(text: str, spans: list[tuple[str, str, str]] | None = None) -> str:
    blocks = [p for p in (text or "").split("\n\n") if p.strip()]
    return "".join(f"<p>{marked(p, spans or [])}</p>" for p in blocks)


def _spans(checks: list[dict], fields: set[str], side: str) -> list[tuple[str, str, str]]:
    return [(c.get(side) or "", c["severity"], c["message"]) for c in checks if c.get("field") in fields]


def summary_html(record: dict) -> str:
    if record.get("error"):
        return f'<div class="bisum-error">{html.escape(record["error"])}</div>'
    if record.get("summary") is None:
        return '<p class="muted">Summarizing…</p>'
    checks = record.get("checks") or []
    spans = _spans(checks, {"summary"}, "target_span") + _spans(checks, {"summary_translated"}, "source_span")
    return f'<div class="bisum-text">{_paragraphs_html(record["summary"], spans)}</div>'


def translated_summary_html(record: dict, translating: bool, warnings: list[str]) -> str:
    if record.get("summary_translated"):
        spans = _spans(record.get("checks") or [], {"summary_translated"}, "target_span")
        return f'<div class="bisum-text">{_paragraphs_html(record["summary_translated"], spans)}</div>'
    if translating:
        return '<p class="muted">Translating…</p>'
    if warnings:
        return f'<p class="muted">{html.escape(warnings[0])}</p>'
    return '<p class="muted">No translation (none asked for, or the article is already in the target language).</p>'


def bilingual_html(record: dict) -> str:
    pairs = record.get("translation_pairs")
    if not pairs:
        return '<p class="muted">The side-by-side view shows the full translation: choose “full article” under “Translate”.</p>'
    checks = [c for c in record.get("checks") or [] if c.get("field") == "translation"]
    rows = []
    for i, (source, target) in enumerate(pairs, 1):
        src_spans = [(c.get("source_span") or "", c["severity"], c["message"]) for c in checks]
        tgt_spans = [(c.get("target_span") or "", c["severity"], c["message"]) for c in checks]
        rows.append(f"<tr><td class='num'>{i}</td><td>{marked(source, src_spans)}</td><td>{marked(target, tgt_spans)}</td></tr>")
    head = f"<tr><th>¶</th><th>Source ({html.escape(str(record.get('source_lang')))})</th><th>Translation ({html.escape(str(record.get('target_lang')))})</th></tr>"
    return f'<table class="bisum-table bilingual">{head}{"".join(rows)}</table>'


def checks_html(record: dict, checked: bool) -> str:
    checks = sorted(record.get("checks") or [], key=lambda c: SEVERITY_ORDER.get(c["severity"], 3))
    legend = (
        '<div class="legend">Flags: <mark class="flag error">error</mark> <mark class="flag warning">warning</mark> '
        '<mark class="flag info">info</mark> — flagged spans are highlighted in the texts; hover for the explanation.</div>'
    )
    if not checked:
        return legend + '<p class="muted">The checks run after the summary and translation.</p>'
    if not checks:
        return legend + '<p class="ok">No problems found by the checks.</p>'
    rows = []
    for c in checks:
        spans = " → ".join(html.escape(s) for s in (c.get("source_span"), c.get("target_span")) if s)
        repair = c.get("repair") or {}
        fixed = ""
        if repair:
            fixed = "repaired" if repair.get("accepted") else "repair tried, kept original"
        rows.append(
            f"<tr><td><mark class='flag {c['severity']}'>{html.escape(c['severity'])}</mark></td>"
            f"<td>{html.escape(c['type'])}</td><td>{html.escape(str(c.get('field') or ''))}</td>"
            f"<td>{html.escape(c['message'])}</td><td class='span'>{spans}</td><td>{fixed}</td></tr>"
        )
    head = "<tr><th>severity</th><th>type</th><th>in</th><th>explanation</th><th>span</th><th>repair</th></tr>"
    return legend + f'<table class="bisum-table checks">{head}{"".join(rows)}</table>'


def cleaned_html(record: dict) -> str:
    title = f"<h3>{html.escape(record['title'])}</h3>" if record.get("title") else ""
    return f'<div class="bisum-text cleaned">{title}{_paragraphs_html(record.get("text") or "")}</div>'


def removed_html(record: dict) -> str:
    removed = record.get("removed") or []
    if not removed:
        return '<p class="muted">Cleaning removed nothing.</p>'
    rows = "".join(
        f"<tr><td>{html.escape(r['reason'])}</td><td class='num'>{r.get('line') or ''}</td>"
        f"<td>{html.escape(r['text'])}</td></tr>"
        for r in removed
    )
    return f'<table class="bisum-table removed"><tr><th>reason</th><th>line</th><th>removed text</th></tr>{rows}</table>'


def details_md(record: dict, warnings: list[str]) -> str:
    timings = ", ".join(f"{k} {v:.2f} s" for k, v in (record.get("timings") or {}).items())
    lines = [
        f"**Engine:** {record.get('engine') or '—'}  ",
        f"**Model:** {record.get('model') or 'none (extractive)'}  ",
        f"**Timings:** {timings or '—'}  ",
    ]
    for key, value in (record.get("meta") or {}).items():
        lines.append(f"**{key}:** {value}  ")
    lines += [f"- note: {n}" for n in record.get("notes") or []]
    lines += [f"- warning: {w}" for w in warnings]
    return "\n".join(lines)


def scores_html(scores: dict) -> str:
    if not scores:
        return '<p class="muted">Fill in a reference summary or translation to see ROUGE / chrF / BLEU against it.</p>'
    parts = []
    for key, title in (("summary", "Summary vs reference"), ("translation", "Translation vs reference")):
        if key not in scores:
            continue
        block = scores[key]
        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td class='num'>{value:.2f}</td><td class='sig'>{html.escape(block['signature'].get(name, ''))}</td></tr>"
            for name, value in block["metrics"].items()
        )
        of = f" ({block['of']})" if block.get("of") else ""
        parts.append(f"<h4>{title}{of}</h4><table class='bisum-table scores'><tr><th>metric</th><th>score</th><th>signature</th></tr>{rows}</table>")
    parts += [f"<p class='muted'>{html.escape(n)}</p>" for n in scores.get("notes", [])]
    return "".join(parts)


def language_md(records: list[dict]) -> str:
    if not records:
        return ""
    langs: dict[str, int] = {}
    for r in records:
        label = f"{r.get('source_lang')}" + (f" ({r['script']})" if r.get("script") else "")
        langs[label] = langs.get(label, 0) + 1
    detected = next(iter(langs)) if len(langs) == 1 else ", ".join(f"{k} × {v}" for k, v in langs.items())
    n = len(records)
    return f"**Detected language:** {detected}  \n**{n} article{'s' if n != 1 else ''}** found on this page"


def article_choices(records: list[dict]) -> list[tuple[str, int]]:
    return [(f"{i + 1}. {r.get('title') or _first_words(r.get('text') or '')}", i) for i, r in enumerate(records)]


def _first_words(text: str, limit: int = 30) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[:limit] + "…"


# ================================================================================================
# Downloads


def record_markdown(record: dict, scores: dict | None = None) -> str:
    """One article's result as Markdown for an editor."""
    lines = [f"# {record.get('title') or record.get('id')}", ""]
    lines.append(f"- source: {record.get('source_file')} · id {record.get('id')} · language {record.get('source_lang')}")
    lines.append(f"- engine: {record.get('engine')} · model: {record.get('model') or '—'}")
    if record.get("error"):
        lines += ["", f"**Error:** {record['error']}"]
    if record.get("summary"):
        lines += ["", "## Summary", "", record["summary"]]
    if record.get("summary_translated"):
        lines += ["", f"## Summary ({record.get('target_lang')})", "", record["summary_translated"]]
    if record.get("translation_pairs"):
        lines += ["", "## Translation (paragraph by paragraph)", ""]
        for source, target in record["translation_pairs"]:
            lines += [f"> {source}", "", target, ""]
    checks = record.get("checks") or []
    if checks:
        lines += ["", "## Checks", ""]
        for c in checks:
            spans = " → ".join(f"`{s}`" for s in (c.get("source_span"), c.get("target_span")) if s)
            lines.append(f"- **{c['severity']}** {c['type']} ({c.get('field')}): {c['message']} {spans}".rstrip())
    for key, block in (scores or {}).items():
        if key in ("summary", "translation"):
            metrics = ", ".join(f"{k} {v:.2f}" for k, v in block["metrics"].items())
            lines += ["", f"## Scores: {key} vs reference", "", metrics]
    if record.get("removed"):
        lines += ["", "## Removed during cleaning", ""]
        lines += [f"- {r['reason']}: {' '.join(r['text'].split())}" for r in record["removed"]]
    return "\n".join(lines).rstrip() + "\n"


def _downloads_root() -> Path:
    root = Path(tempfile.gettempdir()) / "bisum-web"
    root.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - 3600  # files are copied into Gradio's cache when served; an hour is plenty
    for old in root.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass
    return root


def write_downloads(records: list[dict], scores: dict, stem: str) -> tuple[str, str]:
    """The whole page as JSON and as Markdown, in a fresh temp folder; returns the two paths."""
    folder = Path(tempfile.mkdtemp(dir=_downloads_root()))
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem) or "result"
    json_path = folder / f"{safe}.json"
    md_path = folder / f"{safe}.md"
    json_path.write_text(json.dumps({"results": records, "scores": scores}, ensure_ascii=False, indent=2), "utf-8")
    md_path.write_text("\n\n".join(record_markdown(r, scores if i == 0 else None) for i, r in enumerate(records)), "utf-8")
    return str(json_path), str(md_path)


# ================================================================================================
# The page

CSS = """
.bisum-text p { margin: 0 0 .6em 0; line-height: 1.6; }
.bisum-text.cleaned { max-height: 32em; overflow-y: auto; }
.bisum-table { border-collapse: collapse; width: 100%; font-size: .92em; }
.bisum-table th, .bisum-table td { border: 1px solid var(--border-color-primary); padding: 4px 8px; vertical-align: top; text-align: left; }
.bisum-table.removed td:first-child { white-space: nowrap; }
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
.bisum-error { color: #b91c1c; }
"""


def status_html(message: str, kind: str = "info") -> str:
    return f'<div class="bisum-status {kind}" role="status">{html.escape(message)}</div>'


def theme():
    """Default look, but system fonts only: the page must not fetch anything from the internet."""
    import gradio as gr

    return gr.themes.Default(
        font=[gr.themes.Font(name) for name in ("system-ui", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei")]
        + ["sans-serif"],
        font_mono=[gr.themes.Font("ui-monospace"), "monospace"],
    )


def example_rows() -> tuple[list[list[str]], list[str]]:
    rows, labels = [], []
    for path in sorted(EXAMPLES_DIR.glob("*.txt")):
        text = path.read_text("utf-8")
        rows.append([text])
        labels.append(f"{path.stem.split('_')[0]} · {_first_words(text, 24)}")
    return rows, labels


def build_app(engine: str = "auto") -> "gr.Blocks":
    """The page. Launch it with `launch()` (or `app.launch(**launch_options())`) so the offline theme applies."""
    import gradio as gr

    from .engines import available_engines

    base = Settings.from_env()
    engines = ["auto"] + [e for e in available_engines(base) if e != "auto"]
    if engine not in engines:
        engines.append(engine)

    with gr.Blocks(title="bisum · bilingual news summaries", analytics_enabled=False, delete_cache=(3600, 86400)) as app:
        gr.Markdown(
            "## bisum — bilingual news summaries\n"
            "Paste a news page or upload a file; bisum cleans it, splits it into articles, summarizes, "
            "translates (Chinese ↔ English) and flags numbers, names and terms that may be wrong."
        )
        state = gr.State({})
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                text_in = gr.Textbox(label="Article text (paste)", lines=12, max_lines=20, placeholder="粘贴新闻 / paste a news article…")
                file_in = gr.File(label="…or upload a file (.txt, .md, .html, .docx)", file_types=UPLOAD_TYPES, type="filepath")
                rows, labels = example_rows()
                if rows:
                    gr.Examples(rows, inputs=[text_in], label="Seed pages", example_labels=labels)
            with gr.Column(scale=2):
                direction_in = gr.Radio(list(DIRECTIONS), value="auto", label="Direction")
                length_in = gr.Slider(1, 10, value=base.summary_sentences, step=1, label="Summary length (sentences)")
                translate_in = gr.Radio(TRANSLATE_CHOICES, value="summary", label="Translate")
                engine_in = gr.Dropdown(engines, value=engine, label="Engine")
                glossary_in = gr.File(label="Glossary (optional, TSV/CSV: zh, en)", file_types=[".tsv", ".csv", ".txt"], type="filepath")
                with gr.Accordion("References (optional): score against them", open=False):
                    ref_summary_in = gr.Textbox(label="Reference summary", lines=3)
                    ref_translation_in = gr.Textbox(label="Reference translation", lines=3)
                run_btn = gr.Button("Summarize", variant="primary", elem_id="run")
        status = gr.HTML(status_html("Ready."), elem_id="status")
        with gr.Row():
            language = gr.Markdown(elem_id="language")
            selector = gr.Dropdown(choices=[], label="Article", elem_id="article-selector", interactive=True, scale=2)
        with gr.Row(equal_height=False):
            with gr.Column():
                gr.Markdown("### Summary")
                summary_out = gr.HTML(elem_id="summary")
            with gr.Column():
                gr.Markdown("### Translated summary")
                summary_tr_out = gr.HTML(elem_id="summary-translated")
        gr.Markdown("### Checks")
        checks_out = gr.HTML(elem_id="checks")
        with gr.Tabs():
            with gr.Tab("Cleaned text", id="cleaned"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        cleaned_out = gr.HTML(elem_id="cleaned")
                    with gr.Column(scale=2):
                        gr.Markdown("**Removed during cleaning**")
                        removed_out = gr.HTML(elem_id="removed")
            with gr.Tab("Bilingual view", id="bilingual"):
                bilingual_out = gr.HTML(elem_id="bilingual")
            with gr.Tab("Scores", id="scores"):
                scores_out = gr.HTML(scores_html({}), elem_id="scores")
            with gr.Tab("Engine & timings", id="details"):
                details_out = gr.Markdown(elem_id="details")
        with gr.Row():
            json_dl = gr.DownloadButton("Download JSON", visible=False, size="sm")
            md_dl = gr.DownloadButton("Download Markdown", visible=False, size="sm")

        article_outputs = [summary_out, summary_tr_out, checks_out, cleaned_out, removed_out, bilingual_out, scores_out, details_out]

        def render(data: dict, index: int) -> list:
            record, warnings, final = data["records"][index], data["warnings"], data["final"]
            scores = reference_scores(record, *data["refs"]) if final else {}
            return [
                summary_html(record),
                translated_summary_html(record, data["translating"], warnings),
                checks_html(record, final or (data["stage"] == "check" and index < data["done"])),
                cleaned_html(record),
                removed_html(record),
                bilingual_html(record),
                scores_html(scores),
                details_md(record, warnings),
            ]

        def on_run(text, file, direction, length, translate, engine_name, glossary, ref_summary, ref_translation,
                   progress=gr.Progress()):
            """Streams: the page state after each stage; `state.change` then renders the selected article."""
            hidden = [gr.DownloadButton(visible=False), gr.DownloadButton(visible=False)]
            try:
                settings = settings_for(direction, length, translate, glossary)
                docs = read_input(text, file, settings.max_bytes)
                first = True
                for step in run_stages(docs, settings, engine_name, progress):
                    if step.stage == "prepare":
                        continue
                    records = [r.to_record() for r in step.results]
                    data = {"records": records, "stage": step.stage, "final": step.final, "warnings": step.warnings,
                            "translating": "translate" in step.pending, "done": step.done, "refs": (ref_summary, ref_translation)}
                    downloads = hidden
                    if step.final:
                        scores = reference_scores(records[0], ref_summary, ref_translation)
                        json_path, md_path = write_downloads(records, scores, docs[0].id)
                        downloads = [gr.DownloadButton(value=json_path, visible=True), gr.DownloadButton(value=md_path, visible=True)]
                    # the article list is set once; later stages keep whichever article the editor is reading
                    selector_update = gr.Dropdown(choices=article_choices(records), value=0) if first else gr.skip()
                    first = False
                    yield [data, status_html(*step_status(step, records)), language_md(records), selector_update, *downloads]
            except BisumError as exc:  # bad input or setup: one clear line in the status box
                yield failed(str(exc))
            except Exception as exc:  # a bug: still say something useful in the page, full traceback in the log
                traceback.print_exc()
                yield failed(f"Unexpected error ({exc.__class__.__name__}: {exc}). The server log has the details.")

        def failed(message: str) -> list:
            hidden = [gr.DownloadButton(visible=False), gr.DownloadButton(visible=False)]
            return [{}, status_html(message, "error"), "", gr.Dropdown(choices=[], value=None), *hidden]

        def on_select(index, data):
            if not data:
                return [""] * len(article_outputs)
            index = min(int(index or 0), len(data["records"]) - 1)
            return render(data, index)

        run_inputs = [text_in, file_in, direction_in, length_in, translate_in, engine_in, glossary_in, ref_summary_in, ref_translation_in]
        run_outputs = [state, status, language, selector, json_dl, md_dl]
        run_btn.click(on_run, run_inputs, run_outputs, api_visibility="private", concurrency_id="pipeline",
                      show_progress_on=[status])
        for trigger in (selector.input, state.change):
            trigger(on_select, [selector, state], article_outputs, api_visibility="private", concurrency_limit=None,
                    show_progress="hidden")

        default_engine = engine

        def process_api(
            text: str,
            direction: str = "auto",
            summary_length: int = 3,
            translate: str = "summary",
            engine: str = default_engine,
            reference_summary: str = "",
            reference_translation: str = "",
        ) -> dict:
            try:
                return process(text, direction, summary_length, translate, engine, reference_summary, reference_translation)
            except BisumError as exc:
                raise gr.Error(str(exc), print_exception=False) from exc

        process_api.__doc__ = process.__doc__
        gr.api(process_api, api_name="process", concurrency_id="pipeline")
    app.queue(default_concurrency_limit=_env_int("BISUM_WEB_CONCURRENCY", 1), max_size=_env_int("BISUM_WEB_QUEUE", 64))
    return app


def step_status(step: Progressed, records: list[dict]) -> tuple[str, str]:
    """The status line (message, kind) after a stage."""
    failed = [r for r in records if r.get("error")]
    if failed:
        return f"{len(failed)} of {len(records)} article(s) failed: {failed[0]['error']}", "error"
    if step.final:
        message = f"Done: {len(records)} article{'s' if len(records) != 1 else ''}."
        return (f"{message} {step.warnings[0]}", "warning") if step.warnings else (message, "done")
    if step.pending[0] == step.stage:
        return f"{step.stage.capitalize()}: {step.done} of {len(records)} articles done…", "info"
    coming = {"translate": "translating…", "check": "checking…"}.get(step.pending[0], "…")
    return f"{step.stage.capitalize()} done; {coming}", "info"


def _env_int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


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


def launch(host: str = "127.0.0.1", port: int = 7860, engine: str = "auto", *, block: bool = True, quiet: bool = False):
    """Serve the page; with block=False return the running app at once (tests, benchmarks: call app.close())."""
    app = build_app(engine)
    app.launch(server_name=host, server_port=port, prevent_thread_lock=not block, quiet=quiet, **launch_options())
    return app
