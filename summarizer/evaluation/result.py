"""What one eval run produced: the scores, the system that made them, its timings, and where things were written.

`runner.run_eval` builds it; `report.write_reports` renders it. Neither of those imports the other for it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from summarizer.evaluation.scoring import ScoreReport


@dataclass
class EvalResult:
    task: str
    data: str  # set short name or file stem
    data_path: str
    sample: bool  # scored on the committed sample, not the full set
    engine: str
    model: str | None
    model_hash: str | None
    report: ScoreReport
    thresholds: dict[str, float]
    failed: list[str]  # metrics that missed their threshold
    timings: dict[str, float]  # seconds_per_item, total_seconds (pipeline time), wall_seconds (this run), new/cached items
    check_rates: dict[str, Any] | None
    predictions_path: Path
    config: dict[str, Any]  # sentences, languages, limit, check/repair, system signature, settings
    report_paths: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "report"}
        data["predictions_path"] = str(self.predictions_path)
        data["report_paths"] = [str(p) for p in self.report_paths]
        data["scores"] = self.report.to_json()
        return data
