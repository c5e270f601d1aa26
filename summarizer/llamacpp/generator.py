"""Chat LLM backend on llama-cpp-python (optional): runs the quantized GGUF directly, fast and small."""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from summarizer import models, progress, request
from summarizer.llamacpp import cpu_variants
from summarizer.generation import Generation, Sampling
from summarizer.errors import EngineUnavailable, ModelError

if TYPE_CHECKING:
    from summarizer.llamacpp.batch import BatchedDecoder, DecodeStats
    from summarizer.llamacpp.draft import ModelDrafter
    from summarizer.llamacpp.worker import ModelWorker

log = logging.getLogger(__name__)
_LOADED: dict[tuple[str, int, int], object] = {}
_LOCK = threading.Lock()
CONTEXT_TOKENS = 4096
_TOKENIZER_CONTEXT = 512  # the Llama object's own context is not used for generation: keep it small


def load_llama(path: str, threads: int, n_ctx: int = CONTEXT_TOKENS, cpu_variant: str | None = None):
    key = (path, threads, n_ctx)
    with _LOCK:
        # before llama.cpp initialises (it would trust CPUID); an AMX variant is probed on this very model first
        cpu_variants.load(cpu_variant, model=path)
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
    """Generator protocol over llama.cpp: every call goes through one model worker and its batched decoder (greedy,
    temperature 0), which keeps the KV cells of shared prompt prefixes across calls and requests, decodes
    speculatively, and lets calls from any number of threads share each step."""

    name = "llamacpp"

    def __init__(self, model: str | None = None, *, threads: int | None = None, parallel_sequences: int = 16,
                 repetition_penalty: float = 1.05, cpu_variant: str | None = None, speculative: bool = True,
                 draft_model: str | None = None, draft_tokens: int = 6, draft_rows: int = 16, drafting: str = "auto"):
        """model: registry name, path or hub id (default: the offline default); threads: None = all cores;
        parallel_sequences: streams decoded together (1 = one at a time); repetition_penalty: llama.cpp's;
        cpu_variant: llama.cpp CPU kernels to load (None = the best this machine runs safely);
        speculative: draft tokens and verify them (greedy output unchanged but for near ties that llama.cpp's
        batch-shape rounding can flip, see llamacpp_batch); draft_model: registry name or path of
        the small model that drafts for streams prompt lookup does not serve (None = prompt lookup only; a
        registry model that is not pulled is skipped with a warning); draft_tokens: tokens drafted per stream and
        step; draft_rows: most tokens per decode step that drafting may fill, next tokens included; drafting: "auto"
        (prompt lookup, and the draft model for streams whose output prompt lookup does not predict), "lookup" or
        "model" (that drafter only)."""
        spec, location = models.resolve(model or models.DEFAULT_MODEL)
        if spec.kind != "gguf-llm":
            raise ModelError(f"llama.cpp runs GGUF files only; {spec.name} is a {spec.kind} model")
        self.spec = spec
        self.model_id = spec.name
        self.model_sha256 = spec.sha256
        self.threads = threads or os.cpu_count() or 1
        self.parallel_sequences = max(1, parallel_sequences)
        self.repetition_penalty = repetition_penalty
        self.cpu_variant = cpu_variant
        self.speculative = speculative
        self.draft_model = draft_model
        self.draft_tokens = draft_tokens
        self.draft_rows = draft_rows
        self.drafting = drafting
        self.llama = load_llama(str(location), self.threads, _TOKENIZER_CONTEXT, cpu_variant=cpu_variant)
        self._decoder: BatchedDecoder | None = None
        self._worker: ModelWorker | None = None
        self._build_lock = threading.Lock()
        self._formatter = None

    def count_tokens(self, text: str) -> int:
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    @property
    def stats(self) -> DecodeStats:
        """Prompt tokens read and reused, tokens generated, drafts proposed and accepted, since loading."""
        from summarizer.llamacpp.batch import DecodeStats

        return self._decoder.stats if self._decoder is not None else DecodeStats()

    def clear_cache(self) -> None:
        """Forget the cached prompt prefixes."""
        if self._decoder is not None:
            self._decoder.clear_cache()

    def generate(self, conversations: Sequence[list[dict]], max_new_tokens: Sequence[int],
                 sampling: Sequence[Sampling | None] | None = None) -> list[Generation]:
        """All conversations decoded together: one forward pass per step for up to `parallel_sequences` streams;
        greedy, or sampled where `sampling` gives a Sampling (candidates of one prompt share its cached prefix)."""
        prompts = [self.llama.tokenize(self.render(m).encode("utf-8"), add_bos=False, special=True) for m in conversations]
        ctx = request.current()
        if ctx is not None:
            ctx.check()
            ctx.begin_call(len(prompts))
        ids, truncated = self.worker().run(prompts, max_new_tokens, self.speculative, self.drafting, ctx, sampling,
                                           progress.current())
        return [Generation(self.text(t).strip(), cut) for t, cut in zip(ids, truncated)]

    def text(self, ids: list[int], errors: str = "replace") -> str:
        return self.llama.detokenize(ids).decode("utf-8", errors=errors)

    def worker(self) -> ModelWorker:
        """The one worker that decodes for every caller of this model (threads of the web server included)."""
        from summarizer.llamacpp.worker import ModelWorker

        decoder = self.decoder()
        with self._build_lock:
            if self._worker is None:
                self._worker = ModelWorker(decoder, lambda ids: self.text(ids, "ignore"))
            return self._worker

    def decoder(self) -> BatchedDecoder:
        """The batched decoder (built on first use, with the draft model when one is set and pulled)."""
        from summarizer.llamacpp.batch import BatchedDecoder

        with self._build_lock:
            if self._decoder is None:
                self._decoder = BatchedDecoder(
                    self.llama, max_streams=self.parallel_sequences, context_per_stream=CONTEXT_TOKENS // 2,
                    threads=self.threads, repetition_penalty=self.repetition_penalty, draft_tokens=self.draft_tokens,
                    draft_rows=self.draft_rows, drafter=self._drafter() if self.speculative else None,
                    drafting=self.drafting,
                )
            return self._decoder

    def _drafter(self) -> ModelDrafter | None:
        from summarizer.llamacpp.draft import ModelDrafter

        if not self.draft_model:
            return None
        if self.draft_model in models.REGISTRY and not models.is_present(models.get_spec(self.draft_model)):
            log.warning("draft model %s is not pulled (summarizer models pull %s): drafting by prompt lookup only",
                        self.draft_model, self.draft_model)
            return None
        spec, location = models.resolve(self.draft_model)  # verifies the pinned sha256 like the main model
        if spec.kind != "gguf-llm":
            raise ModelError(f"the draft model must be a GGUF file; {spec.name} is a {spec.kind} model")
        llama = load_llama(str(location), self.threads, _TOKENIZER_CONTEXT, cpu_variant=self.cpu_variant)
        return ModelDrafter(self.llama, llama, self.parallel_sequences, CONTEXT_TOKENS // 2, self.threads,
                            draft_tokens=self.draft_tokens)

    def render(self, messages: list[dict]) -> str:
        """The chat template stored in the GGUF file, rendered with the generation prompt."""
        if self._formatter is None:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            meta = self.llama.metadata
            vocab = self.llama
            self._formatter = Jinja2ChatFormatter(
                template=meta["tokenizer.chat_template"],
                eos_token=vocab.detokenize([vocab.token_eos()]).decode("utf-8", "ignore"),
                bos_token=vocab.detokenize([vocab.token_bos()]).decode("utf-8", "ignore") if vocab.token_bos() >= 0 else "",
                add_generation_prompt=True,
            )
        return self._formatter(messages=list(messages)).prompt
