"""The editor's loop on the command line (registered on the main app by `register`):

    summarizer corrections add|list|remove|export|import      sentence pairs that outrank the model
    summarizer glossary add|list|remove|export|import         the newsroom glossary (prompts and checks)
    summarizer history [QUERY] [--show ID] [--save RECORDS.jsonl]     (and `summarizer run --out F --history`)
    summarizer export RECORDS.jsonl --format docx|md|json --out DIR

All of it lives in the translation memory's database (`summarizer cache stats` shows where; BISUM_MEMORY moves it).
"""
from __future__ import annotations

import getpass
import json
import logging
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Callable, Iterator, Optional

import typer

from summarizer.editor import corrections, glossary, history
from summarizer.editor.db import open_db
from summarizer.editor.export import EXPORT_FORMATS, export_records
from summarizer.editor.formats import FORMATS, dump, format_of, load
from summarizer.editor.pairs import Pair, guess_direction
from summarizer.errors import InputError

log = logging.getLogger(__name__)
Format = Enum("Format", {n: n for n in FORMATS}, type=str)
ExportFormat = Enum("ExportFormat", {n: n for n in EXPORT_FORMATS}, type=str)

corrections_app = typer.Typer(no_args_is_help=True, help="Editors' corrections: sentence pairs that outrank the model.")
glossary_app = typer.Typer(no_args_is_help=True, help="The newsroom glossary: terms every prompt and check uses.")

FROM = typer.Option(None, "--from", help="Source language, zh or en [default: guessed from the text].")
TO = typer.Option(None, "--to", help="Target language [default: the other one].")
WHO = typer.Option(None, "--who", help="Who made it [default: your login name].")
FORMAT = typer.Option(None, "--format", help="tsv, jsonl or tmx [default: from the file's extension].")


def register(app: typer.Typer) -> None:
    """Add the editor's commands to the main CLI."""
    app.add_typer(corrections_app, name="corrections")
    app.add_typer(glossary_app, name="glossary")
    app.command("history")(history_cmd)
    app.command("export")(export_cmd)


def _who(who: str | None) -> str | None:
    if who:
        return who
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 -- no login name (containers): anonymous
        return None


def _direction(text: str, source: str | None, target: str | None) -> tuple[str, str]:
    guessed = guess_direction(text)
    source = source or guessed[0]
    return source, target or ("en" if source.lower().startswith("zh") else "zh")


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    p = Path(path)
    if not p.is_file():
        raise InputError(f"not found: {path}")
    return p.read_text("utf-8-sig")


def _write(path: str, text: str) -> None:
    if path == "-":
        sys.stdout.write(text)
    else:
        Path(path).write_text(text, "utf-8")


def _echo_pairs(pairs: list[Pair], as_json: bool) -> None:
    for p in pairs:
        typer.echo(json.dumps(p.to_dict(), ensure_ascii=False) if as_json else
                   f"{p.source}->{p.target}\t{p.text}\t{p.translation}\t{p.who or ''}")


@dataclass(frozen=True)
class PairStore:
    """One kind of editor pairs (corrections, glossary terms) as the CLI sees it."""

    kind: str  # "correction" | "term"
    add_many: Callable  # (db, pairs, who) -> kept pairs
    listed: Callable  # (db, source, target) -> pairs
    remove: Callable  # (db, text, source, target) -> removed?
    missing: str  # the error when remove finds nothing, e.g. "no correction of"


def pair_commands(app: typer.Typer, store: PairStore, listing: str, adding: str) -> None:
    """add / list / remove / export / import for one kind of pair (the same five verbs for both kinds)."""

    @app.command("add")
    def add(text: str = typer.Argument(..., help=f"The source {store.kind}."),
            translation: str = typer.Argument(..., help="Its translation."),
            source: Optional[str] = FROM, target: Optional[str] = TO, who: Optional[str] = WHO) -> None:
        source, target = _direction(text, source, target)
        [pair] = store.add_many(open_db(), [Pair(text, translation, source, target)], _who(who))
        typer.echo(f"kept: {pair.text} => {pair.translation}")

    @app.command("list")
    def listed(source: Optional[str] = FROM, target: Optional[str] = TO,
               as_json: bool = typer.Option(False, "--json", help="One JSON object a line.")) -> None:
        _echo_pairs(store.listed(open_db(), source, target), as_json)

    @app.command("remove")
    def remove(text: str = typer.Argument(...), source: Optional[str] = FROM, target: Optional[str] = TO) -> None:
        source, target = _direction(text, source, target)
        if not store.remove(open_db(), text, source, target):
            raise InputError(f"{store.missing} {text!r} ({source}->{target})")
        typer.echo("removed")

    @app.command("export")
    def export(path: str = typer.Argument(..., help="File to write, or - for stdout."),
               fmt: Optional[Format] = FORMAT) -> None:
        pairs = store.listed(open_db(), None, None)
        _write(path, dump(pairs, format_of(path, fmt.value if fmt else ("tsv" if path == "-" else None)), kind=store.kind))
        log.info("exported %d %s(s)", len(pairs), store.kind)

    @app.command("import")
    def import_(path: str = typer.Argument(..., help="TSV, JSONL or TMX file, or - for stdin."),
                fmt: Optional[Format] = FORMAT, who: Optional[str] = WHO) -> None:
        pairs = load(_read(path), format_of(path, fmt.value if fmt else ("tsv" if path == "-" else None)))
        typer.echo(f"imported {len(store.add_many(open_db(), pairs, _who(who)))} {store.kind}(s)")

    for command, doc in zip((add, listed, remove, export, import_), (
            adding, listing, f"Forget a {store.kind}.", f"Write every {store.kind} as TSV, JSONL or TMX 1.4.",
            f"Add the {store.kind}s of a file (TMX from a CAT tool, or an export); each replaces its earlier one.")):
        command.__doc__ = doc


