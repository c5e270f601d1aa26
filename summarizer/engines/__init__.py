"""Engine selection. Heavy libraries (torch, transformers, llama_cpp) are imported only when an engine is built."""
from __future__ import annotations

import importlib.util
import sys

from ..config import Settings
from ..errors import BisumError, EngineUnavailable

ENGINES = ("auto", "extractive", "lead", "llm", "llamacpp", "seq2seq")


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _default_model_ready(settings: Settings) -> bool:
    """The chosen (or default) registry model is pulled and its hash verified (memoized after the first time)."""
    from .. import models

    name = settings.model or models.DEFAULT_MODEL
    if name not in models.REGISTRY:
        return True  # a path or hub id: let the engine try and fail with a clear message
    spec = models.REGISTRY[name]
    if spec.source != "pypi-chunks" or not models.is_present(spec):
        return False
    try:
        models.ensure_verified(name)
    except BisumError:
        return False
    return True


def _model_kind(settings: Settings) -> str | None:
    if not settings.model:
        return None
    from .. import models

    try:
        return models.resolve(settings.model.split(",")[0].strip())[0].kind
    except BisumError:
        return None


def available_engines(settings: Settings | None = None) -> list[str]:
    """Engines that can run here now (weights present and packages installed)."""
    settings = settings or Settings()
    names = ["extractive", "lead"]
    llm_ready = _installed("torch") and _installed("transformers") and _default_model_ready(settings)
    if llm_ready:
        names.append("llm")
    if _installed("llama_cpp") and _default_model_ready(settings):
        names.append("llamacpp")
    if _installed("transformers") and _model_kind(settings) == "seq2seq":
        names.append("seq2seq")
    return names


def _choose_auto(settings: Settings) -> str:
    """Best available: a seq2seq model if one was named, else llama.cpp (about 5x faster than transformers on
    CPU, 1/4 of the memory), else the transformers LLM, else extractive."""
    if _model_kind(settings) == "seq2seq":
        return "seq2seq"
    if not _default_model_ready(settings):
        return "extractive"
    if _installed("llama_cpp"):
        return "llamacpp"
    if _installed("torch") and _installed("transformers"):
        return "llm"
    return "extractive"


def get_engine(name: str, settings: Settings):
    """An Engine by name; `auto` picks the best available and says which on stderr."""
    if name not in ENGINES:
        raise EngineUnavailable(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    chosen = _choose_auto(settings) if name == "auto" else name
    engine = _build(chosen, settings)
    if name == "auto":
        print(f"bisum: engine auto -> {engine.name}" + (f" ({engine.model})" if engine.model else ""), file=sys.stderr)
    return engine


def _build(name: str, settings: Settings):
    if name in ("extractive", "lead"):
        from .extractive import ExtractiveEngine, LeadEngine

        return ExtractiveEngine(settings) if name == "extractive" else LeadEngine(settings)
    if name == "seq2seq":
        from .seq2seq import Seq2SeqEngine

        return Seq2SeqEngine(settings)
    from .prompted import PromptedEngine

    if name == "llamacpp":
        from .llamacpp import LlamaCppGenerator

        return PromptedEngine(LlamaCppGenerator(settings), settings, name="llamacpp")
    from .transformers_llm import TransformersGenerator

    return PromptedEngine(TransformersGenerator(settings), settings, name="llm")
