"""LLM summaries written from the key sentences ("read less") against summaries written from the whole article.

    python benchmarks/summary_input.py                                 # LCSTS 200, CNN/DM 50, the bundled pages
    python benchmarks/summary_input.py --lcsts 3 --cnndm 2 --pages 1   # a quick check that it runs
    python benchmarks/summary_input.py --limit 20                      # at most 20 articles per set

Two configs of the same llama.cpp pipeline (`api.settings(engine="llamacpp", summary_input_tokens=...)`):
`full` (0: the whole article, map-reduced above map_reduce_chars, as before issue 12) and `extract` (--budget,
default 400 tokens: the key sentences TextRank picks). Per set: ROUGE with 95% bootstrap CIs and the paired
bootstrap CI of extract - full (references exist for LCSTS human_label >= 3 and CNN/DM), "figures kept" (the share
of the article's distinct figures that reach the summary, by the number checks' extractor and matcher), the
prompt tokens each config sent to the model (message text; the chat template is not counted), model passes,
grounding rewrites and fallbacks, and wall time.

An item whose article fits the budget (and is not map-reduced by `full`) gets the same prompts in both configs and,
with greedy decoding, the same summary: `full` reuses `extract`'s result, time and tokens for it. `differed` counts
the items whose prompts differed. At 400 tokens every LCSTS text fits (the longest is about 100 tokens), so LCSTS
only tells the configs apart with a smaller --budget; about 37 of the first 50 CNN/DM articles are longer.
Writes JSON to benchmarks/results/summary_input_<budget>.json (see --out).
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from summarizer import api
from summarizer.checks.numbers import Quantity, extract_quantities, quantities_match
from summarizer.evaluation.datasets import load_eval_set
from summarizer.evaluation.scoring import bootstrap, score_summaries
from summarizer.pipeline import Pipeline

log = logging.getLogger("summary_input")
ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ("full", "extract")
ROUGE_SHOWN = ("rouge1", "rouge2", "rougeL")


@dataclass
class Corpus:
    """Articles to summarize, in one language; references when the set has them."""

    name: str
    lang: str
    sentences: int
    ids: list[str]
    articles: list[str]
    references: list[str] | None = None


@dataclass
class Run:
    """One config over one corpus: summaries, notes, and what it cost."""

    summaries: list[str] = field(default_factory=list)
    notes: list[list[str]] = field(default_factory=list)
    prompt_tokens: int = 0
    passes: int = 0
    seconds: float = 0.0


class PromptCounter:
    """A Generator wrapper that counts the conversations and prompt tokens (message text) it is given."""

    def __init__(self, generator):
        self.inner = generator
        self.prompt_tokens = 0
        self.passes = 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def generate(self, conversations, max_new_tokens, sampling=None):
        self.passes += len(conversations)
        self.prompt_tokens += sum(self.inner.count_tokens(m["content"]) for c in conversations for m in c)
        return self.inner.generate(conversations, max_new_tokens, sampling)


# ----------------------------------------------------------------------------- inputs

def eval_corpus(name: str, limit: int) -> Corpus:
    eval_set = load_eval_set(name, limit=limit)
    if eval_set.sample:
        log.warning("%s: the shared set is missing; using the committed sample", name)
    items = eval_set.items
    return Corpus(name, eval_set.source_lang, eval_set.summary_sentences or 3, [i.id for i in items],
                  [i.source for i in items], [i.reference for i in items])


def page_corpora(limit: int | None) -> list[Corpus]:
    """The articles of the bundled pages, one corpus per language (the first `limit` of each)."""
    settings = api.settings(engine="extractive", to="none")
    by_lang: dict[str, Corpus] = {}
    for page in sorted((ROOT / "examples").glob("*.txt")):
        for r in api.prepare(api.documents(page, settings)):
            lang = r.article.source_lang
            corpus = by_lang.setdefault(lang, Corpus(f"pages-{lang}", lang, settings.summary_sentences, [], []))
            corpus.ids.append(r.article.id)
            corpus.articles.append(r.article.text)
    return [replace(c, ids=c.ids[:limit], articles=c.articles[:limit]) for c in by_lang.values()]


# ----------------------------------------------------------------------------- running

def build_runner(budget: int, threads: int | None) -> Pipeline:
    settings = api.settings(engine="llamacpp", to="none", translate="none", check=False, cache=False,
                            summary_input_tokens=budget, threads=threads)
    runner = api.pipeline(settings)
    if not isinstance(runner.summarizer.generator, PromptCounter):
        runner.summarizer.generator = PromptCounter(runner.summarizer.generator)
    return runner


def summarize(runner: Pipeline, corpus: Corpus, indices: list[int], label: str, chunk: int) -> Run:
    """Summaries of the chosen articles through `api.process_texts`, `chunk` articles per call."""
    runner = replace(runner, settings=runner.settings.with_(summary_sentences=corpus.sentences))
    counter: PromptCounter = runner.summarizer.generator
    tokens, passes = counter.prompt_tokens, counter.passes
    run = Run()
    started = time.perf_counter()
    for start in range(0, len(indices), chunk):
        texts = [corpus.articles[i] for i in indices[start:start + chunk]]
        for result in api.process_texts(texts, runner, corpus.lang):
            run.summaries.append(result.summary or "")
            run.notes.append(list(result.notes) + ([f"error: {result.error}"] if result.error else []))
        log.info("%s %s: %d/%d articles, %.0f s", corpus.name, label, min(start + chunk, len(indices)), len(indices),
                 time.perf_counter() - started)
    run.seconds = time.perf_counter() - started
    run.prompt_tokens, run.passes = counter.prompt_tokens - tokens, counter.passes - passes
    return run


def same_prompts(runners: dict[str, Pipeline], corpus: Corpus) -> list[bool]:
    """Per article: both configs send the whole article in one prompt (so greedy outputs are identical)."""
    extract, full = runners["extract"].summarizer, runners["full"].summarizer
    return [extract.summary_input(a, corpus.lang) == a and not full.map_reduces(a) for a in corpus.articles]


def merge(parts: list[tuple[list[int], Run]], n: int) -> Run:
    """One Run in article order from runs over disjoint index lists."""
    merged = Run(summaries=[""] * n, notes=[[] for _ in range(n)])
    for indices, run in parts:
        for i, summary, notes in zip(indices, run.summaries, run.notes):
            merged.summaries[i], merged.notes[i] = summary, notes
        merged.prompt_tokens += run.prompt_tokens
        merged.passes += run.passes
        merged.seconds += run.seconds
    return merged


def run_both(runners: dict[str, Pipeline], corpus: Corpus, chunk: int) -> tuple[dict[str, Run], list[bool]]:
    shared = same_prompts(runners, corpus)
    both = [i for i, s in enumerate(shared) if s]
    differ = [i for i, s in enumerate(shared) if not s]
    log.info("%s: %d articles, %d with the same prompts in both configs", corpus.name, len(shared), len(both))
    common = summarize(runners["extract"], corpus, both, "same prompts", chunk)
    runs = {label: merge([(both, common), (differ, summarize(runners[label], corpus, differ, label, chunk))],
                         len(shared))
            for label in CONFIGS}
    return runs, shared


# ----------------------------------------------------------------------------- measuring

def figures(text: str, lang: str) -> list[Quantity]:
    """The distinct figures of a text (small number words, which the checks treat as soft, left out)."""
    seen: dict[tuple[str, float], Quantity] = {}
    for q in extract_quantities(text, lang):
        if not q.soft:
            seen.setdefault((q.kind, q.value), q)
    return list(seen.values())


def figures_kept(article: str, summary: str, lang: str) -> tuple[int, int]:
    """(figures of the article that the summary has, figures of the article)."""
    in_article, in_summary = figures(article, lang), extract_quantities(summary, lang)
    return sum(1 for q in in_article if any(quantities_match(q, s) for s in in_summary)), len(in_article)


def mean_with_ci(values: list[float]) -> dict:
    if not values:
        return {"mean": None, "ci": None}
    return {"mean": round(float(np.mean(values)), 4), "ci": [round(x, 4) for x in bootstrap.mean_ci(values)]}


def measure(corpus: Corpus, runs: dict[str, Run], shared: list[bool]) -> dict:
    """Figures of one corpus: per config, and the paired differences extract - full."""
    out: dict = {"n": len(corpus.articles), "differed": shared.count(False),
                 "outputs_differed": sum(1 for a, b in zip(runs["full"].summaries, runs["extract"].summaries) if a != b),
                 "configs": {}, "extract_minus_full": {}}
    per_item: dict[str, dict[str, list[float]]] = {}
    for label, run in runs.items():
        kept = [figures_kept(a, s, corpus.lang) for a, s in zip(corpus.articles, run.summaries)]
        shares = [k / n if n else float("nan") for k, n in kept]
        per_item[label] = {"figures_kept": shares}
        figures_total = sum(n for _, n in kept)
        config = {"prompt_tokens": run.prompt_tokens, "passes": run.passes, "seconds": round(run.seconds, 1),
                  "figures_kept_micro": round(sum(k for k, _ in kept) / figures_total, 4) if figures_total else None,
                  "figures_kept": mean_with_ci([s for s in shares if not math.isnan(s)]),
                  "rewritten": sum(any("rewritten from key sentences" in n for n in notes) for notes in run.notes),
                  "replaced_by_extractive": sum(any("replaced by the extractive" in n for n in notes) for notes in run.notes)}
        if corpus.references:
            report = score_summaries(run.summaries, corpus.references, corpus.lang, ids=corpus.ids)
            config["rouge"] = {m: {"mean": round(report.metrics[m], 2), "ci": [round(x, 2) for x in report.ci[m]]}
                               for m in ROUGE_SHOWN}
            per_item[label].update({m: [item[m] for item in report.items] for m in ROUGE_SHOWN})
        out["configs"][label] = config
    for metric, extract_values in per_item["extract"].items():
        diffs = [d for d in np.subtract(extract_values, per_item["full"][metric]) if not math.isnan(d)]
        out["extract_minus_full"][metric] = mean_with_ci(diffs)
    out["items"] = [{"id": i, "same_prompts": s, **{label: runs[label].summaries[k] for label in CONFIGS}}
                    for k, (i, s) in enumerate(zip(corpus.ids, shared))]
    return out


# ----------------------------------------------------------------------------- reporting

def _interval(entry: dict, scale: float = 1.0, digits: int = 1) -> str:
    if entry.get("mean") is None:
        return "-"
    lo, hi = entry["ci"]
    return f"{entry['mean'] * scale:.{digits}f} [{lo * scale:.{digits}f}, {hi * scale:.{digits}f}]"


def print_figures(results: dict) -> None:
    print(f"\nsummary input: full article (0) vs key sentences ({results['budget']} tokens); "
          f"model {results['model']}; 95% bootstrap CIs; differences are paired (extract - full)")
    for name, r in results["sets"].items():
        print(f"\n== {name}: {r['n']} articles, prompts differed on {r['differed']}, outputs on {r['outputs_differed']}")
        metrics = [m for m in (*ROUGE_SHOWN, "figures_kept") if m in r["extract_minus_full"]]
        for label in CONFIGS:
            c = r["configs"][label]
            scores = "  ".join(f"{m} {_interval(c['rouge'][m])}" for m in ROUGE_SHOWN if "rouge" in c)
            print(f"{label:8} {scores}  figures kept {_interval(c['figures_kept'], 100)}%  "
                  f"prompt tokens {c['prompt_tokens']:,} in {c['passes']} passes  {c['seconds']:.0f} s  "
                  f"rewritten {c['rewritten']}, replaced {c['replaced_by_extractive']}")
        deltas = "  ".join(f"{m} {_interval(r['extract_minus_full'][m], 100 if m == 'figures_kept' else 1)}"
                           for m in metrics)
        print(f"{'extract-full':8} {deltas}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lcsts", type=int, default=200, help="LCSTS items (human_label >= 3); 0 = skip")
    parser.add_argument("--cnndm", type=int, default=50, help="CNN/DM items; 0 = skip")
    parser.add_argument("--pages", type=int, default=None, help="articles of the bundled pages per language "
                        "(default: all 25; 0 = skip)")
    parser.add_argument("--limit", type=int, default=None, help="at most this many articles per set (quick run)")
    parser.add_argument("--budget", type=int, default=400, help="summary_input_tokens of the extract config")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--chunk", type=int, default=16, help="articles per pipeline call")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")

    def cap(n: int | None) -> int | None:
        return n if args.limit is None else min(args.limit, args.limit if n is None else n)

    corpora = [eval_corpus(name, cap(n)) for name, n in (("lcsts", args.lcsts), ("cnndm", args.cnndm)) if n > 0]
    corpora += [] if args.pages == 0 else page_corpora(cap(args.pages))
    runners = {"full": build_runner(0, args.threads), "extract": build_runner(args.budget, args.threads)}
    results = {"budget": args.budget, "model": runners["extract"].summarizer.model,
               "settings": {label: asdict(r.settings) for label, r in runners.items()}, "sets": {}}
    out = args.out or ROOT / "benchmarks" / "results" / f"summary_input_{args.budget}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    for corpus in corpora:
        runs, shared = run_both(runners, corpus, args.chunk)
        results["sets"][corpus.name] = measure(corpus, runs, shared)
        out.write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
    print_figures(results)
    print(f"\n-> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
