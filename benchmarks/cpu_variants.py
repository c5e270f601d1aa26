"""Prefill and decode speed of every llama.cpp CPU variant this machine runs, same GGUF, same prompts, one run.

    python benchmarks/cpu_variants.py [--variants zen4,haswell] [--json benchmarks/results/cpu_variants.json]

Each variant runs in its own process (a process loads one CPU backend; BISUM_CPU_VARIANT picks it):
  prefill   prompt tokens/s reading 1,000 tokens of a Chinese article's summary prompt (best of 2)
  decode    output tokens/s of one greedy stream after that prompt
  batched   output tokens/s translating 16 FLORES sentences, all streams decoded together (the engine's path)
`haswell` (AVX2) is what the old `-DGGML_NATIVE=OFF` wheel ran; the variant marked * is the one bisum picks. An AMX
variant runs only once its probe passed (`summarizer doctor`); one whose probe died is refused in one line.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from summarizer import api, models
from summarizer.engines import get_engine
from summarizer.engines import prompts
from summarizer.llamacpp import cpu_variants
from summarizer.evaluation.datasets import load_eval_set

log = logging.getLogger("benchmarks.cpu_variants")
ROOT = Path(__file__).resolve().parent.parent
ARTICLE_CHARS = 1600  # of the longest Chinese article in examples/: about 1,000 prompt tokens
DECODE_TOKENS = 48


def _summary_conversation() -> list[dict]:
    settings = api.settings()
    pages = sorted((ROOT / "examples").glob("*.txt"))
    articles = [r.article for page in pages for r in api.prepare(api.documents(page, settings))]
    text = max((a.text for a in articles if a.source_lang == "zh"), key=len)[:ARTICLE_CHARS]
    return prompts.render(prompts.summarize_name("zh"), text=text, sentences=3, glossary="")


def _prefill_and_decode(generator) -> tuple[float, float, int]:
    """Prompt tokens/s (best of 2) and single-stream output tokens/s, through the engine's own decoder with its
    prefix cache emptied before each call."""
    conversation = _summary_conversation()
    prompt_tokens = generator.count_tokens(generator.render(conversation))
    best_prefill, decode_rate = 0.0, 0.0
    for _ in range(2):
        generator.clear_cache()
        start = time.perf_counter()
        generator.generate([conversation], [1])
        prefill_s = time.perf_counter() - start
        generator.clear_cache()
        start = time.perf_counter()
        [out] = generator.generate([conversation], [DECODE_TOKENS + 1])
        produced = generator.count_tokens(out.text)
        best_prefill = max(best_prefill, prompt_tokens / prefill_s)
        decode_rate = max(1, produced - 1) / max(1e-6, time.perf_counter() - start - prefill_s)
    return best_prefill, decode_rate, prompt_tokens


def child(variant: str) -> dict:
    settings = api.settings(cache=False, speculative=False, cpu_variant=variant)
    engine = get_engine("llamacpp", settings)
    prefill, decode, prompt_tokens = _prefill_and_decode(engine.generator)
    items = load_eval_set("flores-zh-en", limit=16).items
    start = time.perf_counter()
    outputs = engine.translate([i.source for i in items], "zh", "en")
    seconds = time.perf_counter() - start
    out_tokens = sum(engine.generator.count_tokens(g.text) for g in outputs)
    return {"variant": cpu_variants.active().name, "prompt_tokens": prompt_tokens, "prefill_tok_s": round(prefill, 1),
            "decode_tok_s": round(decode, 2), "batched_tok_s": round(out_tokens / seconds, 2)}


def run_variant(name: str) -> dict | None:
    env = dict(os.environ, BISUM_CPU_VARIANT=name)
    done = subprocess.run([sys.executable, __file__, "--child", name], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        log.error("variant %s failed: %s", name, done.stderr.strip().splitlines()[-1:] or done.returncode)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variants", default="", help="comma-separated names (default: every variant that runs here)")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    variants = [v for v in cpu_variants.available() if v.score > 0]
    if not variants:
        sys.exit(f"this llama-cpp-python wheel has no CPU variants; rebuild it: {cpu_variants.REBUILD}")
    chosen = cpu_variants.planned(model=models.model_path(api.settings().model), run=True).name  # probed once
    wanted = [n for n in args.variants.split(",") if n] or [v.name for v in variants]
    print(cpu_variants.machine_line())
    print(f"{'variant':16} {'prefill tok/s':>13} {'decode tok/s':>12} {'batched tok/s':>13}")
    rows = []
    for name in wanted:
        row = run_variant(name)
        if row:
            rows.append(row)
            mark = "*" if name == chosen else " "
            print(f"{mark}{name:15} {row['prefill_tok_s']:13.1f} {row['decode_tok_s']:12.2f} {row['batched_tok_s']:13.2f}",
                  flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"cpu": cpu_variants.cpu_name(), "chosen": chosen, "rows": rows}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
