"""Job progress: token estimates, fitted rates, the time left, per-segment and per-article advance, where it is shown."""
from __future__ import annotations

import json

import pytest

from fakes import ScriptedGenerator
from summarizer import progress
from summarizer.config import Settings
from summarizer.engines.prompted import PromptedEngine
from summarizer.pipeline import Pipeline
from summarizer.progress import ArticleSize, Progress, RateFit, Snapshot, Workload, estimate_tokens

WORK = Workload(steps=("summarize", "translate", "check"), model_steps=frozenset({"summarize", "translate", "check"}))


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """A display that keeps every snapshot it is shown."""

    def __init__(self):
        self.snaps: list[Snapshot] = []
        self.closed = False

    def show(self, snap, force=False):
        self.snaps.append(snap)

    def close(self, snap):
        self.snaps.append(snap)
        self.closed = True


# --- the estimate -------------------------------------------------------------------------------------------------
def test_estimate_follows_length_and_settings():
    short, long = ArticleSize(1, 300, "zh", "en"), ArticleSize(2, 3000, "zh", "en", paragraphs=10)
    summary = estimate_tokens(long, WORK)
    assert summary["summarize"][0] == pytest.approx(400 + 60)  # key sentences within summary_input_tokens
    assert estimate_tokens(short, WORK)["summarize"][0] < summary["summarize"][0]
    assert estimate_tokens(short, WORK)["summarize"][1] == summary["summarize"][1]  # the same 3 sentences
    full = Workload(WORK.steps, WORK.model_steps, translate="full", context=True)
    assert estimate_tokens(long, full)["translate"][1] > 5 * summary["translate"][1]  # the whole article
    assert estimate_tokens(long, full)["translate"][0] > estimate_tokens(long, Workload(
        WORK.steps, WORK.model_steps, translate="full"))["translate"][0]  # context costs prompt tokens
    assert estimate_tokens(ArticleSize(3, 300, "zh", None), WORK)["translate"] == [0.0, 0.0]  # not translated
    extractive = Workload(WORK.steps, frozenset({"translate"}))
    assert estimate_tokens(long, extractive)["summarize"] == [0.0, 0.0]  # no model, no tokens


def test_a_known_summary_length_prices_its_translation():
    size = ArticleSize(1, 3000, "zh", "en")
    guess = estimate_tokens(size, WORK)["translate"][1]
    size.summary_chars = round(2 * 3 * progress.SENTENCE_TOKENS["zh"] * progress.CHARS_PER_TOKEN["zh"])
    assert estimate_tokens(size, WORK)["translate"][1] == pytest.approx(2 * guess)


def test_rate_fit_learns_read_and_write_costs():
    fit = RateFit(read_per_s=1000.0, written_per_s=1000.0)  # a poor prior
    for i in range(200):
        read, written = (800.0 if i % 10 == 0 else 0.0), 16.0
        fit.add(read / 120 + written / 25, read, written)
    read_rate, write_rate = fit.rates()
    assert read_rate == pytest.approx(120, rel=0.1) and write_rate == pytest.approx(25, rel=0.1)


def test_rate_fit_starts_from_its_prior():
    assert RateFit(140, 30).rates() == pytest.approx((140, 30))


# --- the time left ------------------------------------------------------------------------------------------------
def _tracker(n=4, chars=1400):
    clock = Clock()
    tracker = Progress(Recorder(), clock=clock, fit=RateFit(100.0, 20.0))
    tracker.expect(WORK, [ArticleSize(i, chars, "zh", "en") for i in range(n)])
    return tracker, clock


