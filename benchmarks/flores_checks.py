"""Checks and repair on real model output: FLORES zh->en with the default engine.

    python benchmarks/flores_checks.py [-n 50] [--json benchmarks/results/flores_checks.json]

Translates the first N devtest sentences, runs `check_translation` on every pair, lists every check that fired
(for a person to judge), then re-translates each pair with an error-level check once with the repair prompt,
keeps the fix only when it clears errors, and reports chrF/BLEU before and after repair.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sacrebleu  # noqa: E402

from summarizer.checks.translation import check_translation, fix_numbers  # noqa: E402
from summarizer.config import Settings, shared_data_dir  # noqa: E402
from summarizer.engines import get_engine  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--engine", default="auto")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    rows = [json.loads(x) for x in (shared_data_dir() / "eval" / "mt_flores200_devtest_zh-en.jsonl").read_text("utf-8").splitlines()[: args.n]]
    engine = get_engine(args.engine, Settings(cache=False))
    start = time.perf_counter()
    outputs = engine.translate([r["source"] for r in rows], "zh", "en")
    translate_s = time.perf_counter() - start
    refs = [[r["reference"] for r in rows]]
    fired, repaired, ruled = [], list(outputs), list(outputs)
    repairs = []
    for i, (row, out) in enumerate(zip(rows, outputs)):
        checks = check_translation(row["source"], out, "zh", "en")
        for c in checks:
            fired.append({"item": i, "type": c.type, "severity": c.severity, "message": c.message,
                          "source_span": c.source_span, "target_span": c.target_span, "output": out, "source": row["source"],
                          "reference": row["reference"]})
        errors = [c for c in checks if c.severity == "error"]
        ruled_fix, rewrites = fix_numbers(row["source"], out, "zh", "en")
        if rewrites and sum(c.severity == "error" for c in check_translation(row["source"], ruled_fix, "zh", "en")) < len(errors):
            ruled[i] = repaired[i] = out = ruled_fix  # stage 1: figures rewritten by rule
            errors = [c for c in check_translation(row["source"], out, "zh", "en") if c.severity == "error"]
        if errors and hasattr(engine, "repair"):
            fix = engine.repair(row["source"], out, [c.message for c in errors], "zh", "en")
            after = [c for c in check_translation(row["source"], fix, "zh", "en") if c.severity == "error"]
            accepted = bool(fix.strip()) and len(after) < len(errors)
            repairs.append({"item": i, "before": out, "fix": fix, "errors_before": len(errors), "errors_after": len(after), "accepted": accepted})
            if accepted:
                repaired[i] = fix
    score = lambda hyp: (round(sacrebleu.corpus_chrf(hyp, refs).score, 2), round(sacrebleu.corpus_bleu(hyp, refs).score, 2))  # noqa: E731
    before, after_rule, after = score(outputs), score(ruled), score(repaired)
    by_type: dict[str, int] = {}
    for f in fired:
        by_type[f"{f['type']}/{f['severity']}"] = by_type.get(f"{f['type']}/{f['severity']}", 0) + 1
    for f in fired:
        print(f"[{f['item']:2d}] {f['severity']:7} {f['type']:12} {f['message']}\n     src: {f['source']}\n     out: {f['output']}\n     ref: {f['reference']}")
    print(f"\n{len(rows)} sentences translated in {translate_s:.1f} s; {len(fired)} checks fired on "
          f"{len({f['item'] for f in fired})} sentences: {by_type}")
    print(f"repair attempted on {len(repairs)} sentences, accepted {sum(r['accepted'] for r in repairs)}")
    print(f"chrF/BLEU before repair {before[0]} / {before[1]}, after rule number fixes {after_rule[0]} / {after_rule[1]}, "
          f"after rule + model repair {after[0]} / {after[1]}")
    if args.json:
        args.json.write_text(json.dumps({"before": before, "after_rule": after_rule, "after": after, "fired": fired, "repairs": repairs,
                                         "translate_seconds": translate_s}, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
