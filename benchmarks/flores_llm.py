"""chrF / BLEU, speed and peak memory of the LLM engines on FLORES-200 devtest sentences.

    python benchmarks/flores_llm.py --engine llamacpp --direction both -n 50
    python benchmarks/flores_llm.py --engine llm --direction zh-en -n 50 --batch-size 8
    python benchmarks/flores_llm.py --engine llamacpp --style plain   # the one-line-prompt baseline

Writes a JSON summary (and the outputs) under benchmarks/results/ unless --out is given.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer.config import Settings, shared_data_dir  # noqa: E402
from summarizer.engines.prompted import PromptedEngine, clean_output  # noqa: E402

PLAIN_PROMPTS = {
    ("zh", "en"): "Translate the following Chinese text into English. Output only the translation.",
    ("en", "zh"): "Translate the following English text into Simplified Chinese. Output only the translation.",
}


def load_pairs(direction: str, n: int) -> list[dict]:
    path = shared_data_dir() / "eval" / f"mt_flores200_devtest_{direction}.jsonl"
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return rows[:n]


def build_generator(engine: str, settings: Settings):
    if engine == "llamacpp":
        from summarizer.engines.llamacpp import LlamaCppGenerator

        return LlamaCppGenerator(settings)
    from summarizer.engines.transformers_llm import TransformersGenerator

    return TransformersGenerator(settings)


def run_direction(generator, settings: Settings, direction: str, n: int, style: str) -> dict:
    import sacrebleu

    source, target = direction.split("-")
    rows = load_pairs(direction, n)
    sources = [r["source"] for r in rows]
    start = time.perf_counter()
    if style == "plain":
        conversations = [[{"role": "system", "content": PLAIN_PROMPTS[(source, target)]}, {"role": "user", "content": s}]
                         for s in sources]
        budgets = [max(settings.min_new_tokens, int(settings.max_new_tokens_ratio * generator.count_tokens(s))) for s in sources]
        outputs = [clean_output(o) for o in generator.generate(conversations, budgets)]
        notes: list = []
    else:
        engine = PromptedEngine(generator, settings)
        outputs = engine.translate(sources, source, target)
        notes = engine.last_notes
    seconds = time.perf_counter() - start
    references = [r["reference"] for r in rows]
    tokenize = "zh" if target == "zh" else "13a"
    bleu = sacrebleu.corpus_bleu(outputs, [references], tokenize=tokenize)
    chrf = sacrebleu.corpus_chrf(outputs, [references])
    out_tokens = sum(generator.count_tokens(o) for o in outputs)
    return {
        "direction": direction,
        "n": len(rows),
        "style": style,
        "bleu": round(bleu.score, 2),
        "chrf": round(chrf.score, 2),
        "seconds": round(seconds, 1),
        "seconds_per_sentence": round(seconds / len(rows), 2),
        "output_tokens_per_second": round(out_tokens / seconds, 2),
        "retried_or_flagged": len(notes),
        "flagged": sum(1 for n_ in notes if n_["action"] == "flagged"),
        "outputs": [{"id": r["id"], "source": r["source"], "reference": r["reference"], "output": o}
                    for r, o in zip(rows, outputs)],
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

    settings = Settings(batch_size=args.batch_size, threads=args.threads, model=args.model,
                        use_default_glossary=not args.no_glossary, extra={"dtype": args.dtype} if args.dtype else {})
    start = time.perf_counter()
    generator = build_generator(args.engine, settings)
    load_seconds = time.perf_counter() - start
    directions = ["zh-en", "en-zh"] if args.direction == "both" else [args.direction]
    out = args.out or Path(__file__).parent / "results" / f"flores_{args.engine}_{args.style}_{args.direction}_{args.n}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = {"engine": args.engine, "model": f"{generator.model_id}@{(generator.model_sha256 or '')[:12]}",
               "batch_size": args.batch_size, "threads": args.threads, "load_seconds": round(load_seconds, 1),
               "results": []}
    for direction in directions:
        r = run_direction(generator, settings, direction, args.n, args.style)
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
