"""How a job's progress is shown on stderr: a tqdm bar on a terminal, else a log line every few seconds.

`summarizer run|summarize|translate|eval` open `shown()` around their work (`--quiet`: not at all); what is done and
what is left comes from the `summarizer.progress.Progress` tracker it puts in scope.
"""
from __future__ import annotations

import logging
import math
import os
import sys
import threading
import time
from contextlib import contextmanager, nullcontext
from typing import Iterator, TextIO

from summarizer.progress import Progress, Snapshot, current, scope

log = logging.getLogger(__name__)


def describe(snap: Snapshot) -> str:
    """Articles, segments, tokens and rates, time elapsed and left, on one line."""
    parts = [f"{snap.done}/{snap.total} {snap.unit}"]
    if snap.segments:
        parts.append(f"{snap.segments_done}/{snap.segments} segments" + (snap.running > 0) * f" ({snap.running} running)")
    if snap.read_per_s is not None:
        parts.append(f"{_count(snap.read)} tokens read ({snap.read_per_s:.0f}/s), {_count(snap.written)} written "
                     f"({snap.written_per_s:.0f}/s)")
    left = f"ETA {clock_text(snap.left)}" if snap.left is not None else "ETA ?"
    return ", ".join(parts) + f", {clock_text(snap.elapsed)} elapsed, {left}"


def _count(n: float) -> str:
    return f"{n / 1000:.1f}k" if n >= 1000 else f"{n:.0f}"


def clock_text(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}" if minutes >= 60 else f"{minutes}:{secs:02d}"


class TerminalBar:
    """A tqdm bar on a terminal: percent of the estimated time, then articles, segments, tokens, rates and ETA."""

    def __init__(self, stream: TextIO, min_interval: float = 0.5):
        self.stream, self.min_interval = stream, min_interval
        self.bar = None
        self.shown_at = -math.inf

    def show(self, snap: Snapshot, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.shown_at < self.min_interval:
            return
        self.shown_at = now
        if self.bar is None:
            from tqdm import tqdm

            sized = _columns(self.stream) > 0  # a terminal of no size (e.g. under `script`): taken as 120 x 20
            self.bar = tqdm(total=max(snap.total, 1), file=self.stream, desc=snap.step, postfix=[""], leave=True,
                            dynamic_ncols=sized, ncols=None if sized else 120, nrows=None if sized else 20,
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix[0]}")
        self.bar.total = max(snap.total, 1)
        self.bar.n = round(snap.fraction * self.bar.total, 2)  # articles' worth of the estimated work
        self.bar.set_description_str(snap.step, refresh=False)
        self.bar.postfix = [describe(snap)]  # not a str: tqdm then puts it in bar_format as it is
        self.bar.refresh()

    def close(self, snap: Snapshot) -> None:
        if self.bar is not None:
            self.show(snap, force=True)
            self.bar.close()


class LogLines:
    """Not a terminal: a log line once the work has gone on `first` seconds, then one every `every` seconds, and a
    last one at the end if any was written (a short job writes none)."""

    def __init__(self, every: float = 10.0, first: float = 3.0):
        self.every, self.first = every, first
        self.logged_at = -math.inf

    def show(self, snap: Snapshot, force: bool = False) -> None:
        now = time.monotonic()
        if snap.elapsed >= self.first and now - self.logged_at >= self.every:
            self.logged_at = now
            log.info("%s %3.0f%%: %s", snap.step, 100 * snap.fraction, describe(snap))

    def close(self, snap: Snapshot) -> None:
        if self.logged_at > -math.inf:
            log.info("done: %d/%d %s in %s", snap.done, snap.total, snap.unit, clock_text(snap.elapsed))


def _columns(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return 0


@contextmanager
def shown(enabled: bool = True, unit: str = "articles", stream: TextIO | None = None,
          every: float = 10.0) -> Iterator[Progress | None]:
    """Track the work done inside and show it on `stream` (default: stderr): a bar on a terminal, else a log line
    every `every` seconds. Inside a scope already tracked, that tracker goes on; disabled: nothing is tracked."""
    if not enabled or current() is not None:
        yield current() if enabled else None
        return
    stream = stream or sys.stderr
    terminal = hasattr(stream, "isatty") and stream.isatty()
    tracker = Progress(TerminalBar(stream) if terminal else LogLines(every), unit=unit)
    redirect = nullcontext()
    if terminal:
        from tqdm.contrib.logging import logging_redirect_tqdm

        redirect = logging_redirect_tqdm([logging.getLogger("summarizer"), logging.root])
    stop = threading.Event()
    ticker = threading.Thread(target=_tick, args=(tracker, stop), name="bisum-progress", daemon=True)
    with redirect, scope(tracker):
        ticker.start()
        try:
            yield tracker
        finally:
            stop.set()
            ticker.join()
            tracker.close()


def _tick(tracker: Progress, stop: threading.Event, every: float = 1.0) -> None:
    """Redraw each second, so that the clock and the bar move while the model is inside a long step."""
    while not stop.wait(every):
        tracker.refresh()
