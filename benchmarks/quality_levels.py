"""Translation quality against cost: each method and each `--quality` level, against greedy, in one run.

    python benchmarks/quality_levels.py                       # FLORES-200 devtest 200 each way, WMT19 100 each way
    python benchmarks/quality_levels.py --sets flores-zh-en:50 --runs greedy,best

Every run goes through `summarizer.evaluation.run_eval` with the offline default model on llama.cpp, the
translation memory off and the checks/repair step off (raw translations: what the methods themselves change).
Runs, in order per set:

- greedy: `--quality fast` (the plain prompt, one greedy decode per segment);
- examples: greedy with the 4 few-shot pairs from the WMT19 held-out dev split;
- context: examples plus document context (FLORES only: its items carry their document's url);
- balanced, best: the levels as shipped.

From the candidates `best` generated (recorded with `rerank.recording`), every scorer alone and in combination, and
the first 2 and 4 candidates, are scored again without decoding anything more ("pool" rows; their cost is the
share of best's decoding they would need). Each row: chrF and BLEU with bootstrap 95% CIs, the paired difference
to greedy with its CI, and seconds per sentence (wall time of the run / sentences).
"""
from __future__ import annotations

import argparse
import json
import logging
import platform
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from summarizer import api, rerank
from summarizer.evaluation.datasets import load_eval_set
from summarizer.evaluation.runner import run_eval
from summarizer.evaluation.scoring import mt
from summarizer.rerank.mbr import MBRScorer

log = logging.getLogger("quality_levels")
RUNS = {
    "greedy": {"quality": "fast"},
    "examples": {"quality": "fast", "examples": 4},
    "context": {"quality": "fast", "examples": 4, "doc_context": True},
    "balanced": {"quality": "balanced"},
    "best": {"quality": "best"},
}
POOLS = {  # name: (candidates kept, scorers); best makes 6; "first" = its greedy draft (examples + context prompt)
    "best pool: its greedy draft (examples, context where FLORES)": (1, ("first",)),
    "best pool: mbr": (6, ("mbr",)),
    "best pool: similarity": (6, ("similarity",)),
    "best pool: checks": (6, ("checks",)),
    "best pool: similarity+checks": (6, ("similarity", "checks")),
    "best pool: mbr+checks (best's own scorers)": (6, ("mbr", "checks")),
    "best pool, first 4: mbr+similarity+checks": (4, ("mbr", "similarity", "checks")),
    "best pool, first 2: similarity+checks": (2, ("similarity", "checks")),
    "best pool: oracle (sentence chrF vs reference)": (6, ("oracle",)),
}
BACKTRANSLATION_POOLS = {  # measured on a subset (--backtranslation): each candidate costs one more generation
    "best pool: backtranslation": (6, ("backtranslation",)),
    "best pool: backtranslation+checks": (6, ("backtranslation", "checks")),
    "best pool: mbr+backtranslation+checks": (6, ("mbr", "backtranslation", "checks")),
    "best pool: mbr+similarity+backtranslation+checks": (6, ("mbr", "similarity", "backtranslation", "checks")),
}
SHIPPED_POOLS = ("best pool: its greedy draft (examples, context where FLORES)",
                 "best pool: mbr+checks (best's own scorers)")
LEVEL_RUNS = ("greedy", "balanced", "best")  # first on every set; the method runs follow


def run(set_name: str, limit: int, name: str, flags: dict) -> tuple[dict, list[rerank.Choice]]:
    settings = api.settings(cache=False, check=False, repair=False, batch_size=32, **flags)
    started = time.perf_counter()
    with rerank.recording() as choices:
        result = run_eval("translation", set_name, "llamacpp", limit=limit, settings=settings,
                          out_dir=Path(tempfile.mkdtemp(prefix="bisum-quality-")))
    wall = time.perf_counter() - started
    rows = [json.loads(line) for line in result.predictions_path.read_text(encoding="utf-8").splitlines()]
    by_id = {row["id"]: row["prediction"] for row in rows}
    predictions = [by_id[item_id] for item_id in (i["id"] for i in result.report.items)]
    log.info("%s %s: chrF %.2f BLEU %.2f, %.1f s", set_name, name, result.report.metrics["chrF"],
             result.report.metrics["BLEU"], wall)
    return {"name": name, "flags": flags, "signature": result.config["system_signature"],
            "seconds": round(wall, 1), "predictions": predictions}, list(choices)


def with_scores(choices: list[rerank.Choice], names: tuple[str, ...], source_lang: str, target_lang: str,
                back_translate: rerank.BackTranslate | None = None) -> None:
    """Adds to each choice the scores of the named scorers that did not run in `best` (batched over all choices)."""
    missing = [n for n in names if n in rerank.SCORERS and any(n not in c.scores for c in choices)]
    sets = [rerank.CandidateSet(c.source, c.candidates, source_lang, target_lang, eligible=c.eligible)
            for c in choices]
    for scorer in rerank.make_scorers(missing, back_translate):
        for choice, scores in zip(choices, scorer.score(sets)):
            choice.scores[scorer.name] = scores


