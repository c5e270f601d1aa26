"""Chat LLM backend on transformers (CPU): GGUF files from the registry, HF model dirs or hub ids.

Loaded once per process; conversations are batched (sorted by length, left padding) and decoded greedily.
"""
from __future__ import annotations

import os
import threading
from typing import Sequence

from summarizer import models
from summarizer.generation import Generation, Sampling
from summarizer.errors import EngineUnavailable, ModelError

_LOADED: dict[tuple[str, str], tuple[object, object]] = {}
_LOCK = threading.Lock()


def _torch_dtype(name: str):
    import torch

    table = {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16, "bf16": torch.bfloat16,
             "float16": torch.float16, "fp16": torch.float16}
    if name not in table:
        raise ModelError(f"unknown dtype {name!r}; use float32 or bfloat16")
    return table[name]


def load_causal_lm(location, kind: str, dtype: str):
    """(model, tokenizer) for a GGUF file, a local HF dir or a hub id; cached per (location, dtype)."""
    key = (str(location), dtype)
    with _LOCK:
        if key in _LOADED:
            return _LOADED[key]
        try:
            from transformers import AutoModelForCausalLM, AutoTokenizer
            from transformers.utils import logging as hf_logging
        except ImportError as exc:
            raise EngineUnavailable(f"the llm engine needs torch and transformers ({exc}); pip install 'bisum[llm]'") from None
        hf_logging.set_verbosity_error()
        torch_dtype = _torch_dtype(dtype)
        try:
            if kind == "gguf-llm":
                from pathlib import Path

                path = Path(location)
                tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
                model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, dtype=torch_dtype)
            else:
                tokenizer = AutoTokenizer.from_pretrained(location)
                model = AutoModelForCausalLM.from_pretrained(location, dtype=torch_dtype)
        except (OSError, ValueError, ImportError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"cannot load {location}: {first}") from None
        model.eval()
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        _LOADED[key] = (model, tokenizer)
        return model, tokenizer


def _repetition_stopper(prompt_len: int):
    """A StoppingCriteria that ends a row once its tail is the same short token pattern repeated."""
    import torch
    from transformers import StoppingCriteria

    class RepetitionStop(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            done = torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
            generated = input_ids[:, prompt_len:].tolist()
            for row, ids in enumerate(generated):
                done[row] = looping(ids)
            return done

    return RepetitionStop()


def looping(ids: Sequence[int], max_period: int = 24) -> bool:
    """True when the tail of `ids` is one pattern repeated (12x for 1 token, 6x for 2, 4x for 3, 3x for longer)."""
    for period in range(1, max_period + 1):
        repeats = max(3, 12 // period)
        span = period * repeats
        if len(ids) < span:
            break
        tail = ids[-span:]
        if all(tail[i] == tail[i % period] for i in range(span)):
            return True
    return False


class TransformersGenerator:
    """Generator protocol over a transformers causal LM."""

    name = "transformers"

    def __init__(self, model: str | None = None, *, threads: int | None = None, batch_size: int = 8,
                 repetition_penalty: float = 1.05, no_repeat_ngram_size: int = 0, dtype: str = "float32"):
        """model: registry name, path or hub id (default: the offline default); threads: None = all cores;
        batch_size: conversations per generate call; dtype: float32, bfloat16 (half the memory) or float16."""
        spec, location = models.resolve(model or models.DEFAULT_MODEL)
        if spec.kind not in ("gguf-llm", "hf-llm"):
            raise ModelError(f"{spec.name} is a {spec.kind} model; the llm engine needs a chat LLM (gguf or causal LM)")
        self.spec = spec
        self.model_id = spec.name
        self.model_sha256 = spec.sha256
        self.dtype = dtype
        self.batch_size = max(1, batch_size)
        self.repetition_penalty = repetition_penalty
        self.no_repeat_ngram_size = no_repeat_ngram_size
        import torch

        torch.set_num_threads(threads or os.cpu_count() or 1)
        self._model, self._tokenizer = load_causal_lm(location, spec.kind, self.dtype)
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def _prompt(self, conversation: list[dict]) -> str:
        return self._tokenizer.apply_chat_template(conversation, tokenize=False, add_generation_prompt=True)

    def generate(self, conversations: Sequence[list[dict]], max_new_tokens: Sequence[int],
                 sampling: Sequence[Sampling | None] | None = None) -> list[Generation]:
        """Completions, one per conversation, each saying whether it hit its token limit: greedy in batches, or
        sampled one at a time from torch seeded with its Sampling's seed; callers on other threads wait their
        turn (torch generation is not shared)."""
        plans = list(sampling) if sampling is not None else [None] * len(conversations)
        with self._lock:
            outputs: list[Generation | None] = [None] * len(conversations)
            greedy = sorted((i for i, plan in enumerate(plans) if plan is None),  # similar lengths pad less
                            key=lambda i: (sum(len(m["content"]) for m in conversations[i]), max_new_tokens[i]))
            for start in range(0, len(greedy), self.batch_size):
                self._generate_batch(conversations, max_new_tokens, greedy[start : start + self.batch_size], outputs)
            for i, plan in enumerate(plans):
                if plan is not None:
                    self._generate_batch(conversations, max_new_tokens, [i], outputs, plan)
            return outputs

    def _generate_batch(self, conversations: Sequence[list[dict]], max_new_tokens: Sequence[int], batch: list[int],
                        outputs: list[Generation | None], plan: Sampling | None = None) -> None:
        import torch

        tokenizer, model = self._tokenizer, self._model
        eos_ids = {i for i in [tokenizer.eos_token_id, tokenizer.pad_token_id] if i is not None}
        eos_ids |= set(_as_list(getattr(model.generation_config, "eos_token_id", None)))
        encoded = tokenizer([self._prompt(conversations[i]) for i in batch], return_tensors="pt", padding=True,
                            add_special_tokens=False)
        prompt_len = encoded["input_ids"].shape[1]
        kwargs = dict(
            max_new_tokens=max(max_new_tokens[i] for i in batch),
            repetition_penalty=self.repetition_penalty,
            pad_token_id=tokenizer.pad_token_id,
            stopping_criteria=[_repetition_stopper(prompt_len)],
            top_k=None,
        )
        if plan is None:
            kwargs.update(do_sample=False, temperature=None, top_p=None)
        else:
            kwargs.update(do_sample=True, temperature=plan.temperature, top_p=plan.top_p, epsilon_cutoff=plan.epsilon)
            torch.manual_seed(plan.seed)
        if self.no_repeat_ngram_size:
            kwargs["no_repeat_ngram_size"] = self.no_repeat_ngram_size
        with torch.inference_mode():
            generated = model.generate(**encoded, **kwargs)
        for row, i in enumerate(batch):
            ids = generated[row, prompt_len:].tolist()
            end = next((k for k, t in enumerate(ids) if t in eos_ids), None)
            ids = ids[:end] if end is not None else ids
            truncated = len(ids) >= max_new_tokens[i]
            ids = ids[: max_new_tokens[i]]
            outputs[i] = Generation(tokenizer.decode(ids, skip_special_tokens=True).strip(), truncated)


def _as_list(value) -> list[int]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]