def test_time_left_is_tokens_left_at_the_measured_rates():
    tracker, clock = _tracker()
    read, written = tracker._tokens_left()
    assert tracker.left() == pytest.approx(read / 100 + written / 20)  # before any work: the prior rates
    tracker.begin_run(WORK, [ArticleSize(i, 1400, "zh", "en") for i in range(4)])
    tracker.begin_step("summarize", [0, 1, 2, 3])
    for i in range(300):  # the model turns out twice as slow as the prior: 50 read/s, 10 written/s
        read = 400.0 if i % 20 == 0 else 0.0
        clock.now += read / 50 + 1.6
        tracker.decoded(read / 50 + 1.6, read, 16.0)
    a, b = tracker.fit.costs()
    assert (1 / a, 1 / b) == pytest.approx((50, 10), rel=0.1)
    read, written = tracker._tokens_left()
    assert tracker.left() == pytest.approx(read * a + written * b)
    clock.now += 10  # no report for 10 s: the work went on meanwhile, the time left counts down
    assert tracker.left() == pytest.approx(read * a + written * b - 10)
    clock.now += read * a + written * b  # no news for longer than the estimate: as long again as the wait so far
    assert tracker.left() == pytest.approx(read * a + written * b + 10)
    assert tracker.snapshot().fraction > 0


def test_finished_steps_scale_the_estimates_of_the_steps_to_come():
    tracker, clock = _tracker(n=2)
    tracker.begin_run(WORK, [ArticleSize(i, 1400, "zh", "en") for i in range(2)])
    first = tracker.articles[1].todo["summarize"]
    tracker.begin_step("summarize", [0])
    clock.now += 10
    tracker.decoded(10.0, first[0] * 2, first[1] * 3)  # article 0 took 2x the reading and 3x the writing guessed
    tracker.end_step("summarize", [ArticleSize(0, 1400, "zh", "en")])
    assert tracker._ratio("summarize") == pytest.approx((2, 3))
    read, written = tracker._tokens_left()
    rest = tracker.articles[1].todo
    assert written == pytest.approx(rest["summarize"][1] * 3 + rest["translate"][1] + rest["check"][1]
                                    + sum(tracker.articles[0].todo[s][1] for s in ("translate", "check")))


def test_the_running_step_counts_its_unfinished_segments_at_the_finished_ones_length():
    tracker, clock = _tracker(n=2)
    tracker.begin_run(WORK, [ArticleSize(i, 1400, "zh", "en") for i in range(2)])
    tracker.begin_step("summarize", [0, 1])
    guess = sum(tracker.articles[i].todo["summarize"][1] for i in range(2))
    tracker.segments_queued(10)
    for _ in range(4):
        tracker.segment_started()
    assert tracker.snapshot().running == 4
    for _ in range(2):  # two segments done, each 4x longer than the whole step was guessed to be / 10
        tracker.decoded(1.0, 0.0, guess * 0.4)
        tracker.segment_done(int(guess * 0.4))
    _, written = tracker._tokens_left()
    later = sum(tracker.articles[i].todo[s][1] for i in range(2) for s in ("translate", "check"))
    assert written - later == pytest.approx(8 * guess * 0.4, rel=0.01)


def test_without_token_reports_the_time_left_goes_by_article_steps():
    tracker, clock = _tracker(n=2)
    work = Workload(("summarize",), frozenset())
    tracker.begin_run(work, [ArticleSize(i, 1400, "zh", None) for i in range(2)])
    tracker.begin_step("summarize", [0])
    clock.now += 30
    tracker.end_step("summarize", [ArticleSize(0, 1400, "zh", None)])
    assert tracker.left() == pytest.approx(30.0)
    tracker.end_run([0, 1])
    assert tracker.snapshot().left == 0 and tracker.snapshot().fraction == 1.0


def test_announced_articles_are_tied_to_results_in_order():
    tracker = Progress(clock=Clock())
    tracker.expect(WORK, [ArticleSize(None, 100 * (i + 1), "zh", "en") for i in range(3)])
    tracker.begin_run(WORK, [ArticleSize(77, 100, "zh", "en")])
    assert len(tracker.articles) == 3 and 77 in tracker.articles
    tracker.end_run([77])
    tracker.begin_run(WORK, [ArticleSize(77, 200, "zh", "en")])  # a new Result that got the same id
    assert len(tracker.articles) == 3 and tracker.snapshot().done == 1


