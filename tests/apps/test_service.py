"""The page's run: `Pipeline.run` on one background thread inside the request's scope, followed by the request's
generator: the model's text streams, closing the generator cancels the request, the time limit holds."""
from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("gradio")  # summarizer.apps.web brings the page

from conftest import seed  # noqa: E402

import summarizer.engines  # noqa: E402
from summarizer import request  # noqa: E402
from summarizer.apps.web import service  # noqa: E402
from summarizer.config import Settings  # noqa: E402
from summarizer.errors import TimeLimitExceeded  # noqa: E402
from summarizer.generation import Generation  # noqa: E402

PIECES = ("海关总署", "今天", "发布")


class WritingModel:
    """A model engine that summarizes with an article's first line and writes its first summary in pieces, telling
    the request as the model worker does. hold: keep writing until the request stops; heed: look at the request."""

    name, model, can_translate = "fake-model", "fake-model@1", False

    def __init__(self, hold: bool = False, heed: bool = True):
        self.hold, self.heed = hold, heed
        self.threads: list[str] = []
        self.stopped = threading.Event()

    def summarize(self, texts, lang, sentences, target_lang=None, terms=None):
        ctx = request.current()
        self.threads.append(threading.current_thread().name)
        ctx.begin_call(len(texts))
        for k in range(len(PIECES) if len(self.threads) == 1 else 0):
            ctx.update(0, "".join(PIECES[:k + 1]), 1)
            time.sleep(service.POLL_S * 1.5)
        while self.hold and (ctx.stop_reason() is None or not self.heed):
            time.sleep(0.02)
        if self.hold:
            self.stopped.set()
            ctx.check()
        return [Generation(t.strip().split("\n")[0]) for t in texts]


@pytest.fixture
def model(monkeypatch, tmp_path):
    """The WritingModel as the page's engine (the extractive fallback stays real)."""
    monkeypatch.setenv("BISUM_CACHE_DIR", str(tmp_path))
    engine, real = WritingModel(), summarizer.engines.get_engine
    monkeypatch.setattr(summarizer.engines, "get_engine",
                        lambda name, settings: real(name, settings) if name == "extractive" else engine)
    return engine


SETTINGS = Settings(engine="llm", to="none", cache=False)


def test_one_background_thread_runs_the_pipeline_and_the_text_streams(model):
    docs = service.read_input(seed("000"), None, SETTINGS)
    steps = list(service.run_stages(docs, SETTINGS))
    n = len(steps[0].results)
    assert set(model.threads) == {model.threads[0]} and model.threads[0].startswith("bisum-request-")
    assert len(model.threads) == n  # a model engine: article by article
    streamed = [s.partial for s in steps if s.stage == "summarize" and s.working_on == 0 and s.partial]
    assert streamed and streamed == sorted(streamed, key=len) and len(set(streamed)) >= 2, streamed
    assert all(p in "".join(PIECES) for p in streamed)
    assert not any(s.partial for s in steps if s.working_on != 0)  # another article's text is not shown as its own
    assert steps[-1].final and all(r.summary for r in steps[-1].results)
    assert steps[-1].timings["tokens"] == len(PIECES)


def test_closing_the_generator_cancels_the_request(model):
    model.hold = True
    ctx = request.RequestContext(label="web")
    run = service.run_stages(service.read_input(seed("003"), None, SETTINGS), SETTINGS, ctx=ctx)
    for step in run:
        if step.partial:  # the model is writing: the editor closes the page
            break
    run.close()
    assert ctx.cancelled and model.stopped.wait(5), "the model went on after its request was closed"


@pytest.mark.parametrize("heed", [True, False])
def test_the_time_limit_ends_the_request(model, heed):
    """Whether or not the step looks at the request (a model worker does, other engines need not)."""
    model.hold, model.heed = True, heed
    settings = SETTINGS.with_(request_timeout=1)
    start = time.monotonic()
    with pytest.raises(TimeLimitExceeded, match="time limit of 1 s"):
        for _ in service.run_stages(service.read_input(seed("003"), None, settings), settings):
            pass
    assert time.monotonic() - start < 4
    model.heed = True  # let the held thread end