def pool_predictions(best: list[str], sources: list[str], references: list[str], choices: list[rerank.Choice],
                     keep: int, scorers: tuple[str, ...], source_lang: str, target_lang: str) -> list[str]:
    """best's outputs, with each recorded choice made again among its first `keep` candidates by `scorers`."""
    by_source = {c.source: c for c in choices}
    mbr = MBRScorer()
    out = []
    for prediction, source, reference in zip(best, sources, references):
        choice = by_source.get(source)
        if choice is None:
            out.append(prediction)
            continue
        candidates, eligible = choice.candidates[:keep], choice.eligible[:keep]
        if scorers == ("first",):
            out.append(candidates[0])
            continue
        per_scorer = []
        for name in scorers:
            if name == "oracle":
                per_scorer.append([mt.item_scores([c], [reference], target_lang)[0]["chrF"] for c in candidates])
            elif name == "mbr":
                [scores] = mbr.score([rerank.CandidateSet(source, candidates, source_lang, target_lang)])
                per_scorer.append(scores)
            else:
                per_scorer.append(choice.scores[name][:keep])
        out.append(candidates[rerank.pick(per_scorer, eligible if any(eligible) else None)])
    return out


def scored(row: dict, greedy: list[str], references: list[str], target_lang: str, sentences: int) -> dict:
    corpus = mt.corpus_scores(row["predictions"], references, target_lang)
    diff = mt.paired_difference(greedy, row["predictions"], references, target_lang)
    figures = {name: {"score": round(corpus[name].score, 2), "ci": [round(x, 2) for x in corpus[name].ci],
                      "vs_greedy": diff[name]} for name in ("chrF", "BLEU")}
    seconds = row.get("seconds")
    return row | figures | {
        "seconds_per_sentence": round(seconds / sentences, 3) if seconds is not None else None}


def pool_rows(best: dict, eval_set, choices: list[rerank.Choice], pools: dict = POOLS) -> list[dict]:
    sources = [i.source for i in eval_set.items]
    references = [i.reference for i in eval_set.items]
    with_scores(choices, tuple(n for _, names in pools.values() for n in names), eval_set.source_lang,
                eval_set.target_lang)
    return [{"name": name, "seconds": None, "pool": {"keep": keep, "scorers": list(scorers)},
             "predictions": pool_predictions(best["predictions"], sources, references, choices, keep, scorers,
                                             eval_set.source_lang, eval_set.target_lang)}
            for name, (keep, scorers) in pools.items()]


def backtranslation_result(set_name: str, limit: int, rows: list[dict], choices: list[rerank.Choice]) -> dict:
    """The back-translation scorer alone and combined, on best's candidates for the first `limit` items: each
    distinct candidate translated back greedily (plain prompt, as `best` with `--rerank backtranslation` would)."""
    eval_set = load_eval_set(set_name, "translation", limit)
    sources = {i.source for i in eval_set.items}
    mine = [c for c in choices if c.source in sources]
    translator = api.pipeline(api.settings(cache=False, check=False, repair=False, quality="fast")).translator

    def back_translate(texts: list[str], source_lang: str, target_lang: str) -> list[str]:
        return [g.text for g in translator.translate(texts, source_lang, target_lang)]

    started = time.perf_counter()
    with_scores(mine, ("backtranslation",), eval_set.source_lang, eval_set.target_lang, back_translate)
    extra = time.perf_counter() - started
    share = limit / len(next(r for r in rows if r["name"] == "greedy")["predictions"])
    kept = [{"name": r["name"], "label": r.get("label", r["name"]), "predictions": r["predictions"][:limit],
             "seconds": r["seconds"] * share if r.get("seconds") else None}
            for r in rows if r["name"] in ("greedy", "best", *SHIPPED_POOLS)]
    best = next(r for r in kept if r["name"] == "best")
    new = pool_rows(best, eval_set, mine, BACKTRANSLATION_POOLS)
    for row in new:
        row["seconds"] = best["seconds"] + extra if best["seconds"] else None
    log.info("%s: %d candidates translated back in %.1f s", set_name, sum(len(set(c.candidates)) for c in mine), extra)
    return summary(eval_set, kept + new, len(mine)) | {"set": f"{set_name} (first {limit}: back-translation)"}


def summary(eval_set, rows: list[dict], contested: int) -> dict:
    references = [i.reference for i in eval_set.items]
    greedy = next(r for r in rows if r["name"] == "greedy")["predictions"]
    return {"set": eval_set.name, "sentences": len(references), "contested_choices": contested,
            "rows": [scored(r, greedy, references, eval_set.target_lang, len(references)) for r in rows]}


