"""An HTTP API that LibreTranslate clients already speak, over the same pipeline as the CLI and the page.

    POST /translate   q (text or list), source (auto|zh|en), target (zh|en), format (text|html), quality, api_key
    POST /detect      q                 -> [{"confidence": 95.0, "language": "zh"}]
    GET  /languages                     -> [{"code": "en", "name": "English", "targets": ["zh"]}, ...]
    POST /summarize   q, source, target (auto|en|zh|none), sentences, engine, translate (summary|full|none), quality,
                      api_key

quality (fast|balanced|best, optional) is the translation's level (see `summarizer.engines.quality`); left out, the
server's (`summarizer serve --quality`, else BISUM_QUALITY when the server started).

Bodies are JSON or forms (urlencoded or multipart), as LibreTranslate takes them. Each request runs on a worker
thread inside its own `RequestContext` (time limit, cancellation when the client goes away). When the server has an
API key (`summarizer serve --api-key`, or BISUM_API_KEY at start), requests carry it (`api_key`, or
`Authorization: Bearer`); every client gets `api_rate_per_minute` requests a minute. Errors are
`{"error": "<one line>"}` with their HTTP status.
"""
from __future__ import annotations

import asyncio
import hmac
import html
import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qs

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException, MultiPartParser

from summarizer import api
from summarizer.editor.history import remember
from summarizer.apps.web import service
from summarizer.config import Settings
from summarizer.document import Result
from summarizer.engines.quality import QUALITY_LEVELS
from summarizer.request import RequestContext, scope
from summarizer.errors import BisumError, ModelError, RequestCancelled, TimeLimitExceeded
from summarizer.prepare.detect import dominant_language, language_shares

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_BODY_BYTES = 4_000_000  # refused before parsing; `api_max_chars` limits the text itself
POLL_S = 0.2  # how often a running request checks that its client is still there
LANGUAGES = [{"code": "en", "name": "English", "targets": ["zh"]}, {"code": "zh", "name": "Chinese", "targets": ["en"]}]
CODES = {"auto": "auto", "en": "en", "en-us": "en", "en-gb": "en", "zh": "zh", "zh-hans": "zh", "zh-cn": "zh",
         "zh-sg": "zh", "zh-hant": "zh", "zh-tw": "zh", "zh-hk": "zh"}
TRADITIONAL = {"zh-hant", "zh-tw", "zh-hk"}  # read as sources; output is Simplified Chinese only
STATUS = ((TimeLimitExceeded, 504), (RequestCancelled, 499), (ModelError, 503), (BisumError, 400))
MARKUP = re.compile(r"(<!--.*?-->|<[A-Za-z/!?][^>]*>)", re.DOTALL)  # comments and tags; a lone "<" is text
RAW_TEXT = re.compile(r"<(script|style)\b", re.IGNORECASE)  # elements whose text is code, not prose


@dataclass
class ApiError(Exception):
    """A request refused with an HTTP status and a one-line reason."""

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class RateLimiter:
    """At most `limit` requests per client in any `window_s` seconds (a sliding window of request times)."""

    window_s: float = 60.0
    _hits: dict[str, deque[float]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def admit(self, client: str, limit: int) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._hits) > 10_000:  # forget clients that have been quiet for a window
                self._hits = {c: h for c, h in self._hits.items() if h and h[-1] > now - self.window_s}
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - self.window_s:
                hits.popleft()
            if len(hits) >= limit:
                retry = max(1, int(hits[0] + self.window_s - now + 0.999))
                raise ApiError(429, f"too many requests: at most {limit} a minute; retry in {retry} s",
                               {"Retry-After": str(retry)})
            hits.append(now)


# ================================================================================================
# Requests: body, key, limits, fields


