"""Eval reports: report.md (+ its PNG plots), a self-contained report.html (plots inlined) and scores.json.

Both documents show the metric table with CIs and signatures, the run facts (system signature with the check
and repair switches, model hash, timings, thresholds), check rates, a per-item score histogram, score against
source length, and the worst items beside their references.
"""
from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

from summarizer.evaluation.datasets import EvalSet
from summarizer.evaluation.result import EvalResult
from summarizer.evaluation.scoring import ScoreReport

WORST_N = 10


def main_metric(report: ScoreReport) -> str:
    return "chrF" if report.task == "translation" else "rougeL"


def write_reports(result: EvalResult, eval_set: EvalSet, report_dir: Path) -> list[Path]:
    """report.md (+ its PNGs beside it), a self-contained report.html and scores.json; sets result.report_paths."""
    report_dir.mkdir(parents=True, exist_ok=True)
    pngs = plots(result)
    worst = worst_items(result, eval_set)
    for name, png in pngs.items():
        (report_dir / f"{name}.png").write_bytes(png)
    (report_dir / "report.md").write_text(markdown(result, worst), encoding="utf-8")
    (report_dir / "report.html").write_text(html_page(result, worst, pngs), encoding="utf-8")
    result.report_paths = [report_dir / "report.md", report_dir / "report.html", report_dir / "scores.json"]
    (report_dir / "scores.json").write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    return result.report_paths


def plots(result: EvalResult) -> dict[str, bytes]:
    """PNG bytes of the per-item score histogram and of score against source length."""
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


def worst_items(result: EvalResult, eval_set: EvalSet, n: int = WORST_N) -> list[dict]:
    """The n lowest-scoring items with source, reference, prediction and the checks on the prediction."""
    from summarizer.evaluation.predictions import PredictionCache

    metric = main_metric(result.report)
    by_id = {item.id: item for item in eval_set.items}
    rows = PredictionCache(result.predictions_path).rows
    worst = sorted(result.report.items, key=lambda item: item[metric])[:n]
    return [{"id": w["id"], "score": w[metric], "source": by_id[w["id"]].source, "reference": by_id[w["id"]].reference,
             "prediction": rows.get(w["id"], {}).get("prediction", ""),
             "checks": "; ".join(c.get("message", "") for c in rows.get(w["id"], {}).get("checks") or [])}
            for w in worst]


