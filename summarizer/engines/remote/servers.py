"""The servers a remote engine talks to: their base URLs, their health, and which one takes the next request.

Requests go to the live server with the fewest requests outstanding (ties: the one picked longest ago). A server
that cannot be reached (connection refused, reset mid-stream) is taken out for `down_s` seconds, then tried again.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from urllib.parse import urlparse

from summarizer.errors import ConfigError

DOWN_S = 30.0  # how long an unreachable server is left out before it is tried again


def normalize(url: str) -> str:
    """A base URL as `scheme://host[:port][/path]/v1` (the OpenAI API's root); one ConfigError line if it is not
    an http(s) URL."""
    url = url.strip().rstrip("/")
    parts = urlparse(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"base URL {url!r} is not an http(s) URL (for example http://127.0.0.1:8080/v1)")
    return url if url.endswith("/v1") else url + "/v1"


def parse_urls(value: str | None) -> list[str]:
    """Base URLs from a comma list (repeated flags are joined with commas), normalized, without duplicates."""
    urls = [normalize(u) for u in (value or "").split(",") if u.strip()]
    if not urls:
        raise ConfigError("the openai engine needs a server: --base-url URL (or BISUM_OPENAI_BASE_URL)")
    return list(dict.fromkeys(urls))


@dataclass(eq=False)
class Server:
    """One OpenAI-compatible server. model: the id it lists for the chosen model (sent in every request);
    supports_n: whether it answers `n` choices per request (None: not known yet)."""

    url: str
    model: str = ""
    outstanding: int = 0
    down_until: float = 0.0
    last_error: str = ""
    supports_n: bool | None = None
    picked: int = 0

    @property
    def root(self) -> str:
        """The URL without its /v1 (where llama.cpp's /tokenize lives)."""
        return self.url[: -len("/v1")]

    def up(self, now: float) -> bool:
        return now >= self.down_until


class ServerPool:
    """Picks a server per request and keeps their health; safe to use from any thread."""

    def __init__(self, urls: list[str], down_s: float = DOWN_S, clock=time.monotonic):
        self.servers = [Server(u) for u in urls]
        self.down_s = down_s
        self.clock = clock
        self._lock = threading.Lock()
        self._picks = 0

    def pick(self) -> Server | None:
        """The live server with the fewest outstanding requests (counted from now until `release`), or None when
        every server is out."""
        with self._lock:
            now = self.clock()
            live = [s for s in self.servers if s.up(now)]
            if not live:
                return None
            server = min(live, key=lambda s: (s.outstanding, s.picked))
            self._picks += 1
            server.picked = self._picks
            server.outstanding += 1
            return server

    def release(self, server: Server) -> None:
        with self._lock:
            server.outstanding -= 1

    def mark_down(self, server: Server, reason: str) -> None:
        with self._lock:
            server.down_until = self.clock() + self.down_s
            server.last_error = reason

    def mark_up(self, server: Server) -> None:
        with self._lock:
            server.down_until, server.last_error = 0.0, ""

    def any_up(self) -> bool:
        now = self.clock()
        return any(s.up(now) for s in self.servers)

    def first_up(self) -> Server:
        """A live server for side requests (token counts), else the first one."""
        now = self.clock()
        return next((s for s in self.servers if s.up(now)), self.servers[0])

    def down_line(self) -> str:
        """One line on why no server can take a request now."""
        now = self.clock()
        return "; ".join(f"{s.last_error or f'server at {s.url} is down'} (tried again in {s.down_until - now:.0f} s)"
                         for s in self.servers if not s.up(now))
