"""Engines by name: one registry that the CLI, the page, eval and the benchmarks all choose from.

Heavy libraries (torch, transformers, llama_cpp) are imported only when an engine is built. Built engines hold
no per-request state, so each is built once per process (per model and options) and shared.
"""
from __future__ import annotations

import importlib.util
import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from summarizer.errors import BisumError, ConfigError

if TYPE_CHECKING:
    from summarizer.config import Settings
    from summarizer.engines.base import Engine

log = logging.getLogger(__name__)


def _extractive(s: "Settings") -> "Engine":
    from summarizer.engines.extractive import extractive_engine

    return extractive_engine(s.position_weight, s.mmr_lambda, s.summary_chars)


def _lead(s: "Settings") -> "Engine":
    from summarizer.engines.extractive import lead_engine

    return lead_engine(s.summary_chars)


def _prompted(generator, name: str, s: "Settings") -> "Engine":
    from summarizer.engines.prompted import Budget, PromptedEngine
    from summarizer.engines.quality import translation_plan
    from summarizer.engines.textrank import TextRankSummarizer

    budget = Budget(s.segment_tokens, s.max_new_tokens_ratio, s.min_new_tokens, s.map_reduce_chars,
                    s.summary_input_tokens)
    examples = None
    if s.correction_examples:  # few-shot pairs from the editors' corrections most like each segment
        from summarizer.engines.corrected import CorrectionExamples

        examples = CorrectionExamples()
    return PromptedEngine(generator, name, budget, TextRankSummarizer(s.position_weight, s.mmr_lambda),
                          translation_plan(s), examples)


_GENERATORS: dict[tuple, object] = {}  # one loaded model (and model worker) for every engine built over it


def _shared(key: tuple, build: Callable[[], object]) -> object:
    if key not in _GENERATORS:
        _GENERATORS[key] = build()
    return _GENERATORS[key]


def _llamacpp(s: "Settings") -> "Engine":
    from summarizer.llamacpp.generator import LlamaCppGenerator

    options = dict(threads=s.threads, parallel_sequences=s.parallel_sequences, repetition_penalty=s.repetition_penalty,
                   cpu_variant=s.cpu_variant, speculative=s.speculative, draft_model=s.draft_model,
                   draft_tokens=s.draft_tokens)
    generator = _shared(("llamacpp", s.model, *sorted(options.items())), lambda: LlamaCppGenerator(s.model, **options))
    return _prompted(generator, "llamacpp", s)


def _transformers(s: "Settings") -> "Engine":
    from summarizer.engines.backends.transformers import TransformersGenerator

    options = dict(threads=s.threads, batch_size=s.batch_size, dtype=s.dtype, repetition_penalty=s.repetition_penalty,
                   no_repeat_ngram_size=s.no_repeat_ngram_size)
    generator = _shared(("llm", s.model, *sorted(options.items())), lambda: TransformersGenerator(s.model, **options))
    return _prompted(generator, "llm", s)


def _openai(s: "Settings") -> "Engine":
    from summarizer.engines.remote.generator import OpenAIGenerator

    options = dict(api_key=s.openai_api_key, concurrency=s.openai_concurrency, retries=s.openai_retries,
                   timeout=s.openai_timeout, repetition_penalty=s.repetition_penalty)
    generator = _shared(("openai", s.openai_base_url, s.model, *sorted(options.items())),
                        lambda: OpenAIGenerator(s.openai_base_url or "", s.model, **options))
    return _prompted(generator, "openai", s)


def _seq2seq(s: "Settings") -> "Engine":
    from summarizer.engines.seq2seq import Seq2SeqEngine

    return Seq2SeqEngine(s.model, threads=s.threads, batch_size=s.batch_size, num_beams=s.num_beams,
                         repetition_penalty=s.repetition_penalty, no_repeat_ngram_size=s.no_repeat_ngram_size,
                         min_new_tokens=s.min_new_tokens, max_new_tokens_ratio=s.max_new_tokens_ratio)


@dataclass(frozen=True)
class EngineEntry:
    name: str
    description: str
    build: Callable[["Settings"], "Engine"]
    packages: tuple[str, ...] = ()  # importable modules it needs
    needs_weights: bool = False  # the (default) registry model must be pulled and verified


