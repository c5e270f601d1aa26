"""What an editor would count on the bundled pages, from the records of a run:

    summarizer run examples --to auto --translate summary --out runs/examples.jsonl
    python benchmarks/page_quality.py runs/examples.jsonl [--names names.md]

Prints: English outputs with Chinese characters left in, every name of the source summaries with its required
rendering and whether the translation has it (in a form the name check accepts), currency errors still standing, summaries cut off mid-sentence,
translations marked failed, unaccepted error-level checks by type, and seconds per article by step.
"""
from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from summarizer.summaries import SENTENCE_END
from summarizer.terms import load_terms
from summarizer.terms.names import missing_renderings, required_renderings
from summarizer.text.lang import HAN

def english_outputs(record: dict) -> list[str]:
    if record.get("target_lang") == "en":
        return [t for t in (record.get("summary_translated"), record.get("translation")) if t]
    return [record["summary"]] if record.get("source_lang") == "en" and record.get("summary") else []


def name_rows(records: list[dict]) -> list[tuple[str, str, str, str, bool]]:
    glossary = load_terms().glossary
    rows = []
    for r in records:
        if r.get("target_lang") != "en" or not r.get("summary"):
            continue
        english = r.get("summary_translated") or ""
        missing = {m.zh for m in missing_renderings(r["summary"], english, glossary)} if english else None
        for zh, rendering in required_renderings(r["summary"], glossary).items():
            rows.append((r["id"], zh, rendering.en, rendering.source, missing is not None and zh not in missing))
    return rows


def unresolved(record: dict) -> list[dict]:
    return [c for c in record.get("checks") or []
            if c["severity"] == "error" and not (c.get("repair") or {}).get("accepted")]


def report(records: list[dict]) -> dict:
    with_han = [r["id"] for r in records if any(HAN.search(t) for t in english_outputs(r))]
    errors = [(r["id"], c) for r in records for c in unresolved(r)]
    timings = Counter()
    for r in records:
        timings.update(r.get("timings") or {})
    names = name_rows(records)
    return {
        "articles": len(records),
        "english_outputs": sum(1 for r in records if english_outputs(r)),
        "english_with_han": with_han,
        "names": len(names), "names_rendered": sum(1 for row in names if row[4]),
        "names_missing": [row for row in names if not row[4]],
        "currency_errors": [(rid, c["message"]) for rid, c in errors if "currency" in c["message"]],
        "summaries_cut_off": [r["id"] for r in records if r.get("summary") and not SENTENCE_END.search(r["summary"])],
        "failed_translations": [rid for rid, c in errors if c["type"] == "failed"],
        "unresolved_errors_by_type": dict(Counter(c["type"] for _, c in errors)),
        "seconds_per_article": {k: round(v / max(1, len(records)), 2) for k, v in timings.items()},
        "summary_fallbacks": [r["id"] for r in records if any("replaced by the extractive" in n for n in r.get("notes") or [])],
        "summary_rewrites": [r["id"] for r in records if any("rewritten from key sentences" in n for n in r.get("notes") or [])],
        "rule_repairs": sum(1 for r in records for c in r.get("checks") or []
                            if (c.get("repair") or {}).get("accepted") and c["repair"]["method"].startswith("rule")),
        "model_repairs": sum(1 for r in records for c in r.get("checks") or []
                             if (c.get("repair") or {}).get("accepted") and c["repair"]["method"] == "model"),
    }


def names_markdown(records: list[dict]) -> str:
    lines = ["| article | name | required rendering | from | in the translation |", "|---|---|---|---|---|"]
    lines += [f"| {rid} | {zh} | {en} | {source} | {'yes' if ok else '**no**'} |" for rid, zh, en, source, ok in name_rows(records)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=Path)
    parser.add_argument("--names", type=Path, help="write the table of names as Markdown here")
    args = parser.parse_args()
    records = [json.loads(line) for line in args.records.read_text("utf-8").splitlines() if line.strip()]
    print(json.dumps(report(records), ensure_ascii=False, indent=1))
    if args.names:
        args.names.write_text(names_markdown(records), encoding="utf-8")


if __name__ == "__main__":
    main()
