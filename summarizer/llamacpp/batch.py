"""Batched decoding (greedy, or seeded sampling per stream) on llama.cpp: several sequences share each forward pass (one KV cache, one seq id each).

On a 2-core CPU a single stream leaves most of the arithmetic idle while the weights stream from memory; decoding
B sequences per step reads the weights once for all of them, so aggregate tokens/s grows with B.

Two ways to read less:
- prompt prefixes (system prompt, instructions) are decoded once into reserved sequences (`PrefixCache`) and a
  stream copies their cells, across calls;
- speculative decoding: while the step has spare rows (`draft_rows`: at most that many tokens per step in all),
  a stream's next tokens are guessed (prompt lookup, or the draft model for streams whose output does not copy
  their prompt) and decoded in the same batch as everyone's next token. The stream keeps the longest run of
  guesses that greedy decoding itself picks, position by position with the same repetition penalty, plus the
  token greedy picks after it; the cells of the rejected guesses are removed. A stream whose draft-model rounds
  gain nothing waits 1, 2, 4, 8 steps before asking the draft model again.

Same output, to the last bit of llama.cpp's arithmetic: a token's logits depend on the shape of the batch it was
decoded in (repacked Q4_K kernels work on groups of 4 rows, K-quant tiles start at 8 rows, flash attention splits
the cache for 1-row batches and tiles from 64 rows) and on the order of its sequence's cells in the cache; through
the int8 activations of 28 layers such last-bit differences become logit differences of up to ~0.7. So, exactly as
batched against one-at-a-time decoding, speculative decoding can take the other side of a near tie. With repacking
off (`use_extra_bufts`), GGML_CPU_TILED_MM=0 and a Q8_0 KV cache, logits no longer depend on the batch shape (cell
order still matters), but prompts and batched steps run 1.5-2x slower on a 2-core CPU; not done here.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields

from summarizer.llamacpp.draft import (
    DraftCounts,
    ModelDrafter,
    NgramIndex,
)
import numpy as np

from summarizer.llamacpp.kv import KVContext, Row, greedy, sample
from summarizer.generation import Sampling
from summarizer.llamacpp.prefix import PrefixCache

_CHUNK = 256  # prompt tokens per prefill decode
_TAIL = 128  # last prompt tokens decoded together with the other streams' next tokens
_PROBATION = 8  # generated tokens after which a stream that prompt lookup does not serve moves to the draft model
DRAFTING = ("auto", "lookup", "model")


@dataclass
class DecodeStats:
    """What the decoder read and generated, summed over calls (`since` gives the part of a later snapshot)."""

    prompts: int = 0
    prompt_tokens: int = 0
    prompt_reused: int = 0  # prompt tokens whose cells were copied from a cached prefix
    prompt_read: int = 0  # prompt tokens decoded, into streams and into cached prefixes
    generated: int = 0
    steps: int = 0  # generation decodes of the main model
    rows: int = 0  # rows those decodes verified: each stream's next token and its guesses
    draft_decodes: int = 0  # decodes of the draft model (drafting and reading prompts)
    draft_prompt_read: int = 0  # prompt tokens the draft model decoded
    lookup: DraftCounts = field(default_factory=DraftCounts)
    model: DraftCounts = field(default_factory=DraftCounts)

    def since(self, earlier: DecodeStats) -> DecodeStats:
        return DecodeStats(**{f.name: getattr(self, f.name) - getattr(earlier, f.name) for f in fields(self)})

    def copy(self) -> DecodeStats:
        return self.since(DecodeStats())


@dataclass
class Stream:
    """One prompt being continued: its sequence, its output so far, and its drafting state."""

    prompt: list[int]
    limit: int
    speculative: bool = False
    policy: str = "auto"  # drafting: auto | lookup | model
    cancelled: bool = False  # set by the caller; the next step frees its sequence
    sampling: Sampling | None = None  # None: greedy; else sampled from its own seeded generator (never drafted)
    rng: np.random.Generator | None = None
    seq: int = -1
    out: list[int] = field(default_factory=list)
    pos: int = 0  # cells this stream holds: the next position to decode
    base: int = 0  # position of the first token decoded in the last step
    rows: list[int] = field(default_factory=list)  # batch rows with this stream's logits in the last decode
    drafts: list[int] = field(default_factory=list)  # guesses decoded in the last step, after its last token
    drafter: str = ""  # "lookup" | "model": who made `drafts`
    index: NgramIndex | None = None
    lookup_accepted: int = 0
    use_model: bool = False
    misses: int = 0  # draft-model rounds in a row that gained nothing
    pause: int = 0  # steps before the draft model is asked again (1, 2, 4, 8 after misses)
    done: bool = False
    truncated: bool = False


class BatchedDecoder:
    """Greedy decoding of many prompts at once over a loaded `llama_cpp.Llama` model."""

    def __init__(self, llama, max_streams: int = 8, context_per_stream: int = 2048, threads: int | None = None,
                 repetition_penalty: float = 1.0, penalty_window: int = 64, prefix_slots: int = 4,
                 prefix_tokens: int = 1024, draft_tokens: int = 6, draft_rows: int = 16,
                 drafter: ModelDrafter | None = None, drafting: str = "auto"):
        """draft_rows: most tokens per step that speculation may fill (next tokens included); drafter: the draft
        model, if any; drafting: "auto" (prompt lookup; the draft model for streams it does not serve), "lookup"
        or "model" (that drafter only); prefix_slots, prefix_tokens: cached prefixes and their longest length."""
        if drafting not in DRAFTING:
            raise ValueError(f"drafting must be one of {', '.join(DRAFTING)}, not {drafting!r}")
        self.llama = llama
        self.max_streams = max_streams
        self.context_per_stream = context_per_stream
        self.repetition_penalty = repetition_penalty
        self.penalty_window = penalty_window
        self.draft_tokens = draft_tokens
        self.draft_rows = draft_rows
        self.drafter = drafter
        self.drafting = drafting
        capacity = max(_CHUNK, max_streams * max(_TAIL, 1 + draft_tokens))
        n_ctx = max_streams * context_per_stream + prefix_slots * prefix_tokens
        self.kv = KVContext(llama, n_ctx, max_streams + prefix_slots, capacity, threads or llama.n_threads)
        self.prefixes = PrefixCache(self.kv, range(max_streams, max_streams + prefix_slots), prefix_tokens)
        self.eos = {llama.token_eos()} | self._special_stops()
        self.stats = DecodeStats()
        self.active: list[Stream] = []
        self.free_seqs: list[int] = []
        self.reset()

    def _special_stops(self) -> set[int]:
        stops = set()
        for text in ("<|im_end|>", "<|endoftext|>"):
            ids = self.llama.tokenize(text.encode(), add_bos=False, special=True)
            if len(ids) == 1:
                stops.add(ids[0])
        return stops

    def close(self) -> None:
        self.kv.close()

    def reset(self) -> None:
        """Drop every active stream and free all sequences (after a failed decode: start clean)."""
        for s in self.active:
            self._release(s)
        self.active = []
        self.free_seqs = list(range(self.max_streams - 1, -1, -1))

    def clear_cache(self) -> None:
        """Forget the cached prefixes (benchmarks compare runs from the same cold start)."""
        self.prefixes.clear()
        if self.drafter is not None:
            self.drafter.prefixes.clear()

    def generate(self, prompts: Sequence[list[int]], max_new_tokens: Sequence[int], speculative: bool = False,
                 drafting: str | None = None, sampling: Sequence[Sampling | None] | None = None,
                 ) -> tuple[list[list[int]], list[bool]]:
        """Continuation token ids for each prompt (greedy, or sampled where `sampling` says), and whether each hit
        its token limit.

        Continuous batching: a stream that finishes frees its sequence for the next waiting prompt.
        speculative: draft and verify (same output); drafting: this call's drafter choice (default: the decoder's)."""
        streams = self.streams(prompts, max_new_tokens, speculative, drafting, sampling)
        self.prepare(streams)
        waiting = list(reversed(streams))
        while waiting or self.active:
            self.step(lambda: waiting.pop() if waiting else None)
        return [s.out for s in streams], [s.truncated for s in streams]

    def prepare(self, streams: Sequence[Stream]) -> None:
        """Decode the prompt prefixes these streams share with each other or with earlier calls, once."""
        self.stats.prompt_read += self.prefixes.prepare([s.prompt for s in streams])

    def step(self, next_waiting: Callable[[], Stream | None]) -> list[Stream]:
        """Free the streams that are done (or cancelled), then one decode for every active stream and for new streams
        from `next_waiting` while sequences are free, whose logits give each its next tokens at once (so nothing
        is pending between steps: prefixes may be decoded then). Returns the streams freed."""
        finished = [s for s in self.active if s.done or s.cancelled]
        for s in finished:
            self.active.remove(s)
            self._release(s)
            self.free_seqs.append(s.seq)
        drafts = self._drafts(self.active)
        rows: list[Row] = []
        for s in self.active:
            rows += self._next_rows(s, drafts.get(s.seq, ([], "")), len(rows))
        admitted = []
        while self.free_seqs:
            s = next_waiting()
            if s is None:
                break
            admitted.append((s, self.free_seqs.pop()))
        rows += self._admit(admitted, len(rows))
        if rows:
            self.kv.decode(rows)
            self.stats.steps += 1
            for s in self.active:
                self._accept(s)
        return finished

    def streams(self, prompts: Sequence[list[int]], max_new_tokens: Sequence[int], speculative: bool = False,
                drafting: str | None = None, sampling: Sequence[Sampling | None] | None = None) -> list[Stream]:
        """Streams for these prompts, limits cut to what a sequence's context holds (then marked truncated);
        sampled streams are never drafted (drafts are verified against greedy picks)."""
        policy = drafting or self.drafting
        if policy not in DRAFTING:
            raise ValueError(f"drafting must be one of {', '.join(DRAFTING)}, not {policy!r}")
        plans = list(sampling) if sampling is not None else [None] * len(prompts)
        streams = [Stream(list(p) or [self.llama.token_bos()], int(m), speculative=speculative and plan is None,
                          policy=policy, sampling=plan, rng=np.random.default_rng(plan.seed) if plan else None)
                   for p, m, plan in zip(prompts, max_new_tokens, plans)]
        for s in streams:
            if len(s.prompt) + s.limit > self.context_per_stream:
                s.limit = max(1, self.context_per_stream - len(s.prompt))
                s.truncated = True
        self.stats.prompts += len(streams)
        self.stats.prompt_tokens += sum(len(s.prompt) for s in streams)
        return streams

    def _admit(self, admitted: list[tuple[Stream, int]], offset: int) -> list[Row]:
        """Start streams on free sequences. Streams with the same prompt (the candidates of one segment) share
        its cells: the first reads it, the others get its cells and the rows of its tail."""
        groups: dict[tuple[int, ...], list[Stream]] = {}
        for s, seq in admitted:
            s.seq = seq
            self.kv.remove(seq)
            groups.setdefault(tuple(s.prompt), []).append(s)
        rows: list[Row] = []
        for first, *others in groups.values():
            tail = self._read_head(first)
            for s in others:
                self.kv.copy(first.seq, s.seq)
                s.base, s.pos, s.index = first.base, first.pos, NgramIndex(s.prompt)
                self.stats.prompt_reused += len(s.prompt)
            also = tuple(s.seq for s in others)
            rows += [Row(first.seq, first.base + i, token, i == len(tail) - 1, also) for i, token in enumerate(tail)]
            for s in (first, *others):
                s.rows = [offset + len(rows) - 1]
                self.active.append(s)
        return rows

    def _read_head(self, s: Stream) -> list[int]:
        """Copy the stream's cached prefix, read the rest of its prompt but the tail, which joins the step."""
        shared = self.prefixes.attach(s.prompt, s.seq)
        rest = s.prompt[shared:]
        head, tail = rest[:-_TAIL], rest[-_TAIL:]
        self.kv.fill(s.seq, head, shared, _CHUNK)
        self.stats.prompt_reused += shared
        self.stats.prompt_read += len(rest)
        s.base = shared + len(head)
        s.pos = s.base + len(tail)
        s.index = NgramIndex(s.prompt)
        return tail

    def _release(self, s: Stream) -> None:
        self.kv.remove(s.seq)
        if self.drafter is not None:
            self.drafter.release(s.seq)

    def _accept(self, s: Stream) -> None:
        """Tokens from the last decode's logits: the guesses greedy agrees with, then one of its own (a sampled
        stream has no guesses: its one token is drawn)."""
        accepted = 0
        for i, row in enumerate(s.rows):
            token = self._pick(s, self.kv.logits(row))
            if token in self.eos:
                s.done = True
                break
            s.out.append(token)
            s.index.extend([token])
            self.stats.generated += 1
            matched = i < len(s.drafts) and s.drafts[i] == token
            accepted += matched
            if len(s.out) >= s.limit:
                s.done = s.truncated = True
                break
            if not matched:
                break
        if s.drafts:
            self._count(s.drafter).accepted += accepted
            if s.drafter == "lookup":
                s.lookup_accepted += accepted
            else:
                self._back_off(s, accepted)
            if not s.done:  # cells of rejected guesses go; the stream goes on after the accepted ones
                s.pos = s.base + 1 + accepted
                self.kv.remove(s.seq, s.pos)
        s.rows, s.drafts = [], []

    def _pick(self, s: Stream, logits: np.ndarray) -> int:
        if s.sampling is None:
            return greedy(logits, s.out, self.repetition_penalty, self.penalty_window)
        return sample(logits, s.out, self.repetition_penalty, self.penalty_window, s.sampling, s.rng)

    def _next_rows(self, s: Stream, drafted: tuple[list[int], str], offset: int) -> list[Row]:
        """The stream's last token and its guesses, all with logits."""
        drafts, kind = drafted
        tokens = [s.out[-1]] + drafts
        s.base = s.pos
        s.pos += len(tokens)
        s.drafts, s.drafter = drafts, kind
        s.rows = list(range(offset, offset + len(tokens)))
        self.stats.rows += len(tokens)
        if drafts:
            counts = self._count(kind)
            counts.drafted += len(drafts)
            counts.rounds += 1
        return [Row(s.seq, s.base + i, token, True) for i, token in enumerate(tokens)]

    def _count(self, kind: str) -> DraftCounts:
        return self.stats.model if kind == "model" else self.stats.lookup

    def _drafts(self, active: list[Stream]) -> dict[int, tuple[list[int], str]]:
        """Guesses for the streams while the step has rows to spare: prompt lookup, or the draft model."""
        budget = self.draft_rows - len(active)
        found: dict[int, tuple[list[int], str]] = {}
        asks = []
        for s in active:
            n = min(self.draft_tokens, budget, s.limit - len(s.out) - 1)
            if n <= 0 or not s.speculative:
                continue
            self._probation(s)
            if not s.use_model:
                drafts = s.index.draft(n)
                if drafts:
                    found[s.seq] = (drafts, "lookup")
                    budget -= len(drafts)
            elif s.pause:
                s.pause -= 1
            else:
                asks.append((s, n))
                budget -= n
        if asks:
            found.update(self._model_drafts(asks))
        return found

    def _model_drafts(self, asks: list[tuple[Stream, int]]) -> dict[int, tuple[list[int], str]]:
        decodes, read = self.drafter.decodes, self.drafter.prompt_read
        drafts = self.drafter.draft([(s.seq, s.index.tokens, n) for s, n in asks])
        self.stats.draft_decodes += self.drafter.decodes - decodes
        self.stats.draft_prompt_read += self.drafter.prompt_read - read
        for s, _ in asks:
            if not drafts.get(s.seq):
                self._back_off(s, 0)  # not confident enough to guess: a miss too
        return {seq: (d, "model") for seq, d in drafts.items() if d}

    @staticmethod
    def _back_off(s: Stream, accepted: int) -> None:
        """Each draft-model round costs decodes of the small model: after rounds that gained nothing, skip steps."""
        s.misses = 0 if accepted else s.misses + 1
        s.pause = min(8, 2 ** (s.misses - 1)) if s.misses else 0

    def _probation(self, s: Stream) -> None:
        """A stream whose output prompt lookup does not predict (a quarter of its first tokens) moves to the draft
        model, for good."""
        if self.drafter is None or s.use_model or s.policy == "lookup":
            return
        s.use_model = s.policy == "model" or (len(s.out) >= _PROBATION and 4 * s.lookup_accepted < len(s.out))
