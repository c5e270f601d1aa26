"""Chat LLM backend on llama-cpp-python (optional): runs the quantized GGUF directly, fast and small."""
from __future__ import annotations

import os
import threading
from typing import Sequence

from summarizer.engines import models
from summarizer.engines.backends import cpu_variants
from summarizer.engines.base import Generation
from summarizer.errors import EngineUnavailable, ModelError

_LOADED: dict[tuple[str, int, int], object] = {}
_LOCK = threading.Lock()
CONTEXT_TOKENS = 4096


def load_llama(path: str, threads: int, n_ctx: int = CONTEXT_TOKENS, cpu_variant: str | None = None):
    key = (path, threads, n_ctx)
    with _LOCK:
        cpu_variants.load(cpu_variant)  # before llama.cpp initialises: it would pick kernels without asking the OS
        if key not in _LOADED:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise EngineUnavailable(
                    f"llama-cpp-python is not installed; {cpu_variants.REBUILD}"
                ) from None
            try:
                _LOADED[key] = Llama(model_path=path, n_ctx=n_ctx, n_threads=threads, n_batch=512, seed=0, verbose=False)
            except (ValueError, RuntimeError) as exc:
                raise ModelError(f"llama.cpp cannot load {path}: {exc}") from None
        return _LOADED[key]


class LlamaCppGenerator:
    """Generator protocol over llama.cpp: one conversation at a time, greedy (temperature 0)."""

    name = "llamacpp"

    def __init__(self, model: str | None = None, *, threads: int | None = None, parallel_sequences: int = 16,
                 repetition_penalty: float = 1.05, cpu_variant: str | None = None, speculative: bool = True,
                 draft_model: str | None = None, draft_tokens: int = 6):
        """model: registry name, path or hub id (default: the offline default); threads: None = all cores;
        parallel_sequences: streams decoded together (1 = one at a time); repetition_penalty: llama.cpp's;
        cpu_variant: llama.cpp CPU kernels to load (None = the best this machine runs safely);
        speculative: draft tokens and verify them (greedy output unchanged); draft_model: registry name of the
        small model that drafts translations (None = prompt lookup only); draft_tokens: tokens drafted per step."""
        spec, location = models.resolve(model or models.DEFAULT_MODEL)
        if spec.kind != "gguf-llm":
            raise ModelError(f"llama.cpp runs GGUF files only; {spec.name} is a {spec.kind} model")
        self.spec = spec
        self.model_id = spec.name
        self.model_sha256 = spec.sha256
        self.threads = threads or os.cpu_count() or 1
        self.parallel_sequences = parallel_sequences
        self.repetition_penalty = repetition_penalty
        self.cpu_variant = cpu_variant
        self.speculative = speculative
        self.draft_model = draft_model
        self.draft_tokens = draft_tokens
        self._llama = load_llama(str(location), self.threads, cpu_variant=cpu_variant)
        self._batched = None
        self._formatter = None

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def generate(self, conversations: Sequence[list[dict]], max_new_tokens: Sequence[int]) -> list[Generation]:
        if len(conversations) > 1 and self.parallel_sequences > 1:
            return self._generate_batched(conversations, max_new_tokens)
        return self._generate_one_by_one(conversations, max_new_tokens)

    def _generate_batched(self, conversations: Sequence[list[dict]], max_new_tokens: Sequence[int]) -> list[Generation]:
        """All conversations decoded together: one forward pass per step for up to `parallel_sequences` streams."""
        from summarizer.engines.backends.llamacpp_batch import BatchedDecoder

        if self._batched is None:
            self._batched = BatchedDecoder(
                self._llama, max_streams=self.parallel_sequences, context_per_stream=CONTEXT_TOKENS // 2,
                threads=self.threads, repetition_penalty=self.repetition_penalty,
            )
        prompts = [self._llama.tokenize(self._render(m).encode("utf-8"), add_bos=False, special=True) for m in conversations]
        with _LOCK:
            ids, truncated = self._batched.generate(prompts, max_new_tokens)
        return [Generation(self._llama.detokenize(t).decode("utf-8", errors="replace").strip(), cut)
                for t, cut in zip(ids, truncated)]

    def _render(self, messages: list[dict]) -> str:
        """The chat template stored in the GGUF file, rendered with the generation prompt."""
        if self._formatter is None:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            meta = self._llama.metadata
            vocab = self._llama
            self._formatter = Jinja2ChatFormatter(
                template=meta["tokenizer.chat_template"],
                eos_token=vocab.detokenize([vocab.token_eos()]).decode("utf-8", "ignore"),
                bos_token=vocab.detokenize([vocab.token_bos()]).decode("utf-8", "ignore") if vocab.token_bos() >= 0 else "",
                add_generation_prompt=True,
            )
        return self._formatter(messages=list(messages)).prompt

    def _generate_one_by_one(self, conversations: Sequence[list[dict]], max_new_tokens: Sequence[int]) -> list[Generation]:
        outputs = []
        for messages, limit in zip(conversations, max_new_tokens):
            # no reset(): llama.cpp reuses the KV cache of the shared prefix (system prompt) between calls
            reply = self._llama.create_chat_completion(
                messages=list(messages),
                max_tokens=int(limit),
                temperature=0.0,
                top_k=1,
                repeat_penalty=self.repetition_penalty,
                seed=0,
            )
            choice = reply["choices"][0]
            text = (choice["message"].get("content") or "").strip()
            outputs.append(Generation(text, truncated=choice.get("finish_reason") == "length"))
        return outputs
