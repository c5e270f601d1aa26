"""The small interfaces every engine hides behind."""
from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

Message = dict  # {"role": "system"|"user"|"assistant", "content": str}


@runtime_checkable
class Generator(Protocol):
    """A chat LLM backend (transformers, llama.cpp): conversations in, completions out, greedy by default."""

    name: str  # backend name, e.g. "transformers" or "llamacpp"
    model_id: str  # what was loaded: registry name, hub id or path
    model_sha256: str | None

    def generate(self, conversations: Sequence[list[Message]], max_new_tokens: Sequence[int]) -> list[str]: ...

    def count_tokens(self, text: str) -> int: ...


@runtime_checkable
class Engine(Protocol):
    """What the pipeline calls. Every engine summarizes; some also translate."""

    name: str  # extractive | lead | llm | llamacpp | seq2seq
    model: str | None  # model id (and hash prefix) for records, None for weight-free engines
    can_translate: bool

    def summarize(self, texts: Sequence[str], lang: str, sentences: int, target_lang: str | None = None) -> list[str]:
        """One summary per text, about `sentences` sentences long, in `target_lang` (default: `lang`)."""
        ...

    def translate(self, texts: Sequence[str], source_lang: str, target_lang: str) -> list[str]:
        """One translation per text; paragraph breaks ("\n") inside a text are kept."""
        ...
