"""Command line: `summarizer run|summarize|translate|check|score|eval|models|cache|serve|doctor`, over `summarizer.api`.

Flags left out are None, so the BISUM_* environment (and then the defaults) decide: defaults < environment < flags.
"""
from __future__ import annotations

import logging
import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from summarizer import api
from summarizer.apps import editor_cli, models_cli
from summarizer.apps.quality_options import quality_options
from summarizer.apps.remote_options import remote_options
from summarizer.config import Settings, debug_enabled
from summarizer.engines import ENGINE_NAMES
from summarizer.errors import BisumError, InputError

app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
    help="bisum: clean, split, summarize and translate Chinese/English news; check faithfulness; score against references.",
)
editor_cli.register(app)  # corrections, glossary, history, export
models_cli.register(app)  # models, cache, doctor

EngineName = Enum("EngineName", {n: n for n in ENGINE_NAMES}, type=str)  # the registry is the one source
Target = Enum("Target", {n: n for n in ("auto", "en", "zh", "none")}, type=str)
TranslateMode = Enum("TranslateMode", {n: n for n in ("summary", "full", "none")}, type=str)
Task = Enum("Task", {n: n for n in ("summarization", "translation")}, type=str)
EvalTask = Enum("EvalTask", {n: n for n in ("summarization", "translation", "checks")}, type=str)
D = Settings()  # defaults, shown in --help


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (tests and tqdm swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def setup_logging(debug: bool) -> None:
    """Library code logs; the CLI shows INFO and up on stderr as `bisum: message` (DEBUG with --debug)."""
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("bisum: %(message)s"))
    root = logging.getLogger("summarizer")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    root.propagate = False


@app.callback()
def _root(debug: bool = typer.Option(False, "--debug", help="Show debug logs and full tracebacks on errors.")) -> None:
    setup_logging(debug or debug_enabled())


def _glossary(path: Path | None) -> str | None:
    return str(path) if path else None


QUIET = typer.Option(False, "--quiet", "-q", help="No progress on stderr, and only warnings and errors.")


def _quiet_logs(quiet: bool) -> None:
    """--quiet: warnings and errors only (--debug still shows everything)."""
    logger = logging.getLogger("summarizer")
    if quiet and logger.getEffectiveLevel() == logging.INFO:
        logger.setLevel(logging.WARNING)


def _progress(quiet: bool, unit: str = "articles"):
    """The job's progress on stderr, never stdout: a bar on a terminal, else a log line every 10 s, with the time
    left priced in tokens; --quiet shows none."""
    _quiet_logs(quiet)
    from summarizer.apps.progress_bar import shown

    return shown(enabled=not quiet, unit=unit)


@app.command()
@quality_options
@remote_options
def run(
    paths: List[str] = typer.Argument(..., help="Files, folders (recursive) or - for stdin. Text, Markdown, HTML, JSONL, .docx."),
    engine: Optional[EngineName] = typer.Option(None, help=f"Summarization engine [default: {D.engine}]."),
    translator: Optional[EngineName] = typer.Option(None, help="Translation engine when --engine cannot translate."),
    model: Optional[str] = typer.Option(None, help="Model name from `summarizer models list`, a hub id or a local path."),
    to: Optional[Target] = typer.Option(None, "--to", help=f"Target language; auto = the other one [default: {D.to}]."),
    translate: Optional[TranslateMode] = typer.Option(None, help=f"What to translate [default: {D.translate}]."),
    summary_length: Optional[int] = typer.Option(None, "--summary-length", help=f"Sentences [default: {D.summary_sentences}]."),
    summary_chars: Optional[int] = typer.Option(None, help="Character budget for extractive summaries."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="JSONL output (default: stdout)."),
    resume: bool = typer.Option(False, help="Skip articles already in --out and append the rest."),
    glossary: Optional[Path] = typer.Option(None, help="zh<->en term list (TSV or CSV) for prompts and checks."),
    check: Optional[bool] = typer.Option(None, "--check/--no-check", help="Run faithfulness checks [default: on]."),
    repair: Optional[bool] = typer.Option(None, "--repair/--no-repair", help="Repair what the checks flag [default: on]."),
    cache: Optional[bool] = typer.Option(None, "--cache/--no-cache", help="Use the translation memory [default: on]."),
    batch_size: Optional[int] = typer.Option(None, help=f"Segments per generate call [default: {D.batch_size}]."),
    max_bytes: Optional[int] = typer.Option(None, help=f"Size limit per document [default: {D.max_bytes}]."),
    executor: str = typer.Option("local", help="local, or ray to run on Ray Data (pip install 'bisum[ray]')."),
    ray_address: Optional[str] = typer.Option(None, help="Ray cluster address (default: start Ray locally)."),
    workers: int = typer.Option(1, min=1, help="Ray actors per model."),
    history: bool = typer.Option(False, "--history", help="Also save the new records to `summarizer history` (needs --out)."),
    quiet: bool = QUIET,
    quality_flags: dict = None,
    remote_flags: dict = None,
) -> None:
    """Run the whole pipeline over articles and write one JSONL record per article."""
    settings = api.settings(
        engine=engine, translator=translator, model=model, to=to, translate=translate, summary_sentences=summary_length,
        summary_chars=summary_chars, glossary=_glossary(glossary), check=check, repair=repair, cache=cache,
        batch_size=batch_size, max_bytes=max_bytes, **quality_flags, **remote_flags,
    )
    if resume and out is None:
        raise InputError("--resume needs --out FILE")
    if executor not in ("local", "ray"):
        raise InputError(f"unknown executor {executor!r}: use local or ray")
    if executor == "ray":
        from summarizer.batch.distributed import run_ray

        _quiet_logs(quiet)
        raise typer.Exit(run_ray(paths, settings, out, resume=resume, address=ray_address, workers=workers))
    from summarizer.batch.local import run_batch

    with _progress(quiet), editor_cli.saved_to_history(out, history):
        code = run_batch(paths, settings, out, resume=resume)
    raise typer.Exit(code)


