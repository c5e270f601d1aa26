"""Speculative decoding on llama.cpp: speculative off against prompt lookup and the draft model, same GGUF, same
prompts, greedy, for summaries and translations, one stream and batched.

    python benchmarks/speculative.py [--summaries 2] [--translations 8] [--streams 1 16] [--quality best]
                                     [--modes off lookup model auto] [--json benchmarks/results/speculative.json]

The prompts are the engine's own: `Engine.summarize` (Chinese articles from examples/) and `Engine.translate`
(FLORES zh->en sentences) run against a recorder, and the conversations of their first generate call (with the
sampling of any candidates, as at --quality best) are replayed, straight to the generator, in every mode. Modes: off (no drafts), lookup (prompt lookup only),
model (the draft model only), auto (prompt lookup, the draft model for streams it does not predict). Every run
starts with an empty prefix cache. Rows report wall time, generated tokens/s, drafts accepted, speed-up over
off, and whether every output is identical to off's (the point of greedy verification).
"""
from __future__ import annotations

import argparse
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from summarizer import api
from summarizer.engines import get_engine
from summarizer.evaluation.datasets import load_eval_set
from summarizer.generation import Generation, Sampling
from summarizer.llamacpp.generator import LlamaCppGenerator

log = logging.getLogger("benchmarks.speculative")
ROOT = Path(__file__).resolve().parent.parent
MODES = ("off", "lookup", "model", "auto")


@dataclass
class Task:
    name: str  # summaries | translations
    conversations: list[list[dict]]
    limits: list[int]
    sampling: list[Sampling | None] | None = None  # as the engine asked (None: all greedy)


class Recorder:
    """Stands in for the generator: keeps the first call's conversations, answers nothing."""

    def __init__(self, inner):
        self.inner = inner
        self.name, self.model_id, self.model_sha256 = inner.name, inner.model_id, inner.model_sha256
        self.calls: list[tuple[list, list[int], list | None]] = []

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def generate(self, conversations, max_new_tokens, sampling=None) -> list[Generation]:
        self.calls.append((list(conversations), [int(n) for n in max_new_tokens],
                           None if sampling is None else list(sampling)))
        return [Generation("") for _ in conversations]


def record(engine, run) -> tuple[list, list[int], list | None]:
    """The conversations, token limits and sampling of the first generate call that `run(engine)` makes."""
    inner = engine.generator
    engine.generator = Recorder(inner)
    try:
        run(engine)
        return engine.generator.calls[0]
    finally:
        engine.generator = inner


