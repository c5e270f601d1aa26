"""OpenAIGenerator: the Generator protocol over OpenAI-compatible chat servers (llama.cpp's server, vLLM, Ollama).

A `generate` call becomes streamed requests, sent by one asyncio loop on a thread of its own, at most
`concurrency` at a time over all servers, each to the live server with the fewest outstanding requests. Greedy
decoding is `temperature: 0`. A segment's sampled candidates (`--quality best`) go in one request with `n` and the
first candidate's seed where the server answers `n` choices, else one request per candidate with its own seed
(seed, seed+1, ...). The streamed text of greedy outputs reaches the request's `partial_text` as the llama.cpp
worker's does; a request that is cancelled or runs past its time limit has its streams closed, which the server
sees as a disconnect. 429, 5xx and connection errors are retried with backoff (another server first when one is
up); what still fails raises RemoteError, which fails the articles of that call and lets the batch go on.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import httpx

from summarizer import progress, request
from summarizer.engines.remote.client import Answer, Ask, Failure, stream_chat
from summarizer.engines.remote.probe import TokenCounter, check_servers
from summarizer.engines.remote.servers import DOWN_S, ServerPool, parse_urls
from summarizer.generation import Generation, Message, Sampling
from summarizer.progress import Progress
from summarizer.request import RequestContext

log = logging.getLogger(__name__)
POLL_S = 0.05  # how often a waiting call looks at its request's cancellation and time limit
MAX_WAIT_S = 30.0  # longest pause between retries, whatever the server's Retry-After says


class RemoteError(RuntimeError):
    """A request the servers did not answer, after retries (one line). Not a BisumError: the pipeline fails the
    articles it belongs to and goes on with the others."""


@dataclass
class _Group:
    """Outputs of one call that share a conversation and limit: one greedy output, or a run of sampled candidates
    whose seeds follow each other (seed, seed+1, ...)."""

    messages: list[Message]
    limit: int
    sampling: Sampling | None
    outputs: list[int] = field(default_factory=list)


def plan(conversations: Sequence[list[Message]], limits: Sequence[int],
         sampling: Sequence[Sampling | None] | None) -> list[_Group]:
    """The call's outputs in groups (see _Group), in order."""
    groups: list[_Group] = []
    plans = list(sampling) if sampling is not None else [None] * len(conversations)
    for i, (messages, limit, s) in enumerate(zip(conversations, limits, plans)):
        last = groups[-1] if groups else None
        if (s is not None and last is not None and last.sampling is not None and last.messages == messages
                and last.limit == limit and replace(last.sampling, seed=s.seed) == s
                and s.seed == last.sampling.seed + len(last.outputs)):
            last.outputs.append(i)
        else:
            groups.append(_Group(messages, limit, s, [i]))
    return groups


@dataclass(eq=False)
class _Call:
    """One generate call: its request, tracker, outputs, and the tokens its requests read and wrote."""

    ctx: RequestContext | None
    tracker: Progress | None
    results: list[Generation | None]
    read: int = 0
    written: int = 0

    def stream(self, output: int, text: str, tokens: int) -> None:
        if self.ctx is not None:
            self.ctx.update(output, text, tokens)


