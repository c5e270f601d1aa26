"""The model worker: one thread owns the batched decoder, and every caller's segments join its continuous batch.

Callers (the page's requests, the HTTP API, the batch CLI) block in `run` while the worker steps. Fairness: when a
sequence frees, the next segment comes from the request holding the fewest sequences, and among those from the one
served longest ago (round robin; a request never served yet first, earlier arrivals first), so a short paste starts
as soon as a sequence frees even behind a 20-article page, and no request starves.
A request that is cancelled or runs past its time limit loses its queued segments at once and its running ones at
the next step. Extractive work, checks and scoring stay on the callers' threads.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from summarizer.llamacpp.batch import BatchedDecoder, Stream
from summarizer.generation import Sampling
from summarizer.progress import Progress
from summarizer.request import RequestContext
from summarizer.errors import ModelError

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _Call:
    """One `generate` call: its prompts, its streams once the worker has taken it, and how it ended."""

    ctx: RequestContext | None
    prompts: Sequence[list[int]]
    limits: Sequence[int]
    speculative: bool
    drafting: str | None
    sampling: Sequence[Sampling | None] | None = None
    progress: Progress | None = None  # the job's tracker: hears segments queued and done, and the tokens
    submitted: float = field(default_factory=time.monotonic)
    streams: list[Stream] = field(default_factory=list)
    waiting: deque = field(default_factory=deque)
    running: int = 0
    unfinished: int = 0
    reported: list[int] = field(default_factory=list)  # tokens already streamed, per stream
    error: Exception | None = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def owner(self) -> int:
        """The request this call belongs to (calls outside any request are each their own)."""
        return self.ctx.id if self.ctx is not None else -id(self)

    @property
    def arrived(self) -> float:
        return self.ctx.started if self.ctx is not None else self.submitted


class ModelWorker:
    """Runs `BatchedDecoder.step` on its own thread for every caller; `detokenize` turns ids into streamed text."""

    def __init__(self, decoder: BatchedDecoder, detokenize: Callable[[list[int]], str]):
        self.decoder = decoder
        self.detokenize = detokenize
        self._inbox: list[_Call] = []
        self._calls: list[_Call] = []  # taken, not finished, in arrival order
        self._owner: dict[int, _Call] = {}  # id(stream) -> its call
        self._turns: dict[int, int] = {}  # request -> when it last got a sequence (a counter)
        self._turn = 0
        self._cv = threading.Condition()
        self._thread: threading.Thread | None = None

    def run(self, prompts: Sequence[list[int]], max_new_tokens: Sequence[int], speculative: bool = False,
            drafting: str | None = None, ctx: RequestContext | None = None,
            sampling: Sequence[Sampling | None] | None = None,
            progress: Progress | None = None) -> tuple[list[list[int]], list[bool]]:
        """Token ids and truncation flags for each prompt, decoded in the shared batch; raises the request's
        RequestCancelled / TimeLimitExceeded if it stops first. progress: told of the segments and tokens."""
        call = _Call(ctx, prompts, max_new_tokens, speculative, drafting, sampling, progress)
        with self._cv:
            self._inbox.append(call)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="bisum-model-worker", daemon=True)
                self._thread.start()
            self._cv.notify()
        call.done.wait()
        if call.error is not None:
            raise call.error
        return [s.out for s in call.streams], [s.truncated for s in call.streams]

    # --- the worker thread
    def _loop(self) -> None:
        while True:
            with self._cv:
                while not self._inbox and not self._calls:
                    self._cv.wait()
                new, self._inbox = self._inbox, []
            started, before = time.monotonic(), (self.decoder.stats.prompt_read, self.decoder.stats.generated)
            try:
                for call in new:
                    self._take(call)
                self._stop_ended()
                self._update_positions()
                finished = self.decoder.step(self._next_waiting)
                self._report(finished)
                self._tell_progress(time.monotonic() - started, before)
            except Exception as exc:  # a failed decode: every caller gets the error, the decoder starts clean
                log.exception("the model worker's decode failed")
                self._fail_all(ModelError(f"llama.cpp decoding failed: {exc}"), new)

    def _take(self, call: _Call) -> None:
        call.streams = self.decoder.streams(call.prompts, call.limits, call.speculative, call.drafting, call.sampling)
        call.waiting = deque(call.streams)
        call.unfinished = len(call.streams)
        call.reported = [0] * len(call.streams)
        _tell(call.progress, "segments_queued", len(call.streams))
        if not call.streams:
            call.done.set()
            return
        started = time.monotonic()
        self.decoder.prepare(call.streams)
        call.submitted += time.monotonic() - started  # reading its own shared prefix is not waiting
        for s in call.streams:
            self._owner[id(s)] = call
        with self._cv:
            self._calls.append(call)

    def _next_waiting(self) -> Stream | None:
        """The next segment: from the request holding the fewest sequences; on a tie, the one whose last turn is
        longest ago (never served first, then earliest arrival): round robin, so no request waits for another's
        whole page."""
        running: dict[int, int] = {}
        for c in self._calls:
            running[c.owner] = running.get(c.owner, 0) + c.running
        ready = [c for c in self._calls if c.waiting]
        if not ready:
            return None
        call = min(ready, key=lambda c: (running[c.owner], self._turns.get(c.owner, -1), c.arrived, c.submitted))
        if call.running == 0 and len(call.waiting) == len(call.streams) and call.ctx is not None:
            call.ctx.add_wait(time.monotonic() - call.submitted)
        call.running += 1
        _tell(call.progress, "segment_started")
        self._turn += 1
        self._turns[call.owner] = self._turn
        return call.waiting.popleft()

    def _update_positions(self) -> None:
        """Each request with no running segment learns how many earlier requests still have work."""
        owners = {}
        for c in self._calls:
            owners.setdefault(c.owner, []).append(c)
        for calls in owners.values():
            ctx = calls[0].ctx
            if ctx is not None:
                ctx.ahead = 0 if any(c.running for c in calls) else sum(
                    1 for other in owners.values() if other[0].arrived < calls[0].arrived)

    def _report(self, finished: list[Stream]) -> None:
        """Stream new text to the requests, and hand back the calls whose streams are all done."""
        for call in self._calls:
            if call.ctx is None:
                continue
            for i, s in enumerate(call.streams):
                if len(s.out) > call.reported[i]:  # a segment's sampled candidates count, but only greedy is shown
                    shown = self.detokenize(s.out) if s.sampling is None else ""
                    call.ctx.update(i, shown, len(s.out) - call.reported[i])
                    call.reported[i] = len(s.out)
        for s in finished:
            call = self._owner.pop(id(s), None)
            if call is None or call.error is not None:
                continue
            call.running -= 1
            call.unfinished -= 1
            _tell(call.progress, "segment_done", len(s.out))
            if call.unfinished == 0:
                self._finish(call)

    def _tell_progress(self, seconds: float, before: tuple[int, int]) -> None:
        """This step's seconds and tokens, to the trackers of the calls in it (shared by their running streams)."""
        weights: dict[Progress, int] = {}
        for c in self._calls:
            if c.progress is not None:
                weights[c.progress] = weights.get(c.progress, 0) + max(c.running, 1)
        read, written = self.decoder.stats.prompt_read - before[0], self.decoder.stats.generated - before[1]
        total = sum(weights.values())
        for tracker, weight in weights.items():
            _tell(tracker, "decoded", seconds * weight / total, read * weight / total, written * weight / total)

    def _stop_ended(self) -> None:
        """Calls of requests cancelled or past their limit: queued segments go now, running ones at this step."""
        for call in list(self._calls):
            reason = call.ctx.stop_reason() if call.ctx is not None else None
            if reason is None:
                continue
            call.waiting.clear()
            running = {id(s) for s in self.decoder.active}
            for s in call.streams:
                s.cancelled = True
                if id(s) not in running:
                    self._owner.pop(id(s), None)
            call.error = reason
            log.info("request %s stopped: %s", call.owner, reason)
            self._finish(call)

    def _finish(self, call: _Call) -> None:
        with self._cv:
            if call in self._calls:
                self._calls.remove(call)
            if all(c.owner != call.owner for c in self._calls):
                self._turns.pop(call.owner, None)
        call.done.set()

    def _fail_all(self, error: Exception, arriving: list[_Call]) -> None:
        """Every call in the batch, and those that arrived with the failed step (taken or not), gets `error`."""
        self.decoder.reset()
        self._owner.clear()
        for call in list(self._calls) + [c for c in arriving if not c.done.is_set()]:
            call.error = error
            self._finish(call)


def _tell(tracker: Progress | None, event: str, *args) -> None:
    """A progress event; a failing tracker never stops the decoding."""
    if tracker is None:
        return
    try:
        getattr(tracker, event)(*args)
    except Exception:
        log.debug("progress %s failed", event, exc_info=True)