def build_tasks(engine, summaries: int, translations: int) -> list[Task]:
    articles = [p.read_text("utf-8") for p in sorted((ROOT / "examples").glob("*.txt"))]
    articles = [a for a in articles if sum("\u4e00" <= c <= "\u9fff" for c in a) > len(a) // 4][:summaries]
    sentences = [item.source for item in load_eval_set("flores-zh-en", limit=translations).items]
    tasks = []
    if articles:
        tasks.append(Task("summaries", *record(engine, lambda e: e.summarize(articles, "zh", 3))))
    if sentences:
        tasks.append(Task("translations", *record(engine, lambda e: e.translate(sentences, "zh", "en"))))
    return tasks


def run_mode(generator: LlamaCppGenerator, task: Task, mode: str) -> tuple[dict, list[str]]:
    generator.speculative = mode != "off"
    generator.drafting = "auto" if mode == "off" else mode
    generator.clear_cache()
    before = generator.stats.copy()
    start, cpu = time.perf_counter(), time.process_time()
    outputs = [g.text for g in generator.generate(task.conversations, task.limits, task.sampling)]
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    stats = generator.stats.since(before)
    drafted = stats.lookup.drafted + stats.model.drafted
    accepted = stats.lookup.accepted + stats.model.accepted
    row = {
        "task": task.name, "streams": generator.parallel_sequences, "mode": mode, "prompts": len(outputs),
        "seconds": round(seconds, 2), "cpu_s": round(cpu, 2), "generated": stats.generated, "tok_s": round(stats.generated / seconds, 2),
        "steps": stats.steps, "rows": stats.rows, "draft_decodes": stats.draft_decodes, "drafted": drafted, "accepted": accepted,
        "acceptance": round(accepted / drafted, 3) if drafted else None,
        "lookup": [stats.lookup.drafted, stats.lookup.accepted], "model": [stats.model.drafted, stats.model.accepted],
        "prompt_tokens": stats.prompt_tokens, "prompt_reused": stats.prompt_reused, "prompt_read": stats.prompt_read,
    }
    log.info("%s", row)
    return row, outputs


def compare(rows: list[dict], outputs: dict, base_key) -> None:
    """Speed-up over off and identical outputs, filled into each row."""
    for row in rows:
        base = outputs[base_key(row)]
        mine = outputs[(row["task"], row["streams"], row["mode"])]
        row["identical"] = sum(a == b for a, b in zip(mine, base))
        row["differences"] = [first_difference(i, b, a) for i, (a, b) in enumerate(zip(mine, base)) if a != b]
        off = next(r for r in rows if (r["task"], r["streams"], r["mode"]) == base_key(row))
        row["speedup"] = round(off["seconds"] / row["seconds"], 2)
        row["cpu_speedup"] = round(off["cpu_s"] / row["cpu_s"], 2)


def first_difference(index: int, base: str, mine: str) -> dict:
    """Where an output first departs from speculative-off's: prompt index, character offset, the two continuations."""
    at = next((i for i, (a, b) in enumerate(zip(base, mine)) if a != b), min(len(base), len(mine)))
    return {"prompt": index, "char": at, "of": len(base), "off": base[max(0, at - 20) : at + 30],
            "this": mine[max(0, at - 20) : at + 30]}


def print_table(rows: list[dict]) -> None:
    print(f"{'task':13} {'streams':>7} {'mode':7} {'wall s':>7} {'cpu s':>7} {'tok/s':>7} {'tokens':>6} {'steps':>6} "
          f"{'rows':>6} {'draft':>6} {'accepted':>13} {'speed-up':>8} {'cpu x':>6} {'same':>6}")
    for r in rows:
        acc = f"{r['accepted']}/{r['drafted']}" if r["drafted"] else "-"
        print(f"{r['task']:13} {r['streams']:7d} {r['mode']:7} {r['seconds']:7.1f} {r['cpu_s']:7.1f} {r['tok_s']:7.2f} "
              f"{r['generated']:6d} {r['steps']:6d} {r['rows']:6d} {r['draft_decodes']:6d} {acc:>13} "
              f"{r['speedup']:8.2f} {r['cpu_speedup']:6.2f} {r['identical']:>3}/{r['prompts']:<2}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--summaries", type=int, default=2, help="Chinese articles from examples/")
    ap.add_argument("--translations", type=int, default=8, help="FLORES zh->en sentences")
    ap.add_argument("--streams", type=int, nargs="+", default=[1, 16])
    ap.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    ap.add_argument("--draft-rows", type=int, default=16, help="most tokens per decode step that drafting may fill")
    ap.add_argument("--quality", choices=("fast", "balanced", "best"), default=None,
                    help="the engine's translation level (best: sampled candidates) [default: the settings']")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "speculative.json")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = api.settings(cache=False, quality=args.quality)
    tasks = build_tasks(get_engine("llamacpp", settings), args.summaries, args.translations)
    modes = ["off"] + [m for m in args.modes if m != "off"]
    rows, outputs = [], {}
    for streams in args.streams:
        generator = LlamaCppGenerator(settings.model, threads=settings.threads, parallel_sequences=streams,
                                      repetition_penalty=settings.repetition_penalty, cpu_variant=settings.cpu_variant,
                                      draft_model=settings.draft_model, draft_tokens=settings.draft_tokens,
                                      draft_rows=args.draft_rows)
        generator.decoder()  # built while speculative: with the draft model
        for mode in ("off", "model"):  # warm-up: both models' weights paged in before timing
            run_mode(generator, Task("warm-up", tasks[-1].conversations[:1], [8]), mode)
        for task in tasks:
            for mode in modes:
                row, outputs[(task.name, streams, mode)] = run_mode(generator, task, mode)
                rows.append(row)
    compare(rows, outputs, lambda r: (r["task"], r["streams"], "off"))
    print_table(rows)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    reference = {task.name: outputs[(task.name, args.streams[0], "off")] for task in tasks}
    settings_used = {"draft_model": settings.draft_model, "draft_tokens": settings.draft_tokens,
                     "draft_rows": args.draft_rows, "threads": generator.threads}
    args.json.write_text(json.dumps({"settings": settings_used, "rows": rows, "outputs_off": reference}, indent=2,
                                    ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