class OpenAIGenerator:
    """Generator protocol over one or more OpenAI-compatible servers serving one model; see the module docstring.
    Built once per process: it probes the servers at once (a server that is down, a refused key or a model that
    is not loaded is one ConfigError line)."""

    name = "openai"

    def __init__(self, base_url: str, model: str | None = None, *, api_key: str | None = None, concurrency: int = 8,
                 retries: int = 3, timeout: float = 120.0, repetition_penalty: float = 1.0, down_s: float = DOWN_S,
                 backoff: float = 0.5):
        """base_url: comma list of base URLs; model: its name on the servers (None: the one model they serve);
        concurrency: requests in flight at once; retries: further tries of a failed request; timeout: seconds a
        server may stay silent; down_s: how long an unreachable server is left out; backoff: first retry pause."""
        self.pool = ServerPool(parse_urls(base_url), down_s)
        self.retries, self.timeout, self.backoff = retries, timeout, backoff
        self.repetition_penalty = repetition_penalty
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._sync = httpx.Client(headers=headers)
        self.model_name = check_servers(self._sync, self.pool, model)
        self.tokens = TokenCounter(self._sync, self.pool)
        log.info("openai engine: %s on %s; %s", self.model_name, ", ".join(s.url for s in self.pool.servers),
                 self.tokens.detect())
        self.model_id = f"{self.model_name}@{','.join(s.url for s in self.pool.servers)}"
        self.model_sha256: str | None = None  # the label above (model and servers) keys the translation memory
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, name="bisum-openai", daemon=True).start()
        self._client, self._slots = asyncio.run_coroutine_threadsafe(
            self._open(headers, concurrency), self._loop).result()

    @staticmethod
    async def _open(headers: dict, concurrency: int) -> tuple[httpx.AsyncClient, asyncio.Semaphore]:
        limits = httpx.Limits(max_connections=concurrency + 4, max_keepalive_connections=concurrency)
        return httpx.AsyncClient(headers=headers, limits=limits), asyncio.Semaphore(concurrency)

    def count_tokens(self, text: str) -> int:
        return self.tokens.count(text)

    def generate(self, conversations: Sequence[list[Message]], max_new_tokens: Sequence[int],
                 sampling: Sequence[Sampling | None] | None = None) -> list[Generation]:
        """All outputs, requested concurrently; raises the request's RequestCancelled / TimeLimitExceeded if it
        stops first, RemoteError if the servers fail it."""
        ctx, tracker = request.current(), progress.current()
        if ctx is not None:
            ctx.check()
            ctx.begin_call(len(conversations))
        _tell(tracker, "segments_queued", len(conversations))
        call = _Call(ctx, tracker, [None] * len(conversations))
        started = time.monotonic()
        future = asyncio.run_coroutine_threadsafe(self._run(plan(conversations, max_new_tokens, sampling), call),
                                                  self._loop)
        self._wait(future, ctx)
        _tell(tracker, "decoded", time.monotonic() - started, call.read, call.written)
        return [g if g is not None else Generation("", failed=True) for g in call.results]

    @staticmethod
    def _wait(future: concurrent.futures.Future, ctx: RequestContext | None) -> None:
        """Until the call is done; a request that stops meanwhile cancels it (its streams close) and raises."""
        try:
            while True:
                try:
                    future.result(timeout=POLL_S)
                    return
                except concurrent.futures.TimeoutError:
                    reason = ctx.stop_reason() if ctx is not None else None
                    if reason is not None:
                        raise reason from None
        finally:
            future.cancel()

    async def _run(self, groups: list[_Group], call: _Call) -> None:
        tasks = [asyncio.ensure_future(self._group(g, call)) for g in groups]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            raise

    async def _group(self, group: _Group, call: _Call) -> None:
        """A greedy output, or sampled candidates: `n` of them at once where the server can, the rest one by one."""
        answered = await self._ask(group, group.outputs, group.sampling, call)
        rest = group.outputs[answered:]
        if rest:
            await asyncio.gather(*(self._ask(group, [out], replace(group.sampling, seed=group.sampling.seed + k), call)
                                   for k, out in enumerate(rest, start=answered)))

    async def _ask(self, group: _Group, outputs: list[int], sampling: Sampling | None, call: _Call) -> int:
        """One request for `outputs` (n = their number); returns how many of them it answered."""
        ask = Ask(group.messages, group.limit, sampling, len(outputs), self.repetition_penalty)
        shown = sampling is None  # only greedy text streams to the page, as in the llama.cpp worker

        def on_delta(index: int, text: str, tokens: int) -> None:
            if index < len(outputs):
                call.stream(outputs[index], text if shown else "", tokens)

        answer = await self._send(ask, on_delta)
        call.read += answer.prompt_tokens
        answered = 0
        for index, out in enumerate(outputs):
            if index not in answer.texts:
                break
            call.results[out] = Generation(answer.texts[index].strip(), answer.finish[index] == "length")
            call.written += answer.counts.get(index, 0)
            _tell(call.tracker, "segment_done", answer.counts.get(index, 0))
            answered += 1
        return answered

    async def _send(self, ask: Ask, on_delta) -> Answer:
        """The answer to `ask`, with retries: at once on another live server after a connection error, else after
        a pause (Retry-After, or backoff doubling from `backoff`)."""
        attempt = 0
        while True:
            server = None
            try:
                async with self._slots:
                    server = self.pool.pick()
                    if server is None:
                        raise RemoteError("no server is up: " + self.pool.down_line())
                    if ask.n > 1 and server.supports_n is False:
                        ask = replace(ask, n=1)
                    try:
                        answer = await stream_chat(self._client, server, ask, on_delta, self.timeout)
                    finally:
                        self.pool.release(server)
                if ask.n > 1:
                    server.supports_n = len(answer.texts) >= ask.n
                return answer
            except Failure as failure:
                if failure.n_refused:
                    server.supports_n = False
                    continue
                if failure.down:
                    self.pool.mark_down(server, str(failure))
                if not failure.retry or attempt >= self.retries:
                    raise RemoteError(str(failure)) from None
                attempt += 1
                log.info("%s; retry %d of %d", failure, attempt, self.retries)
                if not (failure.down and self.pool.any_up()):
                    await asyncio.sleep(min(failure.retry_after or self.backoff * 2 ** (attempt - 1), MAX_WAIT_S))

    def close(self) -> None:
        """Close the connections and stop the loop (tests; a process's engines otherwise live as long as it)."""
        asyncio.run_coroutine_threadsafe(self._client.aclose(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._sync.close()


def _tell(tracker: Progress | None, event: str, *args) -> None:
    """A progress event; a failing tracker never stops the requests."""
    if tracker is None:
        return
    try:
        getattr(tracker, event)(*args)
    except Exception:
        log.debug("progress %s failed", event, exc_info=True)
