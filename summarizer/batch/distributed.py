"""Scale-out on Ray Data: the same pipeline in a pool of actors (one model load per actor), same records and resume."""
from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

from tqdm import tqdm

from summarizer.config import Settings
from summarizer.errors import EngineUnavailable, InputError
from summarizer.prepare.ingest import document_id, expand_paths
from summarizer.batch.local import RecordCounts
from summarizer.batch.sink import JsonlSink


class PipelineWorker:
    """A Ray actor: builds the pipeline once, then turns batches of input files into JSONL records."""

    def __init__(self, settings: dict):
        from summarizer.pipeline import build_pipeline

        self.settings = Settings(**settings)
        self.pipeline = build_pipeline(self.settings)

    def __call__(self, batch: dict) -> dict:
        from summarizer.batch.local import iter_pending

        inputs = [(n, Path(p) if p else None) for n, p in zip(batch["name"], batch["path"])]
        done = set(json.loads(batch["done"][0])) if len(batch["done"]) else set()
        records: list[str] = []
        roots = json.loads(batch["roots"][0])
        for pending, errors in iter_pending(inputs, roots, self.settings, done):
            records += [json.dumps(e, ensure_ascii=False) for e in errors]
            if pending:
                records += [json.dumps(r.to_record(), ensure_ascii=False) for r in self.pipeline.run(pending)]
        return {"record": records}


def run_ray(paths: list[str], settings: Settings, out: Path | None, resume: bool = False, address: str | None = None,
            workers: int = 1, batch_files: int = 4) -> int:
    """The local runner's contract (same records, same resume) with a pool of Ray actors doing the work."""
    inputs = [(n, p) for n, p in expand_paths(paths) if p is not None and (out is None or p.resolve() != out.resolve())]
    if not inputs:
        raise InputError("no input files found (the ray executor reads files and folders, not stdin)")
    ray = _start_ray(address)
    with JsonlSink(out, resume=resume) as sink:
        counts = RecordCounts(sink)
        todo = [(n, p) for n, p in inputs if document_id(n, p, paths) not in sink.done]
        if not todo:
            return 0
        done_json = json.dumps(sorted(sink.done))
        items = [{"name": n, "path": str(p), "roots": json.dumps(paths), "done": done_json} for n, p in todo]
        dataset = ray.data.from_items(items, override_num_blocks=max(1, len(items) // batch_files))
        records = dataset.map_batches(
            PipelineWorker, fn_constructor_kwargs={"settings": dataclasses.asdict(settings)}, batch_size=batch_files,
            concurrency=workers, num_cpus=max(1, int(ray.available_resources().get("CPU", 1)) // workers),
            batch_format="numpy",
        )
        _stream(records, sink, counts, len(todo))
    return 1 if counts.failed else 0


def _start_ray(address: str | None):
    try:
        import ray
    except ImportError as exc:
        raise EngineUnavailable("the ray executor needs Ray: pip install 'bisum[ray]'") from exc
    import logging

    logging.getLogger("ray").setLevel(logging.WARNING)
    ray.data.DataContext.get_current().enable_progress_bars = False
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False,
                 runtime_env={"env_vars": {"TOKENIZERS_PARALLELISM": "false"}})
    return ray


def _stream(records, sink: JsonlSink, counts: RecordCounts, files: int) -> None:
    """Write the actors' records as they arrive, skipping any that a retried task repeats."""
    bar = tqdm(total=files, unit="file", file=sys.stderr, dynamic_ncols=True)
    seen_files: set[str] = set()
    for row in records.iter_rows():
        record = json.loads(row["record"])
        if str(record.get("id")) in sink.done:
            continue
        counts.write(record)
        src = str(record.get("source_file", "")).split(":")[0]
        if src not in seen_files:
            seen_files.add(src)
            bar.update(1)
    bar.close()
