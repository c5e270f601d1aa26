"""What the page and its API endpoint do, without Gradio: read the input, run the pipeline step by step
(yielding after each step so that the page can stream), score against references, write the downloads.

Engines come from the registry (`summarizer.engines`), built once per process and shared by all requests;
model engines are not thread-safe, so one lock lets one generation run at a time.
"""
from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from summarizer import api
from summarizer.apps.web import render
from summarizer.config import Settings
from summarizer.document import Document, Result
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
_MODEL_LOCK = threading.Lock()  # model engines are not thread-safe: one generation at a time


@dataclass
class Progressed:
    """The state of one request after a step (or after one article of a step, for slow model engines)."""

    results: list[Result]
    stage: str  # prepare | summarize | translate | check
    warnings: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # steps still to run (the current one if it is not finished)
    done: int = 0  # articles finished in this step

    @property
    def final(self) -> bool:
        return not self.pending


def settings_for(direction: str, summary_length: int, translate: str, glossary: str | None = None,
                 engine: str | None = None) -> Settings:
    """The request's settings: defaults < BISUM_* environment < the page's inputs (validated, one-line errors)."""
    if direction not in DIRECTIONS and direction not in DIRECTIONS.values():
        raise InputError(f"unknown direction {direction!r}; choose one of {', '.join(DIRECTIONS)}")
    if translate not in TRANSLATE_MODES:
        raise InputError(f"unknown translate mode {translate!r}; choose summary, full or none")
    return api.settings(to=DIRECTIONS.get(direction, direction), translate=translate,
                        summary_sentences=max(1, int(summary_length)), glossary=glossary or None, engine=engine)


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
               per_article: bool | None = None) -> Iterator[Progressed]:
    """Prepare the articles, then summarize, translate and check them, yielding after each step.

    per_article: run each step one article at a time and yield after each (default: for model engines,
    which take minutes per page, so that the page shows each result when it is ready)."""
    progress = progress or (lambda *a, **k: None)
    progress(0.05, desc="Cleaning and splitting")
    results = api.prepare(docs)
    progress(0.15, desc="Loading the engine")
    pipeline, warnings = web_pipeline(settings)
    steps = page_steps(pipeline)
    names = [name for name, _ in steps]
    model = uses_model(pipeline)
    yield Progressed(results, "prepare", warnings, names)
    chunks = [[r] for r in results] if (model if per_article is None else per_article) else [results]
    for i, (name, step) in enumerate(steps):
        start, desc = STEP_PROGRESS[name]
        end = STEP_PROGRESS[names[i + 1]][0] if i + 1 < len(names) else 1.0
        done = 0
        for chunk in chunks:
            progress(start + (end - start) * done / len(results), desc=f"{desc}: {done} of {len(results)} articles done")
            with _MODEL_LOCK if model else nullcontext():
                run_step(name, step, chunk)
            done += len(chunk)
            yield Progressed(results, name, warnings, names[i:] if done < len(results) else names[i + 1:], done)
    progress(1.0, desc="Done")


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
            engine: str = "auto", reference_summary: str = "", reference_translation: str = "") -> dict:
    """Summarize (and translate, and check) an article or a page of articles.

    Returns {"results": [one record per article, as `summarizer run` writes them], "scores": scores of the
    first article against the references given, "warnings": [...]}. A translation that failed is null in the
    record, with a check of type "failed" saying why. Bad input raises a BisumError.
    """
    settings = settings_for(direction, summary_length, translate, engine=engine)
    last = run_all(read_input(text, None, settings), settings)
    records = [r.to_record() for r in last.results]
    return {
        "results": records,
        "scores": reference_scores(records[0], reference_summary, reference_translation),
        "warnings": last.warnings,
    }


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