def schedule(sets: list[tuple[str, int]], runs: list[str]) -> list[tuple[str, int, str]]:
    """The levels on every set first, then the method runs (context only where items carry a document url)."""
    first = [(s, n, r) for r in runs if r in LEVEL_RUNS for s, n in sets]
    later = [(s, n, r) for r in runs if r not in LEVEL_RUNS for s, n in sets
             if r != "context" or any(i.meta.get("url") for i in load_eval_set(s, "translation", n).items)]
    return first + later


def table(results: list[dict]) -> str:
    lines = ["| set | run | chrF [95% CI] | Δ chrF vs greedy [CI] | BLEU [95% CI] | Δ BLEU [CI] | s/sentence | × greedy |",
             "|---|---|---|---|---|---|---|---|"]
    for res in results:
        base = next(r for r in res["rows"] if r["name"] == "greedy")["seconds_per_sentence"]
        for r in res["rows"]:
            c, b = r["chrF"], r["BLEU"]
            cost = r["seconds_per_sentence"]
            lines.append(
                f"| {res['set']} ({res['sentences']}) | {r.get('label', r['name'])} | {c['score']} [{c['ci'][0]}, {c['ci'][1]}] | "
                f"{c['vs_greedy']['diff']:+} [{c['vs_greedy']['ci'][0]}, {c['vs_greedy']['ci'][1]}] | "
                f"{b['score']} [{b['ci'][0]}, {b['ci'][1]}] | {b['vs_greedy']['diff']:+} "
                f"[{b['vs_greedy']['ci'][0]}, {b['vs_greedy']['ci'][1]}] | {cost if cost is not None else '–'} | "
                f"{round(cost / base, 2) if cost is not None and base else '–'} |")
    return "\n".join(lines)


def set_specs(specs: str) -> list[tuple[str, int]]:
    """"flores-zh-en:200,wmt19-zh-en:100" as (name, items) pairs (200 when no count is given)."""
    return [(name, int(limit or 200)) for name, _, limit in (s.partition(":") for s in specs.split(",") if s)]


def reused(earlier: dict) -> tuple[list[dict], list[rerank.Choice]]:
    """An earlier set's runs (best only with its recorded choices), with best's pool rows made again."""
    kept = [r for r in earlier["rows"] if r["name"] in RUNS and (r["name"] != "best" or "choices" in r)]
    best = next((r for r in kept if r["name"] == "best"), None)
    if best is None:
        return kept, []
    choices = [rerank.Choice(**c) for c in best["choices"]]
    eval_set = load_eval_set(earlier["set"], "translation", earlier["sentences"])
    return kept + pool_rows(best, eval_set, choices), choices


def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="flores-zh-en:200,flores-en-zh:200,wmt19-zh-en:100,wmt19-en-zh:100")
    parser.add_argument("--runs", default=",".join(RUNS), help=f"some of {', '.join(RUNS)} (greedy is always run)")
    parser.add_argument("--json", default="benchmarks/results/quality_levels.json")
    parser.add_argument("--reuse", help="an earlier --json of this script: its runs (with their predictions and "
                                        "times) are kept and not run again")
    parser.add_argument("--backtranslation", default="",
                        help="set:N,... score best's candidates for the first N items of each set by back-translation")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    runs = ["greedy", *[r for r in args.runs.split(",") if r in RUNS and r != "greedy"]]
    sets, bt_sets = set_specs(args.sets), set_specs(args.backtranslation)
    rows: dict[str, list[dict]] = {name: [] for name, _ in sets}
    choices: dict[str, list[rerank.Choice]] = {}
    for earlier in json.loads(Path(args.reuse).read_text(encoding="utf-8"))["results"] if args.reuse else []:
        if earlier["set"] in rows:
            rows[earlier["set"]], choices[earlier["set"]] = reused(earlier)
    extra: list[dict] = []
    for set_name, limit, name in schedule(sets, runs) + [(s, n, "backtranslation") for s, n in bt_sets]:
        if name == "backtranslation":
            extra.append(backtranslation_result(set_name, limit, rows[set_name], choices[set_name]))
        elif any(r["name"] == name for r in rows[set_name]):
            continue  # kept from --reuse
        else:
            row, choices[set_name] = run(set_name, limit, name, RUNS[name])
            rows[set_name].append(row | ({"choices": [asdict(c) for c in choices[set_name]]} if name == "best" else {}))
            if name == "best":
                rows[set_name] += pool_rows(row, load_eval_set(set_name, "translation", limit), choices[set_name])
        results = [summary(load_eval_set(s, "translation", n), rows[s], len(choices.get(s, [])))
                   for s, n in sets if rows[s]] + extra
        out = {"machine": cpu_name(), "runs": runs, "results": results}
        Path(args.json).write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
        log.info("\n%s", table(results))
    log.info("wrote %s", args.json)


if __name__ == "__main__":
    main()
