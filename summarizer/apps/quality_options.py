"""The translation-quality flags (`--quality` and one per method), added once to every command that runs the model."""
from __future__ import annotations

import functools
import inspect
from typing import Optional

import typer

from summarizer.config import Settings
from summarizer.engines.quality import LEVELS, describe
from summarizer.rerank import SCORERS

D = Settings()  # defaults, shown in --help
LEVEL = "[default: the level's]"
QUALITY_OPTIONS = {  # Settings field: (type, option); --quality is a string so that a bad level is one error line
    "quality": (Optional[str], typer.Option(None, metavar="<" + "|".join(LEVELS) + ">", help=(
        f"Translation quality: {'; '.join(describe(level) for level in LEVELS)} [default: {D.quality}]."))),
    "candidates": (Optional[int], typer.Option(None, help=f"Translations per segment; the best is kept {LEVEL}.")),
    "rerank": (Optional[str], typer.Option(None, metavar="<list>", help=(
        f"Scorers choosing the best candidate: comma list of {', '.join(SCORERS)}, or none {LEVEL}."))),
    "doc_context": (Optional[bool], typer.Option(None, "--context/--no-context", help=(
        f"Give each segment the title and the previous segment with its translation {LEVEL}."))),
    "examples": (Optional[int], typer.Option(None, help=f"Few-shot example pairs before each segment {LEVEL}.")),
}


def quality_options(command):
    """Adds --quality and the method flags to a command, which gets them as `quality_flags` for api.settings()."""
    own = [p for p in inspect.signature(command).parameters.values() if p.name != "quality_flags"]
    params = own + [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=o, annotation=t)
                    for n, (t, o) in QUALITY_OPTIONS.items()]

    @functools.wraps(command)
    def wrapper(**kwargs):
        flags = {name: kwargs.pop(name) for name in QUALITY_OPTIONS}
        return command(**kwargs, quality_flags=flags)

    wrapper.__signature__ = inspect.Signature(params)
    wrapper.__annotations__ = {p.name: p.annotation for p in params}  # typer reads both
    return wrapper
