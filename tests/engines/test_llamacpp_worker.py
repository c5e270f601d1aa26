"""The shared model worker: calls from many threads join one continuous batch, fairly, with streaming, time limits
and cancellation. Tiny random GGUF files; greedy output must not depend on who else is in the batch."""
from __future__ import annotations

import threading
import time

import pytest

from summarizer.engines import request
from summarizer.engines.request import RequestContext
from summarizer.errors import RequestCancelled, TimeLimitExceeded

SYSTEM = "You are a careful news translator."
TEXTS = ["hello", "你好，国家知识产权局", "patents granted 5.32万件", "海关", "法院判决被告赔偿原告经济损失100万元。"]


def _conversations(texts):
    return [[{"role": "system", "content": SYSTEM}, {"role": "user", "content": t}] for t in texts]


@pytest.fixture
def generator(tiny):
    from summarizer.engines.backends.llamacpp import LlamaCppGenerator

    return LlamaCppGenerator(str(tiny[0]), threads=1, parallel_sequences=2, speculative=False)


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
    time.sleep(0.05)
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
    time.sleep(0.05)
    gone.cancel()
    gone_thread.join(30)
    other_thread.join(60)
    assert isinstance(gone_box.get("error"), RequestCancelled)
    assert other_box["out"][0].text == other_text
    assert not generator.decoder().active


def test_a_waiting_request_learns_its_queue_position(tiny):
    from summarizer.engines.backends.llamacpp import LlamaCppGenerator

    one_stream = LlamaCppGenerator(str(tiny[0]), threads=1, parallel_sequences=1, speculative=False)
    first, second = RequestContext("first"), RequestContext("second")
    first_thread, _ = _in_thread(one_stream.generate, _conversations(TEXTS * 3), [60] * 15, ctx=first)
    time.sleep(0.05)
    second_thread, _ = _in_thread(one_stream.generate, _conversations(["hello"]), [5], ctx=second)
    positions = set()
    while second_thread.is_alive():
        positions.add(second.ahead)
        time.sleep(0.001)
    first_thread.join(60)
    assert 1 in positions and second.ahead == 0
