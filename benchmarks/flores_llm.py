"""chrF / BLEU, speed and peak memory of the LLM engines on FLORES-200 devtest sentences.

    python benchmarks/flores_llm.py --engine llamacpp --direction both -n 50
    python benchmarks/flores_llm.py --engine llm --direction zh-en -n 50 --batch-size 8
    python benchmarks/flores_llm.py --engine llamacpp --style plain   # the one-line-prompt baseline

The engine comes from `summarizer.api.pipeline` (the translator and glossary that `summarizer translate` uses),
with the translation memory off; outputs are the raw engine's (no checks or repair: see flores_checks.py).
Writes a JSON summary (and the outputs) under benchmarks/results/ unless --out is given.
"""
from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from summarizer import api
from summarizer.engines.postprocess import clean_output
from summarizer.evaluation.datasets import load_eval_set
from summarizer.evaluation.scoring import score_translations
from summarizer.pipeline import Pipeline

PLAIN_PROMPTS = {
    ("zh", "en"): "Translate the following Chinese text into English. Output only the translation.",
    ("en", "zh"): "Translate the following English text into Simplified Chinese. Output only the translation.",
}


def plain_translate(runner: Pipeline, sources: list[str], source: str, target: str) -> list[str]:
    """The baseline: one system line and the sentence, straight to the engine's generator."""
    generator = runner.translator.generator
    settings = runner.settings
    conversations = [[{"role": "system", "content": PLAIN_PROMPTS[(source, target)]}, {"role": "user", "content": s}]
                     for s in sources]
    budgets = [max(settings.min_new_tokens, int(settings.max_new_tokens_ratio * generator.count_tokens(s))) for s in sources]
    return [clean_output(g.text) for g in generator.generate(conversations, budgets)]


def run_direction(runner: Pipeline, direction: str, n: int, style: str) -> dict:
    source, target = direction.split("-")
    eval_set = load_eval_set(f"flores-{direction}", limit=n)
    sources = [item.source for item in eval_set.items]
    start = time.perf_counter()
    if style == "plain":
        outputs, notes = plain_translate(runner, sources, source, target), []
    else:
        generations = runner.translator.translate(sources, source, target, runner.terms)
        outputs, notes = [g.text for g in generations], [g for g in generations if g.notes]
    seconds = time.perf_counter() - start
    references = [item.reference for item in eval_set.items]
    scores = score_translations(outputs, references, target).metrics
    out_tokens = sum(runner.translator.generator.count_tokens(o) for o in outputs)
    return {
        "direction": direction,
        "n": len(sources),
        "style": style,
        "bleu": round(scores["BLEU"], 2),
        "chrf": round(scores["chrF"], 2),
        "seconds": round(seconds, 1),
        "seconds_per_sentence": round(seconds / len(sources), 2),
        "output_tokens_per_second": round(out_tokens / seconds, 2),
        "retried_or_flagged": len(notes),
        "flagged": sum(1 for g in notes if g.failed),
        "outputs": [{"id": i.id, "source": i.source, "reference": i.reference, "output": o}
                    for i, o in zip(eval_set.items, outputs)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["llm", "llamacpp"], default="llamacpp")
    parser.add_argument("--direction", choices=["zh-en", "en-zh", "both"], default="both")
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--style", choices=["files", "plain"], default="files", help="prompt files or a one-line prompt")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--dtype", default=None, help="transformers dtype: float32 or bfloat16")
    parser.add_argument("--model", default=None)
    parser.add_argument("--no-glossary", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    settings = api.settings(engine="lead", translator=args.engine, batch_size=args.batch_size, threads=args.threads,
                            model=args.model, dtype=args.dtype, use_default_glossary=not args.no_glossary,
                            translate="full", to="en", check=False, cache=False)
    start = time.perf_counter()
    runner = api.pipeline(settings)
    load_seconds = time.perf_counter() - start
    directions = ["zh-en", "en-zh"] if args.direction == "both" else [args.direction]
    out = args.out or Path(__file__).parent / "results" / f"flores_{args.engine}_{args.style}_{args.direction}_{args.n}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = {"engine": args.engine, "model": runner.translator.model, "batch_size": args.batch_size,
               "threads": args.threads, "load_seconds": round(load_seconds, 1), "results": []}
    for direction in directions:
        r = run_direction(runner, direction, args.n, args.style)
        summary["results"].append(r)
        summary["peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2)
        out.write_text(json.dumps(summary, ensure_ascii=False, indent=1), "utf-8")
        print(f"{args.engine} {args.style} {r['direction']} n={r['n']}: chrF {r['chrf']} BLEU {r['bleu']} "
              f"{r['seconds_per_sentence']} s/sent {r['output_tokens_per_second']} tok/s "
              f"retried {r['retried_or_flagged']} flagged {r['flagged']}", flush=True)
    print(f"load {summary['load_seconds']} s, peak RSS {summary['peak_rss_gb']} GB -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
