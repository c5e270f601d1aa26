"""Progress of a job (`run`, `summarize`, `translate`, `eval`): articles and segments done, and the time left.

The time left comes from tokens, not article counts: each article's prompt tokens to read and output tokens to
write are estimated per step from its length and the settings (`estimate_tokens`), scaled by what the finished
steps actually took, and priced at the read and write costs fitted to the model worker's steps as they happen
(`RateFit`), times the share of wall time spent outside the model.

Who tells a `Progress` what: the CLI opens one (`summarizer.apps.progress_bar.shown` shows it), which sits in a
context variable like `request.scope`; `run_batch` and eval announce the articles to come (`expect`);
`Pipeline.run` reports runs and steps; the llama.cpp model worker reports segments queued and finished and, after
each decode step, its seconds, prompt tokens read and tokens written. Outside such a scope nothing is tracked.
"""
from __future__ import annotations

import contextvars
import logging
import math
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator, Protocol

log = logging.getLogger(__name__)
_CURRENT: contextvars.ContextVar[Progress | None] = contextvars.ContextVar("bisum_progress", default=None)

CHARS_PER_TOKEN = {"zh": 1.4, "en": 4.0}  # Qwen2.5's tokenizer on news text
SENTENCE_TOKENS = {"zh": 50, "en": 32}  # one summary sentence, written (retries included)
PROMPT_EXTRA = 60  # prompt tokens per segment past the cached shared prefix (glossary lines, the template's tail)
CONTEXT_EXTRA = 150  # document context of a text's later segments: its title and the previous segment, translated
TRANSLATED = 1.1  # tokens written per source token translated
REPAIRED = 0.8  # share of translations the check step sends back to the model, with their source (examples/: 16 of 22)
MAP_REDUCE_BUDGETS = 8  # as the prompted engine: longer articles are summarized in pieces
READ_PER_S, WRITTEN_PER_S = 140.0, 30.0  # prior rates: llama.cpp, 1.5B Q4_K_M, 2 cores, 16 streams (RESULTS.md)


@dataclass(frozen=True)
class Workload:
    """What a run does to each article, as far as the estimate needs it (built by `Pipeline.workload`)."""

    steps: tuple[str, ...] = ("summarize",)
    model_steps: frozenset[str] = frozenset()  # steps that run a model (the others cost no tokens)
    summary_sentences: int = 3
    summary_input_tokens: int = 400
    map_reduce_chars: int = 1800
    translate: str = "summary"  # summary | full | none
    segment_tokens: int = 200
    candidates: int = 1
    context: bool = False


@dataclass
class ArticleSize:
    """One article as the estimate sees it; `key` ties it to its Result (None: announced, not yet seen)."""

    key: int | None
    chars: int
    lang: str
    target: str | None = None  # the language it is translated into (None: not translated)
    paragraphs: int = 1
    summary_chars: int | None = None  # once summarized
    failed: bool = False


def tokens(chars: float, lang: str) -> float:
    return chars / CHARS_PER_TOKEN.get(lang, 3.0)


def estimate_tokens(size: ArticleSize, work: Workload) -> dict[str, list[float]]:
    """Per step of `work`, [prompt tokens to read, tokens to write] for this article (0 for steps without a model)."""
    source = tokens(size.chars, size.lang)
    summary = work.summary_sentences * SENTENCE_TOKENS.get(size.lang, 40)
    written_summary = tokens(size.summary_chars, size.lang) if size.summary_chars else summary
    budget = work.summary_input_tokens
    pieces = 1
    if (budget and source > MAP_REDUCE_BUDGETS * budget) or (not budget and size.chars > work.map_reduce_chars):
        pieces = math.ceil(size.chars / work.map_reduce_chars)
    read = (min(source, pieces * budget) if budget else source) + pieces * PROMPT_EXTRA
    out = {"summarize": [read + (pieces > 1) * pieces * summary, summary * (pieces + (pieces > 1))]}
    summarized = "summarize" in work.steps or size.summary_chars  # `summarizer translate` has no summary
    text = (written_summary if summarized else 0) + (source if work.translate == "full" else 0)
    segments = 1 + (size.paragraphs + source / work.segment_tokens if work.translate == "full" else 0)
    if size.target and size.target != size.lang and work.translate != "none":
        context = (segments - 1) * CONTEXT_EXTRA * work.context
        out["translate"] = [text + segments * PROMPT_EXTRA + context, text * TRANSLATED * work.candidates]
        out["check"] = [REPAIRED * (text * (1 + TRANSLATED) + PROMPT_EXTRA), REPAIRED * text * TRANSLATED]
    return {step: (out.get(step, [0.0, 0.0]) if step in work.model_steps else [0.0, 0.0]) for step in work.steps}