def _clip(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + " …"


def _metric_rows(report: ScoreReport) -> list[tuple[str, str, str, str]]:
    return [(name, f"{value:.2f}", "[{:.2f}, {:.2f}]".format(*report.ci.get(name, (float("nan"),) * 2)),
             report.signature.get(name, "")) for name, value in report.metrics.items()]


def run_facts(result: EvalResult) -> list[tuple[str, str]]:
    t, c = result.timings, result.config
    onoff = {True: "on", False: "off"}
    facts = [
        ("task", result.task),
        ("data", f"{result.data} ({result.data_path}{', committed sample' if result.sample else ''})"),
        ("items", str(result.report.n)),
        ("engine", result.engine),
        ("model", result.model or "none (weight-free)"),
        ("model hash", result.model_hash or "n/a"),
        ("checks / repair", f"{onoff[c['check']]} / {onoff[c['repair']]}"
                            + ("" if c["repair"] else " (raw model output)")),
        ("system signature", c["system_signature"]),
        ("languages", f"{c['source_lang']} -> {c['target_lang']}"),
        *([("summary sentences", str(c["sentences"]))] if result.task == "summarization" else []),
        ("time", f"{t['seconds_per_item']:.3f} s/item, {t['total_seconds']:.1f} s pipeline time, "
                 f"{t['new_items']} new + {t['cached_items']} cached items"),
        ("predictions", str(result.predictions_path)),
    ]
    if result.thresholds:
        verdict = "FAILED: " + ", ".join(result.failed) if result.failed else "passed"
        facts.append(("thresholds", f"{json.dumps(result.thresholds)} -> {verdict}"))
    return facts


def _check_rate_rows(rates: dict[str, Any] | None) -> list[tuple[str, str]]:
    return [(str(k), f"{v:.3f}" if isinstance(v, float) else json.dumps(v, ensure_ascii=False))
            for k, v in (rates or {}).items()]


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(result: EvalResult, worst: list[dict]) -> str:
    report = result.report
    lines = [f"# Evaluation: {result.data} / {result.engine} ({result.task})", "", "| metric | score | 95% CI | signature |",
             "|---|---:|---|---|"]
    lines += [f"| {m} | {s} | {ci} | `{_md_escape(sig)}` |" for m, s, ci, sig in _metric_rows(report)]
    lines += [""] + [f"- note: {note}" for note in report.notes]
    lines += ["", "## Run", "", "| | |", "|---|---|"] + [f"| {k} | {_md_escape(v)} |" for k, v in run_facts(result)]
    if result.check_rates:
        lines += ["", "## Check rates", "", "| check | rate |", "|---|---:|"]
        lines += [f"| {k} | {v} |" for k, v in _check_rate_rows(result.check_rates)]
    lines += ["", "## Plots", "", "![per-item scores](histogram.png)", "", "![score vs source length](length.png)"]
    lines += ["", f"## Worst {len(worst)} items ({main_metric(report)})", "",
              "| id | score | prediction | checks | reference | source |", "|---|---:|---|---|---|---|"]
    cell = lambda text: _md_escape(_clip(text, 200))  # noqa: E731
    lines += [f"| {w['id']} | {w['score']:.1f} | {cell(w['prediction'])} | {cell(w['checks'])} | {cell(w['reference'])} "
              f"| {cell(w['source'])} |" for w in worst]
    return "\n".join(lines) + "\n"


_CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}
td.num{text-align:right}code{font-size:85%}img{max-width:100%}.note{color:#666}"""


def html_page(result: EvalResult, worst: list[dict], pngs: dict[str, bytes]) -> str:
    e = html.escape
    report = result.report
    title = f"{e(result.data)} / {e(result.engine)}"
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>",
             f"<style>{_CSS}</style></head><body>", f"<h1>Evaluation: {title} ({e(result.task)})</h1>",
             "<table><tr><th>metric</th><th>score</th><th>95% CI</th><th>signature</th></tr>"]
    parts += [f"<tr><td>{e(m)}</td><td class=num>{s}</td><td>{ci}</td><td><code>{e(sig)}</code></td></tr>"
              for m, s, ci, sig in _metric_rows(report)]
    parts.append("</table>")
    parts += [f"<p class=note>{e(note)}</p>" for note in report.notes]
    parts.append("<h2>Run</h2><table>")
    parts += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in run_facts(result)]
    parts.append("</table>")
    if result.check_rates:
        parts.append("<h2>Check rates</h2><table><tr><th>check</th><th>rate</th></tr>")
        parts += [f"<tr><td>{e(k)}</td><td class=num>{e(v)}</td></tr>" for k, v in _check_rate_rows(result.check_rates)]
        parts.append("</table>")
    parts.append("<h2>Plots</h2>")
    parts += [f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}" alt="{e(name)}">' for name, png in pngs.items()]
    parts.append(f"<h2>Worst {len(worst)} items ({e(main_metric(report))})</h2><table><tr><th>id</th><th>score</th>"
                 "<th>prediction</th><th>checks</th><th>reference</th><th>source</th></tr>")
    parts += [f"<tr><td>{e(w['id'])}</td><td class=num>{w['score']:.1f}</td><td>{e(w['prediction'])}</td>"
              f"<td>{e(w['checks'])}</td><td>{e(w['reference'])}</td><td>{e(_clip(w['source'], 600))}</td></tr>"
              for w in worst]
    parts.append("</table></body></html>")
    return "\n".join(parts)
