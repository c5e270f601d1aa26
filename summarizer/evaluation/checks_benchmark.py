"""`summarizer eval --task checks`: the checks run on human references, clean and with one known error each.

    result = run_checks_benchmark("checks-flores-dev", limit=40, report_dir=Path("runs/checks"),
                                  thresholds={"false_alarms": 10, "figure": 80})
    print(format_table(result)); result.failed

`data` is a split of `datasets.CHECK_SPLITS` (one set per direction: checks-flores-dev, checks-flores-heldout,
checks-wmt19-dev, checks-wmt19-heldout, checks-dev, checks-heldout) or any one translation set or JSONL path.
Corruptions are in `summarizer.evaluation.corruption`. Per set: false alarms (% of clean items with an
error-level check) and, per kind of error, the catch rate (% of corrupted items with an error-level check their
clean item lacks), each with a seeded bootstrap 95% CI. Thresholds: `false_alarms=X` fails above X (percent), any
kind `figure=Y` fails below Y; `zh-en.figure=Y` holds for one direction only.
"""
from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from summarizer.batch.sink import atomic_write_json, atomic_write_text
from summarizer.checks import check_translation
from summarizer.errors import InputError
from summarizer.evaluation.corruption import CORRUPTIONS, corrupt_item
from summarizer.evaluation.datasets import CHECK_SPLITS, EvalSet, load_eval_set
from summarizer.evaluation.scoring.bootstrap import SEED, mean_ci

log = logging.getLogger(__name__)
FALSE_ALARMS = "false_alarms"


@dataclass
class Rate:
    """A share of items (percent) with its seeded bootstrap 95% CI."""

    n: int
    hits: int
    percent: float | None  # None when no item had this kind of error (a month swap on en->zh)
    ci: tuple[float, float] | None

    @classmethod
    def of(cls, values: list[int], seed: int) -> "Rate":
        if not values:
            return cls(0, 0, None, None)
        lo, hi = mean_ci(values, seed=seed)
        return cls(len(values), sum(values), 100 * sum(values) / len(values), (100 * lo, 100 * hi))

    def cell(self) -> str:
        if not self.n:
            return "-"
        return f"{self.percent:.1f} [{self.ci[0]:.1f}-{self.ci[1]:.1f}] (n={self.n})"


@dataclass
class SetResult:
    name: str
    direction: str
    items: int
    rates: dict[str, Rate]  # "false_alarms" and one per corruption kind
    false_alarms: list[dict] = field(default_factory=list)  # clean items flagged, with their errors
    misses: list[dict] = field(default_factory=list)  # corrupted items not caught
    seconds: float = 0.0


@dataclass
class ChecksBenchmark:
    data: str
    seed: int
    limit: int | None
    sets: list[SetResult]
    thresholds: dict[str, float] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def split_sets(data: str, limit: int | None) -> list[EvalSet]:
    """The sets of a named split (one per direction), or the one set `data` names."""
    names = CHECK_SPLITS.get(data.lower(), (data,))
    sets = [load_eval_set(name, "translation", limit) for name in names]
    for s in sets:
        if s.task != "translation" or {s.source_lang, s.target_lang} != {"zh", "en"}:
            raise InputError(f"{s.name}: the checks benchmark needs a zh<->en translation set")
    return sets


def errors_of(source: str, target: str, source_lang: str, target_lang: str) -> list[str]:
    """The error-level checks of one pair, as "type: message" lines."""
    found = check_translation(source, target, source_lang, target_lang)
    return sorted({f"{c.type}: {c.message}" for c in found if c.severity == "error"})


def run_set(eval_set: EvalSet, seed: int = SEED) -> SetResult:
    """Every item of one set, clean and corrupted, through the checks."""
    started = time.perf_counter()
    src, tgt = eval_set.source_lang, eval_set.target_lang
    kinds = [k for k, c in CORRUPTIONS.items() if f"{src}-{tgt}" in c.directions]
    values: dict[str, list[int]] = {FALSE_ALARMS: [], **{k: [] for k in kinds}}
    result = SetResult(eval_set.name, f"{src}-{tgt}", len(eval_set.items), {})
    for item in eval_set.items:
        targets = corrupt_item(item.id, item.source, item.reference, src, tgt, seed)
        clean = set(errors_of(item.source, item.reference, src, tgt))
        values[FALSE_ALARMS].append(int(bool(clean)))
        if clean:
            result.false_alarms.append({"id": item.id, "source": item.source, "reference": item.reference,
                                        "errors": sorted(clean)})
        for kind in kinds:
            if kind not in targets:
                continue
            new = [e for e in errors_of(item.source, targets[kind], src, tgt) if e not in clean]
            values[kind].append(int(bool(new)))
            if not new:
                result.misses.append({"id": item.id, "kind": kind, "source": item.source, "target": targets[kind]})
    result.rates = {k: Rate.of(v, seed) for k, v in values.items()}
    result.seconds = round(time.perf_counter() - started, 1)
    log.info("%s: %d items in %.1f s", eval_set.name, len(eval_set.items), result.seconds)
    return result


