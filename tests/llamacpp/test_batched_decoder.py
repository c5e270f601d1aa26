"""The batched llama.cpp decoder: prefix cache, prompt lookup, draft model, and greedy output unchanged by speculation.

Tiny random GGUF files (F32): there, speculation gives the same token ids. On the real Q4_K model it does not always
(logits depend on the batch shape; benchmarks/speculative.py counts the outputs that differ), so it is off by default.
"""
from __future__ import annotations

import logging

import pytest

from summarizer.llamacpp.draft import NgramIndex
from summarizer.llamacpp.prefix import PrefixCache
from summarizer.errors import ModelError

SYSTEM = "You are a careful news translator. Keep every number, name and date exactly as in the source text."
TEXTS = ["hello", "你好，国家知识产权局", "patents granted 5.32万件", "海关", "hello", "法院判决被告赔偿原告经济损失100万元。"]
LIMITS = [24, 16, 30, 12, 24, 40]


# ---------------------------------------------------------------- prompt lookup and the prefix cache (no model)

def test_prompt_lookup_drafts_what_followed_the_latest_match():
    index = NgramIndex([1, 2, 3, 4, 5, 1, 2])
    assert index.draft(3) == [3, 4, 5]  # "1 2" was followed by 3 4 5
    index.extend([3])
    assert index.draft(3) == [4, 5, 1]  # the longer match "1 2 3" wins, and the copy runs on
    assert NgramIndex([7, 7, 7]).draft(4) == [7, 7, 7, 7]  # a loop is continued
    assert NgramIndex([1, 2, 3]).draft(4) == [] and index.draft(0) == []


class FakeKV:
    """Sequences as token lists; counts the tokens decoded."""

    def __init__(self):
        self.seqs: dict[int, list[int]] = {}
        self.decoded = 0

    def fill(self, seq, tokens, start, chunk=256):
        assert len(self.seqs.setdefault(seq, [])) == start
        self.seqs[seq] += list(tokens)
        self.decoded += len(tokens)

    def copy(self, source, target):
        self.seqs[target] = list(self.seqs[source])

    def remove(self, seq, start=-1):
        del self.seqs.setdefault(seq, [])[max(start, 0):]


def test_prefix_cache_reads_a_shared_prefix_once_and_reuses_it_across_calls():
    kv = FakeKV()
    cache = PrefixCache(kv, [10, 11], max_tokens=100, min_tokens=8)
    system = list(range(100, 140))
    a, b = system + [1, 2, 3], system + [4, 5]
    assert cache.prepare([a, b]) == 40 and kv.decoded == 40
    assert cache.attach(a, 0) == 40 and kv.seqs[0] == system
    assert cache.prepare([system + [9, 9]]) == 0  # a later call with one prompt: nothing read again
    assert cache.attach(system + [9, 9], 1) == 40
    longer = system + list(range(500, 520))
    assert cache.prepare([longer + [1], longer + [2]]) == 20  # built on the cached prefix: only the new part read
    assert cache.attach(longer + [1], 2) == 60 and cache.attach(a, 3) == 40  # each prompt: its longest match
    assert cache.attach([5] * 50, 4) == 0


def test_prefix_cache_evicts_the_least_recently_used_and_keeps_the_last_token_out():
    kv = FakeKV()
    cache = PrefixCache(kv, [10], max_tokens=100, min_tokens=8)
    first, second = list(range(100, 120)), list(range(200, 220))
    cache.prepare([first + [1], first + [2]])
    cache.prepare([second + [1], second + [2]])
    assert cache.attach(first + [3], 0) == 0 and cache.attach(second + [3], 1) == 20
    cache.prepare([second, second])  # identical prompts: everything but the last token, which gives the logits
    assert cache.attach(second, 2) == 19
    assert PrefixCache(FakeKV(), [10], min_tokens=8).prepare([[1] * 5 + [2], [1] * 5 + [3]]) == 0  # too short


# ---------------------------------------------------------------- tiny GGUF models

def _llama(path):
    from summarizer.llamacpp.generator import load_llama

    return load_llama(str(path), 1, 512)


def _prompts(llama) -> list[list[int]]:
    texts = [f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{t}<|im_end|>\n<|im_start|>assistant\n"
             for t in TEXTS]
    return [llama.tokenize(t.encode("utf-8"), add_bos=False, special=True) for t in texts]


def _decoder(tiny, streams: int, drafter: bool = True, draft_tokens: int = 4):
    from summarizer.llamacpp.batch import BatchedDecoder
    from summarizer.llamacpp.draft import ModelDrafter

    main, draft = _llama(tiny[0]), _llama(tiny[1])
    model = ModelDrafter(main, draft, streams, 1024, 1, draft_tokens=draft_tokens, min_p=0.0) if drafter else None
    return BatchedDecoder(main, max_streams=streams, context_per_stream=1024, threads=1, repetition_penalty=1.05,
                          draft_tokens=draft_tokens, drafter=model)


