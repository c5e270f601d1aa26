"""Run an engine over an evaluation set, cache its predictions resumably, score them, write reports.

    result = run_eval("summarization", "lcsts", engine="lead-1", settings=Settings(),
                      report_dir=Path("runs/lcsts-lead1"), fail_under={"rougeL": 20})
    result.report.metrics, result.failed

Predictions go to `<out_dir>/<set>__<task>__<engine>__<model>__<settings-hash>.jsonl`, one line per item
as soon as its batch finishes (full line + flush + fsync). A torn last line from a killed run is
dropped on restart, and items already in the file are never run again, so re-scoring or
re-reporting is free and an interrupted eval resumes where it stopped.
"""
from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Sequence

from .config import Settings
from .datasets import EvalSet, load_eval_set
from .errors import EngineUnavailable, InputError
from .scoring import ScoreReport, below_threshold, score_summaries, score_translations
from .scoring.tokenizers import CJK_CHAR

TASKS = ("summarization", "translation", "pipeline")
DEFAULT_OUT_DIR = Path(".eval-cache")
WORST_N = 10

# A pipeline runner turns (sources, source_lang, target_lang, engine, settings) into records with at
# least "summary" / "summary_translated" / "translation" and "checks" (Result.to_record()).
PipelineRunner = Callable[[Sequence[str], str, str, Any, Settings], list[dict]]


@dataclass
class EvalResult:
    task: str
    data: str  # set short name or file stem
    data_path: str
    sample: bool  # scored on the committed sample, not the full set
    engine: str
    model: str | None
    model_hash: str | None
    report: ScoreReport
    thresholds: dict[str, float]
    failed: list[str]  # metrics that missed their threshold
    timings: dict[str, float]  # seconds_per_item, total_seconds (model time), wall_seconds (this run), new/cached items
    check_rates: dict[str, Any] | None
    predictions_path: Path
    config: dict[str, Any]
    report_paths: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "report"}
        data["predictions_path"] = str(self.predictions_path)
        data["report_paths"] = [str(p) for p in self.report_paths]
        data["scores"] = self.report.to_json()
        return data


# ----------------------------------------------------------------------------- engines


def _split_engine_name(name: str) -> tuple[str, int | None]:
    """"lead-3" -> ("lead", 3); "extractive" -> ("extractive", None)."""
    match = re.fullmatch(r"([a-z_]+)-(\d+)", name)
    return (match.group(1), int(match.group(2))) if match else (name, None)


def load_engine(name: str, settings: Settings):
    """An Engine by name via `summarizer.engines.get_engine`; lead/extractive also work without it."""
    try:
        from .engines import get_engine
    except ImportError:
        get_engine = None
    if get_engine is not None:
        return get_engine(name, settings)
    from .engines.extractive import ExtractiveEngine, LeadEngine

    weight_free = {"lead": LeadEngine, "extractive": ExtractiveEngine}
    if name not in weight_free:
        raise EngineUnavailable(f"engine {name!r} needs summarizer.engines.get_engine, which is not available")
    return weight_free[name](settings)


def _engine_label(engine: Any) -> str:
    return str(getattr(engine, "name", None) or type(engine).__name__)


def _model_hash(engine: Any) -> str | None:
    generator = getattr(engine, "generator", None)
    sha = getattr(generator, "model_sha256", None)
    if sha:
        return sha
    model = getattr(engine, "model", None) or ""
    return model.rsplit("@", 1)[1] if "@" in model else None


# ----------------------------------------------------------------------------- the prediction cache


def _slug(text: str | None) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text or "none").strip("-")[:60] or "none"


def settings_hash(settings: Settings, **extra: Any) -> str:
    blob = json.dumps({"settings": asdict(settings), **extra}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:10]


