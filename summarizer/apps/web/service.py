"""What the page and its gradio_client API do, without Gradio: read the input, run the pipeline on one background
thread and follow it (yielding after each event of the pipeline and while the model streams), score against
references, write the downloads.

Settings come from the server's one base `Settings` (defaults < BISUM_* environment < `summarizer serve` flags, built
once at start); a request's are `base.with_(...)` of its inputs. Engines come from the registry
(`summarizer.engines`), built once per process and shared by all requests: llama.cpp work from every request joins
one model worker's continuous batch, other model backends take turns. Each request carries a `RequestContext`
(time limit, cancellation, streamed text, timings).
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

from summarizer import api, request
from summarizer.apps.web import render
from summarizer.apps.web.state import Progressed, RecordCache
from summarizer.config import Settings
from summarizer.document import Document
from summarizer.editor.history import remember
from summarizer.engines import check_names
from summarizer.errors import BisumError, InputError
from summarizer.pipeline import Pipeline, StepEvent
from summarizer.prepare.ingest import human_size
from summarizer.request import RequestContext


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


def settings_for(base: Settings, direction: str, summary_length: int, translate: str, glossary: str | None = None,
                 engine: str | None = None, quality: str | None = None) -> Settings:
    """A request's settings: the server's `base` with the page's inputs (validated, one-line errors).
    quality: fast, balanced or best (None: the server's); the methods set one by one stay as the server has them."""
    if direction not in DIRECTIONS and direction not in DIRECTIONS.values():
        raise InputError(f"unknown direction {direction!r}; choose one of {', '.join(DIRECTIONS)}")
    if translate not in TRANSLATE_MODES:
        raise InputError(f"unknown translate mode {translate!r}; choose summary, full or none")
    return check_names(base.with_(to=DIRECTIONS.get(direction, direction), translate=translate,
                                  summary_sentences=max(1, int(summary_length)), glossary=glossary or None,
                                  engine=engine or None, quality=quality or None))


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


def step_names(pipeline: Pipeline) -> list[str]:
    """The pipeline's steps that have work to do (no translate step without a translator)."""
    return [name for name, _ in pipeline.steps if name != "translate" or pipeline.translator is not None]


def uses_model(pipeline: Pipeline) -> bool:
    return any(e is not None and e.model is not None for e in (pipeline.summarizer, pipeline.translator))


# ================================================================================================
# Running: `Pipeline.run` on one background thread; the request's generator follows it


def run_stages(docs: list[Document], settings: Settings, progress: Callable | None = None,
               per_article: bool | None = None, ctx: RequestContext | None = None) -> Iterator[Progressed]:
    """Prepare the articles, then run the pipeline (`Pipeline.run`) on a background thread inside the request's scope,
    yielding the run after each of its events (before each article or batch, at each step's end) and, while the
    model works, every POLL_S with the text it is generating.

    per_article: run each step one article at a time (default: for model engines, so that the page shows each
    result when it is ready). ctx: the request (time limit, cancellation, streamed text); closing this generator
    early (the client went away) cancels the request's model work."""
    progress = progress or (lambda *a, **k: None)
    ctx = ctx or RequestContext(label="web", time_limit=settings.request_timeout)
    finished = False
    try:
        progress(0.05, desc="Cleaning and splitting")
        results = api.prepare(docs)
        progress(0.15, desc="Loading the engine")
        pipeline, warnings = web_pipeline(settings)
        names = step_names(pipeline)
        run = LiveRun(Progressed(results, "prepare", warnings, list(names), timings=ctx.timings(), steps=names), ctx)
        yield run.snapshot()
        per_article = uses_model(pipeline) if per_article is None else per_article
        run.start(lambda: pipeline.run(results, steps=names, on_progress=run.heard, per_article=per_article))
        yield from run.follow(progress)
        remember(results, origin="page")  # the editor's history (summarizer/editor/history.py); never raises
        progress(1.0, desc="Done")
        finished = True
    finally:
        if not finished:
            ctx.cancel()


@dataclass(eq=False)
class LiveRun:
    """One request's pipeline run, between its worker thread and its generator.

    The worker's `on_progress` callback (`heard`) hands over each StepEvent and waits until the generator has
    yielded it: the generator reads the results only while no step changes them, and the page sees every event.
    While a step works, the generator reads the streamed text, the queue position and the timings from the
    request every POLL_S."""

    state: Progressed
    ctx: RequestContext
    _event: StepEvent | None = None
    _calls_before: int = 0  # model calls made before the current chunk (their text is not this chunk's)
    _failure: list[BaseException] = field(default_factory=list)
    _thread: threading.Thread | None = None
    _cond: threading.Condition = field(default_factory=threading.Condition)

    # --- the worker thread
    def start(self, work: Callable[[], Any]) -> None:
        def target() -> None:
            with request.scope(self.ctx):
                try:
                    work()
                except BaseException as exc:  # handed to the request's generator by `follow`
                    self._failure.append(exc)
                finally:
                    with self._cond:  # `follow` need not wait out its poll to see the end
                        self._cond.notify_all()

        self._thread = threading.Thread(target=target, name=f"bisum-request-{self.ctx.id}", daemon=True)
        self._thread.start()

    def heard(self, event: StepEvent) -> None:
        """Pipeline.run's callback: hand the event over and wait until it has been shown (or the request stops)."""
        with self._cond:
            self._event = event
            self._cond.notify_all()
            while self._event is event and self.ctx.stop_reason() is None:
                self._cond.wait(POLL_S)
            if self._event is event:
                self._event = None
        self.ctx.check()

    # --- the request's generator
    def follow(self, progress: Callable) -> Iterator[Progressed]:
        """Yield the run after each event and, while a step works, every POLL_S; re-raise the worker's error."""
        while self._thread.is_alive():
            with self._cond:
                if self._event is None:
                    self._cond.wait(POLL_S)
                event = self._event
            if event is not None:
                self.apply(event, progress)
                yield self.snapshot()
                with self._cond:
                    self._event = None
                    self._cond.notify_all()
            elif self.state.working and self._thread.is_alive():
                self.ctx.check()  # a step that never asks the request (no model) still ends at its time limit
                self.stream()
                yield self.snapshot()
        if self._failure:
            raise self._failure[0]

    def apply(self, event: StepEvent, progress: Callable) -> None:
        s, results = self.state, self.state.results
        s.stage, s.done = event.step, event.done
        working = {id(r) for r in event.working}
        s.working = tuple(i for i, r in enumerate(results) if id(r) in working)
        s.working_on = s.working[0] if s.working else None
        s.partial, s.ahead, s.timings = "", 0, self.ctx.timings()
        rest = s.steps[s.steps.index(event.step):]
        s.pending = rest if event.working or event.done < event.total else rest[1:]
        self._calls_before, _ = self.ctx.partial_text()
        start, desc = STEP_PROGRESS.get(event.step, (0.2, event.step))
        end = STEP_PROGRESS[rest[1]][0] if len(rest) > 1 else 1.0
        progress(start + (end - start) * event.done / max(1, event.total),
                 desc=f"{desc}: {event.done} of {event.total} articles done")

    def stream(self) -> None:
        s = self.state
        calls, text = self.ctx.partial_text(PARTIAL_JOINER.get(s.stage, ""))
        s.partial = text if calls > self._calls_before and s.stage in PARTIAL_JOINER else ""
        s.ahead, s.timings = self.ctx.ahead, self.ctx.timings()

    def snapshot(self) -> Progressed:
        return replace(self.state, pending=list(self.state.pending))


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


def process(base: Settings, text: str, direction: str = "auto", summary_length: int = 3, translate: str = "summary",
            engine: str | None = None, reference_summary: str = "", reference_translation: str = "",
            quality: str | None = None) -> dict:
    """Summarize (and translate, and check) an article or a page of articles; quality: fast, balanced or best
    (the translation's level; default: the server's).

    Returns {"results": [one record per article, as `summarizer run` writes them], "scores": scores of the
    first article against the references given, "warnings": [...]}. A translation that failed is null in the
    record, with a check of type "failed" saying why. Bad input raises a BisumError.
    """
    settings = settings_for(base, direction, summary_length, translate, engine=engine, quality=quality)
    last = run_all(read_input(text, None, settings), settings)
    records = [r.to_record() for r in last.results]
    return {
        "results": records,
        "scores": reference_scores(records[0], reference_summary, reference_translation),
        "warnings": last.warnings,
    }


def process_stream(base: Settings, text: str, direction: str = "auto", summary_length: int = 3,
                   translate: str = "summary", engine: str | None = None, quality: str | None = None) -> Iterator[dict]:
    """`process`, streamed: a dict after each event of the pipeline and, while the model writes, about every quarter
    second.

    Each dict: {"stage", "article" (index being generated, or null), "partial" (its text so far), "ahead" (requests
    before this one in the model's queue), "timings" (first_token_s, tokens, tokens_per_s, queue_wait_s,
    elapsed_s), "final", "results" (records: summaries and translations appear as their steps finish)}."""
    settings = settings_for(base, direction, summary_length, translate, engine=engine, quality=quality)
    records = RecordCache()
    for step in run_stages(read_input(text, None, settings), settings):
        yield {"stage": step.stage, "article": step.working_on, "partial": step.partial, "ahead": step.ahead,
               "timings": step.timings, "final": step.final, "warnings": step.warnings,
               "results": records.records(step)}


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
