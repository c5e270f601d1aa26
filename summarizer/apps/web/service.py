"""What the page and its API endpoint do, without Gradio: read the input, run the pipeline step by step
(yielding after each step so that the page can stream), score against references, write the downloads.

Engines come from the registry (`summarizer.engines`), built once per process and shared by all requests, which run
on their own threads: llama.cpp work from every request joins one model worker's continuous batch, other model
backends take turns. Each request carries a `RequestContext` (time limit, cancellation, streamed text, timings).
"""
from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator

from summarizer import api
from summarizer.apps.web import render
from summarizer.config import Settings
from summarizer.document import Document, Result
from summarizer.engines import request
from summarizer.request import RequestContext
from summarizer.errors import BisumError, InputError
from summarizer.pipeline import Pipeline, Step, run_step
from summarizer.prepare.ingest import human_size

log = logging.getLogger(__name__)

DIRECTIONS = {"auto": "auto", "zh→en": "en", "en→zh": "zh"}
TRANSLATE_MODES = ("summary", "full", "none")
PASTED_NAME = "pasted-text"
NO_TRANSLATION_MODEL = (
    "Translation is not available here: no translation model is ready "
    "(run `summarizer models pull`, then choose the llm or llamacpp engine). Showing the summary only."
)
STEP_PROGRESS = {"summarize": (0.2, "Summarizing"), "translate": (0.5, "Translating"), "check": (0.85, "Checking the output")}
POLL_S = 0.25  # how often a running model step reports its streamed text
PARTIAL_JOINER = {"summarize": "\n\n", "translate": " "}  # the steps whose model text streams to the page


@dataclass
class Progressed:
    """The state of one request after a step, after one article of a step, or while a model step streams."""

    results: list[Result]
    stage: str  # prepare | summarize | translate | check
    warnings: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # steps still to run (the current one if it is not finished)
    done: int = 0  # articles finished in this step
    working_on: int | None = None  # the article the current step is generating for (None: between steps)
    partial: str = ""  # the text the model is generating for it right now
    ahead: int = 0  # requests before this one in the model's queue
    timings: dict = field(default_factory=dict)  # the request's first token, tokens/s and queue wait

    @property
    def final(self) -> bool:
        return not self.pending


def settings_for(direction: str, summary_length: int, translate: str, glossary: str | None = None,
                 engine: str | None = None, quality: str | None = None) -> Settings:
    """The request's settings: defaults < BISUM_* environment < the page's inputs (validated, one-line errors).
    quality: fast, balanced or best (None: the server's); the methods set one by one stay as the server has them."""
    if direction not in DIRECTIONS and direction not in DIRECTIONS.values():
        raise InputError(f"unknown direction {direction!r}; choose one of {', '.join(DIRECTIONS)}")
    if translate not in TRANSLATE_MODES:
        raise InputError(f"unknown translate mode {translate!r}; choose summary, full or none")
    return api.settings(to=DIRECTIONS.get(direction, direction), translate=translate,
                        summary_sentences=max(1, int(summary_length)), glossary=glossary or None, engine=engine,
                        quality=quality or None)


def read_input(text: str | None, file_path: str | None, settings: Settings) -> list[Document]:
    """The uploaded file if there is one, else the pasted text, as Documents (size limit and formats as the CLI)."""
    if file_path:
        path = Path(file_path)
        size = path.stat().st_size
        if size > settings.max_bytes:
            raise InputError(f"{path.name}: {human_size(size)} is over the size limit of {human_size(settings.max_bytes)}")
        return api.documents(path.read_bytes(), settings, path.name)
    if not text or not text.strip():
        raise InputError("nothing to do: paste an article or upload a file")
    data = text.encode("utf-8")
    if len(data) > settings.max_bytes:
        raise InputError(f"the pasted text is {human_size(len(data))}, over the size limit of {human_size(settings.max_bytes)}")
    return api.documents(data, settings, PASTED_NAME)


def web_pipeline(settings: Settings) -> tuple[Pipeline, list[str]]:
    """The pipeline over the shared engines; without a translation model it summarizes only and says why."""
    pipeline = api.pipeline(settings, require_translator=False)
    return pipeline, [f"{NO_TRANSLATION_MODEL} ({why})" for why in pipeline.warnings]


def page_steps(pipeline: Pipeline) -> list[tuple[str, Step]]:
    """The pipeline's steps that have work to do (no translate step without a translator)."""
    return [(name, step) for name, step in pipeline.steps if name != "translate" or pipeline.translator is not None]


def uses_model(pipeline: Pipeline) -> bool:
    return any(e is not None and e.model is not None for e in (pipeline.summarizer, pipeline.translator))


def run_stages(docs: list[Document], settings: Settings, progress: Callable | None = None,
               per_article: bool | None = None, ctx: RequestContext | None = None) -> Iterator[Progressed]:
    """Prepare the articles, then summarize, translate and check them, yielding after each step and, while the model
    works, every POLL_S with the text it is generating.

    per_article: run each step one article at a time and yield after each (default: for model engines, so that
    the page shows each result when it is ready). ctx: the request (time limit, cancellation, streamed text);
    closing this generator early (the client went away) cancels the request's model work."""
    progress = progress or (lambda *a, **k: None)
    ctx = ctx or RequestContext(label="web", time_limit=settings.request_timeout)
    finished = False
    try:
        progress(0.05, desc="Cleaning and splitting")
        results = api.prepare(docs)
        progress(0.15, desc="Loading the engine")
        pipeline, warnings = web_pipeline(settings)
        steps = page_steps(pipeline)
        names = [name for name, _ in steps]
        state = Progressed(results, "prepare", warnings, names, timings=ctx.timings())
        yield replace(state)
        chunks = [[r] for r in results] if (uses_model(pipeline) if per_article is None else per_article) else [results]
        for i, (name, step) in enumerate(steps):
            yield from _run_step(state, i, name, step, chunks, ctx, progress)
        progress(1.0, desc="Done")
        finished = True
    finally:
        if not finished:
            ctx.cancel()


