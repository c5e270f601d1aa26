"""Seeded sampling of candidates: the sampler's cut-offs (no model), then the batched llama.cpp decoder, the model
worker and the transformers backend on tiny random models.

The tiny random models spread their probability thinly over ~600 tokens, so the default epsilon (0.02) leaves only
the most likely token: these tests sample with epsilon 0 to get candidates that differ.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from summarizer.llamacpp.kv import greedy, penalized, sample
from summarizer.generation import Sampling

PROBS = np.array([0.05, 0.3, 0.5, 0.15])  # the most likely token is 2
LOGITS = np.log(PROBS).astype(np.float32)


def _draws(sampling: Sampling, n: int = 1500, logits=LOGITS, history=(), penalty=1.0, seed=0) -> list[int]:
    rng = np.random.default_rng(seed)
    return [sample(logits, list(history), penalty, 64, sampling, rng) for _ in range(n)]


# ---------------------------------------------------------------- the sampler (no model)

def test_epsilon_and_top_p_cut_the_tail():
    assert set(_draws(Sampling(epsilon=0.0))) == {0, 1, 2, 3}
    assert set(_draws(Sampling(epsilon=0.1))) == {1, 2, 3}  # 0.05 < epsilon: never drawn
    assert set(_draws(Sampling(epsilon=0.2))) == {1, 2}
    assert set(_draws(Sampling(epsilon=0.0, top_p=0.6))) == {1, 2}  # 0.5 + 0.3 reach the nucleus mass
    assert set(_draws(Sampling(epsilon=0.0, top_p=0.5))) == {2}
    assert set(_draws(Sampling(epsilon=0.2, top_p=0.9))) == {1, 2}  # both cut-offs apply
    draws = _draws(Sampling(epsilon=0.0), n=4000)
    assert abs(draws.count(2) / 4000 - 0.5) < 0.05 and abs(draws.count(0) / 4000 - 0.05) < 0.02


def test_the_most_likely_token_always_stays():
    assert set(_draws(Sampling(epsilon=0.9))) == {2}  # every token below epsilon: the argmax is still kept
    assert set(_draws(Sampling(epsilon=0.0, top_p=1e-9))) == {2}
    flat = np.zeros(50, dtype=np.float32)
    flat[17] = 0.01  # a near-uniform distribution, as the tiny random models give: only the argmax is above epsilon
    assert set(_draws(Sampling(), n=200, logits=flat)) == {17}


def test_temperature_towards_zero_is_greedy():
    for temperature in (1e-3, 1e-6, 0.0):
        assert set(_draws(Sampling(temperature=temperature, epsilon=0.0), n=300)) == {2}
    # with the repetition penalty: the argmax of the penalized logits, like greedy decoding
    logits = np.array([2.0, 1.9, -1.0], dtype=np.float32)
    assert greedy(logits, [0], 1.5, 64) == 1
    assert set(_draws(Sampling(temperature=1e-6, epsilon=0.0), n=50, logits=logits, history=[0], penalty=1.5)) == {1}
    # a high temperature flattens: the tail comes back
    assert set(_draws(Sampling(temperature=5.0, epsilon=0.0), n=300)) == {0, 1, 2, 3}


def test_same_generator_seed_same_draws():
    s = Sampling(epsilon=0.0)
    assert _draws(s, 200, seed=3) == _draws(s, 200, seed=3)
    assert _draws(s, 200, seed=3) != _draws(s, 200, seed=4)


def test_penalized_scales_recent_tokens_only():
    logits = np.array([2.0, -2.0, 1.0, 4.0], dtype=np.float32)
    out = penalized(logits, [0, 1, 1], 2.0, 64)
    assert list(out) == [1.0, -4.0, 1.0, 4.0]  # positive divided, negative multiplied
    assert list(logits) == [2.0, -2.0, 1.0, 4.0]  # the caller's logits are not changed
    assert list(penalized(logits, [0, 1, 3], 2.0, 1)) == [2.0, -2.0, 1.0, 2.0]  # only the last `window` tokens
    assert penalized(logits, [0], 1.0, 64) is logits and penalized(logits, [], 2.0, 64) is logits


# ---------------------------------------------------------------- the batched decoder on a tiny GGUF

SYSTEM = "You are a careful news translator."
TEXTS = ["hello", "你好，国家知识产权局", "patents granted 5.32万件", "海关"]
LIMITS = [16, 12, 20, 10]


def _s(seed: int, **changes) -> Sampling:
    return Sampling(**{"epsilon": 0.0, "seed": seed, **changes})


def _llama(path):
    from summarizer.llamacpp.generator import load_llama

    return load_llama(str(path), 1, 512)


def _prompts(llama, texts=TEXTS) -> list[list[int]]:
    return [llama.tokenize(f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{t}<|im_end|>\n"
                           f"<|im_start|>assistant\n".encode("utf-8"), add_bos=False, special=True) for t in texts]


def _decoder(tiny, streams: int, drafter: bool = False):
    from summarizer.llamacpp.batch import BatchedDecoder
    from summarizer.llamacpp.draft import ModelDrafter

    main = _llama(tiny[0])
    model = ModelDrafter(main, _llama(tiny[1]), streams, 1024, 1, draft_tokens=4, min_p=0.0) if drafter else None
    return BatchedDecoder(main, max_streams=streams, context_per_stream=1024, threads=1, repetition_penalty=1.05,
                          draft_tokens=4, drafter=model)


def test_same_seed_same_ids_different_seeds_differ(tiny):
    decoder = _decoder(tiny, 3)
    prompts = _prompts(decoder.llama)
    plans = [_s(1), _s(2), _s(3), _s(4)]
    first, cut = decoder.generate(prompts, LIMITS, sampling=plans)
    assert [len(ids) for ids in first] == LIMITS and all(cut)  # random weights never stop
    assert decoder.generate(prompts, LIMITS, sampling=plans) == (first, cut)  # reproducible
    alone = _decoder(tiny, 1)  # one at a time: the same draws (each stream has its own generator)
    assert [alone.generate([p], [n], sampling=[s])[0][0] for p, n, s in zip(prompts, LIMITS, plans)] == first
    # one prompt, several seeds: the candidates differ, and none is the greedy output
    same = [prompts[0]] * 4
    seeds = decoder.generate(same, [16] * 4, sampling=[_s(1), _s(2), _s(3), _s(1)])[0]
    assert seeds[0] == seeds[3] and len({tuple(ids) for ids in seeds}) == 3
    greedy_ids = decoder.generate([prompts[0]], [16])[0][0]
    assert greedy_ids not in seeds


def test_greedy_rows_of_a_sampled_call_are_plain_greedy(tiny):
    decoder = _decoder(tiny, 3)
    prompts = _prompts(decoder.llama)
    reference = decoder.generate(prompts, LIMITS)
    assert decoder.generate(prompts, LIMITS, sampling=None) == reference
    assert decoder.generate(prompts, LIMITS, sampling=[None] * 4) == reference
    mixed, _ = decoder.generate(prompts, LIMITS, sampling=[None, _s(1), None, _s(2)])
    assert mixed[0] == reference[0][0] and mixed[2] == reference[0][2]
    assert mixed[1] != reference[0][1] and mixed[3] != reference[0][3]
    assert mixed[1] == decoder.generate([prompts[1]], [LIMITS[1]], sampling=[_s(1)])[0][0]
    # an epsilon above every probability leaves the argmax only: sampling then is greedy decoding
    assert decoder.generate(prompts, LIMITS, sampling=[_s(k, epsilon=1.0) for k in range(4)]) == reference


def test_sampled_streams_are_never_drafted(tiny):
    decoder = _decoder(tiny, 3, drafter=True)
    prompts = _prompts(decoder.llama)
    streams = decoder.streams(prompts, LIMITS, speculative=True, sampling=[None, _s(1), None, _s(2)])
    assert [s.speculative for s in streams] == [True, False, True, False]
    assert [s.sampling for s in streams] == [None, _s(1), None, _s(2)]
    assert streams[0].rng is None and isinstance(streams[1].rng, np.random.Generator)

    plans = [_s(k) for k in range(4)]
    plain = decoder.generate(prompts, LIMITS, sampling=plans)
    for drafting in ("lookup", "model", "auto"):
        before = decoder.stats.copy()
        assert decoder.generate(prompts, LIMITS, speculative=True, drafting=drafting, sampling=plans) == plain
        used = decoder.stats.since(before)
        assert used.lookup.drafted == used.model.drafted == 0 and used.draft_decodes == 0, drafting
        assert used.rows <= used.generated  # one row per step and stream: no guesses verified

    # greedy streams in the same call are still drafted, and every row keeps its own output
    greedy_ref = decoder.generate(prompts, LIMITS)[0]
    before = decoder.stats.copy()
    mixed, _ = decoder.generate(prompts, LIMITS, speculative=True, sampling=[None, plans[1], None, plans[3]])
    assert decoder.stats.since(before).lookup.drafted + decoder.stats.since(before).model.drafted > 0
    assert mixed == [greedy_ref[0], plain[0][1], greedy_ref[2], plain[0][3]]


# ---------------------------------------------------------------- through the generators

def _conversations(texts):
    return [[{"role": "system", "content": SYSTEM}, {"role": "user", "content": t}] for t in texts]


def test_llamacpp_generator_passes_sampling_through_the_worker(tiny):
    from summarizer.llamacpp.generator import LlamaCppGenerator

    gen = LlamaCppGenerator(str(tiny[0]), threads=1, parallel_sequences=3, speculative=True)
    conversations = _conversations(["hello"] * 4 + ["海关"])
    outs = gen.generate(conversations, [12] * 5, [None, _s(5), _s(5), _s(6), None])
    assert outs[1] == outs[2] and outs[1].text != outs[3].text
    assert outs[0] == gen.generate(conversations[:1], [12])[0] and outs[4] == gen.generate(conversations[4:], [12])[0]
    assert outs[1] == gen.generate(conversations[1:2], [12], [_s(5)])[0]
    assert [o.text for o in gen.generate(conversations, [12] * 5)] == [outs[0].text] * 4 + [outs[4].text]


def test_transformers_generator_samples_each_seeded_conversation_alone(tiny):
    from summarizer.engines.backends.transformers import TransformersGenerator

    hf_dir = Path(tiny[0]).parent / "main"  # the Hugging Face model the tiny GGUF was converted from (conftest)
    assert (hf_dir / "config.json").is_file()
    gen = TransformersGenerator(str(hf_dir), batch_size=2, threads=1)
    conversations = _conversations(["hello", "hello", "hello", "海关", "hello"])
    plans = [None, _s(5), _s(6), None, _s(5)]
    outs = gen.generate(conversations, [8] * 5, plans)
    assert outs[1] == outs[4] and outs[1].text != outs[2].text  # seeded: reproducible; other seed: other text
    greedy_outs = gen.generate(conversations, [8] * 5)
    assert outs[0] == greedy_outs[0] and outs[3] == greedy_outs[3]  # greedy rows are batched as before
    assert outs[1].text != greedy_outs[1].text
    assert gen.generate(conversations[2:3], [8], [_s(6)]) == [outs[2]]
