"""One llama.cpp context over a loaded model, as the batched decoder uses it: a unified KV cache shared by
numbered sequences, one reusable batch, a decode call over rows, logits by row, and sequence copies/removals.

With a unified cache, `copy` does not copy any data: the cells of the source sequence are tagged with the
destination sequence too, so a prefix decoded once can start any number of streams.
"""
from __future__ import annotations

import contextlib
import ctypes
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from summarizer.generation import Sampling


@dataclass(frozen=True, slots=True)
class Row:
    """One token of a llama_decode batch: which sequence, at which position, and whether its logits are wanted;
    `also`: more sequences the token's cell belongs to (streams with the same prompt read it once)."""

    seq: int
    pos: int
    token: int
    logits: bool = False
    also: tuple[int, ...] = ()


class KVContext:
    """A llama.cpp context with `n_seq` sequences in one unified KV cache of `n_ctx` cells."""

    def __init__(self, llama, n_ctx: int, n_seq: int, batch_tokens: int, threads: int):
        import llama_cpp

        self.lib = llama_cpp
        self.llama = llama
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = n_ctx
        params.n_batch = batch_tokens
        params.n_ubatch = min(512, batch_tokens)
        params.n_seq_max = n_seq
        params.kv_unified = True  # sequences share cells: prefix copies cost nothing
        params.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED  # masked cells skipped: no dependence on cache size
        params.n_threads = params.n_threads_batch = threads
        params.no_perf = True
        self.ctx = llama_cpp.llama_init_from_model(llama.model, params)
        if not self.ctx:
            raise RuntimeError("llama.cpp could not create a batched context")
        self.n_ctx = n_ctx
        self.n_seq = n_seq
        self.capacity = batch_tokens
        self.memory = llama_cpp.llama_get_memory(self.ctx)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(llama_cpp.llama_model_get_vocab(llama.model))
        self.batch = llama_cpp.llama_batch_init(batch_tokens, 0, n_seq)

    def close(self) -> None:
        if self.ctx:
            self.lib.llama_batch_free(self.batch)
            self.lib.llama_free(self.ctx)
            self.ctx = None

    def __del__(self):  # pragma: no cover - interpreter shutdown order varies
        with contextlib.suppress(Exception):
            self.close()

    def decode(self, rows: Sequence[Row]) -> None:
        """One llama_decode over `rows` (at most `capacity`); row i's logits are then `logits(i)`."""
        b = self.batch
        b.n_tokens = len(rows)
        for i, row in enumerate(rows):
            b.token[i] = row.token
            b.pos[i] = row.pos
            b.n_seq_id[i] = 1 + len(row.also)
            b.seq_id[i][0] = row.seq
            for k, seq in enumerate(row.also, 1):
                b.seq_id[i][k] = seq
            b.logits[i] = 1 if row.logits else 0
        rc = self.lib.llama_decode(self.ctx, b)
        if rc != 0:
            raise RuntimeError(f"llama_decode failed ({rc})")

    def fill(self, seq: int, tokens: Sequence[int], start: int, chunk: int = 256) -> None:
        """Decode `tokens` into `seq` from position `start`, `chunk` tokens per call, without logits."""
        for offset in range(0, len(tokens), chunk):
            part = tokens[offset : offset + chunk]
            self.decode([Row(seq, start + offset + i, t) for i, t in enumerate(part)])

    def logits(self, index: int) -> np.ndarray:
        """The logits of batch row `index` of the last decode (a view: copy before the next decode)."""
        ptr = self.lib.llama_get_logits_ith(self.ctx, index)
        return np.ctypeslib.as_array(ctypes.cast(ptr, ctypes.POINTER(ctypes.c_float)), shape=(self.n_vocab,))

    def remove(self, seq: int, start: int = -1) -> None:
        """Drop the cells of `seq` from position `start` on (-1: all of them)."""
        self.lib.llama_memory_seq_rm(self.memory, seq, start, -1)

    def copy(self, source: int, target: int) -> None:
        """Give `target` all cells of `source` (shared cells, no data copied)."""
        self.lib.llama_memory_seq_cp(self.memory, source, target, -1, -1)


def penalized(logits: np.ndarray, history: Sequence[int], penalty: float, window: int) -> np.ndarray:
    """The logits after llama.cpp's repetition penalty over the last `window` generated tokens."""
    if penalty != 1.0 and history:
        recent = np.fromiter(set(history[-window:]), dtype=np.int64)
        values = logits[recent]
        logits = logits.copy()
        logits[recent] = np.where(values > 0, values / penalty, values * penalty)
    return logits


def greedy(logits: np.ndarray, history: Sequence[int], penalty: float, window: int) -> int:
    """Argmax after llama.cpp's repetition penalty over the last `window` generated tokens."""
    return int(np.argmax(penalized(logits, history, penalty, window)))


def sample(logits: np.ndarray, history: Sequence[int], penalty: float, window: int, sampling: Sampling,
           rng: np.random.Generator) -> int:
    """A token drawn after the repetition penalty: temperature, then epsilon and top-p cut-offs (the most likely
    token always stays), from the stream's own seeded generator."""
    scaled = penalized(logits, history, penalty, window).astype(np.float64) / max(sampling.temperature, 1e-4)
    probs = np.exp(scaled - scaled.max())
    probs /= probs.sum()
    keep = probs >= sampling.epsilon
    if sampling.top_p < 1.0:
        order = np.argsort(-probs)
        inside = np.cumsum(probs[order]) - probs[order] < sampling.top_p
        nucleus = np.zeros_like(keep)
        nucleus[order[inside]] = True
        keep &= nucleus
    keep[int(np.argmax(probs))] = True
    candidates = np.flatnonzero(keep)
    weights = probs[candidates] / probs[candidates].sum()
    return int(candidates[rng.choice(len(candidates), p=weights)])