def test_speculation_leaves_greedy_token_ids_unchanged(tiny):
    prompts = _prompts(_llama(tiny[0]))
    reference, cut = _decoder(tiny, 1, drafter=False).generate(prompts, LIMITS)
    assert [len(ids) for ids in reference] == LIMITS and all(cut)  # random weights never stop: limits bite
    for streams in (1, 3):
        decoder = _decoder(tiny, streams)
        assert decoder.generate(prompts, LIMITS) == (reference, cut)  # speculative off, batched
        for drafting in ("lookup", "model", "auto"):
            assert decoder.generate(prompts, LIMITS, speculative=True, drafting=drafting) == (reference, cut), drafting
        lookup, model = decoder.stats.lookup, decoder.stats.model
        assert lookup.accepted > 0 and model.accepted > 0
        assert decoder.stats.steps < 5 * sum(LIMITS)  # four runs' worth of tokens in fewer steps than five


def test_wrong_guesses_are_rolled_back(tiny, monkeypatch):
    """Guesses with 0, 1 or 2 right tokens, then wrong ones: the rejected cells go, the output stays."""
    prompts = _prompts(_llama(tiny[0]))
    reference, cut = _decoder(tiny, 1, drafter=False).generate(prompts, LIMITS)

    def oracle(index: NgramIndex, limit: int) -> list[int]:
        prompt, expected = next((p, r) for p, r in zip(prompts, reference) if index.tokens[: len(p)] == p)
        done = len(index.tokens) - len(prompt)
        right = expected[done : done + done % 3]
        return (right + [(t + 1) % 500 for t in expected[done + len(right) : done + limit]])[:limit]

    monkeypatch.setattr(NgramIndex, "draft", oracle)
    for streams in (1, 3):
        decoder = _decoder(tiny, streams, drafter=False)
        assert decoder.generate(prompts, LIMITS, speculative=True, drafting="lookup") == (reference, cut)
        assert 0 < decoder.stats.lookup.accepted < decoder.stats.lookup.drafted / 2


def test_prefix_cells_are_reused_across_calls_without_changing_output(tiny):
    prompts = _prompts(_llama(tiny[0]))
    decoder = _decoder(tiny, 2, drafter=False)
    decoder.generate(prompts[:2], LIMITS[:2])
    first = decoder.stats.copy()
    assert first.prompt_reused > 0  # the two prompts share the system prompt
    again = decoder.generate(prompts[2:3], LIMITS[2:3], speculative=True)
    stats = decoder.stats.since(first)
    assert stats.prompt_reused >= len(_llama(tiny[0]).tokenize(SYSTEM.encode(), add_bos=False)) > 20
    assert stats.prompt_read + stats.prompt_reused == stats.prompt_tokens
    assert again == _decoder(tiny, 1, drafter=False).generate(prompts[2:3], LIMITS[2:3])  # a cold cache: same ids


def test_a_draft_model_with_another_vocabulary_is_refused(tiny):
    from summarizer.llamacpp.generator import LlamaCppGenerator
    from summarizer.llamacpp.draft import ModelDrafter, vocab_mismatch

    main, foreign = _llama(tiny[0]), _llama(tiny[2])
    assert vocab_mismatch(main, _llama(tiny[1])) is None
    assert vocab_mismatch(main, foreign) == "token 300 differs"
    with pytest.raises(ModelError, match="another vocabulary"):
        ModelDrafter(main, foreign, 1, 256, 1)
    with pytest.raises(ModelError, match="another vocabulary"):
        LlamaCppGenerator(str(tiny[0]), threads=1, draft_model=str(tiny[2])).decoder()


def test_every_call_goes_through_the_batched_decoder(tiny):
    from summarizer.llamacpp.generator import LlamaCppGenerator

    conversations = [[{"role": "system", "content": SYSTEM}, {"role": "user", "content": t}] for t in TEXTS[:3]]
    gen = LlamaCppGenerator(str(tiny[0]), threads=1, parallel_sequences=2, draft_model=str(tiny[1]))
    one = gen.generate(conversations[:1], [10])
    assert gen.generate(conversations, [10, 6, 8])[0] == one[0]
    assert gen.stats.prompts == 4 and gen.stats.generated == 34 and gen.stats.prompt_reused > 0
    gen.speculative = False
    assert gen.generate(conversations[:1], [10]) == one


def test_a_draft_model_that_is_not_pulled_leaves_prompt_lookup(tiny, tmp_path, monkeypatch, caplog):
    from summarizer.llamacpp.generator import LlamaCppGenerator

    monkeypatch.setenv("BISUM_CACHE_DIR", str(tmp_path))
    gen = LlamaCppGenerator(str(tiny[0]), threads=1, parallel_sequences=1, draft_model="qwen2.5-coder-0.5b-instruct-gguf")
    with caplog.at_level(logging.WARNING):
        assert gen.decoder().drafter is None
    assert "not pulled" in caplog.text
    assert gen.generate([[{"role": "user", "content": "hello"}]], [5])[0].truncated  # generated up to the limit
