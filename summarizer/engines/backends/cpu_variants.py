"""llama.cpp CPU kernels chosen at run time (work in progress: replaced by the real selection)."""
from __future__ import annotations


def load(variant: str | None = None) -> None:
    return None
