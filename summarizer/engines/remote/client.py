"""One streamed chat completion from an OpenAI-compatible server (`POST /v1/chat/completions`, `stream: true`).

httpx reads the response; the server-sent events of these servers are one `data: <json>` line each, ended by
`data: [DONE]`. What can go wrong is sorted for the caller: `Failure.retry` (429, 5xx, connection errors), `down`
(the server could not be reached: take it out), `n_refused` (the server does not answer several choices).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from summarizer.engines.remote.probe import status_line
from summarizer.engines.remote.servers import Server
from summarizer.generation import Message, Sampling

OnDelta = Callable[[int, str, int], None]  # (choice index, its text so far, tokens just added)
CUT_SHORT = ("server at {url} ended the stream before the answer was complete (llama-cpp-python's server must run "
             "with --interrupt_requests false to serve several requests)")


@dataclass
class Ask:
    """One request: a conversation, its token limit, greedy (sampling None) or sampled, `n` choices."""

    messages: list[Message]
    max_tokens: int
    sampling: Sampling | None = None
    n: int = 1
    repetition_penalty: float = 1.0

    def body(self, model: str) -> dict:
        """The request body: greedy is temperature 0; sampling sends temperature, top_p, min_p (for epsilon: the
        nearest cut-off these servers have) and the seed. llama.cpp reads repeat_penalty, vLLM repetition_penalty."""
        body = {"model": model, "messages": self.messages, "max_tokens": self.max_tokens, "stream": True,
                "stream_options": {"include_usage": True}}
        if self.sampling is None:
            body["temperature"] = 0.0
        else:
            s = self.sampling
            body.update(temperature=s.temperature, top_p=s.top_p, min_p=s.epsilon, seed=s.seed)
        if self.n > 1:
            body["n"] = self.n
        if self.repetition_penalty != 1.0:
            body.update(repeat_penalty=self.repetition_penalty, repetition_penalty=self.repetition_penalty)
        return body


@dataclass
class Answer:
    """The choices of one request, by index: text, finish reason, pieces streamed; prompt tokens (usage)."""

    texts: dict[int, str] = field(default_factory=dict)
    finish: dict[int, str | None] = field(default_factory=dict)
    counts: dict[int, int] = field(default_factory=dict)  # pieces of text streamed per choice (about its tokens)
    prompt_tokens: int = 0


class Failure(Exception):
    """A request that failed. retry: worth another try (429, 5xx, connection); down: the server could not be
    reached; n_refused: it refused n > 1; retry_after: seconds the server asked to wait."""

    def __init__(self, line: str, retry: bool = False, down: bool = False, n_refused: bool = False,
                 retry_after: float | None = None):
        super().__init__(line)
        self.retry, self.down, self.n_refused, self.retry_after = retry, down, n_refused, retry_after


async def stream_chat(client: httpx.AsyncClient, server: Server, ask: Ask, on_delta: OnDelta,
                      read_timeout: float) -> Answer:
    """Send `ask` to `server` and stream its answer, telling `on_delta` of each piece of text."""
    timeout = httpx.Timeout(read_timeout, connect=min(10.0, read_timeout))
    try:
        async with client.stream("POST", f"{server.url}/chat/completions", json=ask.body(server.model),
                                 timeout=timeout) as response:
            if response.status_code != 200:
                await response.aread()
                raise _status_failure(server, ask, response)
            return await _read_events(response, server, on_delta)
    except httpx.TimeoutException as exc:
        raise Failure(f"server at {server.url} sent nothing for {read_timeout:g} s ({exc.__class__.__name__})",
                      retry=True) from None
    except httpx.TransportError as exc:
        raise Failure(f"server at {server.url} cannot be reached: {exc or exc.__class__.__name__}", retry=True,
                      down=True) from None


def _status_failure(server: Server, ask: Ask, response: httpx.Response) -> Failure:
    status, text = response.status_code, response.text
    line = status_line(server, status, server.model, text)
    if ask.n > 1 and status in (400, 422):  # asked again with n = 1: a refusal for another reason then shows
        return Failure(line, n_refused=True)
    retry_after = response.headers.get("retry-after")
    wait = float(retry_after) if retry_after and retry_after.replace(".", "", 1).isdigit() else None
    return Failure(line, retry=status == 429 or status >= 500, retry_after=wait)


async def _read_events(response: httpx.Response, server: Server, on_delta: OnDelta) -> Answer:
    answer = Answer()
    done = False
    async for line in response.aiter_lines():
        if not line.startswith("data:"):
            continue  # blank separators, comments (": ping"), event names
        payload = line[5:].strip()
        if payload == "[DONE]":
            done = True
            break
        try:
            chunk = json.loads(payload)
        except ValueError:
            raise Failure(f"server at {server.url} sent an event that is not JSON: {payload[:100]}") from None
        if chunk.get("error"):
            error = chunk["error"]
            message = error.get("message", error) if isinstance(error, dict) else error
            raise Failure(f"server at {server.url} failed: {message}", retry=True)
        _add_chunk(answer, chunk, on_delta)
    if not done:
        raise Failure(f"server at {server.url} closed the stream before [DONE]", retry=True, down=True)
    if not answer.finish or any(reason is None for reason in answer.finish.values()):
        raise Failure(CUT_SHORT.format(url=server.url))
    return answer


def _add_chunk(answer: Answer, chunk: dict, on_delta: OnDelta) -> None:
    usage = chunk.get("usage") or {}
    answer.prompt_tokens = usage.get("prompt_tokens", answer.prompt_tokens) or 0
    for choice in chunk.get("choices") or ():
        index = int(choice.get("index", 0))
        text = (choice.get("delta") or {}).get("content") or ""
        answer.texts[index] = answer.texts.get(index, "") + text
        answer.finish.setdefault(index, None)
        if choice.get("finish_reason"):
            answer.finish[index] = choice["finish_reason"]
        if text:
            answer.counts[index] = answer.counts.get(index, 0) + 1
            on_delta(index, answer.texts[index], 1)
