"""Evaluate what users get: run the real pipeline over an evaluation set, cache, score, gate and report.

    result = run_eval("translation", "flores-zh-en", engine="auto", limit=12, report_dir=Path("runs/flores"),
                      fail_under={"chrF": 40})
    result.report.metrics, result.check_rates, result.failed

`run_eval` is a short list of named steps: load the set → build the system → predict (cached, resumable) →
score → check rates → gate → report. The system is `api.pipeline(settings)` and predictions are
`api.process_texts(...)`, so an eval runs summarize → translate → check + repair exactly as `summarizer run`
does; `settings.repair=False` (`--no-repair`) scores the raw model. Summaries are `Result.summary` (or
`summary_translated` for cross-lingual sets); translations are `Result.translation` with `translate="full"`.
Predictions are cached per system in `out_dir` (see `summarizer.evaluation.predictions`).
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Sequence

from summarizer import api
from summarizer.checks.report import check_rates
from summarizer.config import Settings
from summarizer.document import Check, Result
from summarizer.engines import resolve_name
from summarizer.engines.quality import translation_plan
from summarizer.errors import InputError
from summarizer.evaluation.datasets import EvalItem, EvalSet, load_eval_set
from summarizer.evaluation.predictions import PredictionCache, batches, cache_path, system_key
from summarizer.evaluation.report import write_reports
from summarizer.evaluation.result import EvalResult
from summarizer.evaluation.scoring import ScoreReport, below_threshold, score_summaries, score_translations
from summarizer.evaluation.scoring.tokenizers import CJK_CHAR
from summarizer.pipeline import Pipeline
from summarizer.progress import Progress, current as job_progress

log = logging.getLogger(__name__)
TASKS = ("summarization", "translation")
CHECKED_FIELDS = {"translation": ("translation",), "summarization": ("summary", "summary_translated")}


@dataclass
class System:
    """What is evaluated: settings for `api.pipeline`, or a pipeline built by the caller; built when first needed."""

    settings: Settings
    label: str  # engine name as reported ("llamacpp", "lead-3", ...)
    built: Pipeline | None = None

    def pipeline(self) -> Pipeline:
        if self.built is None:
            self.built = api.pipeline(self.settings)
        return self.built

    @property
    def signature(self) -> str:
        s = self.settings
        yes = {True: "yes", False: "no"}
        return (f"system:{self.label}|model:{s.model or 'default'}|sent:{s.summary_sentences}|to:{s.to}|"
                f"translate:{s.translate}|quality:{translation_plan(s).label}|check:{yes[s.check]}|"
                f"repair:{yes[s.repair and s.check]}|"
                f"settings:{system_key(s)}")


# ----------------------------------------------------------------------------- the steps


def run_eval(
    task: str,
    data: str,
    engine: str | Pipeline = "auto",
    limit: int | None = None,
    settings: Settings | None = None,
    out_dir: Path | None = None,
    report_dir: Path | None = None,
    fail_under: dict[str, float] | None = None,
    *,
    sentences: int | None = None,
    tokenize: str | None = None,
    embedding: bool = False,
    progress: bool = False,
) -> EvalResult:
    """Evaluate a system on a set (short name or JSONL path); see the module docstring.

    engine: a registry name ("auto", "llamacpp", "llm", "seq2seq", "extractive", "lead", "lead-N" = lead with N
    sentences) or a built `Pipeline`. settings: default `api.settings()` (the pipeline's own for a `Pipeline`);
    `repair`/`check` come from it.
    sentences: summary length (default: lead-N's N, else the set's natural length, else settings.summary_sentences).
    fail_under: {"rougeL": 22, "chrF": 45} (case-insensitive; TER fails when above).
    """
    task = load_task(task)
    eval_set = load_set(task, data, limit)
    settings = settings or (engine.settings if isinstance(engine, Pipeline) else api.settings())
    system = build_system(task, eval_set, engine, settings, sentences)
    cache, timings = predict(task, eval_set, system, out_dir, progress)
    rows = [cache.rows[item.id] for item in eval_set.items]
    report = score(eval_set, rows, tokenize, embedding)
    rates = rates_of_checks(rows) if system.settings.check else None
    result = assemble(task, eval_set, system, rows, report, rates, timings, cache.path, limit)
    gate(result, fail_under or {})
    if report_dir is not None:
        write_reports(result, eval_set, Path(report_dir))
    return result


def load_task(task: str) -> str:
    if task not in TASKS:
        raise InputError(f"unknown task {task!r}; use one of {', '.join(TASKS)}")
    return task


def load_set(task: str, data: str, limit: int | None) -> EvalSet:
    eval_set = load_eval_set(data, task, limit)
    if eval_set.task != task:
        raise InputError(f"{eval_set.name} is a {eval_set.task} set, not {task}")
    return eval_set


def build_system(task: str, eval_set: EvalSet, engine: str | Pipeline, settings: Settings,
                 sentences: int | None) -> System:
    """Settings (and, for a given pipeline, the pipeline) that make `api.process_texts` write the prediction."""
    given = engine if isinstance(engine, Pipeline) else None
    name, lead_n = split_engine_name(engine) if given is None else (settings.engine, None)
    sentences = sentences or lead_n or eval_set.summary_sentences or settings.summary_sentences
    target = eval_set.target_lang
    if task == "translation":  # a cheap lead summary; the engine under test translates the whole text
        chosen = settings.with_(engine="lead", translator=name, summary_sentences=1, translate="full", to=target)
    else:
        cross = target != eval_set.source_lang
        chosen = settings.with_(engine=name, summary_sentences=sentences, to=target if cross else "none",
                                translate="summary" if cross else "none")
    if given is not None:
        given = replace(given, settings=chosen)
        engine_obj = given.translator if task == "translation" else given.summarizer
        label = engine_obj.name if engine_obj is not None else name
    else:
        label = resolve_name(chosen.translator if task == "translation" else chosen.engine, chosen)
    if label == "lead" and task != "translation":
        label = f"lead-{sentences}"
    return System(chosen, label, given)


def split_engine_name(name: str) -> tuple[str, int | None]:
    """"lead-3" -> ("lead", 3); "extractive" -> ("extractive", None)."""
    match = re.fullmatch(r"(lead)-(\d+)", name)
    return (match.group(1), int(match.group(2))) if match else (name, None)


def predict(task: str, eval_set: EvalSet, system: System, out_dir: Path | None,
            progress: bool) -> tuple[PredictionCache, dict[str, float]]:
    """Fill the system's prediction cache for the set; rows carry the prediction, its checks and timings."""
    cache = PredictionCache(cache_path(out_dir, eval_set.name, task, system.label, system.settings.model or "default",
                                       system_key(system.settings)))
    cross = eval_set.target_lang != eval_set.source_lang

    documents = task == "translation" and translation_plan(system.settings).context

    def batch(items) -> list[dict]:
        if documents:
            return document_rows(items, system.pipeline(), eval_set.source_lang)
        results = api.process_texts([item.source for item in items], system.pipeline(), eval_set.source_lang)
        return [prediction_row(task, cross, r) for r in results]

    started = time.perf_counter()
    tracker = job_progress()
    if tracker is not None:
        expect_pending(tracker, pending_texts(cache, eval_set.items, documents), system, eval_set.source_lang)
    new = cache.fill(eval_set.items, batch, system.settings.batch_size, progress and tracker is None,
                     f"{eval_set.name} {system.label}", together=document_url if documents else None)
    return cache, {"wall_seconds": round(time.perf_counter() - started, 3), "new_items": new,
                   "cached_items": len(eval_set.items) - new}


def expect_pending(tracker: Progress, texts: list[str], system: System, source_lang: str) -> None:
    """Tell the job's progress tracker (the CLI's) what is to come, in the order the batches will run it."""
    if not texts:
        return
    runner = system.pipeline()
    sizes = [runner.size(r) for r in api.text_results(texts, source_lang, "<eval>")]
    for size in sizes:
        size.key = None  # tied to the Results the batches make, in order
    tracker.expect(runner.workload(), sizes)


def pending_texts(cache: PredictionCache, items: Sequence[EvalItem], documents: bool) -> list[str]:
    """The texts the pipeline will be given for the items not cached yet (a document's items joined in one, as
    `document_rows` does), for the progress estimate."""
    todo = [item for item in items if item.id not in cache.rows or cache.rows[item.id].get("error")]
    if not documents:
        return [item.source for item in todo]
    return ["\n".join(i.source.replace("\n", " ") for i in group) for group in batches(todo, 1, document_url)]


def document_url(item: EvalItem) -> str | None:
    """The document an item belongs to (FLORES gives its url), None for a blank source, which stays on its own."""
    return (item.meta.get("url") or None) if item.source.strip() else None


def document_rows(items: Sequence[EvalItem], runner: Pipeline, source_lang: str) -> list[dict]:
    """Translation with document context: consecutive items from one document (same `url`, as FLORES gives) are
    translated as one text, a line each, so each sentence sees the ones before it; each item gets its own line,
    the checks on its line and an equal share of the time. An item with a blank source stays on its own."""
    groups = batches(items, 1, document_url)  # a run of one item, longer while its document goes on
    results = api.process_texts(["\n".join(i.source.replace("\n", " ") for i in g) for g in groups], runner, source_lang)
    rows = []
    for group, r in zip(groups, results):
        row = prediction_row("translation", True, r)
        if len(group) == 1:
            rows.append(row)
            continue
        pairs = r.translation_pairs or [(i.source, "") for i in group]
        for k, (item, (_, translated)) in enumerate(zip(group, pairs)):
            own = [c for c in row["checks"] if c.get("paragraph") == k]
            rows.append({**row, "prediction": translated, "seconds": round(row["seconds"] / len(group), 4),
                         "checks": own})
    return rows


def prediction_row(task: str, cross: bool, r: Result) -> dict:
    """The scored output of one result, the checks on it, and where and how long it took."""
    if task == "translation":
        prediction = r.translation
    else:
        prediction = r.summary_translated if cross else r.summary
    model = r.model or ""
    return {
        "prediction": prediction or "",
        "seconds": round(sum(r.timings.values()), 4),
        "engine": r.engine,
        "model": r.model,
        "model_hash": model.rsplit("@", 1)[1] if "@" in model else None,
        "checks": [c.to_dict() for c in r.checks if c.field in CHECKED_FIELDS[task]],
        "error": r.error,
    }


def score(eval_set: EvalSet, rows: list[dict], tokenize: str | None, embedding: bool) -> ScoreReport:
    predictions = [row.get("prediction") or "" for row in rows]
    ids = [item.id for item in eval_set.items]
    references = [item.reference for item in eval_set.items]
    if eval_set.task == "translation":
        report = score_translations(predictions, references, eval_set.target_lang, ids=ids,
                                    sources=[i.source for i in eval_set.items], embedding=embedding)
    else:
        report = score_summaries(predictions, references, eval_set.target_lang, tokenize, ids=ids, embedding=embedding)
    for scored, item, row in zip(report.items, eval_set.items, rows):
        scored["source_length"] = source_length(item.source, eval_set.source_lang)
        if row.get("error"):
            scored["error"] = row["error"]
    return report


def source_length(text: str, lang: str) -> int:
    """Characters (plus Latin words) for Chinese, words otherwise."""
    return len(CJK_CHAR.findall(text)) + len(re.findall(r"[A-Za-z0-9]+", text)) if lang == "zh" else len(text.split())


def rates_of_checks(rows: list[dict]) -> dict[str, float] | None:
    """Per check type, the share of items whose scored output has such a check (None when checks were off)."""
    lists = [row.get("checks") for row in rows]
    if not rows or any(not isinstance(checks, list) for checks in lists):
        return None
    known = {f.name for f in fields(Check)}
    return check_rates([[Check(**{k: v for k, v in c.items() if k in known}) for c in checks] for checks in lists])


def assemble(task: str, eval_set: EvalSet, system: System, rows: list[dict], report: ScoreReport,
             rates: dict[str, float] | None, timings: dict[str, float], path: Path, limit: int | None) -> EvalResult:
    model_seconds = sum(float(row.get("seconds") or 0) for row in rows)
    last = rows[-1] if rows else {}
    s = system.settings
    return EvalResult(
        task=task, data=eval_set.name, data_path=str(eval_set.path), sample=eval_set.sample, engine=system.label,
        model=last.get("model"), model_hash=last.get("model_hash"), report=report, thresholds={}, failed=[],
        timings={"seconds_per_item": round(model_seconds / len(rows), 4) if rows else 0.0,
                 "total_seconds": round(model_seconds, 3), **timings},
        check_rates=rates,
        predictions_path=path,
        config={"sentences": s.summary_sentences, "source_lang": eval_set.source_lang,
                "target_lang": eval_set.target_lang, "limit": limit, "check": s.check, "repair": s.repair and s.check,
                "system_signature": system.signature, "settings_hash": system_key(s), "settings": asdict(s)},
    )


def gate(result: EvalResult, thresholds: dict[str, float]) -> None:
    result.thresholds = dict(thresholds)
    result.failed = below_threshold(result.report.metrics, thresholds)
    if result.failed:
        log.info("%s / %s below threshold: %s", result.data, result.engine, ", ".join(result.failed))
