"""The shared model worker: calls from many threads join one continuous batch, fairly, with streaming, time limits
and cancellation. Tiny random GGUF files; greedy output must not depend on who else is in the batch."""
from __future__ import annotations

import threading
import time

import pytest

from summarizer import request
from summarizer.request import RequestContext
from summarizer.errors import RequestCancelled, TimeLimitExceeded

SYSTEM = "You are a careful news translator."
TEXTS = ["hello", "你好，国家知识产权局", "patents granted 5.32万件", "海关", "法院判决被告赔偿原告经济损失100万元。"]


def _conversations(texts):
    return [[{"role": "system", "content": SYSTEM}, {"role": "user", "content": t}] for t in texts]


@pytest.fixture
def generator(tiny_visible):
    """Two sequences over a model that always writes up to its token limit, so work lasts as long as the test says."""
    from summarizer.llamacpp.generator import LlamaCppGenerator

    return LlamaCppGenerator(str(tiny_visible), threads=1, parallel_sequences=2, speculative=False)


def _in_thread(fn, *args, ctx=None):
    box: dict = {}

    def run():
        try:
            with request.scope(ctx) if ctx else _nothing():
                box["out"] = fn(*args)
        except Exception as exc:  # handed back to the test
            box["error"] = exc
        box["finished"] = time.monotonic()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


def _until_generating(ctx: RequestContext) -> None:
    deadline = time.monotonic() + 30
    while not ctx.tokens and time.monotonic() < deadline:
        time.sleep(0.001)


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def test_calls_from_many_threads_share_the_batch_and_keep_their_output(generator):
    alone = [generator.generate(_conversations([t]), [20])[0].text for t in TEXTS]
    steps = generator.stats.steps
    runs = [_in_thread(generator.generate, _conversations([t]), [20]) for t in TEXTS]
    for thread, _ in runs:
        thread.join(60)
    assert [box["out"][0].text for _, box in runs] == alone
    assert generator.stats.steps - steps < steps  # fewer decodes than one call after another


def test_a_short_request_is_not_stuck_behind_a_long_page(generator):
    page, paste = RequestContext("page"), RequestContext("paste")
    long_thread, long_box = _in_thread(generator.generate, _conversations(TEXTS * 4), [40] * 20, ctx=page)
    _until_generating(page)
    short_thread, short_box = _in_thread(generator.generate, _conversations(["海关"]), [8], ctx=paste)
    short_thread.join(60)
    long_thread.join(60)
    assert "error" not in long_box and "error" not in short_box
    assert short_box["finished"] < long_box["finished"]
    assert paste.queued_s < page.elapsed()


def test_streamed_text_grows_and_timings_are_kept(generator):
    ctx = RequestContext("stream")
    seen: list[str] = []
    thread, box = _in_thread(generator.generate, _conversations(["法院判决被告赔偿原告经济损失100万元。"]), [60], ctx=ctx)
    while thread.is_alive():
        seen.append(ctx.partial_text()[1])
        time.sleep(0.001)
    final = box["out"][0].text
    assert ctx.partial_text()[1].strip() == final
    assert ctx.tokens == generator.count_tokens(final) or ctx.tokens >= len(final.split())
    assert ctx.first_token_s is not None and ctx.timings()["tokens"] == ctx.tokens
    grown = [t for t in seen if t]
    assert all(final.startswith(t.strip()) or not t.strip() for t in grown)


def test_streamed_text_shows_only_the_greedy_candidate_of_a_segment(generator):
    from summarizer.generation import Sampling

    ctx = RequestContext("candidates")
    conversations = _conversations(["法院判决被告赔偿原告经济损失100万元。"]) * 3
    with request.scope(ctx):
        outs = generator.generate(conversations, [30] * 3, [None, Sampling(seed=1), Sampling(seed=2)])
    assert ctx.partial_text()[1].strip() == outs[0].text
    assert ctx.tokens == sum(generator.count_tokens(o.text) for o in outs) or ctx.tokens >= 30


def test_a_request_past_its_time_limit_stops_and_the_worker_goes_on(generator):
    ctx = RequestContext("slow", time_limit=0.001)
    time.sleep(0.01)
    with request.scope(ctx), pytest.raises(TimeLimitExceeded, match="time limit"):
        generator.generate(_conversations(TEXTS), [40] * len(TEXTS))
    assert generator.generate(_conversations(["hello"]), [5])[0].text is not None


def test_cancelling_a_request_drops_its_segments_and_spares_the_others(generator):
    other_text = generator.generate(_conversations(["海关"]), [30])[0].text
    gone, other = RequestContext("gone"), RequestContext("other")
    gone_thread, gone_box = _in_thread(generator.generate, _conversations(TEXTS * 4), [200] * 20, ctx=gone)
    other_thread, other_box = _in_thread(generator.generate, _conversations(["海关"]), [30], ctx=other)
    _until_generating(gone)
    gone.cancel()
    gone_thread.join(30)
    other_thread.join(60)
    assert isinstance(gone_box.get("error"), RequestCancelled)
    assert other_box["out"][0].text == other_text
    deadline = time.monotonic() + 10  # the worker drops the cancelled streams at its next step, maybe after we look
    while generator.decoder().active and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not generator.decoder().active


def test_one_sequence_is_shared_round_robin_and_waiting_requests_learn_their_position(tiny_visible):
    """Driven step by step (no thread, so no timing): a page of three prompts and a paste share one sequence."""
    from summarizer.llamacpp.generator import LlamaCppGenerator
    from summarizer.llamacpp.worker import ModelWorker, _Call

    gen = LlamaCppGenerator(str(tiny_visible), threads=1, parallel_sequences=1, speculative=False)
    worker = ModelWorker(gen.decoder(), lambda ids: gen.text(ids, "ignore"))
    tokenize = gen.llama.tokenize
    page, paste = RequestContext("page"), RequestContext("paste")
    calls = [_Call(ctx, [tokenize(t.encode(), add_bos=False) for t in texts], [4] * len(texts), False, None)
             for ctx, texts in ((page, TEXTS[:3]), (paste, TEXTS[3:4]))]
    for call in calls:
        worker._take(call)
    order = []

    def next_waiting():
        stream = worker._next_waiting()
        if stream is not None:
            order.append(next(i for i, c in enumerate(calls) if any(stream is s for s in c.streams)))
        return stream

    while worker._calls:
        worker._stop_ended()
        worker._update_positions()
        if page.ahead == 0 and not calls[1].running and not calls[1].done.is_set():
            assert paste.ahead == 1  # the page holds the sequence
        worker._report(worker.decoder.step(next_waiting))
    assert order == [0, 1, 0, 0]  # the paste gets the second turn, not the fourth
    assert all(c.done.is_set() and c.error is None for c in calls)


def test_a_failed_decode_fails_its_callers_and_the_worker_starts_clean(generator, monkeypatch):
    from summarizer.errors import ModelError

    expected = generator.generate(_conversations(["海关"]), [6])[0].text
    kv = generator.decoder().kv
    real = kv.decode
    monkeypatch.setattr(kv, "decode", lambda rows: (_ for _ in ()).throw(RuntimeError("decode returned 1")))
    with pytest.raises(ModelError, match="decoding failed"):
        generator.generate(_conversations(TEXTS), [10] * len(TEXTS))
    assert not generator.decoder().active and len(generator.decoder().free_seqs) == 2
    monkeypatch.setattr(kv, "decode", real)
    assert generator.generate(_conversations(["海关"]), [6])[0].text == expected
