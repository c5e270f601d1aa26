"""The batched llama.cpp decoder: prefix cache, prompt lookup, draft model, and greedy output unchanged by speculation.

Fast tests run on tiny random GGUF files; `-m model` runs the real default model (and the draft model if pulled).
"""
from __future__ import annotations

import importlib.util
import json
import logging
import shutil

import pytest

from summarizer.engines.backends.llamacpp_draft import NgramIndex
from summarizer.engines.backends.llamacpp_prefix import PrefixCache
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

@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """(main, draft, foreign): a tiny Qwen2 GGUF, a smaller one with the same vocabulary, one with another vocabulary."""
    if importlib.util.find_spec("llama_cpp") is None:  # not imported here: bisum picks the CPU kernels first
        pytest.skip("llama-cpp-python is not installed")
    from tiny_models import build_tiny_gguf, build_tiny_qwen

    root = tmp_path_factory.mktemp("tiny-llamacpp")
    main_dir = build_tiny_qwen(root / "main")
    foreign_dir = shutil.copytree(main_dir, root / "foreign")
    tokenizer = json.loads((foreign_dir / "tokenizer.json").read_text("utf-8"))
    vocab = tokenizer["model"]["vocab"]
    names = {i: t for t, i in vocab.items()}
    vocab[names[300]], vocab[names[301]] = 301, 300  # two tokens swap ids
    (foreign_dir / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False), "utf-8")
    return (build_tiny_gguf(main_dir, root / "main.gguf"),
            build_tiny_gguf(build_tiny_qwen(root / "draft", layers=1, hidden=32), root / "draft.gguf"),
            build_tiny_gguf(foreign_dir, root / "foreign.gguf"))


def _llama(path):
    from summarizer.engines.backends.llamacpp import load_llama

    return load_llama(str(path), 1, 512)


def _prompts(llama) -> list[list[int]]:
    texts = [f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{t}<|im_end|>\n<|im_start|>assistant\n"
             for t in TEXTS]
    return [llama.tokenize(t.encode("utf-8"), add_bos=False, special=True) for t in texts]


def _decoder(tiny, streams: int, drafter: bool = True, draft_tokens: int = 4):
    from summarizer.engines.backends.llamacpp_batch import BatchedDecoder
    from summarizer.engines.backends.llamacpp_draft import ModelDrafter

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
    from summarizer.engines.backends.llamacpp import LlamaCppGenerator
    from summarizer.engines.backends.llamacpp_draft import ModelDrafter, vocab_mismatch

    main, foreign = _llama(tiny[0]), _llama(tiny[2])
    assert vocab_mismatch(main, _llama(tiny[1])) is None
    assert vocab_mismatch(main, foreign) == "token 300 differs"
    with pytest.raises(ModelError, match="another vocabulary"):
        ModelDrafter(main, foreign, 1, 256, 1)
    with pytest.raises(ModelError, match="another vocabulary"):
        LlamaCppGenerator(str(tiny[0]), threads=1, draft_model=str(tiny[2])).decoder()


def test_every_call_goes_through_the_batched_decoder(tiny):
    from summarizer.engines.backends.llamacpp import LlamaCppGenerator

    conversations = [[{"role": "system", "content": SYSTEM}, {"role": "user", "content": t}] for t in TEXTS[:3]]
    gen = LlamaCppGenerator(str(tiny[0]), threads=1, parallel_sequences=2, draft_model=str(tiny[1]))
    one = gen.generate(conversations[:1], [10])
    assert gen.generate(conversations, [10, 6, 8])[0] == one[0]
    assert gen.stats.prompts == 4 and gen.stats.generated == 34 and gen.stats.prompt_reused > 0
    gen.speculative = False
    assert gen.generate(conversations[:1], [10]) == one


def test_a_draft_model_that_is_not_pulled_leaves_prompt_lookup(tiny, tmp_path, monkeypatch, caplog):
    from summarizer.engines.backends.llamacpp import LlamaCppGenerator

    monkeypatch.setenv("BISUM_CACHE_DIR", str(tmp_path))
    gen = LlamaCppGenerator(str(tiny[0]), threads=1, parallel_sequences=1, draft_model="qwen2.5-coder-0.5b-instruct-gguf")
    with caplog.at_level(logging.WARNING):
        assert gen.decoder().drafter is None
    assert "not pulled" in caplog.text
    assert gen.generate([[{"role": "user", "content": "hello"}]], [5])[0].truncated  # generated up to the limit


# ---------------------------------------------------------------- the real models

ARTICLE = (
    "国家知识产权局今天发布数据显示，今年前三季度全国发明专利授权量达到5.32万件，同比增长12%。"
    "其中，人工智能和新能源汽车领域的专利增长最快。国家知识产权局表示，将继续加强知识产权保护，"
    "优化审查流程，缩短审查周期。海关总署同期扣留侵权嫌疑货物4.13万批，涉及商品5000万件。"
)


@pytest.mark.model
@pytest.mark.timeout(1800)
def test_real_model_speculation_gives_the_same_summary_and_translation():
    from summarizer.engines import models
    from summarizer.engines.backends.llamacpp import LlamaCppGenerator
    from summarizer.engines.prompted import PromptedEngine

    if not models.is_present(models.REGISTRY[models.DEFAULT_MODEL]):
        pytest.skip("the default model is not pulled (summarizer models pull)")
    draft = "qwen2.5-coder-0.5b-instruct-gguf"
    pulled = models.is_present(models.REGISTRY[draft])
    calls = []
    for streams in (1, 2):
        gen = LlamaCppGenerator(threads=2, parallel_sequences=streams, draft_model=draft if pulled else None)
        engine = PromptedEngine(gen, "llamacpp")
        for speculative, drafting in [(False, "auto"), (True, "lookup")] + [(True, "model")] * pulled:
            gen.speculative, gen.drafting = speculative, drafting
            gen.clear_cache()
            summary = engine.summarize([ARTICLE], "zh", 2)[0].text
            translation = engine.translate(["今年前三季度，全国发明专利授权量达到5.32万件。"], "zh", "en")[0].text
            calls.append(((streams, speculative, drafting), summary, translation))
    reference = calls[0][1:]
    assert reference[0] and reference[1]
    assert [c[0] for c in calls if c[1:] != reference] == []