class RateFit:
    """Seconds of model work as `a * read + b * written` (a, b: seconds per token), least squares over the model
    worker's steps, pulled towards prior rates until the steps outweigh them; a step weighs less as `memory` seconds
    of model work go by after it (the machine may get busier or quieter)."""

    def __init__(self, read_per_s: float = READ_PER_S, written_per_s: float = WRITTEN_PER_S,
                 prior_tokens: tuple[float, float] = (300.0, 32.0), memory: float = 240.0):
        self.a0, self.b0 = 1 / read_per_s, 1 / written_per_s
        self.la, self.lb = prior_tokens[0] ** 2, prior_tokens[1] ** 2
        self.memory = memory
        self.rr = self.rw = self.ww = self.rt = self.wt = 0.0
        self.seconds = self.read = self.written = 0.0
        self.samples = 0

    def add(self, seconds: float, read: float, written: float) -> None:
        keep = math.exp(-seconds / self.memory)
        self.rr, self.rw = keep * self.rr + read * read, keep * self.rw + read * written
        self.ww, self.rt, self.wt = keep * self.ww + written * written, keep * self.rt + read * seconds, \
            keep * self.wt + written * seconds
        self.seconds, self.read, self.written = self.seconds + seconds, self.read + read, self.written + written
        self.samples += 1

    def costs(self) -> tuple[float, float]:
        """(seconds per prompt token read, seconds per token written)."""
        rr, ww, rw = self.rr + self.la, self.ww + self.lb, self.rw
        ra, rb = self.rt + self.la * self.a0, self.wt + self.lb * self.b0
        det = rr * ww - rw * rw
        a, b = (ra * ww - rw * rb) / det, (rr * rb - rw * ra) / det
        if a > 0.1 * self.a0 and b > 0.1 * self.b0:
            return a, b
        priced = self.a0 * self.read + self.b0 * self.written  # one scale for both when the fit goes astray
        scale = self.seconds / priced if priced > 0 else 1.0
        return self.a0 * scale, self.b0 * scale

    def rates(self) -> tuple[float, float]:
        a, b = self.costs()
        return 1 / a, 1 / b


@dataclass
class Snapshot:
    """What a display shows."""

    step: str
    unit: str
    done: int
    total: int
    segments_done: int
    running: int
    segments: int
    read: int
    written: int
    read_per_s: float | None
    written_per_s: float | None
    elapsed: float
    left: float | None  # seconds; None: not known yet

    @property
    def fraction(self) -> float:
        if self.total and self.done >= self.total:
            return 1.0
        return self.elapsed / (self.elapsed + self.left) if self.left is not None and self.elapsed + self.left > 0 else 0.0


class Display(Protocol):
    def show(self, snap: Snapshot, force: bool = False) -> None: ...

    def close(self, snap: Snapshot) -> None: ...


@dataclass
class _Article:
    size: ArticleSize
    work: Workload
    todo: dict[str, list[float]] = field(default_factory=dict)  # steps still to run: [read, write] estimated
    done: bool = False

    def __post_init__(self) -> None:
        self.todo = self.todo or estimate_tokens(self.size, self.work)