# --- advance, per segment and per article, with a fake model -------------------------------------------------------
class ReportingGenerator(ScriptedGenerator):
    """A scripted generator that tells the job's tracker what the llama.cpp worker would: segments and tokens."""

    def generate(self, conversations, max_new_tokens):
        tracker = progress.current()
        if tracker is not None:
            tracker.segments_queued(len(conversations))
        outs = super().generate(conversations, max_new_tokens)
        for out in outs:
            if tracker is not None:
                tracker.decoded(0.5, 100.0, 20.0)
                tracker.segment_done(20)
        return outs


def _answer(prompt, call):
    return "这是摘要。" if "摘要" in prompt or "summar" in prompt.lower() else "This is a summary."


def _pipeline():
    engine = PromptedEngine(ReportingGenerator(_answer), name="llm")
    settings = Settings(engine="llm", to="en", translate="summary", check=False, cache=False)
    return Pipeline(settings, engine, engine)


def test_segments_and_articles_advance_as_the_work_goes(seed_text):
    from summarizer import api

    pipeline, recorder = _pipeline(), Recorder()
    tracker = Progress(recorder)
    results = api.prepare(api.documents(seed_text("001"), pipeline.settings))[:3]
    with progress.scope(tracker):
        pipeline.run(results, per_article=True)
    chunks: list[list[int]] = []  # per article's summarize chunk: segments done, as shown
    for snap in (s for s in recorder.snaps if s.step == "summarize"):
        if snap.segments == 0:
            chunks.append([])
        elif snap.segments_done and (not chunks[-1] or chunks[-1][-1] != snap.segments_done):
            chunks[-1].append(snap.segments_done)
    assert len(chunks) == 3 and all(seen == list(range(1, len(seen) + 1)) and seen for seen in chunks)
    done = [s.done for s in recorder.snaps]
    assert done[-1] == 3 and done == sorted(done)
    fractions = [s.fraction for s in recorder.snaps]
    assert fractions[-1] == 1.0 and max(fractions[:-1]) < 1.0


def test_run_batch_advances_per_article_and_writes_no_progress_to_stdout(tmp_path, monkeypatch, capsys, seed_text):
    from summarizer.batch import local

    monkeypatch.setattr(local, "BATCH_ARTICLES", 1)
    folder = tmp_path / "in"
    folder.mkdir()
    for i, brief in enumerate([line for line in seed_text("001").splitlines() if line.startswith("【")][:3]):
        (folder / f"{i}.txt").write_text(brief, encoding="utf-8")
    recorder = Recorder()
    with progress.scope(Progress(recorder)):
        assert local.run_batch([str(folder)], _pipeline().settings, None, pipeline=_pipeline()) == 0
    assert sorted({s.done for s in recorder.snaps}) == [0, 1, 2, 3] and recorder.snaps[0].total == 3
    assert {s.segments for s in recorder.snaps} >= {1}
    out = capsys.readouterr().out
    assert [json.loads(line)["id"] for line in out.splitlines()]  # stdout holds the records only


# --- the llama.cpp worker's reports -------------------------------------------------------------------------------
def test_the_model_worker_reports_segments_and_tokens(tiny_visible):
    from summarizer.llamacpp.generator import LlamaCppGenerator

    gen = LlamaCppGenerator(str(tiny_visible), threads=1, parallel_sequences=2, speculative=False)
    tracker = Progress()
    conversations = [[{"role": "user", "content": text}] for text in ("hello", "你好", "海关")]
    with progress.scope(tracker):
        gen.generate(conversations, [6, 6, 6])
    assert tracker.segments == 3 and tracker.segments_done == 3 and tracker.running == 0
    assert tracker.fit.written == 18 and tracker.segment_written == 18
    assert tracker.fit.read > 0 and tracker.fit.samples >= 6 and tracker.fit.seconds > 0