async def read_fields(request: Request) -> dict[str, Any]:
    """The fields of a JSON, urlencoded or multipart body (413 over MAX_BODY_BYTES, 400 when unreadable)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, f"the request body is over the limit of {MAX_BODY_BYTES:,} bytes")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY_BYTES:
            raise ApiError(413, f"the request body is over the limit of {MAX_BODY_BYTES:,} bytes")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if kind == "multipart/form-data":
            return await _multipart(request.headers, bytes(data))
        if kind == "application/json" or (kind == "" and data.lstrip()[:1] == b"{"):
            fields = json.loads(data) if data.strip() else {}
            if not isinstance(fields, dict):
                raise ApiError(400, "the JSON body must be an object")
            return fields
        form = parse_qs(data.decode("utf-8"), keep_blank_values=True)
        return {k: v[0] if len(v) == 1 else v for k, v in form.items()}
    except (UnicodeDecodeError, ValueError, MultiPartException) as exc:
        raise ApiError(400, f"the request body cannot be read: {one_line(str(exc))}") from None


async def _multipart(headers: Headers, data: bytes) -> dict[str, Any]:
    async def stream():
        yield data
        yield b""

    form = await MultiPartParser(headers, stream()).parse()
    values = {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form}
    return {k: v[0] if len(v) == 1 else v for k, v in values.items() if v}


def client_of(request: Request, fields: dict[str, Any], settings: Settings, limiter: RateLimiter) -> str:
    """Who is asking, for the rate limit: the key when one is required, else the address. A request without the
    right key is 403, and counts against its address (so that keys cannot be guessed at speed)."""
    address = request.client.host if request.client else "unknown"
    if not settings.api_key:
        return address
    given = fields.get("api_key")
    bearer = request.headers.get("authorization", "")
    if not given and bearer.lower().startswith("bearer "):
        given = bearer[7:].strip()
    if not isinstance(given, str) or not hmac.compare_digest(given.encode(), settings.api_key.encode()):
        limiter.admit(address, settings.api_rate_per_minute)
        raise ApiError(403, "a valid API key is required (api_key field or Authorization: Bearer)")
    return "key:" + given


def texts_of(fields: dict[str, Any], settings: Settings, batch: bool = True) -> list[str]:
    """`q` as a list of texts (400 when missing or malformed, 413 over `api_max_chars`)."""
    q = fields.get("q")
    if q is None or q == "" or q == []:
        raise ApiError(400, "missing q: send the text to work on")
    texts = q if isinstance(q, list) and batch else [q]
    if not all(isinstance(t, str) for t in texts):
        raise ApiError(400, "q must be a string" + (" or a list of strings" if batch else ""))
    chars = sum(len(t) for t in texts)
    if chars > settings.api_max_chars:
        raise ApiError(413, f"q has {chars:,} characters, over the limit of {settings.api_max_chars:,} (BISUM_API_MAX_CHARS)")
    return texts


def language_of(fields: dict[str, Any], name: str, default: str | None = None) -> str:
    """A language field as auto, zh or en (LibreTranslate's zh-Hans, zh-CN, ... accepted)."""
    code = fields.get(name, default)
    if not isinstance(code, str) or not code.strip():
        raise ApiError(400, f"missing {name}: choose zh or en")
    lang = CODES.get(code.strip().lower())
    if lang is None:
        raise ApiError(400, f"{name} language {code!r} is not supported; choose one of auto, zh, en")
    if name == "target" and (lang == "auto" or code.strip().lower() in TRADITIONAL):
        raise ApiError(400, f"target {code!r} is not supported; choose zh (Simplified Chinese) or en")
    return lang


def with_quality(fields: dict[str, Any], settings: Settings) -> Settings:
    """The settings at the request's `quality` level (fast|balanced|best); left out, the server's."""
    quality = fields.get("quality")
    if quality is None or quality == "":
        return settings
    if not isinstance(quality, str) or quality.strip().lower() not in QUALITY_LEVELS:
        raise ApiError(400, f"quality {quality!r} is not supported; choose one of {', '.join(QUALITY_LEVELS)}")
    return settings.with_(quality=quality.strip().lower())


def detected(text: str) -> dict[str, Any]:
    """LibreTranslate's detection record: the dominant language and its share of the text, in percent."""
    zh, en = language_shares(text)
    lang = dominant_language(text)
    return {"confidence": round(100 * max(zh, en), 1), "language": lang}


def one_line(message: str) -> str:
    return " ".join(message.split())[:500]


# ================================================================================================
# Jobs: what a request asks for, checked before any work, and the blocking work itself


@dataclass
class DetectJob:
    text: str

    @classmethod
    def parse(cls, fields: dict[str, Any], settings: Settings) -> DetectJob:
        return cls(texts_of(fields, settings, batch=False)[0])

    def run(self, ctx: RequestContext) -> list[dict[str, Any]]:
        return [detected(self.text)]


@dataclass
class TranslateJob:
    texts: list[str]
    batch: bool  # q was a list: the answer is one too
    source: str  # auto | zh | en
    target: str  # zh | en
    html: bool
    settings: Settings

    @classmethod
    def parse(cls, fields: dict[str, Any], settings: Settings) -> TranslateJob:
        texts = texts_of(fields, settings)
        source, target = language_of(fields, "source", "auto"), language_of(fields, "target")
        if source == target:
            raise ApiError(400, f"source and target are both {source}: nothing to translate")
        form = fields.get("format") or "text"
        if form not in ("text", "html"):
            raise ApiError(400, f"format {form!r} is not supported; choose text or html")
        return cls(texts, isinstance(fields["q"], list), source, target, form == "html", with_quality(fields, settings))

    def run(self, ctx: RequestContext) -> dict[str, Any]:
        plain = [html_text(t) if self.html else t for t in self.texts]
        found = [detected(t) for t in plain]
        sources = [f["language"] if self.source == "auto" else self.source for f in found]
        translated, flags = translate_items(self.texts, sources, self.target, self.html, self.settings)
        answer: dict[str, Any] = {"translatedText": translated if self.batch else translated[0],
                                  "checks": flags if self.batch else flags[0]}  # beyond LibreTranslate: ignored there
        if self.source == "auto":
            answer["detectedLanguage"] = found if self.batch else found[0]
        return answer


@dataclass
class SummarizeJob:
    text: str
    source: str  # auto | zh | en: the language of every article (auto: detected per article)
    settings: Settings

    @classmethod
    def parse(cls, fields: dict[str, Any], settings: Settings) -> SummarizeJob:
        text = texts_of(fields, settings, batch=False)[0]
        sentences = fields.get("sentences")
        try:
            sentences = int(sentences) if sentences not in (None, "") else None
        except (TypeError, ValueError):
            raise ApiError(400, f"sentences must be a whole number, not {sentences!r}") from None
        target = str(fields.get("target") or "auto").lower()
        target = target if target in ("auto", "none") else language_of(fields, "target")
        settings = with_quality(fields, settings).with_(to=target, translate=fields.get("translate") or None,
                                                        summary_sentences=sentences, engine=fields.get("engine") or None)
        return cls(text, language_of(fields, "source", "auto"), settings)

    def run(self, ctx: RequestContext) -> dict[str, Any]:
        results = api.prepare(service.read_input(self.text, None, self.settings))
        for r in results if self.source != "auto" else []:
            r.article.source_lang = self.source
        pipeline, warnings = service.web_pipeline(self.settings)
        pipeline.run(results, on_progress=lambda event: ctx.check())
        remember(results, origin="api")  # the editor's history; never raises
        return {"results": [r.to_record() for r in results], "warnings": warnings}


def translate_items(texts: list[str], sources: list[str], target: str, as_html: bool,
                    settings: Settings) -> tuple[list[str], list[list[dict]]]:
    """Each text translated from its own source language (HTML: its text between the tags), checked and repaired;
    with each text's checks as `summarizer check --json` writes them."""
    from summarizer.checks import checks_to_json

    pieces = [MARKUP.split(t) if as_html else [t] for t in texts]
    flags: list[list[dict]] = [[] for _ in texts]
    slots = [(i, k) for i, p in enumerate(pieces) for k in (prose_slots(p) if as_html else [0])]
    for lang in dict.fromkeys(sources):
        mine = [(i, k) for i, k in slots if sources[i] == lang]
        inputs = [html.unescape(pieces[i][k]).strip() if as_html else pieces[i][k] for i, k in mine]
        for (i, k), result in zip(mine, api.translate_texts(inputs, lang, target, settings)):
            out = accepted(result)
            flags[i] += checks_to_json(result.checks)["checks"]
            if as_html:
                raw = pieces[i][k]
                lead, trail = raw[: len(raw) - len(raw.lstrip())], raw[len(raw.rstrip()):]
                out = lead + html.escape(out, quote=False) + trail
            pieces[i][k] = out
    return ["".join(p) for p in pieces], flags


def accepted(result: Result) -> str:
    """The translated text; a failed translation is an error, never an empty or wrong answer."""
    failed = [c.message for c in result.checks if c.type == "failed"]
    if result.error or failed:
        log.warning("translation failed: %s", result.error or "; ".join(failed))
        raise ApiError(500, one_line(failed[0]) if failed else "translation failed; the server log has the details")
    flagged = [c for c in result.checks if c.severity == "error"]
    if flagged:
        log.info("translation kept with %d flagged problem(s): %s", len(flagged), flagged[0].message)
    return result.translation or ""


def prose_slots(pieces: list[str]) -> list[int]:
    """Indexes of the text pieces (between tags) that hold words, outside <script> and <style>."""
    slots, raw = [], False
    for k, piece in enumerate(pieces):
        if k % 2:  # a tag
            raw = bool(RAW_TEXT.match(piece)) or (raw and not piece.lower().startswith(("</script", "</style")))
        elif not raw and any(ch.isalpha() for ch in html.unescape(piece)):
            slots.append(k)
    return slots


def html_text(markup: str) -> str:
    pieces = MARKUP.split(markup)
    return "\n".join(html.unescape(pieces[k]) for k in prose_slots(pieces))


# ================================================================================================
# Running: off the event loop, inside a request scope, cancelled when the client goes away


async def run_in_scope(request: Request, work: Callable[[RequestContext], T], settings: Settings) -> T:
    """`work(ctx)` on a worker thread inside its request's scope; a client that disconnects cancels the request."""
    ctx = RequestContext(label="api", time_limit=settings.request_timeout)

    def scoped() -> T:
        with scope(ctx):
            return work(ctx)

    task = asyncio.ensure_future(anyio.to_thread.run_sync(scoped))
    try:
        while not task.done():
            await asyncio.wait({task}, timeout=POLL_S)
            if not task.done() and not ctx.cancelled and await request.is_disconnected():
                log.info("api request %d: the client went away; cancelling", ctx.id)
                ctx.cancel()
    finally:
        if not task.done():  # this coroutine was cancelled (server shutdown)
            ctx.cancel()
    return task.result()


def error_response(exc: Exception) -> JSONResponse:
    """`{"error": ...}` with the status for the error; unexpected errors are logged and not described."""
    if isinstance(exc, ApiError):
        status, message, headers = exc.status, exc.message, exc.headers
    else:
        status = next((code for kind, code in STATUS if isinstance(exc, kind)), 500)
        message, headers = one_line(str(exc)) or exc.__class__.__name__, {}
    if status == 500 and not isinstance(exc, ApiError):
        log.error("api request failed", exc_info=exc)
        message = "internal error; the server log has the details"
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def router(base: Settings) -> APIRouter:
    """The API's routes over the server's settings; mount with `app.include_router(router(base))`. A request's
    settings are `base` with the request's fields (its key, limits and time limit are the server's)."""
    routes, limiter = APIRouter(tags=["bisum"]), RateLimiter()

    async def handle(request: Request, kind: type[DetectJob | TranslateJob | SummarizeJob]) -> Response:
        try:
            fields = await read_fields(request)
            limiter.admit(client_of(request, fields, base, limiter), base.api_rate_per_minute)
            job = kind.parse(fields, base)
            return JSONResponse(await run_in_scope(request, job.run, base))
        except Exception as exc:  # noqa: BLE001 -- every error is one JSON line with its status
            return error_response(exc)

    @routes.get("/languages")
    async def languages() -> Response:
        return JSONResponse(LANGUAGES)

    def endpoint(kind: type) -> Callable:
        async def answer(request: Request) -> Response:
            return await handle(request, kind)

        return answer

    for path, kind in (("/detect", DetectJob), ("/translate", TranslateJob), ("/summarize", SummarizeJob)):
        routes.add_api_route(path, endpoint(kind), methods=["POST"])

    return routes
