"""Batched greedy decoding on llama.cpp: several sequences share each forward pass (one KV cache, one seq id each).

On a 2-core CPU a single stream leaves most of the arithmetic idle while the weights stream from memory; decoding
B sequences per step reads the weights once for all of them, so aggregate tokens/s grows with B.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np


_CHUNK = 256  # prompt tokens per prefill decode
_TAIL = 128  # last prompt tokens decoded together with the other streams' next tokens
_BATCH_TOKENS = 2048  # >= max_streams * _TAIL + max_streams


@dataclass
class _Stream:
    prompt: list[int]
    limit: int
    seq: int = -1
    out: list[int] = field(default_factory=list)
    pos: int = 0
    done: bool = False
    truncated: bool = False
    logit_row: int = -1  # index of this stream's logits in the last decoded batch


class BatchedDecoder:
    """Greedy decoding of many prompts at once over a loaded `llama_cpp.Llama` model."""

    def __init__(self, llama, max_streams: int = 8, context_per_stream: int = 2048, threads: int | None = None,
                 repetition_penalty: float = 1.0, penalty_window: int = 64):
        import llama_cpp

        self.lib = llama_cpp
        self.llama = llama
        self.max_streams = max_streams
        self.context_per_stream = context_per_stream
        self.repetition_penalty = repetition_penalty
        self.penalty_window = penalty_window
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = max_streams * context_per_stream
        params.n_batch = _BATCH_TOKENS
        params.n_ubatch = 512
        params.n_seq_max = max_streams + 1  # the last sequence holds the prompts' shared prefix
        if hasattr(params, "kv_unified"):
            params.kv_unified = True
        params.n_threads = params.n_threads_batch = threads or llama.n_threads
        params.no_perf = True
        self.ctx = llama_cpp.llama_init_from_model(llama.model, params)
        if not self.ctx:
            raise RuntimeError("llama.cpp could not create a batched context")
        self.memory = llama_cpp.llama_get_memory(self.ctx)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(llama_cpp.llama_model_get_vocab(llama.model))
        self.eos = {llama.token_eos()} | self._special_stops()
        self.batch = llama_cpp.llama_batch_init(_BATCH_TOKENS, 0, max_streams + 1)
        self.prefix_seq = max_streams
        self.prefix: list[int] = []

    def _special_stops(self) -> set[int]:
        stops = set()
        for text in ("<|im_end|>", "<|endoftext|>"):
            ids = self.llama.tokenize(text.encode(), add_bos=False, special=True)
            if len(ids) == 1:
                stops.add(ids[0])
        return stops

    def close(self) -> None:
        if self.ctx:
            self.lib.llama_batch_free(self.batch)
            self.lib.llama_free(self.ctx)
            self.ctx = None

    def __del__(self):  # pragma: no cover - interpreter shutdown order varies
        try:
            self.close()
        except Exception:
            pass

    # -- one llama_decode call over a list of (stream, token, wants_logits) ------------------------------
    def _decode(self, items: list[tuple[_Stream, int, bool]]) -> None:
        b = self.batch
        b.n_tokens = len(items)
        for i, (stream, token, logits) in enumerate(items):
            b.token[i] = token
            b.pos[i] = stream.pos
            b.n_seq_id[i] = 1
            b.seq_id[i][0] = stream.seq
            b.logits[i] = 1 if logits else 0
            stream.pos += 1
            if logits:
                stream.logit_row = i
        rc = self.lib.llama_decode(self.ctx, b)
        if rc != 0:
            raise RuntimeError(f"llama_decode failed ({rc})")

    def _next_token(self, stream: _Stream) -> int:
        ptr = self.lib.llama_get_logits_ith(self.ctx, stream.logit_row)
        logits = np.ctypeslib.as_array(ctypes.cast(ptr, ctypes.POINTER(ctypes.c_float)), shape=(self.n_vocab,))
        if self.repetition_penalty != 1.0 and stream.out:
            recent = np.fromiter(set(stream.out[-self.penalty_window:]), dtype=np.int64)
            values = logits[recent]
            logits = logits.copy()
            logits[recent] = np.where(values > 0, values / self.repetition_penalty, values * self.repetition_penalty)
        return int(np.argmax(logits))

    def _share_prefix(self, prompts: Sequence[list[int]]) -> None:
        """Decode the prompts' common prefix (system prompt, instructions) once; streams copy its KV cells."""
        common = list(prompts[0]) if prompts else []
        for p in prompts[1:]:
            n = 0
            while n < min(len(common), len(p)) and common[n] == p[n]:
                n += 1
            common = common[:n]
        common = common[: max(0, min(len(p) for p in prompts) - 1)] if prompts else []
        if common == self.prefix:
            return
        self.lib.llama_memory_seq_rm(self.memory, self.prefix_seq, -1, -1)
        self.prefix = common
        holder = _Stream(common, 0, seq=self.prefix_seq)
        for start in range(0, len(common), _CHUNK):
            self._decode([(holder, t, False) for t in common[start : start + _CHUNK]])

    def _admit(self, stream: _Stream, seq: int) -> list[tuple[_Stream, int, bool]]:
        """Start a stream on a free sequence: share the prefix, decode the rest except the tail, which joins the next step."""
        stream.seq = seq
        self.lib.llama_memory_seq_rm(self.memory, seq, -1, -1)
        shared = len(self.prefix) if stream.prompt[: len(self.prefix)] == self.prefix else 0
        if shared:
            self.lib.llama_memory_seq_cp(self.memory, self.prefix_seq, seq, -1, -1)
        stream.pos = shared
        rest = stream.prompt[shared:]
        head, tail = rest[:-_TAIL], rest[-_TAIL:]
        for start in range(0, len(head), _CHUNK):
            self._decode([(stream, t, False) for t in head[start : start + _CHUNK]])
        return [(stream, t, i == len(tail) - 1) for i, t in enumerate(tail)]

    def generate(self, prompts: Sequence[list[int]], max_new_tokens: Sequence[int]) -> tuple[list[list[int]], list[bool]]:
        """Greedy continuation token ids for each prompt, and whether each hit its token limit.

        Continuous batching: a stream that finishes frees its sequence for the next waiting prompt."""
        streams = [_Stream(list(p) or [self.llama.token_bos()], int(m)) for p, m in zip(prompts, max_new_tokens)]
        for s in streams:
            if len(s.prompt) + s.limit > self.context_per_stream:
                s.limit = max(1, self.context_per_stream - len(s.prompt))
                s.truncated = True
        self._share_prefix([s.prompt for s in streams])
        waiting = list(reversed(streams))
        active: list[_Stream] = []
        free_seqs = list(range(self.max_streams - 1, -1, -1))
        while waiting or active:
            step: list[tuple[_Stream, int, bool]] = []
            for s in active:  # every active stream has fresh logits from the previous decode
                token = self._next_token(s)
                if token in self.eos:
                    s.done = True
                    continue
                s.out.append(token)
                if len(s.out) >= s.limit:
                    s.done = s.truncated = True
                    continue
                step.append((s, token, True))
            for s in [s for s in active if s.done]:
                active.remove(s)
                self.lib.llama_memory_seq_rm(self.memory, s.seq, -1, -1)
                free_seqs.append(s.seq)
            while waiting and free_seqs:
                s = waiting.pop()
                step += self._admit(s, free_seqs.pop())
                active.append(s)
            if step:
                self._decode(step)
        return [s.out for s in streams], [s.truncated for s in streams]
