"""The prediction cache: one append-only JSONL per evaluated system, written item by item, safe to kill.

A file is named `<set>__<task>__<system>__<model>__<key>.jsonl`, where `key` hashes every setting that changes
what the system outputs (the repair and check switches included). Each line is written whole, flushed and
fsynced as soon as its batch finishes; a torn last line from a killed run is dropped on the next load, and items
already in the file are never predicted again (unless their line records an error), so an interrupted eval
resumes where it stopped.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any, Callable, Sequence

from summarizer.config import Settings
from summarizer.evaluation.datasets import EvalItem

DEFAULT_OUT_DIR = Path(".eval-cache")
# Settings that decide which system runs, beside `Settings.output_options()` (what changes the generated text).
SYSTEM_FIELDS = ("engine", "translator", "model", "to", "translate", "check", "repair")

PredictBatch = Callable[[list[EvalItem]], list[dict]]


def batches(items: Sequence[EvalItem], size: int,
            together: Callable[[EvalItem], Any] | None = None) -> list[list[EvalItem]]:
    """Runs of `size` items; a run goes on past `size` while consecutive items share a `together` key (not None)."""
    runs: list[list[EvalItem]] = []
    last = None
    for item in items:
        key = together(item) if together else None
        if runs and (len(runs[-1]) < size or (key is not None and key == last)):
            runs[-1].append(item)
        else:
            runs.append([item])
        last = key
    return runs


def system_key(settings: Settings, **extra: Any) -> str:
    """A short hash of everything that changes the predictions: output options, engines, check and repair."""
    chosen = {name: getattr(settings, name) for name in SYSTEM_FIELDS}
    blob = json.dumps({**settings.output_options(), **chosen, **extra}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:10]


def _slug(text: str | None) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text or "none").strip("-")[:60] or "none"


def cache_path(out_dir: Path | None, *parts: str | None) -> Path:
    """`<out_dir>/<part>__<part>__....jsonl`, each part reduced to file-name-safe characters."""
    return Path(out_dir or DEFAULT_OUT_DIR) / ("__".join(_slug(p) for p in parts) + ".jsonl")


class PredictionCache:
    """An append-only JSONL of {"id", "prediction", "seconds", ...}, safe against being killed mid-write."""

    def __init__(self, path: Path):
        self.path = path
        self.rows: dict[str, dict] = {}
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        good_end = 0
        for line in data.splitlines(keepends=True):
            if not line.endswith(b"\n"):
                break  # torn last line: the process died while writing it
            try:
                row = json.loads(line)
            except ValueError:
                break
            if isinstance(row, dict) and "id" in row:
                self.rows[str(row["id"])] = row
            good_end += len(line)
        if good_end < len(data):
            with open(self.path, "r+b") as handle:
                handle.truncate(good_end)

    def append(self, rows: list[dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
                self.rows[str(row["id"])] = row

    def fill(self, items: Sequence[EvalItem], predict: PredictBatch, batch_size: int, progress: bool = False,
             desc: str = "", together: Callable[[EvalItem], Any] | None = None) -> int:
        """Predict the items not cached yet (or cached with an error: those are tried again), batch by batch,
        appending each batch as it finishes (a later line for an id replaces an earlier one); the count done.
        together: a key (e.g. the document's url) that keeps consecutive items in one batch."""
        from tqdm import tqdm

        todo = [item for item in items if item.id not in self.rows or self.rows[item.id].get("error")]
        with tqdm(total=len(todo), desc=desc, unit="item", disable=not progress) as bar:
            for batch in batches(todo, batch_size, together):
                rows = predict(batch)
                if len(rows) != len(batch):
                    raise RuntimeError(f"{desc}: {len(rows)} predictions for {len(batch)} items")
                self.append([{"id": item.id, **row} for item, row in zip(batch, rows)])
                bar.update(len(batch))
        return len(todo)
