"""The request a piece of model work belongs to: its time limit, its cancellation, its streamed text, its timings.

The web service opens a scope per request (`with request.scope(ctx):`); engines called inside it hand the context to
the model worker, which tags every segment with it. Outside any scope (the batch CLI, evaluation) work belongs to
an anonymous request with no limit.
"""
from __future__ import annotations

import contextvars
import itertools
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from summarizer.errors import RequestCancelled, TimeLimitExceeded

_CURRENT: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("bisum_request", default=None)
_IDS = itertools.count(1)


@dataclass(eq=False)
class RequestContext:
    """One client request. time_limit: seconds from `started` (None = none); label: for logs and queue views."""

    label: str = ""
    time_limit: float | None = None
    id: int = field(default_factory=lambda: next(_IDS))
    started: float = field(default_factory=time.monotonic)
    tokens: int = 0  # generated for this request
    first_token_s: float | None = None  # seconds from `started` to its first generated token
    queued_s: float = 0.0  # seconds its segments waited for a free sequence, summed over calls
    ahead: int = 0  # while none of its segments runs: requests before it in the model's queue
    _cancelled: threading.Event = field(default_factory=threading.Event, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _partials: list[str] = field(default_factory=list, repr=False)
    _calls: int = 0

    def cancel(self) -> None:
        """The client went away: drop the work still queued or running."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def expired(self) -> bool:
        return self.time_limit is not None and self.elapsed() > self.time_limit

    def stop_reason(self) -> Exception | None:
        """The error that ends this request now, if any."""
        if self.cancelled:
            return RequestCancelled("the request was cancelled: its client went away")
        if self.expired():
            return TimeLimitExceeded(
                f"the request ran past its time limit of {self.time_limit:g} s and was stopped "
                "(set BISUM_REQUEST_TIMEOUT or --request-timeout for a longer one, or send less text)")
        return None

    def check(self) -> None:
        """Raise if the request was cancelled or ran out of time."""
        reason = self.stop_reason()
        if reason is not None:
            raise reason

    # --- streaming: the outputs of the latest model call, as they grow
    def begin_call(self, outputs: int) -> None:
        with self._lock:
            self._partials = [""] * outputs
            self._calls += 1

    def update(self, index: int, text: str, new_tokens: int) -> None:
        with self._lock:
            if index < len(self._partials):
                self._partials[index] = text
            if new_tokens and self.first_token_s is None:
                self.first_token_s = self.elapsed()
            self.tokens += new_tokens

    def add_wait(self, seconds: float) -> None:
        with self._lock:
            self.queued_s += seconds

    def partial_text(self, joiner: str = " ") -> tuple[int, str]:
        """(calls so far, the latest call's outputs joined): the text being generated right now."""
        with self._lock:
            return self._calls, joiner.join(p for p in self._partials if p)

    def timings(self) -> dict[str, float | int | None]:
        """Time to first token, tokens, tokens/s since the first token, and queue wait, in seconds."""
        with self._lock:
            first, tokens = self.first_token_s, self.tokens
        generating = self.elapsed() - first if first is not None else 0.0
        return {"first_token_s": round(first, 2) if first is not None else None, "tokens": tokens,
                "tokens_per_s": round(tokens / generating, 2) if generating > 0 else None,
                "queue_wait_s": round(self.queued_s, 2), "elapsed_s": round(self.elapsed(), 2)}


def current() -> RequestContext | None:
    """The request the calling code works for, if any."""
    return _CURRENT.get()


@contextmanager
def scope(ctx: RequestContext) -> Iterator[RequestContext]:
    """Model work started inside belongs to `ctx`."""
    token = _CURRENT.set(ctx)
    try:
        yield ctx
    finally:
        _CURRENT.reset(token)
