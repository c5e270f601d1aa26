"""ScoreReport: corpus scores, their CIs and signatures, and per-item scores; plus a terminal table."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Metrics where a lower number is better (fail_under means "fail above" for these).
LOWER_IS_BETTER = {"ter"}


@dataclass
class ScoreReport:
    task: str  # summarization | translation
    lang: str  # language of predictions/references
    metrics: dict[str, float]  # 0-100
    ci: dict[str, tuple[float, float]]  # bootstrap 95% interval per metric
    signature: dict[str, str]  # metric -> how it was computed
    items: list[dict[str, Any]]  # {"id", <metric>: score, ...}
    n: int
    notes: list[str] = field(default_factory=list)  # skipped metrics and why

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (use json.dumps on it)."""
        return {
            "task": self.task,
            "lang": self.lang,
            "metrics": {k: round(v, 4) for k, v in self.metrics.items()},
            "ci": {k: [round(lo, 4), round(hi, 4)] for k, (lo, hi) in self.ci.items()},
            "signature": self.signature,
            "n": self.n,
            "notes": self.notes,
            "items": self.items,
        }


def find_metric(metrics: dict[str, Any], name: str) -> str | None:
    wanted = name.lower().replace("-", "").replace("_", "")
    for key in metrics:
        if key.lower().replace("-", "").replace("_", "") == wanted:
            return key
    return None


def below_threshold(metrics: dict[str, float], thresholds: dict[str, float]) -> list[str]:
    """Names (as given) of metrics that miss their threshold; TER fails when above it; unknown names fail too."""
    failed = []
    for name, limit in thresholds.items():
        key = find_metric(metrics, name)
        if key is None:
            failed.append(name)
            continue
        value = metrics[key]
        if (value > limit) if key.lower() in LOWER_IS_BETTER else (value < limit):
            failed.append(name)
    return failed


def format_table(report: ScoreReport) -> str:
    """Metric | score | 95% CI | signature, aligned for the terminal."""
    rows = [("metric", "score", "95% CI", "signature")]
    for name, value in report.metrics.items():
        lo, hi = report.ci.get(name, (float("nan"), float("nan")))
        rows.append((name, f"{value:.2f}", f"[{lo:.2f}, {hi:.2f}]", report.signature.get(name, "")))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip() for r in rows]
    lines.insert(1, "-" * max(len(line) for line in lines))
    lines.append(f"n = {report.n} ({report.task}, {report.lang})")
    lines.extend(f"note: {note}" for note in report.notes)
    return "\n".join(lines)