class Progress:
    """The tracker: thread-safe (the model worker reports from its own thread); `clock` is injectable for tests."""

    def __init__(self, display: Display | None = None, unit: str = "articles",
                 clock: Callable[[], float] = time.monotonic, fit: RateFit | None = None):
        self.display, self.unit, self.clock = display, unit, clock
        self.fit = fit or RateFit()
        self.articles: dict[int, _Article] = {}
        self.unbound: list[int] = []  # keys of announced articles not yet tied to a Result
        self.measured: dict[str, list[float]] = {}  # per step, tokens of finished chunks: [read, written]
        self.estimated: dict[str, list[float]] = {}  # and what was estimated for them
        self.step, self.chunk = "", set()
        self.step_tokens = [0.0, 0.0]  # read, written in the running step
        self.segments = self.segments_done = 0
        self.segment_written = 0.0  # by the running step's finished segments
        self.started: float | None = None
        self.reported = 0.0  # when what is left was last priced (a report from the model, a step's end)
        self.running = 0  # segments the model is working on
        self.first_decode: float | None = None
        self.units_done = 0
        self._lock = threading.RLock()
        self._next_key = 0

    # --- announcing and running articles (batch, eval, Pipeline.run)
    def expect(self, work: Workload, sizes: list[ArticleSize]) -> None:
        """Articles still to come: counted and estimated now, tied to their Results when a run begins."""
        with self._lock:
            self._start()
            for size in sizes:
                if size.key is None:
                    size.key = self._new_key()
                    self.unbound.append(size.key)
                self.articles[size.key] = _Article(size, work)
            self._show(force=True)

    def begin_run(self, work: Workload, sizes: list[ArticleSize]) -> None:
        with self._lock:
            self._start()
            for size in sizes:
                known = self.articles.get(size.key)
                if known is not None and known.done:  # a finished Result's id, reused by a new one
                    self.articles[self._new_key()] = self.articles.pop(size.key)
                    known = None
                if known is None and self.unbound:
                    self.articles.pop(self.unbound.pop(0))
                self.articles[size.key] = _Article(size, work)
            self._show(force=True)

    def begin_step(self, step: str, keys: list[int]) -> None:
        with self._lock:
            self.step, self.chunk = step, set(keys)
            self.step_tokens = [0.0, 0.0]
            self.segments = self.segments_done = self.running = 0
            self.segment_written = 0.0
            self._show(force=True)

    def end_step(self, step: str, sizes: list[ArticleSize]) -> None:
        """The step is over for these articles (their sizes as they are now: summary length, failure)."""
        with self._lock:
            guess = [0.0, 0.0]
            for size in sizes:
                article = self.articles.get(size.key)
                if article is None or step not in article.todo:
                    continue
                first = article.todo.pop(step)
                guess = [guess[0] + first[0], guess[1] + first[1]]
                self.units_done += 1
                article.size = size
                if size.summary_chars and "translate" in article.todo:  # the summary's real length re-prices
                    later = estimate_tokens(size, article.work)  # its translation and check
                    article.todo.update({name: later[name] for name in article.todo})
                if size.failed:
                    article.todo.clear()
            self.reported = self.clock()
            self.measured[step] = _plus(self.measured.get(step), self.step_tokens)
            self.estimated[step] = _plus(self.estimated.get(step), guess)
            log.debug("progress: %s of %d articles read %.0f tokens (estimated %.0f), wrote %.0f (estimated %.0f); "
                      "%.0f s of model work so far", step, len(sizes), self.step_tokens[0], guess[0],
                      self.step_tokens[1], guess[1], self.fit.seconds)
            self.step, self.chunk = "", set()

    def end_run(self, keys: list[int]) -> None:
        with self._lock:
            for key in keys:
                if key in self.articles:
                    self.articles[key].done = True
                    self.articles[key].todo.clear()
            self._show(force=True)

    # --- model work (the llama.cpp worker thread)
    def segments_queued(self, count: int) -> None:
        with self._lock:
            self.segments += count

    def segment_started(self) -> None:
        with self._lock:
            self.running += 1
            self._show()

    def segment_done(self, written: int) -> None:
        with self._lock:
            self.segments_done += 1
            self.running = max(self.running - 1, 0)
            self.segment_written += written
            self._show()

    def decoded(self, seconds: float, read: float, written: float) -> None:
        """One decode step of the model worker (this tracker's share of it)."""
        with self._lock:
            self.reported = self.clock()
            self.first_decode = self.first_decode if self.first_decode is not None else self.reported - seconds
            self.fit.add(seconds, read, written)
            self.step_tokens = [self.step_tokens[0] + read, self.step_tokens[1] + written]
            self._show()

    def refresh(self) -> None:
        """Show the state now (a ticker calls this: the time left counts down between the model's reports)."""
        with self._lock:
            self._show()

    # --- what is left
    def left(self) -> float | None:
        """Seconds left: what was left at the last report, less the time since (the work went on meanwhile); once
        the wait for news outlasts half of that, at least as long again as it has lasted (the estimate was short)."""
        with self._lock:
            priced = self._priced_left()
            if priced is None:
                return None
            since = self.clock() - self.reported
            return max(priced - since, since)

    def _priced_left(self) -> float | None:
        """Seconds left as of the last report: remaining tokens at the fitted costs, times the wall time per
        second of model work (without token reports: the time per article step so far)."""
        read, written = self._tokens_left()
        if self.fit.samples:
            a, b = self.fit.costs()
            outside = (self.reported - self.first_decode) / self.fit.seconds if self.fit.seconds > 5 else 1.0
            return (a * read + b * written) * min(max(outside, 1.0), 4.0)
        total = sum(len(a.todo) for a in self.articles.values()) + self.units_done
        if self.units_done:  # no token reports: by article steps
            return (self.reported - self.started) * (total - self.units_done) / self.units_done
        if read or written:
            return self.fit.a0 * read + self.fit.b0 * written
        return None

    def _tokens_left(self) -> tuple[float, float]:
        read = written = 0.0
        running = [0.0, 0.0]
        for key, article in self.articles.items():
            for step, (r, w) in article.todo.items():
                kr, kw = self._ratio(step)
                if step == self.step and key in self.chunk:
                    running = [running[0] + r * kr, running[1] + w * kw]
                else:
                    read, written = read + r * kr, written + w * kw
        done_read, done_written = self.step_tokens
        more = max(running[1] - done_written, 0.0)
        if self.segments_done:  # the running step's unfinished segments, at its finished segments' length
            average = self.segment_written / self.segments_done
            in_flight = done_written - self.segment_written
            more = max(more, (self.segments - self.segments_done) * average - in_flight)
        return read + max(running[0] - done_read, 0.0), written + more

    def _ratio(self, step: str) -> tuple[float, float]:
        """What the finished chunks of a step took per token estimated (1 before any finished)."""
        measured, guess = self.measured.get(step), self.estimated.get(step)
        if not measured or not guess:
            return 1.0, 1.0
        return tuple(min(max(m / g, 0.2), 5.0) if g > 0 else 1.0 for m, g in zip(measured, guess))

    def snapshot(self) -> Snapshot:
        with self._lock:
            rates = self.fit.rates() if self.fit.samples else (None, None)
            return Snapshot(
                step=self.step or ("done" if self._finished() else "waiting"), unit=self.unit,
                done=sum(a.done for a in self.articles.values()), total=len(self.articles),
                segments_done=self.segments_done, running=self.running, segments=self.segments,
                read=int(self.fit.read), written=int(self.fit.written), read_per_s=rates[0], written_per_s=rates[1],
                elapsed=self.clock() - self.started if self.started is not None else 0.0,
                left=0.0 if self._finished() else self.left())

    def close(self) -> None:
        with self._lock:
            if self.display is not None and self.started is not None:
                self.display.close(self.snapshot())

    def _finished(self) -> bool:
        return bool(self.articles) and all(a.done or not a.todo for a in self.articles.values())

    def _new_key(self) -> int:
        self._next_key -= 1
        return self._next_key

    def _start(self) -> None:
        if self.started is None:
            self.started = self.reported = self.clock()

    def _show(self, force: bool = False) -> None:
        if self.display is not None and self.started is not None:
            self.display.show(self.snapshot(), force)


def _plus(total: list[float] | None, more: list[float]) -> list[float]:
    return [a + b for a, b in zip(total or [0.0, 0.0], more)]


def current() -> Progress | None:
    """The tracker of the job the calling code works for, if any."""
    return _CURRENT.get()


@contextmanager
def scope(tracker: Progress | None) -> Iterator[Progress | None]:
    """Work started inside reports to `tracker` (None: to nothing)."""
    token = _CURRENT.set(tracker)
    try:
        yield tracker
    finally:
        _CURRENT.reset(token)