@app.command()
@quality_options
@remote_options
def summarize(
    source: str = typer.Argument(..., help="Text, a file, or - for stdin."),
    engine: Optional[EngineName] = typer.Option(None),
    model: Optional[str] = typer.Option(None),
    length: Optional[int] = typer.Option(None, "--length", "-n", help=f"Sentences [default: {D.summary_sentences}]."),
    to: Target = typer.Option(Target.none, "--to", help="Also translate the summary (auto = the other language)."),
    max_bytes: Optional[int] = typer.Option(None),
    quiet: bool = QUIET,
    quality_flags: dict = None,
    remote_flags: dict = None,
) -> None:
    """Print a summary of each article in the input."""
    settings = api.settings(engine=engine, model=model, summary_sentences=length, to=to, translate="summary",
                            check=False, max_bytes=max_bytes, **quality_flags, **remote_flags)
    with _progress(quiet):
        results = api.process(source, settings)
    for r in results:
        if r.error:
            raise BisumError(r.error)
        if len(results) > 1:
            typer.echo(f"## {r.article.title or r.article.id}")
        typer.echo(r.summary or "")
        if r.summary_translated:
            typer.echo(r.summary_translated)
        if len(results) > 1:
            typer.echo("")


@app.command("translate")
@quality_options
@remote_options
def translate_cmd(
    source: str = typer.Argument(..., help="Text, a file, or - for stdin."),
    from_lang: str = typer.Option("auto", "--from", help="zh, en or auto."),
    to: Target = typer.Option(Target.auto, "--to"),
    engine: Optional[EngineName] = typer.Option(None),
    model: Optional[str] = typer.Option(None),
    glossary: Optional[Path] = typer.Option(None),
    max_bytes: Optional[int] = typer.Option(None),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write {'checks': [...]} here instead of stderr."),
    quiet: bool = QUIET,
    quality_flags: dict = None,
    remote_flags: dict = None,
) -> None:
    """Print the translation of the input line by line, checked and repaired exactly as the HTTP API's /translate
    does; the flags go to stderr (or to --json)."""
    settings = api.settings(engine=engine, model=model, glossary=_glossary(glossary), max_bytes=max_bytes, **quality_flags,
                            **remote_flags)
    with _progress(quiet):
        [result] = api.translate(source, settings, from_lang, to.value)
    if result.error:
        raise BisumError(result.error)
    typer.echo(result.translation or "")
    _report_checks(result.checks, json_out)


def _report_checks(found: list, json_out: Path | None) -> None:
    """Flags of a translation: to --json when given, else one line each on stderr."""
    from summarizer.batch.sink import atomic_write_json
    from summarizer.checks.report import check_lines, checks_to_json

    if json_out:
        atomic_write_json(json_out, checks_to_json(found))
        return
    for line in check_lines(found):
        typer.echo(line, err=True)