def _run_step(state: Progressed, i: int, name: str, step: Step, chunks: list[list[Result]], ctx: RequestContext,
              progress: Callable) -> Iterator[Progressed]:
    names, results = state.pending, state.results
    start, desc = STEP_PROGRESS[name]
    end = STEP_PROGRESS[names[1]][0] if len(names) > 1 else 1.0
    state.stage, state.done = name, 0
    for chunk in chunks:
        progress(start + (end - start) * state.done / len(results), desc=f"{desc}: {state.done} of {len(results)} articles done")
        state.working_on = next(k for k, r in enumerate(results) if r is chunk[0])
        calls_before, _ = ctx.partial_text()
        for _ in in_background(lambda: run_step(name, step, chunk), ctx):
            calls, text = ctx.partial_text(PARTIAL_JOINER.get(name, ""))
            state.partial = text if calls > calls_before and name in PARTIAL_JOINER else ""
            state.ahead, state.timings = ctx.ahead, ctx.timings()
            yield replace(state)
        ctx.check()
        state.done += len(chunk)
        state.working_on, state.partial, state.ahead, state.timings = None, "", 0, ctx.timings()
        if state.done >= len(results):
            state.pending = names[1:]
        yield replace(state)


def in_background(work: Callable[[], None], ctx: RequestContext) -> Iterator[None]:
    """Run `work` on its own thread, inside the request's scope; yield every POLL_S while it runs; re-raise its error."""
    failure: list[BaseException] = []

    def target() -> None:
        with request.scope(ctx):
            try:
                work()
            except BaseException as exc:  # handed to the request's thread below
                failure.append(exc)

    thread = threading.Thread(target=target, name=f"bisum-request-{ctx.id}", daemon=True)
    thread.start()
    while True:
        thread.join(POLL_S)
        if not thread.is_alive():
            break
        yield
    if failure:
        raise failure[0]


def run_all(docs: list[Document], settings: Settings) -> Progressed:
    """The final state, batching across articles (faster than article by article)."""
    last = None
    for last in run_stages(docs, settings, per_article=False):
        pass
    return last


# ================================================================================================
# Scores against references (same metric code as `summarizer score`)


def reference_scores(record: dict, reference_summary: str = "", reference_translation: str = "") -> dict:
    """ROUGE of the summary and BLEU/chrF of the translation against the references given (empty dict if none)."""
    from summarizer.evaluation.scoring import score_summaries, score_translations

    reference_summary, reference_translation = (reference_summary or "").strip(), (reference_translation or "").strip()
    if not reference_summary and not reference_translation:
        return {}
    out: dict[str, Any] = {"article": record.get("id"), "notes": []}
    try:
        if reference_summary and record.get("summary"):
            out["summary"] = _report_json(score_summaries([record["summary"]], [reference_summary], _language_of(record)))
        elif reference_summary:
            out["notes"].append("no summary to score")
        hypothesis = record.get("translation") or record.get("summary_translated")
        if reference_translation and hypothesis:
            report = score_translations([hypothesis], [reference_translation], record.get("target_lang"))
            out["translation"] = {**_report_json(report), "of": "full article" if record.get("translation") else "summary"}
        elif reference_translation:
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
# The API endpoint and the downloads


def process(text: str, direction: str = "auto", summary_length: int = 3, translate: str = "summary",
            engine: str = "auto", reference_summary: str = "", reference_translation: str = "",
            quality: str | None = None) -> dict:
    """Summarize (and translate, and check) an article or a page of articles; quality: fast, balanced or best
    (the translation's level; default: the server's).

    Returns {"results": [one record per article, as `summarizer run` writes them], "scores": scores of the
    first article against the references given, "warnings": [...]}. A translation that failed is null in the
    record, with a check of type "failed" saying why. Bad input raises a BisumError.
    """
    settings = settings_for(direction, summary_length, translate, engine=engine, quality=quality)
    last = run_all(read_input(text, None, settings), settings)
    records = [r.to_record() for r in last.results]
    return {
        "results": records,
        "scores": reference_scores(records[0], reference_summary, reference_translation),
        "warnings": last.warnings,
    }


def process_stream(text: str, direction: str = "auto", summary_length: int = 3, translate: str = "summary",
                   engine: str = "auto", quality: str | None = None) -> Iterator[dict]:
    """`process`, streamed: a dict after each step and, while the model writes, about every quarter second.

    Each dict: {"stage", "article" (index being generated, or null), "partial" (its text so far), "ahead" (requests
    before this one in the model's queue), "timings" (first_token_s, tokens, tokens_per_s, queue_wait_s,
    elapsed_s), "final", "results" (records: summaries and translations appear as their steps finish)}."""
    settings = settings_for(direction, summary_length, translate, engine=engine, quality=quality)
    for step in run_stages(read_input(text, None, settings), settings):
        yield {"stage": step.stage, "article": step.working_on, "partial": step.partial, "ahead": step.ahead,
               "timings": step.timings, "final": step.final, "warnings": step.warnings,
               "results": [r.to_record() for r in step.results]}


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
    json_path, md_path = folder / f"{safe}.json", folder / f"{safe}.md"
    json_path.write_text(json.dumps({"results": records, "scores": scores}, ensure_ascii=False, indent=2), "utf-8")
    md_path.write_text(render.page_markdown(records, scores), "utf-8")
    return str(json_path), str(md_path)
