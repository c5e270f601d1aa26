"""Local batch execution: read inputs, run the pipeline in batches, stream records out, resume after a kill."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

from tqdm import tqdm

from .config import Settings
from .document import Result
from .errors import BisumError, InputError
from .ingest import document_id, expand_paths, read_one, read_text_arg
from .output import JsonlSink
from .pipeline import Pipeline, articles_of, build_pipeline, source_language

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
                        pending += [Result(article=a) for a in articles_of(doc) if a.id not in done]
                    except InputError as exc:
                        errors.append(error_record(doc.id, doc.source_file, str(exc)))
            except InputError as exc:
                errors.append(error_record(doc_id, name, str(exc)))
        yield pending, errors


def run_batch(paths: list[str], settings: Settings, out: Path | None, resume: bool = False, pipeline: Pipeline | None = None) -> int:
    """Exit code: 0 all good, 1 some inputs failed, 2 nothing could be processed."""
    inputs = [(name, path) for name, path in expand_paths(paths) if out is None or path is None or path.resolve() != out.resolve()]
    if not inputs:
        raise InputError("no input files found")
    pipeline = pipeline or build_pipeline(settings)
    ok = failed = 0
    single = len(inputs) == 1
    with JsonlSink(out, resume=resume) as sink:
        bar = tqdm(total=len(inputs), unit="file", file=sys.stderr, disable=single, dynamic_ncols=True)
        buffer: list[Result] = []

        def flush() -> None:
            nonlocal ok, failed
            if not buffer:
                return
            for r in pipeline.run(buffer):
                sink.write(r.to_record())
                if r.error:
                    failed += 1
                    tqdm.write(f"bisum: {r.article.id}: {r.error}", file=sys.stderr)
                else:
                    ok += 1
            buffer.clear()

        for pending, errors in iter_pending(inputs, paths, settings, sink.done):
            for error in errors:
                if single and not sink.done and not pending:
                    raise InputError(error["error"])
                sink.write(error)
                failed += 1
                tqdm.write(f"bisum: {error['error']}", file=sys.stderr)
            buffer.extend(pending)
            if len(buffer) >= BATCH_ARTICLES:
                flush()
            bar.update(1)
        flush()
        bar.close()
    if failed and not ok and not sink.done:
        return 2
    return 1 if failed else 0


def results_for_text(source: str, settings: Settings) -> list[Result]:
    """Run the pipeline on one TEXT|FILE|- argument."""
    from .ingest import documents_from_bytes

    text, name = read_text_arg(source, settings.max_bytes)
    if name == "<text>":
        docs = documents_from_bytes(text.encode("utf-8"), name, "text", settings.max_bytes)
    else:
        docs = documents_from_bytes(text.encode("utf-8"), name, Path(name).stem if name != "-" else "stdin", settings.max_bytes)
    pipeline = build_pipeline(settings)
    return pipeline.process(docs)


def translate_text(source: str, settings: Settings, from_lang: str, to: str) -> str:
    """Clean the input and translate it paragraph by paragraph (titles included)."""
    from .ingest import documents_from_bytes

    text, name = read_text_arg(source, settings.max_bytes)
    docs = documents_from_bytes(text.encode("utf-8"), name, "text", settings.max_bytes)
    settings = settings.with_(to=to, translate="full", check=False)
    pipeline = build_pipeline(settings)
    out: list[str] = []
    for doc in docs:
        for article in articles_of(doc):
            lang = from_lang if from_lang != "auto" else source_language(article)
            target = to if to not in ("auto", "none") else {"zh": "en", "en": "zh"}.get(lang)
            if target is None or target == lang:
                raise BisumError(f"nothing to translate: source is {lang}, target is {to}")
            paragraphs = ([article.title] if article.title else []) + article.paragraphs
            out.append("\n\n".join(pipeline.translator.translate(paragraphs, lang, target)))
    return "\n\n".join(out)