@app.command("check")
def check_cmd(
    source: str = typer.Option(..., "--source", help="Source text or file."),
    translation: str = typer.Option(..., "--translation", help="Translation text or file."),
    from_lang: str = typer.Option("zh", "--from"),
    to_lang: str = typer.Option("en", "--to"),
    glossary: Optional[Path] = typer.Option(None),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write {'checks': [...]} here."),
    strict: bool = typer.Option(False, help="Exit 1 when an error-level check fires."),
) -> None:
    """Check a translation against its source: numbers, terms, omissions, untranslated spans, repetition."""
    from summarizer.batch.sink import atomic_write_json
    from summarizer.checks import check_translation, checks_to_json
    from summarizer.prepare.ingest import read_text_arg
    from summarizer.terms.glossary import load_glossary

    if {from_lang, to_lang} != {"zh", "en"}:
        raise InputError("--from and --to must be zh and en (either order)")
    settings = api.settings(glossary=_glossary(glossary))  # BISUM_* (glossary, size limit) as every command reads it
    src, tgt = (read_text_arg(text, settings.max_bytes)[0] for text in (source, translation))
    found = check_translation(src, tgt, from_lang, to_lang,
                              glossary=load_glossary(settings.glossary, settings.use_default_glossary))
    from summarizer.checks.report import check_lines

    for line in check_lines(found):
        typer.echo(line)
    if json_out:
        atomic_write_json(json_out, checks_to_json(found))
    if strict and any(c.severity == "error" for c in found):
        raise typer.Exit(1)


@app.command()
def score(
    task: Task = typer.Option(..., help="summarization (ROUGE) or translation (BLEU, chrF, TER)."),
    pred: Path = typer.Option(..., "--pred", help='JSONL lines {"id","prediction","reference","lang"}.'),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write metrics, signature and per-item scores here."),
    tokenize: Optional[str] = typer.Option(None, help="ROUGE tokens: char (Chinese default), jieba, porter (English default), word."),
    embedding: bool = typer.Option(False, help="Add cross-lingual embedding similarity (multilingual-e5-small, offline)."),
) -> None:
    """Score predictions against references."""
    from summarizer.batch.sink import atomic_write_json
    from summarizer.evaluation.scoring import format_table, score_file

    report = score_file(pred, task.value, tokenize=tokenize, embedding=embedding)
    typer.echo(format_table(report))
    if json_out:
        atomic_write_json(json_out, report.to_json())


def _thresholds(values: List[str]) -> dict[str, float]:
    out = {}
    for item in values:
        name, _, value = item.partition("=")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise InputError(f"--fail-under takes metric=value, got {item!r}") from None
    return out


