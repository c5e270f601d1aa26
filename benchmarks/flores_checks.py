"""Checks and repair on real model output: FLORES zh->en with the default engine.

    python benchmarks/flores_checks.py [-n 50] [--json benchmarks/results/flores_checks.json]

Translates the first N devtest sentences through `summarizer.api` (the pipeline of `summarizer run --translate
full`, checks on, repair off), lists every check that fired on the translations (for a person to judge), then
repairs copies of the results with the shared `summarizer.checks.repair.repair_results`: once with rules only,
once with rules and the model, and reports chrF/BLEU before and after each.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import tempfile
import time
from pathlib import Path

from summarizer import api
from summarizer.checks.repair import repair_results
from summarizer.document import Result
from summarizer.evaluation.datasets import load_eval_set
from summarizer.evaluation.scoring import score_translations


def scores(results: list[Result], references: list[str]) -> tuple[float, float]:
    metrics = score_translations([r.translation or "" for r in results], references, "en").metrics
    return round(metrics["chrF"], 2), round(metrics["BLEU"], 2)


def fired_checks(results: list[Result], items) -> list[dict]:
    return [{"item": i, "type": c.type, "severity": c.severity, "message": c.message, "source_span": c.source_span,
             "target_span": c.target_span, "output": r.translation, "source": item.source, "reference": item.reference}
            for i, (r, item) in enumerate(zip(results, items)) for c in r.checks if c.field == "translation"]


def repair_attempts(results: list[Result]) -> list[dict]:
    return [{"item": i, **c.repair, "type": c.type} for i, r in enumerate(results) for c in r.checks
            if c.field == "translation" and c.repair]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--engine", default="auto")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    # A fresh translation memory: a one-sentence item's summary and full text are translated once, and nothing
    # comes from earlier runs.
    os.environ["BISUM_MEMORY"] = str(Path(tempfile.mkdtemp(prefix="bisum-checks-")) / "tm.sqlite3")
    items = load_eval_set("flores-zh-en", limit=args.n).items
    runner = api.pipeline(api.settings(engine="lead", translator=args.engine, summary_sentences=1, translate="full",
                                       to="en", check=True, repair=False))
    start = time.perf_counter()
    results = api.process_texts([item.source for item in items], runner)
    translate_s = time.perf_counter() - start
    ruled, repaired = copy.deepcopy(results), copy.deepcopy(results)
    repair_results(ruled, runner.terms, None)
    repair_results(repaired, runner.terms, runner.repairer)
    refs = [item.reference for item in items]
    before, after_rule, after = scores(results, refs), scores(ruled, refs), scores(repaired, refs)
    fired, repairs = fired_checks(results, items), repair_attempts(repaired)
    by_type: dict[str, int] = {}
    for f in fired:
        by_type[f"{f['type']}/{f['severity']}"] = by_type.get(f"{f['type']}/{f['severity']}", 0) + 1
    for f in fired:
        print(f"[{f['item']:2d}] {f['severity']:7} {f['type']:12} {f['message']}\n     src: {f['source']}\n     out: {f['output']}\n     ref: {f['reference']}")
    print(f"\n{len(items)} sentences translated and checked in {translate_s:.1f} s; {len(fired)} checks fired on "
          f"{len({f['item'] for f in fired})} sentences: {by_type}")
    print(f"repair attempts on {len({r['item'] for r in repairs})} sentences, accepted on "
          f"{len({r['item'] for r in repairs if r['accepted']})}")
    print(f"chrF/BLEU before repair {before[0]} / {before[1]}, after rule number fixes {after_rule[0]} / {after_rule[1]}, "
          f"after rule + model repair {after[0]} / {after[1]}")
    if args.json:
        args.json.write_text(json.dumps({"before": before, "after_rule": after_rule, "after": after, "fired": fired, "repairs": repairs,
                                         "translate_seconds": translate_s}, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
