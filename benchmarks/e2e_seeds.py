"""End to end on the bundled seed pages: cold run, warm-cache rerun, time to first summary, peak RSS.

    python benchmarks/e2e_seeds.py [--engine auto] [--translate summary]

Each run is a fresh process (so model loading is counted and peak RSS is its own); the warm rerun uses the
translation memory filled by the cold run. The baseline printed beside each figure is measured in the same run.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = r"""
import json, resource, sys, time
from summarizer import api
text = open(sys.argv[1], encoding="utf-8").read()
t0 = time.perf_counter()
runner = api.pipeline(api.settings(engine=sys.argv[2], to="none", cache=False))
t1 = time.perf_counter()
result = api.process_texts([text], runner)[0]
t2 = time.perf_counter()
print(json.dumps({"load_s": t1 - t0, "first_summary_s": t2 - t1, "summary": result.summary,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def timed(cmd: list[str], env: dict) -> dict:
    """Wall time and peak RSS of one command, run under its own wrapper process."""
    wrapper = ("import resource, subprocess, sys, time, json; t=time.perf_counter(); "
               "rc=subprocess.run(sys.argv[1:]).returncode; "
               "print(json.dumps({'rc': rc, 'seconds': time.perf_counter()-t, "
               "'peak_rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024}))")
    out = subprocess.run([sys.executable, "-c", wrapper, *cmd], env=env, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def article_of_2000_chars() -> str:
    from summarizer import api

    page = next((ROOT / "examples").glob("000_*.txt"))
    article = api.prepare(api.documents(page, api.settings()))[0].article
    out, total = [], 0
    for para in article.paragraphs:
        if total + len(para) > 2000:
            break
        out.append(para)
        total += len(para)
    return "\n\n".join(out)


def probe(figures: dict, work: Path, env: dict, engine_name: str) -> None:
    """Time to the first checked summary of a 2,000-character article in a fresh process (model load apart)."""
    probe_text = work / "article.txt"
    probe_text.write_text(article_of_2000_chars(), encoding="utf-8")
    for engine in (engine_name, "extractive"):
        out = subprocess.run([sys.executable, "-c", PROBE, str(probe_text), engine], env=env, capture_output=True, text=True)
        figures[f"first_summary_{engine}"] = json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else {"error": out.stderr[-300:]}
    figures["probe_chars"] = len(probe_text.read_text("utf-8"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engine", default="auto")
    ap.add_argument("--translate", default="summary")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--probe-only", action="store_true", help="only the time-to-first-summary probe")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bisum-bench-"))
    env = dict(os.environ, BISUM_MEMORY=str(work / "tm.sqlite3"), PYTHONUNBUFFERED="1")
    run = [sys.executable, "-m", "summarizer", "run", str(ROOT / "examples"), "--engine", args.engine,
           "--to", "auto", "--translate", args.translate]
    figures: dict = {"engine": args.engine, "translate": args.translate, "cpu_count": os.cpu_count()}
    if args.probe_only:
        probe(figures, work, env, args.engine)
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    figures["cold"] = timed(run + ["--out", str(work / "cold.jsonl")], env)
    figures["warm"] = timed(run + ["--out", str(work / "warm.jsonl")], env)
    records = [json.loads(x) for x in (work / "cold.jsonl").read_text("utf-8").splitlines()]
    figures["articles"] = len(records)
    figures["articles_with_translation"] = sum(1 for r in records if r.get("summary_translated"))
    figures["warm_over_cold"] = figures["warm"]["seconds"] / figures["cold"]["seconds"]
    baseline = timed([sys.executable, "-m", "summarizer", "run", str(ROOT / "examples"), "--engine", "extractive",
                      "--to", "none", "--out", str(work / "extractive.jsonl")], env)
    figures["baseline_extractive_no_translation"] = baseline
    probe(figures, work, env, args.engine)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    print(f"\ncold run: {figures['cold']['seconds']:.1f} s for {len(records)} articles "
          f"({figures['cold']['seconds'] / max(1, len(records)):.1f} s/article), peak RSS {figures['cold']['peak_rss_mb']:.0f} MB")
    print(f"warm rerun: {figures['warm']['seconds']:.1f} s = {100 * figures['warm_over_cold']:.1f}% of cold")
    print(f"baseline (extractive, no translation): {baseline['seconds']:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