pair_commands(corrections_app, PairStore("correction", corrections.add_corrections, corrections.list_corrections,
                                         corrections.remove_correction, "no correction of"),
              "Every correction (direction, source, translation, who).",
              "Keep a corrected sentence: from now on every translation of it is this one.")
pair_commands(glossary_app, PairStore("term", glossary.add_terms, glossary.list_terms,
                                      lambda db, text, source, target: glossary.remove_term(db, text, source, target),
                                      "no glossary entry"),
              "The newsroom glossary.", "Add (or change) a term: every later run puts it into prompts and checks.")


# --- history and export --------------------------------------------------------------------------------------------
def history_cmd(query: Optional[str] = typer.Argument(None, help="Words in the title or text (Chinese too)."),
                limit: int = typer.Option(20, min=1, max=1000), show: Optional[int] = typer.Option(
                    None, "--show", help="Print this entry's whole record (JSON)."),
                save: Optional[Path] = typer.Option(None, "--save", help="Save the records of a `summarizer run` "
                                                                          "output (JSONL) to the history."),
                as_json: bool = typer.Option(False, "--json", help="One JSON object a line.")) -> None:
    """List or search the articles processed on the page and the API (and runs saved with --save)."""
    db = open_db()
    if save is not None:
        ids = history.save_records(db, _records(save), origin="cli", who=_who(None))
        typer.echo(f"saved {len(ids)} article(s) to the history")
        return
    if show is not None:
        entry = history.history_entry(db, show)
        if entry is None:
            raise InputError(f"no article {show} in the history")
        typer.echo(json.dumps(entry.to_dict(), ensure_ascii=False, indent=2))
        return
    for e in history.search_history(db, query, limit):
        data = e.to_dict()
        typer.echo(json.dumps(data, ensure_ascii=False) if as_json else
                   f"{e.id}\t{data['when']}\t{e.origin or ''}\t{e.flags} flag(s)\t{e.title or e.snippet}")


@contextmanager
def saved_to_history(out: Path | None, enabled: bool) -> Iterator[None]:
    """`summarizer run --history`: the records the run adds to `out` go to the history when it ends."""
    if not enabled:
        yield
        return
    if out is None:
        raise InputError("--history needs --out FILE")
    before = _line_count(out)
    yield
    records = _records(out)[before:] if out.is_file() else []
    ids = history.save_records(open_db(), records, origin="cli", who=_who(None))
    log.info("saved %d article(s) to the history", len(ids))


def _line_count(path: Path) -> int:
    if not path.is_file():
        return 0
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


def export_cmd(records: Path = typer.Argument(..., help="JSONL from `summarizer run` (or `summarizer history --show`)."),
               fmt: ExportFormat = typer.Option(ExportFormat.docx, "--format", help="docx, md or json."),
               out: Path = typer.Option(Path("."), "--out", "-o", help="Folder for the files (one per article).")) -> None:
    """One document per article: summary, translation, a bilingual side-by-side table and the open flags."""
    written = export_records(_records(records), fmt.value, out)
    for path in written:
        typer.echo(str(path))


def _records(path: Path) -> list[dict]:
    text = _read(str(path))
    try:
        if text.lstrip().startswith("{") and "\n{" not in text.strip():
            data = json.loads(text)
            return [data.get("record", data)]  # one record, or a `history --show` entry
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError as exc:
        raise InputError(f"{path}: not JSONL records: {exc}") from None
