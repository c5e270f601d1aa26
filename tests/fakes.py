"""Shared fakes: a scripted chat generator and small engines that implement the engine protocols."""
from __future__ import annotations

from summarizer.generation import Generation


class ScriptedGenerator:
    """A Generator that answers from a function of (last user message, call number); records calls."""

    name = "scripted"
    model_id = "scripted-model"
    model_sha256 = "ab" * 32

    def __init__(self, answer, truncated: bool = False):
        self.answer = answer
        self.truncated = truncated
        self.calls: list[tuple[list, list]] = []

    def count_tokens(self, text: str) -> int:
        return len(text)

    def generate(self, conversations, max_new_tokens):
        self.calls.append((list(conversations), list(max_new_tokens)))
        return [Generation(self.answer(c[-1]["content"], len(self.calls)), self.truncated) for c in conversations]


class SampledGenerator(ScriptedGenerator):
    """A ScriptedGenerator that also takes `sampling`: answers from (last user message, seed or None for greedy,
    call number); records each call's sampling as given (None when the caller passed none)."""

    def __init__(self, answer, truncated: bool = False):
        super().__init__(answer, truncated)
        self.sampling: list[list | None] = []

    def generate(self, conversations, max_new_tokens, sampling=None):
        self.calls.append((list(conversations), list(max_new_tokens)))
        self.sampling.append(None if sampling is None else list(sampling))
        plans = list(sampling) if sampling is not None else [None] * len(conversations)
        return [Generation(self.answer(c[-1]["content"], p.seed if p else None, len(self.calls)), self.truncated)
                for c, p in zip(conversations, plans)]


class FakeTranslator:
    """Translates every text to `output`; `repair` answers `fixed` (None: no repair method on a subclass)."""

    name, model, can_translate = "fake", "fake@0", True

    def __init__(self, output: str, fixed: str | None = None, failed: bool = False):
        self.output, self.fixed, self.failed = output, fixed, failed
        self.repairs: list[list] = []

    def translate(self, texts, source_lang, target_lang, terms=None):
        return [Generation(self.output, failed=self.failed, notes=["translate flagged: not in English"] if self.failed else [])
                for _ in texts]

    def summarize(self, texts, lang, sentences, target_lang=None, terms=None):
        return [Generation(t) for t in texts]


class RepairingTranslator(FakeTranslator):
    """FakeTranslator that also implements the Repairer protocol."""

    def repair(self, requests, source_lang, target_lang, terms=None):
        self.repairs.append(list(requests))
        return [Generation(self.fixed or r.translation) for r in requests]


class CountingEngine:
    """Records the texts it was asked for; outputs are derived from the inputs."""

    name, model, can_translate = "fake", "fake-model@123", True

    def __init__(self):
        self.calls: list[list[str]] = []

    def translate(self, texts, source_lang, target_lang, terms=None):
        self.calls.append(list(texts))
        return [Generation(f"EN({t})") for t in texts]

    def summarize(self, texts, lang, sentences, target_lang=None, terms=None):
        self.calls.append(list(texts))
        return [Generation(t[:5]) for t in texts]
