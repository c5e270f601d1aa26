"""Streams with the same prompt (a segment's candidates) read it once and share its cells."""
from __future__ import annotations

from summarizer.generation import Sampling

from tests.llamacpp.test_batched_decoder import LIMITS, _decoder, _llama, _prompts


def test_identical_prompts_are_read_once_and_decode_as_if_alone(tiny):
    prompts = _prompts(_llama(tiny[0]))
    alone, cut = _decoder(tiny, 1, drafter=False).generate(prompts[:1], LIMITS[:1])
    decoder = _decoder(tiny, 4, drafter=False)
    before = decoder.stats.copy()
    same, _ = decoder.generate(prompts[:1] * 4, LIMITS[:1] * 4)
    read = decoder.stats.since(before)
    assert same == alone * 4  # greedy siblings give the lone stream's ids
    assert read.prompt_read <= len(prompts[0])  # the prompt was read once, not four times
    assert read.prompt_reused >= 3 * len(prompts[0])


def test_sampled_siblings_share_the_prompt_but_draw_their_own_tokens(tiny):
    prompts = _prompts(_llama(tiny[0]))
    decoder = _decoder(tiny, 4, drafter=False)
    plans = [None, Sampling(temperature=1.5, epsilon=0.0, seed=1), Sampling(temperature=1.5, epsilon=0.0, seed=2),
             Sampling(temperature=1.5, epsilon=0.0, seed=1)]
    ids, _ = decoder.generate(prompts[2:3] * 4, LIMITS[2:3] * 4, sampling=plans)
    greedy, _ = _decoder(tiny, 1, drafter=False).generate(prompts[2:3], LIMITS[2:3])
    assert ids[0] == greedy[0]
    assert ids[1] == ids[3] and ids[1] != ids[2]  # same seed, same draw; another seed, another draw