class PredictionCache:
    """An append-only JSONL of {"id", "prediction", "seconds", ...}, safe against being killed mid-write."""

    def __init__(self, path: Path):
        self.path = path
        self.rows: dict[str, dict] = {}
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        good_end = 0
        for line in data.splitlines(keepends=True):
            if not line.endswith(b"\n"):
                break  # torn last line: the process died while writing it
            try:
                row = json.loads(line)
            except ValueError:
                break
            if isinstance(row, dict) and "id" in row:
                self.rows[str(row["id"])] = row
            good_end += len(line)
        if good_end < len(data):
            with open(self.path, "r+b") as handle:
                handle.truncate(good_end)

    def append(self, rows: list[dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
                self.rows[str(row["id"])] = row


# ----------------------------------------------------------------------------- running


def _as_check(data: dict):
    from dataclasses import fields

    from .document import Check

    known = {f.name for f in fields(Check)}
    return Check(**{k: v for k, v in data.items() if k in known})


def _check_rates(rows: list[dict]) -> dict[str, Any] | None:
    """Per-type share of items with a check (summarizer.checks.check_rates over the cached records)."""
    check_lists = [row["checks"] for row in rows if isinstance(row.get("checks"), list)]
    if not check_lists:
        return None
    try:
        from .checks import check_rates
    except ImportError:
        return None
    return check_rates([[_as_check(c) for c in checks] for checks in check_lists])


def _default_pipeline(sources, source_lang, target_lang, engine, settings) -> list[dict]:
    """Summarize (and translate the summary when the target language differs) and check, via summarizer.pipeline."""
    from .document import Article, Result
    from .engines import get_engine
    from .pipeline import Pipeline
    from .segment import paragraphs

    cross = target_lang != source_lang
    translator = None
    if cross:
        translator = engine if getattr(engine, "can_translate", False) else get_engine(settings.translator, settings)
    run_settings = settings.with_(to=target_lang if cross else "none", translate="summary" if cross else "none")
    pipe = Pipeline(settings=run_settings, summarizer=engine, translator=translator)
    results = [
        Result(article=Article(id=f"eval-{i}", source_file="eval", title=None, text=text,
                               paragraphs=paragraphs(text), source_lang=source_lang))
        for i, text in enumerate(sources)
    ]
    return [r.to_record() for r in pipe.run(results)]


def _pipeline_prediction(record: dict, eval_set: EvalSet) -> str:
    if eval_set.target_lang != eval_set.source_lang:
        return record.get("summary_translated") or ""
    return record.get("summary") or ""


def _predict(task: str, eval_set: EvalSet, engine: Any, sources: list[str], sentences: int,
             settings: Settings, pipeline: PipelineRunner | None) -> tuple[list[str], list[dict]]:
    """Predictions for one batch, plus extra fields per item (pipeline checks)."""
    src, tgt = eval_set.source_lang, eval_set.target_lang
    if task == "translation":
        return list(engine.translate(sources, src, tgt)), [{} for _ in sources]
    if task == "summarization":
        return list(engine.summarize(sources, src, sentences, target_lang=tgt if tgt != src else None)), [{} for _ in sources]
    records = (pipeline or _default_pipeline)(sources, src, tgt, engine, settings)
    extras = [{"checks": r.get("checks") or [], "error": r.get("error")} for r in records]
    return [_pipeline_prediction(r, eval_set) for r in records], extras


def _source_length(text: str, lang: str) -> int:
    return len(CJK_CHAR.findall(text)) + len(re.findall(r"[A-Za-z0-9]+", text)) if lang == "zh" else len(text.split())


def run_eval(
    task: str,
    data: str,
    engine: str | Any = "auto",
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
    pipeline: PipelineRunner | None = None,
) -> EvalResult:
    """Evaluate an engine on a set; see the module docstring.

    engine: a name for `get_engine` ("auto", "llm", "extractive", "lead", "lead-3" = lead with 3
    sentences) or an Engine object. sentences: summary length (default: "lead-N"'s N, else
    settings.summary_sentences). fail_under: {"rougeL": 22, "chrF": 45} (case-insensitive; TER fails
    when above). pipeline: optional runner for task="pipeline" (default: summarizer.pipeline.Pipeline over the set sources).
    """
    if task not in TASKS:
        raise InputError(f"unknown task {task!r}; use one of {', '.join(TASKS)}")
    settings = settings or Settings()
    eval_set = load_eval_set(data, task if task != "pipeline" else None, limit)
    if task in ("summarization", "translation") and eval_set.task != task:
        raise InputError(f"{eval_set.name} is a {eval_set.task} set, not {task}")
    if task == "pipeline" and eval_set.task != "summarization":
        raise InputError(f"the pipeline task scores summaries; {eval_set.name} is a {eval_set.task} set (use --task translation)")

    if isinstance(engine, str):
        base_name, lead_n = _split_engine_name(engine)
        sentences = sentences or lead_n or eval_set.summary_sentences or settings.summary_sentences
        engine_obj = None if base_name != "auto" else load_engine(base_name, settings)
        requested = base_name
    else:
        engine_obj, requested = engine, _engine_label(engine)
        sentences = sentences or eval_set.summary_sentences or settings.summary_sentences
    settings = settings.with_(summary_sentences=sentences)  # what the pipeline task reads
    engine_label = _engine_label(engine_obj) if engine_obj is not None else requested
    if engine_label == "lead" or requested == "lead":
        engine_label = f"lead-{sentences}"
    model_key = getattr(engine_obj, "model", None) if engine_obj is not None else (settings.model or "default")

    key = settings_hash(settings, sentences=sentences, task=task, target=eval_set.target_lang)
    out_dir = Path(out_dir) if out_dir else DEFAULT_OUT_DIR
    cache = PredictionCache(out_dir / f"{_slug(eval_set.name)}__{task}__{_slug(engine_label)}__{_slug(model_key)}__{key}.jsonl")

    todo = [item for item in eval_set.items if item.id not in cache.rows]
    cached_count = len(eval_set.items) - len(todo)
    wall_start = time.perf_counter()
    if todo:
        if engine_obj is None:
            engine_obj = load_engine(requested, settings)
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc=f"{eval_set.name} {engine_label}", unit="item", disable=not progress)
        batch_size = max(1, settings.batch_size)
        for start in range(0, len(todo), batch_size):
            batch = todo[start : start + batch_size]
            began = time.perf_counter()
            predictions, extras = _predict(task, eval_set, engine_obj, [i.source for i in batch], sentences, settings, pipeline)
            if len(predictions) != len(batch):
                raise InputError(f"engine {engine_label} returned {len(predictions)} outputs for {len(batch)} inputs")
            per_item = (time.perf_counter() - began) / len(batch)
            cache.append([
                {"id": item.id, "prediction": pred or "", "seconds": round(per_item, 4), "engine": _engine_label(engine_obj),
                 "model": getattr(engine_obj, "model", None), "model_hash": _model_hash(engine_obj), **extra}
                for item, pred, extra in zip(batch, predictions, extras)
            ])
            bar.update(len(batch))
        bar.close()
    wall = time.perf_counter() - wall_start

    rows = [cache.rows[item.id] for item in eval_set.items]
    predictions = [row.get("prediction") or "" for row in rows]
    ids = [item.id for item in eval_set.items]
    references = [item.reference for item in eval_set.items]
    if eval_set.task == "translation":
        report = score_translations(predictions, references, eval_set.target_lang, ids=ids,
                                    sources=[i.source for i in eval_set.items], embedding=embedding)
    else:
        report = score_summaries(predictions, references, eval_set.target_lang, tokenize, ids=ids, embedding=embedding)
    for scored, item, row in zip(report.items, eval_set.items, rows):
        scored["source_length"] = _source_length(item.source, eval_set.source_lang)
        if row.get("error"):
            scored["error"] = row["error"]

    model_seconds = sum(float(row.get("seconds") or 0) for row in rows)
    last = rows[-1] if rows else {}
    thresholds = dict(fail_under or {})
    result = EvalResult(
        task=task,
        data=eval_set.name,
        data_path=str(eval_set.path),
        sample=eval_set.sample,
        engine=engine_label,
        model=last.get("model"),
        model_hash=last.get("model_hash"),
        report=report,
        thresholds=thresholds,
        failed=below_threshold(report.metrics, thresholds),
        timings={
            "seconds_per_item": round(model_seconds / len(rows), 4) if rows else 0.0,
            "total_seconds": round(model_seconds, 3),
            "wall_seconds": round(wall, 3),
            "new_items": len(todo),
            "cached_items": cached_count,
        },
        check_rates=_check_rates(rows),
        predictions_path=cache.path,
        config={
            "sentences": sentences,
            "source_lang": eval_set.source_lang,
            "target_lang": eval_set.target_lang,
            "limit": limit,
            "settings_hash": key,
            "settings": asdict(settings),
        },
    )
    if report_dir is not None:
        write_reports(result, eval_set, Path(report_dir))
    return result


# ----------------------------------------------------------------------------- reports


def main_metric(report: ScoreReport) -> str:
    return "chrF" if report.task == "translation" else "rougeL"


def _plots(result: EvalResult) -> dict[str, bytes]:
    """PNG bytes of the per-item score histogram and score vs source length."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metric = main_metric(result.report)
    scores = [item[metric] for item in result.report.items]
    lengths = [item.get("source_length", 0) for item in result.report.items]
    unit = "characters" if result.config["source_lang"] == "zh" else "words"
    pngs = {}
    for name, draw in (
        ("histogram", lambda ax: (ax.hist(scores, bins=20, range=(0, 100), color="#4878a8"),
                                  ax.set_xlabel(f"per-item {metric}"), ax.set_ylabel("items"))),
        ("length", lambda ax: (ax.scatter(lengths, scores, s=10, alpha=0.6, color="#4878a8"),
                               ax.set_xlabel(f"source length ({unit})"), ax.set_ylabel(f"per-item {metric}"))),
    ):
        fig, ax = plt.subplots(figsize=(6, 3.6), dpi=100)
        draw(ax)
        ax.set_title(f"{result.data} / {result.engine}: {name}")
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
        pngs[name] = buffer.getvalue()
    return pngs


def _worst(result: EvalResult, eval_set: EvalSet, n: int = WORST_N) -> list[dict]:
    metric = main_metric(result.report)
    by_id = {item.id: item for item in eval_set.items}
    rows = {r["id"]: r for r in (json.loads(line) for line in result.predictions_path.read_text(encoding="utf-8").splitlines() if line)}
    worst = sorted(result.report.items, key=lambda item: item[metric])[:n]
    return [{"id": w["id"], "score": w[metric], "source": by_id[w["id"]].source, "reference": by_id[w["id"]].reference,
             "prediction": rows.get(w["id"], {}).get("prediction", "")} for w in worst]


def _clip(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + " …"


def _metric_rows(report: ScoreReport) -> list[tuple[str, str, str, str]]:
    return [(name, f"{value:.2f}", "[{:.2f}, {:.2f}]".format(*report.ci.get(name, (float("nan"),) * 2)),
             report.signature.get(name, "")) for name, value in report.metrics.items()]


def _run_facts(result: EvalResult) -> list[tuple[str, str]]:
    t = result.timings
    facts = [
        ("task", result.task),
        ("data", f"{result.data} ({result.data_path}{', committed sample' if result.sample else ''})"),
        ("items", str(result.report.n)),
        ("engine", result.engine),
        ("model", result.model or "none (weight-free)"),
        ("model hash", result.model_hash or "n/a"),
        ("languages", f"{result.config['source_lang']} -> {result.config['target_lang']}"),
        ("summary sentences", str(result.config["sentences"])),
        ("settings hash", result.config["settings_hash"]),
        ("time", f"{t['seconds_per_item']:.3f} s/item, {t['total_seconds']:.1f} s model time, "
                 f"{t['new_items']} new + {t['cached_items']} cached items"),
        ("predictions", str(result.predictions_path)),
    ]
    if result.thresholds:
        verdict = "FAILED: " + ", ".join(result.failed) if result.failed else "passed"
        facts.append(("thresholds", f"{json.dumps(result.thresholds)} -> {verdict}"))
    return facts


def _check_rate_rows(rates: dict[str, Any] | None) -> list[tuple[str, str]]:
    if not rates:
        return []
    return [(str(k), f"{v:.3f}" if isinstance(v, float) else json.dumps(v, ensure_ascii=False)) for k, v in rates.items()]


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def _markdown(result: EvalResult, worst: list[dict]) -> str:
    report = result.report
    lines = [f"# Evaluation: {result.data} / {result.engine} ({result.task})", "", "| metric | score | 95% CI | signature |",
             "|---|---:|---|---|"]
    lines += [f"| {m} | {s} | {ci} | `{_md_escape(sig)}` |" for m, s, ci, sig in _metric_rows(report)]
    lines += [""] + [f"- note: {note}" for note in report.notes]
    lines += ["", "## Run", "", "| | |", "|---|---|"] + [f"| {k} | {_md_escape(v)} |" for k, v in _run_facts(result)]
    if result.check_rates:
        lines += ["", "## Check rates", "", "| check | rate |", "|---|---:|"]
        lines += [f"| {k} | {v} |" for k, v in _check_rate_rows(result.check_rates)]
    lines += ["", "## Plots", "", "![per-item scores](histogram.png)", "", "![score vs source length](length.png)"]
    lines += ["", f"## Worst {len(worst)} items ({main_metric(report)})", "", "| id | score | prediction | reference | source |",
              "|---|---:|---|---|---|"]
    cell = lambda text: _md_escape(_clip(text, 200))  # noqa: E731
    lines += [f"| {w['id']} | {w['score']:.1f} | {cell(w['prediction'])} | {cell(w['reference'])} | {cell(w['source'])} |" for w in worst]
    return "\n".join(lines) + "\n"


_CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}
td.num{text-align:right}code{font-size:85%}img{max-width:100%}.note{color:#666}"""


def _html(result: EvalResult, worst: list[dict], pngs: dict[str, bytes]) -> str:
    e = html.escape
    report = result.report
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{e(result.data)} / {e(result.engine)}</title>",
             f"<style>{_CSS}</style></head><body>", f"<h1>Evaluation: {e(result.data)} / {e(result.engine)} ({e(result.task)})</h1>",
             "<table><tr><th>metric</th><th>score</th><th>95% CI</th><th>signature</th></tr>"]
    parts += [f"<tr><td>{e(m)}</td><td class=num>{s}</td><td>{ci}</td><td><code>{e(sig)}</code></td></tr>"
              for m, s, ci, sig in _metric_rows(report)]
    parts.append("</table>")
    parts += [f"<p class=note>{e(note)}</p>" for note in report.notes]
    parts.append("<h2>Run</h2><table>")
    parts += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _run_facts(result)]
    parts.append("</table>")
    if result.check_rates:
        parts.append("<h2>Check rates</h2><table><tr><th>check</th><th>rate</th></tr>")
        parts += [f"<tr><td>{e(k)}</td><td class=num>{e(v)}</td></tr>" for k, v in _check_rate_rows(result.check_rates)]
        parts.append("</table>")
    parts.append("<h2>Plots</h2>")
    parts += [f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}" alt="{e(name)}">' for name, png in pngs.items()]
    parts.append(f"<h2>Worst {len(worst)} items ({e(main_metric(report))})</h2>")
    parts.append("<table><tr><th>id</th><th>score</th><th>prediction</th><th>reference</th><th>source</th></tr>")
    parts += [f"<tr><td>{e(w['id'])}</td><td class=num>{w['score']:.1f}</td><td>{e(w['prediction'])}</td>"
              f"<td>{e(w['reference'])}</td><td>{e(_clip(w['source'], 600))}</td></tr>" for w in worst]
    parts.append("</table></body></html>")
    return "\n".join(parts)


def write_reports(result: EvalResult, eval_set: EvalSet, report_dir: Path) -> list[Path]:
    """report.md (+ its PNGs beside it) and a self-contained report.html with the plots inlined."""
    report_dir.mkdir(parents=True, exist_ok=True)
    pngs = _plots(result)
    worst = _worst(result, eval_set)
    for name, png in pngs.items():
        (report_dir / f"{name}.png").write_bytes(png)
    (report_dir / "report.md").write_text(_markdown(result, worst), encoding="utf-8")
    (report_dir / "report.html").write_text(_html(result, worst, pngs), encoding="utf-8")
    result.report_paths = [report_dir / "report.md", report_dir / "report.html", report_dir / "scores.json"]
    (report_dir / "scores.json").write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    return result.report_paths