@app.command("eval")
@quality_options
@remote_options
def eval_cmd(
    task: EvalTask = typer.Option(..., help="summarization (ROUGE), translation (BLEU, chrF, TER) or checks (the checks on "
                                            "human references, clean and with one known error each)."),
    data: str = typer.Option(..., help="Short name (lcsts, cnndm, xsum, flores-zh-en, flores-en-zh, wmt19-zh-en, wmt19-en-zh, cls-en-zh; "
                                       "for checks: checks-flores-dev, checks-flores-heldout, checks-wmt19-dev, checks-wmt19-heldout, "
                                       "checks-dev, checks-heldout) or a JSONL path."),
    engine: str = typer.Option("auto", help="auto, extractive, lead, lead-N, llm, llamacpp, seq2seq."),
    model: Optional[str] = typer.Option(None),
    limit: Optional[int] = typer.Option(None, min=1),
    summary_length: Optional[int] = typer.Option(None, "--summary-length", min=1, help="Summary sentences (default: per set)."),
    repair: bool = typer.Option(True, "--repair/--no-repair", help="Check and repair as `run` does; --no-repair scores the raw model."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for the resumable prediction cache (default .eval-cache)."),
    json_out: Optional[Path] = typer.Option(None, "--json"),
    report: Optional[Path] = typer.Option(None, "--report", help="Write report.md and report.html here."),
    fail_under: List[str] = typer.Option([], "--fail-under", help="metric=value; exit 1 when a metric is worse."),
    tokenize: Optional[str] = typer.Option(None, help="ROUGE tokens for Chinese: char (default) or jieba."),
    embedding: bool = typer.Option(False, help="Add cross-lingual embedding similarity."),
    quiet: bool = QUIET,
    quality_flags: dict = None,
    remote_flags: dict = None,
) -> None:
    """Run the system on an evaluation set and score it (resumable, cached)."""
    from summarizer.batch.sink import atomic_write_json
    from summarizer.evaluation.runner import run_eval
    from summarizer.evaluation.scoring import format_table

    if task.value == "checks":
        return _eval_checks(data, limit, report, json_out, fail_under)
    settings = api.settings(model=model, repair=repair, check=repair, **quality_flags, **remote_flags)
    with _progress(quiet, unit="texts"):
        result = run_eval(
            task=task.value, data=data, engine=engine, limit=limit, settings=settings, out_dir=out, report_dir=report,
            fail_under=_thresholds(fail_under), sentences=summary_length, tokenize=tokenize, embedding=embedding,
        )
    typer.echo(format_table(result.report))
    if result.check_rates:
        typer.echo("check rates (share of items): " + ", ".join(f"{k} {100 * v:.1f}%" for k, v in result.check_rates.items()))
    if json_out:
        atomic_write_json(json_out, result.to_json())
    if report:
        typer.echo(f"report: {report / 'report.html'}")
    if result.failed:
        logging.getLogger("summarizer").error("below threshold: %s", ", ".join(result.failed))
        raise typer.Exit(1)


def _eval_checks(data: str, limit: Optional[int], report: Optional[Path], json_out: Optional[Path],
                 fail_under: List[str]) -> None:
    """`eval --task checks`: false alarms and catch rates of the checks (summarizer.evaluation.checks_benchmark)."""
    from summarizer.batch.sink import atomic_write_json
    from summarizer.evaluation.checks_benchmark import format_table, run_checks_benchmark

    result = run_checks_benchmark(data, limit=limit, report_dir=report, thresholds=_thresholds(fail_under))
    typer.echo(format_table(result))
    if json_out:
        atomic_write_json(json_out, result.to_json())
    if report:
        typer.echo(f"report: {report / 'checks.md'}")
    if result.failed:
        logging.getLogger("summarizer").error("below threshold: %s", "; ".join(result.failed))
        raise typer.Exit(1)


@app.command()
@quality_options
@remote_options
def serve(
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(7860),
    engine: EngineName = typer.Option(EngineName.extractive, help="Default summarizer on the page (the model translates)."),
    api_key: Optional[str] = typer.Option(None, "--api-key", help="Require this key on the HTTP API [env: BISUM_API_KEY]."),
    request_timeout: Optional[float] = typer.Option(None, "--request-timeout", help="Seconds one request may take."),
    model: Optional[str] = typer.Option(None, help="Registry name or GGUF path, or the model's name on --base-url."),
    quality_flags: dict = None,
    remote_flags: dict = None,
) -> None:
    """Serve the editors' page, its gradio_client API and the LibreTranslate-compatible HTTP API (one process).
    --quality and the method flags are the defaults of the page and of both APIs; a request may choose its level."""
    # the one base of every request: defaults < BISUM_* environment < these flags (validated: a bad value is one line)
    base = api.settings(engine=engine.value, model=model, api_key=api_key, request_timeout=request_timeout,
                        **quality_flags, **remote_flags)
    if base.engine == "openai" or base.openai_base_url:  # a server that is down is reported now, not at a request
        from summarizer.engines import get_engine

        get_engine("openai", base)
    from summarizer.apps.web import launch

    launch(base, host=host, port=port)


def main(argv: list[str] | None = None) -> None:
    """Entry point: one clear line on stderr and a non-zero exit for every error, unless --debug."""
    debug = "--debug" in (argv if argv is not None else sys.argv) or debug_enabled()
    try:
        code = app(args=argv, standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except BisumError as exc:
        if debug:
            raise
        typer.echo(f"bisum: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("bisum: interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:
        _unexpected(exc, debug)


def _unexpected(exc: Exception, debug: bool) -> None:
    if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # click usage errors (typer vendors click)
        exc.show()
        sys.exit(exc.exit_code)
    if exc.__class__.__name__ == "Abort":
        typer.echo("bisum: aborted", err=True)
        sys.exit(130)
    if debug:
        raise exc
    typer.echo(f"bisum: internal error: {exc.__class__.__name__}: {exc} (run with --debug for the traceback)", err=True)
    sys.exit(70)
