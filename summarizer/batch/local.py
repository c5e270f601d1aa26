"""Local batch execution: read inputs, run the pipeline in batches, stream records out, resume after a kill."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterator

from summarizer import progress
from summarizer.config import Settings
from summarizer.document import Result
from summarizer.errors import InputError
from summarizer.prepare.ingest import document_id, expand_paths, read_one
from summarizer.batch.sink import JsonlSink
from summarizer.pipeline import Pipeline, build_pipeline
from summarizer.prepare import prepare_articles

log = logging.getLogger(__name__)
BATCH_ARTICLES = 16  # articles gathered before the engine stages run, so segments batch across articles


def error_record(doc_id: str, source_file: str, message: str) -> dict:
    return {"id": doc_id, "source_file": source_file, "error": message}


def iter_pending(
    inputs: list[tuple[str, Path | None]], paths: list[str], settings: Settings, done: set[str]
) -> Iterator[tuple[list[Result], list[dict]]]:
    """Once per input: the results still to compute and error records. Articles already done are skipped."""
    for name, path in inputs:
        doc_id = document_id(name, path, paths)
        pending: list[Result] = []
        errors: list[dict] = []
        if doc_id not in done:
            try:
                for doc in read_one(name, path, doc_id, settings.max_bytes):
                    if doc.id in done:
                        continue
                    try:
                        pending += [Result(article=a) for a in prepare_articles(doc) if a.id not in done]
                    except InputError as exc:
                        errors.append(error_record(doc.id, doc.source_file, str(exc)))
            except InputError as exc:
                errors.append(error_record(doc_id, name, str(exc)))
        yield pending, errors


class RecordCounts:
    """Records written, by outcome, and the sink they go to."""

    def __init__(self, sink: JsonlSink):
        self.sink, self.ok, self.failed = sink, 0, 0

    def write(self, record: dict) -> None:
        self.sink.write(record)
        if record.get("error"):
            self.failed += 1
            log.warning("%s: %s", record.get("id"), record["error"])
        else:
            self.ok += 1


def run_batch(paths: list[str], settings: Settings, out: Path | None, resume: bool = False,
              pipeline: Pipeline | None = None) -> int:
    """Exit code: 0 all good, 1 some inputs failed, 2 nothing could be processed.

    Every input is read and prepared before the model starts, so that the job's `progress.current()` tracker (the
    CLI's bar) knows every article and its size: the time left is priced in tokens from the first step on."""
    inputs = [(name, path) for name, path in expand_paths(paths)
              if out is None or path is None or path.resolve() != out.resolve()]
    if not inputs:
        raise InputError("no input files found")
    pipeline = pipeline or build_pipeline(settings)
    single = len(inputs) == 1
    with JsonlSink(out, resume=resume) as sink:
        counts = RecordCounts(sink)
        files = list(iter_pending(inputs, paths, settings, sink.done))
        tracker = progress.current()
        if tracker is not None:
            tracker.expect(pipeline.workload(), [pipeline.size(r) for pending, _ in files for r in pending])
        buffer: list[Result] = []
        for pending, errors in files:
            if single and errors and not sink.done and not pending:
                raise InputError(errors[0]["error"])
            for error in errors:
                counts.write(error)
            buffer.extend(pending)
            if len(buffer) >= BATCH_ARTICLES:
                _flush(buffer, pipeline, counts)
        _flush(buffer, pipeline, counts)
    if counts.failed and not counts.ok and not sink.done:
        return 2
    return 1 if counts.failed else 0


def _flush(buffer: list[Result], pipeline: Pipeline, counts: RecordCounts) -> None:
    """Run the pipeline over the gathered articles and write their records as they finish."""
    if buffer:
        for r in pipeline.run(buffer):
            counts.write(r.to_record())
    buffer.clear()
