"""A small LRU of decoded prompt prefixes, each kept in a reserved sequence of a unified KV cache.

Prompts built from the same prompt file start with the same tokens (system prompt, instructions). Which
prefixes are worth keeping is found from the prompts themselves, without knowing the prompt files: a prompt's
prefix is cached when it is shared with another prompt of the same call or with one of the recent prompts,
is at least `min_tokens` long, and extends what is already cached for that prompt by at least `min_tokens`.
Prefixes shared by more prompts are cached first. A stream then starts from the longest cached prefix its
prompt begins with (cells copied, not decoded again) and reads only the rest.
"""
from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from summarizer.llamacpp.kv import KVContext


@dataclass
class _Slot:
    seq: int
    tokens: tuple[int, ...]
    tick: int = 0  # last call that used it (LRU)


def common_length(a: Sequence[int], b: Sequence[int]) -> int:
    """Length of the common prefix of two token sequences."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


class PrefixCache:
    """Up to len(seqs) cached prefixes of at most `max_tokens` tokens each."""

    def __init__(self, kv: KVContext, seqs: Sequence[int], max_tokens: int = 1024, min_tokens: int = 32,
                 history: int = 32):
        self.kv = kv
        self.free = list(seqs)
        self.max_tokens = max_tokens
        self.min_tokens = min_tokens
        self.slots: list[_Slot] = []
        self.recent: deque[tuple[int, ...]] = deque(maxlen=history)
        self.tick = 0

    @property
    def capacity(self) -> int:
        return len(self.free) + len(self.slots)

    def clear(self) -> None:
        for slot in self.slots:
            self.kv.remove(slot.seq)
            self.free.append(slot.seq)
        self.slots.clear()
        self.recent.clear()

    def match(self, prompt: Sequence[int], limit: int | None = None) -> _Slot | None:
        """The longest cached prefix of `prompt` of at most `limit` tokens (default: all but the last token)."""
        limit = len(prompt) - 1 if limit is None else limit
        best = None
        for slot in self.slots:
            n = len(slot.tokens)
            if n <= limit and (best is None or n > len(best.tokens)) and tuple(prompt[:n]) == slot.tokens:
                best = slot
        return best

    def prepare(self, prompts: Sequence[Sequence[int]]) -> int:
        """Cache the prefixes these prompts share (see the module doc); returns the tokens decoded for it."""
        self.tick += 1
        for prompt in prompts:
            slot = self.match(prompt)
            if slot is not None:
                slot.tick = self.tick  # in use by this call: not evicted by it
        decoded = 0
        for tokens in self._candidates(prompts)[: self.capacity]:
            decoded += self._insert(tokens)
        self.recent.extend(tuple(p[: self.max_tokens + 1]) for p in prompts)
        return decoded

    def attach(self, prompt: Sequence[int], seq: int) -> int:
        """Start `seq` with the cells of the longest cached prefix of `prompt`; returns its length (0: none)."""
        slot = self.match(prompt)
        if slot is None:
            return 0
        self.kv.copy(slot.seq, seq)
        slot.tick = self.tick
        return len(slot.tokens)

    def _candidates(self, prompts: Sequence[Sequence[int]]) -> list[tuple[int, ...]]:
        """New prefixes worth caching, most shared first: per prompt, what it shares with the nearest different
        prompt (the system prompt and examples), and the whole prompt when it is repeated (a segment's candidates)."""
        pool = [tuple(p[: self.max_tokens + 1]) for p in prompts] + list(self.recent)
        counts = Counter(pool)
        unique = sorted(counts)
        shared = dict.fromkeys(unique, 0)
        for a, b in pairwise(unique):  # the longest common prefix with any other is with a sorted neighbour
            n = common_length(a, b)
            shared[a], shared[b] = max(shared[a], n), max(shared[b], n)
        wanted: set[tuple[int, ...]] = set()
        for prompt in prompts:
            key = tuple(prompt[: self.max_tokens + 1])
            have = self.match(prompt)
            for n in (shared[key], len(prompt) if counts[key] > 1 else 0):
                n = min(n, len(prompt) - 1, self.max_tokens)
                if n >= self.min_tokens and n >= (len(have.tokens) if have else 0) + self.min_tokens:
                    wanted.add(tuple(prompt[:n]))
        support = {c: sum(1 for p in pool if p[: len(c)] == c) for c in wanted}
        return sorted(wanted, key=lambda c: (-support[c], -len(c), c))

    def _insert(self, tokens: tuple[int, ...]) -> int:
        seq = self._take_seq()
        if seq is None:
            return 0
        base = self.match(tokens, limit=len(tokens))
        start = len(base.tokens) if base else 0
        self.kv.remove(seq)
        if base is not None:
            self.kv.copy(base.seq, seq)
        self.kv.fill(seq, tokens[start:], start)
        self.slots.append(_Slot(seq, tokens, self.tick))
        return len(tokens) - start

    def _take_seq(self) -> int | None:
        if self.free:
            return self.free.pop()
        idle = [slot for slot in self.slots if slot.tick < self.tick]
        if not idle:
            return None
        oldest = min(idle, key=lambda slot: slot.tick)
        self.slots.remove(oldest)
        self.kv.remove(oldest.seq)
        return oldest.seq
