"""Drafters for speculative decoding: guesses of a stream's next tokens that the main model then verifies.

- `NgramIndex` (prompt lookup): the tokens that followed the latest earlier occurrence of the stream's last
  n tokens (n = 4, 3, 2, longest first) in its prompt and output (a loop is continued). Free to make; pays when
  the output copies spans of the prompt, as summaries copy the article.
- `ModelDrafter`: a small model of the same vocabulary, greedy, in a context of its own with one sequence per
  stream (and its own prefix cache). Each draft token costs a decode of the small model, so it drafts only
  while it is confident (top probability >= `min_p`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from summarizer.llamacpp.kv import KVContext, Row
from summarizer.llamacpp.prefix import PrefixCache, common_length
from summarizer.errors import ModelError


@dataclass
class DraftCounts:
    """Draft tokens proposed and accepted, for one kind of drafter."""

    drafted: int = 0
    accepted: int = 0
    rounds: int = 0  # stream steps that carried drafts of this kind

    @property
    def acceptance(self) -> float:
        return self.accepted / self.drafted if self.drafted else 0.0

    def __sub__(self, earlier: DraftCounts) -> DraftCounts:
        return DraftCounts(self.drafted - earlier.drafted, self.accepted - earlier.accepted, self.rounds - earlier.rounds)


class NgramIndex:
    """The tokens of one stream (prompt, then output) and where each n-gram was last followed by a token."""

    def __init__(self, tokens: Sequence[int] = (), sizes: Sequence[int] = (4, 3, 2)):
        self.sizes = tuple(sorted(sizes, reverse=True))
        self.tokens: list[int] = []
        self.table: dict[tuple[int, ...], int] = {}
        self.extend(tokens)

    def extend(self, tokens: Sequence[int]) -> None:
        for token in tokens:
            self.tokens.append(token)
            end = len(self.tokens) - 1  # the n-grams ending just before `token` are followed by it
            for n in self.sizes:
                if end >= n:
                    self.table[tuple(self.tokens[end - n : end])] = end

    def draft(self, limit: int) -> list[int]:
        """Up to `limit` tokens that followed the latest earlier occurrence of the last n tokens ([] if none)."""
        if limit <= 0:
            return []
        for n in self.sizes:
            if len(self.tokens) >= n:
                start = self.table.get(tuple(self.tokens[-n:]))
                if start is not None:  # a match `period` tokens back: the copy repeats when it reaches the end
                    period = len(self.tokens) - start
                    return [self.tokens[start + i % period] for i in range(limit)]
        return []


def vocab_mismatch(main, draft) -> str | None:
    """Why `draft` (a llama_cpp.Llama) cannot draft for `main`: a different vocabulary or end token; None if it can."""
    import llama_cpp

    a, b = (llama_cpp.llama_model_get_vocab(m.model) for m in (main, draft))
    n_a, n_b = llama_cpp.llama_vocab_n_tokens(a), llama_cpp.llama_vocab_n_tokens(b)
    if n_a != n_b:
        return f"{n_b} tokens instead of {n_a}"
    if main.token_eos() != draft.token_eos():
        return f"end token {draft.token_eos()} instead of {main.token_eos()}"
    for token in range(n_a):
        if llama_cpp.llama_vocab_get_text(a, token) != llama_cpp.llama_vocab_get_text(b, token):
            return f"token {token} differs"
    return None


@dataclass
class _Drafting:
    seq: int
    context: list[int]  # prompt + output: what the main model has accepted so far
    limit: int
    drafts: list[int]
    row: int = -1


class ModelDrafter:
    """Greedy drafts from a small model; `draft` serves many streams at once, one batched decode per draft token."""

    def __init__(self, main, llama, max_streams: int, context_per_stream: int, threads: int, prefix_slots: int = 4,
                 prefix_tokens: int = 1024, draft_tokens: int = 6, min_p: float = 0.75):
        problem = vocab_mismatch(main, llama)
        if problem:
            raise ModelError(f"the draft model {llama.model_path} has another vocabulary ({problem}); refusing it")
        self.tail_max = draft_tokens + 2  # context tokens a stream can be ahead of this context after a round
        capacity = max(256, max_streams * self.tail_max)  # fill() reads prompts 256 tokens at a time
        self.kv = KVContext(llama, max_streams * context_per_stream + prefix_slots * prefix_tokens,
                            max_streams + prefix_slots, capacity, threads)
        self.prefixes = PrefixCache(self.kv, range(max_streams, max_streams + prefix_slots), prefix_tokens)
        self.min_p = min_p
        self.cached: dict[int, list[int]] = {}  # stream seq -> tokens whose cells this context holds
        self.decodes = 0
        self.prompt_read = 0

    def release(self, seq: int) -> None:
        if self.cached.pop(seq, None) is not None:
            self.kv.remove(seq)

    def draft(self, requests: Sequence[tuple[int, list[int], int]]) -> dict[int, list[int]]:
        """(stream seq, its tokens so far, how many to draft) -> drafts per seq (maybe fewer, maybe none)."""
        jobs = [_Drafting(seq, context, limit, []) for seq, context, limit in requests if limit > 0]
        self._start([job for job in jobs if job.seq not in self.cached])
        rows: list[Row] = []
        for job in jobs:
            rows += self._catch_up(job)
            job.row = len(rows) - 1
        while rows:
            self.kv.decode(rows)
            self.decodes += 1
            rows = []
            for job in [job for job in jobs if job.row >= 0]:
                token = self._confident(job.row)
                job.row = -1
                if token is None:
                    continue
                job.drafts.append(token)
                if len(job.drafts) < job.limit:
                    cached = self.cached[job.seq]
                    rows.append(Row(job.seq, len(cached), token, True))
                    cached.append(token)
                    job.row = len(rows) - 1
        return {job.seq: job.drafts for job in jobs}

    def _confident(self, row: int) -> int | None:
        logits = self.kv.logits(row)
        best = int(np.argmax(logits))
        return best if 1.0 / float(np.exp(logits - logits[best]).sum()) >= self.min_p else None

    def _start(self, jobs: list[_Drafting]) -> None:
        """New streams start from the longest cached prefix of their prompt in this context."""
        if jobs:
            self.prompt_read += self.prefixes.prepare([job.context for job in jobs])
        for job in jobs:
            self.kv.remove(job.seq)
            self.cached[job.seq] = list(job.context[: self.prefixes.attach(job.context, job.seq)])

    def _catch_up(self, job: _Drafting) -> list[Row]:
        """Make the cells of `job.seq` hold its context but the last few tokens; rows that decode those."""
        context, cached = job.context, self.cached[job.seq]
        keep = common_length(cached, context[:-1])
        if keep < len(cached):  # drafts the main model did not accept
            self.kv.remove(job.seq, keep)
            del cached[keep:]
        rest = context[keep:]
        head = rest[:-1] if len(rest) > self.tail_max else []  # a new stream's prompt: read in chunks first
        self.kv.fill(job.seq, head, keep)
        self.prompt_read += len(head)
        start = keep + len(head)
        tail = rest[len(head):]
        cached.extend(rest)
        return [Row(job.seq, start + i, token, i == len(tail) - 1) for i, token in enumerate(tail)]
