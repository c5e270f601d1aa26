"""The small, explicit interfaces every engine hides behind (the values they return live in summarizer.generation)."""
from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

from summarizer.generation import Generation, Message, Repairer, RepairRequest, Sampling, Terms

__all__ = ["Engine", "Generator", "Repairer"]  # Repairer lives in summarizer.generation (the checks call it)


@runtime_checkable
class Generator(Protocol):
    """A chat LLM backend (transformers, llama.cpp): conversations in, completions out (greedy, or sampled where
    `sampling` gives a Sampling for that conversation)."""

    name: str  # backend name: "transformers" | "llamacpp"
    model_id: str  # what was loaded: registry name, hub id or path
    model_sha256: str | None

    def generate(self, conversations: Sequence[list[Message]], max_new_tokens: Sequence[int],
                 sampling: Sequence[Sampling | None] | None = None) -> list[Generation]: ...

    def count_tokens(self, text: str) -> int: ...


@runtime_checkable
class Engine(Protocol):
    """What the pipeline calls. Every engine summarizes; engines with `can_translate` also translate."""

    name: str  # extractive | lead | llm | llamacpp | seq2seq
    model: str | None  # model id (and hash prefix) for records; None for weight-free engines
    can_translate: bool

    def summarize(self, texts: Sequence[str], lang: str, sentences: int, target_lang: str | None = None,
                  terms: Terms | None = None) -> list[Generation]:
        """One summary per text, about `sentences` sentences long, in `target_lang` (default: `lang`)."""
        ...

    def translate(self, texts: Sequence[str], source_lang: str, target_lang: str,
                  terms: Terms | None = None) -> list[Generation]:
        """One translation per text; line breaks inside a text are kept; `terms` found in a segment are required."""
        ...