REGISTRY: dict[str, EngineEntry] = {e.name: e for e in (
    EngineEntry("extractive", "TextRank + lead prior + MMR; never translates", _extractive),
    EngineEntry("lead", "first N sentences (baseline)", _lead),
    EngineEntry("llamacpp", "the offline default model on llama.cpp, batched", _llamacpp, ("llama_cpp",), True),
    EngineEntry("llm", "any causal LM on transformers", _transformers, ("torch", "transformers"), True),
    EngineEntry("seq2seq", "Marian / NLLB / M2M100 / mT5 on transformers", _seq2seq, ("torch", "transformers")),
    EngineEntry("openai", "any OpenAI-compatible server (llama.cpp, vLLM, Ollama): --base-url", _openai, ("httpx",)),
)}
ENGINE_NAMES = ("auto", *REGISTRY)
AUTO_ORDER = ("llamacpp", "llm", "extractive")  # llama.cpp is ~5x faster than transformers on CPU, 1/4 the memory


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _weights_ready(settings: "Settings") -> bool:
    """The chosen (or default) registry model is pulled and verified; a path or hub id is left to the engine."""
    from summarizer import models

    name = settings.model or models.DEFAULT_MODEL
    spec = models.REGISTRY.get(name)
    if spec is None:
        return True
    if spec.source != "pypi-chunks" or not models.is_present(spec):
        return False
    try:
        models.ensure_verified(name)
    except BisumError:
        return False
    return True


def _model_kind(settings: "Settings") -> str | None:
    if not settings.model:
        return None
    from summarizer import models

    try:
        return models.resolve(settings.model.split(",")[0].strip())[0].kind
    except BisumError:
        return None


def can_run(name: str, settings: "Settings") -> bool:
    entry = REGISTRY[name]
    if not all(_installed(m) for m in entry.packages):
        return False
    if name == "seq2seq":
        return _model_kind(settings) == "seq2seq"
    if name == "openai":
        return bool(settings.openai_base_url)
    return not entry.needs_weights or _weights_ready(settings)


def available_engines(settings: "Settings") -> list[str]:
    """Engines that can run here now (packages installed, weights present)."""
    return [name for name in REGISTRY if can_run(name, settings)]


def check_names(settings: "Settings") -> "Settings":
    """The engine, translator and rerank scorer names of these settings are known to their registries (else one
    ConfigError line); returns the settings."""
    from summarizer.rerank import check_scorer_names

    for role in ("engine", "translator"):
        if getattr(settings, role) not in ENGINE_NAMES:
            raise ConfigError(f"unknown {role} {getattr(settings, role)!r}; choose one of {', '.join(ENGINE_NAMES)}")
    if settings.rerank is not None:
        check_scorer_names(settings.rerank)
    return settings


def resolve_name(name: str, settings: "Settings") -> str:
    """`auto` → the best engine that can run here (a named seq2seq model picks seq2seq)."""
    if name not in ENGINE_NAMES:
        raise ConfigError(f"unknown engine {name!r}; choose one of {', '.join(ENGINE_NAMES)}")
    if name != "auto":
        return name
    if _model_kind(settings) == "seq2seq":
        return "seq2seq"
    if settings.openai_base_url and can_run("openai", settings):  # a server given is the model to use
        return "openai"
    return next(n for n in AUTO_ORDER if can_run(n, settings))


_BUILT: dict[tuple, "Engine"] = {}
_BUILD_LOCK = threading.Lock()  # one model load at a time, even when two requests ask at once


def get_engine(name: str, settings: "Settings") -> "Engine":
    """The engine `name` (or the best one for `auto`), built once per process for these options."""
    chosen = resolve_name(name, settings)
    key = (chosen, settings.model, settings.threads, settings.dtype, settings.parallel_sequences, settings.batch_size,
           settings.openai_base_url, settings.openai_api_key, settings.openai_concurrency, settings.openai_retries,
           settings.openai_timeout, *sorted(settings.output_options().items()))
    with _BUILD_LOCK:
        if key not in _BUILT:
            _BUILT[key] = REGISTRY[chosen].build(settings)
    engine = _BUILT[key]
    if name == "auto":
        log.info("engine auto -> %s%s", engine.name, f" ({engine.model})" if engine.model else "")
    return engine