def run_checks_benchmark(data: str, limit: int | None = None, report_dir: Path | None = None,
                         thresholds: dict[str, float] | None = None, seed: int = SEED) -> ChecksBenchmark:
    """Run the checks benchmark on a split or set; gate on `thresholds`; write reports to `report_dir`."""
    sets = [run_set(s, seed) for s in split_sets(data, limit)]
    result = ChecksBenchmark(data, seed, limit, sets, dict(thresholds or {}))
    result.failed = failed_thresholds(result)
    if report_dir is not None:
        write_reports(result, Path(report_dir))
    return result


def failed_thresholds(result: ChecksBenchmark) -> list[str]:
    """"set: measure value vs limit" for every threshold a set misses (false alarms above, catches below)."""
    failed = []
    for name, limit in result.thresholds.items():
        direction, _, measure = name.rpartition(".")
        known = {FALSE_ALARMS, *CORRUPTIONS}
        if measure not in known:
            raise InputError(f"unknown checks measure {measure!r}; use one of {', '.join(sorted(known))}")
        for s in result.sets:
            rate = s.rates.get(measure)
            if (direction and direction != s.direction) or rate is None or not rate.n:
                continue
            worse = rate.percent > limit if measure == FALSE_ALARMS else rate.percent < limit
            if worse:
                failed.append(f"{s.name}: {measure} {rate.percent:.1f} vs {limit:g}")
    return failed


def _measures(result: ChecksBenchmark) -> list[str]:
    seen = [FALSE_ALARMS] + [k for k in CORRUPTIONS if any(k in s.rates for s in result.sets)]
    return seen


def format_table(result: ChecksBenchmark) -> str:
    """Plain-text table: one block per set, one line per measure."""
    lines = [f"checks on corrupted references: {result.data} (seed {result.seed}); percent [95% CI] (items)"]
    for s in result.sets:
        lines.append(f"{s.name} ({s.direction}, {s.items} items, {s.seconds:.0f} s)")
        for measure in _measures(result):
            rate = s.rates.get(measure)
            label = "false alarms" if measure == FALSE_ALARMS else f"caught: {measure}"
            lines.append(f"  {label:20} {rate.cell() if rate else '-'}")
    return "\n".join(lines)


def markdown(result: ChecksBenchmark) -> str:
    """A Markdown table (measures by sets), then the false alarms listed for a person to judge."""
    head = "| measure | " + " | ".join(f"{s.name} ({s.direction})" for s in result.sets) + " |"
    rows = [head, "|---" * (len(result.sets) + 1) + "|"]
    for measure in _measures(result):
        label = "false alarms (clean items flagged)" if measure == FALSE_ALARMS else f"caught: {measure}"
        rows.append(f"| {label} | " + " | ".join(s.rates[measure].cell() if measure in s.rates else "-"
                                                  for s in result.sets) + " |")
    out = [f"# Checks on corrupted references: {result.data}", "",
           f"Seed {result.seed}; percent of items with an error-level check [bootstrap 95% CI] (items).", "", *rows]
    if result.failed:
        out += ["", "Failed thresholds: " + "; ".join(result.failed)]
    for s in result.sets:
        out += ["", f"## False alarms on {s.name}", ""]
        out += [f"- {f['id']}: {'; '.join(f['errors'])}" for f in s.false_alarms] or ["none"]
    return "\n".join(out) + "\n"


def write_reports(result: ChecksBenchmark, report_dir: Path) -> list[Path]:
    """checks.json (rates, false alarms, misses) and checks.md, each written atomically."""
    paths = [report_dir / "checks.json", report_dir / "checks.md"]
    atomic_write_json(paths[0], result.to_json())
    atomic_write_text(paths[1], markdown(result))
    return paths
