"""LLM translation throughput on FLORES zh->en: the default engine against its baselines, measured in one run.

    python benchmarks/llm_throughput.py [-n 50] [--naive-n 8] [--json benchmarks/results/llm_throughput.json]

Rows (same GGUF file, same prompts, same machine, greedy):
  default     the project's default engine: llama.cpp, all segments decoded together (continuous batching,
              shared prompt prefix), through `Engine.translate`
  llama.cpp   the same engine with one stream (parallel_sequences=1): sentences decoded one after another,
              the cached prompt prefix still shared
  naive       the `llm` engine (transformers `generate`, the GGUF dequantized to fp32) with batch size 1, on
              --naive-n sentences
Tokens are output tokens counted with the model's tokenizer; seconds exclude model loading.
"""
from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from summarizer import api
from summarizer.engines import get_engine
from summarizer.evaluation.datasets import EvalItem, load_eval_set
from summarizer.evaluation.scoring import score_translations


def measure(name: str, engine, items: list[EvalItem], count_tokens) -> dict:
    start = time.perf_counter()
    outputs = [g.text for g in engine.translate([i.source for i in items], "zh", "en")]
    seconds = time.perf_counter() - start
    tokens = sum(count_tokens(o) for o in outputs)
    scores = score_translations(outputs, [i.reference for i in items], "en").metrics
    row = {
        "engine": name, "sentences": len(items), "seconds": round(seconds, 2), "output_tokens": tokens,
        "tokens_per_s": round(tokens / seconds, 2), "sentences_per_s": round(len(items) / seconds, 3),
        "chrF": round(scores["chrF"], 2), "BLEU": round(scores["BLEU"], 2),
    }
    print(f"{name:10} {row['sentences']:3d} sent  {seconds:7.1f} s  {row['tokens_per_s']:6.2f} tok/s  "
          f"{row['sentences_per_s']:.3f} sent/s  chrF {row['chrF']:.1f}", flush=True)
    return row


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=50)
    ap.add_argument("--naive-n", type=int, default=8, help="sentences for the slow transformers loop (0 = skip)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    items = load_eval_set("flores-zh-en", limit=args.n).items
    settings = api.settings(cache=False)
    batched = get_engine("llamacpp", settings)  # the registry's engines, as `summarizer run` builds them
    count = batched.generator.count_tokens
    results = [measure("default", batched, items, count)]
    single = get_engine("llamacpp", settings.with_(parallel_sequences=1))
    results.append(measure("llama.cpp", single, items, count))
    if args.naive_n:
        naive = get_engine("llm", settings.with_(batch_size=1))
        results.append(measure("naive", naive, items[: args.naive_n], count))
    speed = {r["engine"]: r["tokens_per_s"] for r in results}
    ratios = {"default_vs_llamacpp_single": ratio(speed["default"], speed["llama.cpp"])}
    if "naive" in speed:
        ratios["default_vs_naive_loop"] = ratio(speed["default"], speed["naive"])
    print("ratios:", ratios)
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rows": results, "ratios": ratios}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
