"""The package's layers hold: `lint-imports` checks the contracts declared in pyproject.toml ([tool.importlinter]).

No import runs up a layer (lazy and TYPE_CHECKING imports included) and no circle returns between the modules or
packages of any package. Skipped where import-linter is not installed (`pip install -e .[dev]` brings it).
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def test_every_import_runs_down_the_layers_and_no_circle_returns():
    if importlib.util.find_spec("importlinter") is None:
        pytest.skip("import-linter is not installed (pip install -e .[dev])")
    run = subprocess.run([sys.executable, "-c", LINT, "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True,
                         text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "BROKEN" not in run.stdout


def test_every_part_of_the_package_has_a_layer():
    """A new package or top-level module is placed in the layers, not left outside the contract."""
    [layers] = [c["layers"] for c in contracts() if c["type"] == "layers"]
    declared = {name.strip() for line in layers for name in line.split("|")}
    package = ROOT / "summarizer"
    parts = {f"summarizer.{p.stem}" for p in package.glob("*.py") if p.stem not in {"__init__", "__main__"}}
    parts |= {f"summarizer.{p.name}" for p in package.iterdir() if (p / "__init__.py").is_file()}
    assert parts - declared == set()
    assert declared - parts == set()
