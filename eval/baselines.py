"""Measure the baselines and write eval/BASELINES.md (one command).

    python eval/baselines.py                 # lead-1, lead-3, extractive on LCSTS (725), CNN/DM (100), XSum (251)
    python eval/baselines.py --llm           # also the LLM engine on small samples (needs `summarizer models pull`)

Predictions are cached in .eval-cache/ (see summarizer.evaluation.runner), so re-running only re-scores.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from summarizer import api
from summarizer.evaluation.datasets import load_eval_set
from summarizer.evaluation.runner import EvalResult, run_eval
from summarizer.evaluation.scoring import ScoreReport, score_summaries

REPO = Path(__file__).resolve().parents[1]

# (set, engine, sentences, limit)
SUMMARY_RUNS = [
    ("lcsts", "lead", 1, None),
    ("lcsts", "lead", 3, None),
    ("lcsts", "extractive", 1, None),
    ("cnndm", "lead", 1, None),
    ("cnndm", "lead", 3, None),
    ("cnndm", "extractive", 3, None),
    ("xsum", "lead", 1, None),
    ("xsum", "extractive", 1, None),
]
# "auto" is the offline default model through llama.cpp when installed (transformers otherwise)
LLM_SUMMARY_RUNS = [("lcsts", "auto", 1, 20), ("cnndm", "auto", 3, 10), ("xsum", "auto", 1, 20)]
LLM_TRANSLATION_RUNS = [("flores-zh-en", "auto", None, 50), ("flores-en-zh", "auto", None, 50),
                        ("wmt19-zh-en", "auto", None, 20), ("wmt19-en-zh", "auto", None, 20)]


def lcsts_reference_lead1() -> ScoreReport:
    """Lead-1 exactly as the published number was measured: the source cut at its first 。！？."""
    eval_set = load_eval_set("lcsts")
    leads = [re.split(r"(?<=[。！？])", item.source)[0] or item.source for item in eval_set.items]
    return score_summaries(leads, [i.reference for i in eval_set.items], "zh", ids=[i.id for i in eval_set.items])


def _ci(report: ScoreReport, name: str) -> str:
    lo, hi = report.ci[name]
    return f"{report.metrics[name]:.1f} [{lo:.1f}, {hi:.1f}]"


def summary_row(data: str, system: str, report: ScoreReport, seconds: str) -> str:
    cells = [_ci(report, m) for m in ("rouge1", "rouge2", "rougeL", "rougeLsum")]
    return f"| {data} | {report.n} | {system} | " + " | ".join(cells) + f" | {seconds} |"


def translation_row(result: EvalResult) -> str:
    report = result.report
    cells = [_ci(report, m) for m in ("BLEU", "chrF", "TER")]
    repair = "checked + repaired" if result.config["repair"] else "raw"
    return f"| {result.data} | {report.n} | {result.engine} ({result.model}, {repair}) | " + " | ".join(cells) + \
        f" | {result.timings['seconds_per_item']:.2f} |"


README_START, README_END = "<!-- baselines:start -->", "<!-- baselines:end -->"


def refresh_readme(lines: list[str]) -> None:
    """Copy the tables into README.md between the baseline markers (the README shows what this command measured)."""
    readme = REPO / "README.md"
    text = readme.read_text("utf-8")
    if README_START not in text or README_END not in text:
        return
    intro = [ln for ln in lines[2:6] if ln]  # the "Measured … with …" paragraph
    tables: list[list[str]] = []
    for previous, line in zip([""] + lines, lines):
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(line)
    body = "\n\n".join(["\n".join(intro)] + ["\n".join(t) for t in tables])
    head, rest = text.split(README_START, 1)
    readme.write_text(f"{head}{README_START}\n{body}\n{README_END}{rest.split(README_END, 1)[1]}", encoding="utf-8")


def summary_tables(settings, llm: bool, cache: Path, reports: Path | None,
                   signatures: dict, notes: list[str]) -> list[str]:
    """The summary rows: the published lead-1 setup, then every run (failures become notes, not gaps)."""
    reference = lcsts_reference_lead1()
    lines = [summary_row("lcsts", "lead-1, cut at first 。！？ (published setup)", reference, "-")]
    signatures["summarization zh"] = reference.signature["rougeL"]
    for data, engine, sentences, limit in SUMMARY_RUNS + (LLM_SUMMARY_RUNS if llm else []):
        label = f"{engine}-{sentences}" if engine == "lead" else f"{engine} ({sentences} sent.)"
        report_dir = reports / f"{data}-{engine}-{sentences}" if reports else None
        try:
            result = run_eval("summarization", data, engine, limit=limit, settings=settings, out_dir=cache,
                              report_dir=report_dir, sentences=sentences)
        except Exception as exc:  # one broken engine must not hide the other rows
            notes.append(f"{data} {label} failed: {type(exc).__name__}: {str(exc)[:120]}")
            print(notes[-1], file=sys.stderr)
            continue
        if result.model:
            label += f" {result.model}"
        lines.append(summary_row(data, label, result.report, f"{result.timings['seconds_per_item']:.3f}"))
        signatures[f"summarization {result.report.lang}"] = result.report.signature["rougeL"]
        print(f"{data} {label}: " + json.dumps({k: round(v, 2) for k, v in result.report.metrics.items()}), file=sys.stderr)
    return lines


def translation_tables(settings, cache: Path, signatures: dict, notes: list[str]) -> list[str]:
    """The LLM translation rows (failures become notes)."""
    lines = []
    for data, engine, _, limit in LLM_TRANSLATION_RUNS:
        try:
            result = run_eval("translation", data, engine, limit=limit, settings=settings, out_dir=cache)
        except Exception as exc:
            notes.append(f"{data} {engine} failed: {type(exc).__name__}: {str(exc)[:120]}")
            print(notes[-1], file=sys.stderr)
            continue
        lines.append(translation_row(result))
        for name in ("BLEU", "chrF", "TER"):
            signatures[f"{name} -> {result.report.lang}"] = result.report.signature[name]
        print(f"{data} {engine}: " + json.dumps({k: round(v, 2) for k, v in result.report.metrics.items()}), file=sys.stderr)
    return lines


def document(llm: bool, summary_lines: list[str], translation_lines: list[str], signatures: dict,
             notes: list[str]) -> list[str]:
    """BASELINES.md as lines: how it was measured, the tables, the signatures and the notes."""
    lines = [
        "# Baselines",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} with `python eval/baselines.py{' --llm' if llm else ''}`; F1 on 0-100 with a seeded",
        "bootstrap 95% interval (1000 resamples). Chinese ROUGE is by characters with punctuation dropped;",
        "English ROUGE is `rouge_score` with Porter stemming. s/item is engine time per article on 2 CPU cores.",
        "",
        "| set | n | system | ROUGE-1 | ROUGE-2 | ROUGE-L | ROUGE-Lsum | s/item |",
        "|---|---:|---|---|---|---|---|---:|",
        *summary_lines,
    ]
    if translation_lines:
        lines += ["", "| set | n | system | BLEU | chrF | TER | s/item |", "|---|---:|---|---|---|---|---:|", *translation_lines]
    lines += ["", "Signatures:", ""] + [f"- {k}: `{v}`" for k, v in signatures.items()]
    return lines + ["", "Notes:", "", *FIXED_NOTES, *[f"- {n}" for n in notes]]


FIXED_NOTES = [
    "- LCSTS is Part III with `human_label >= 3` (725 items). The published lead-1 reference is R-1 26.4 /",
    "  R-2 15.1 / R-L 22.5 (first sentence cut at the first 。！？, character ROUGE without punctuation);",
    "  the first row reproduces it. Counting punctuation as tokens gives 24.9 / 14.0 / 21.0 instead.",
    "  The `lead` engine row differs slightly because `summarizer.text.sentences` splits sentences",
    "  differently (it keeps quotes together and also splits at ASCII ?!).",
    "- CNN/DM is the 100 SummEval test articles (tokenized text); XSum is the 251 FRANK items.",
    "- Every system row runs the pipeline of `summarizer run` (`summarizer.api`), checks and repair included.",
    "- BERTScore and COMET are not reported: their models need a Hugging Face download.",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llm", action="store_true", help="also run the LLM engine on small samples")
    parser.add_argument("--out", type=Path, default=REPO / "eval" / "BASELINES.md",
                        help="where to write the tables (README.md is refreshed only for the default)")
    parser.add_argument("--cache", type=Path, default=Path(".eval-cache"))
    parser.add_argument("--reports", type=Path, default=None, help="write an HTML/MD report per run under this folder")
    args = parser.parse_args(argv)

    settings = api.settings()  # checks and repair on, as `summarizer run` does
    signatures: dict[str, str] = {}
    notes: list[str] = []
    summary_lines = summary_tables(settings, args.llm, args.cache, args.reports, signatures, notes)
    if args.llm:
        translation_lines = translation_tables(settings, args.cache, signatures, notes)
    else:
        translation_lines = []
        notes.append("LLM rows: run `python eval/baselines.py --llm` after `summarizer models pull`.")
    lines = document(args.llm, summary_lines, translation_lines, signatures, notes)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    if args.out == parser.get_default("out"):
        refresh_readme(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
