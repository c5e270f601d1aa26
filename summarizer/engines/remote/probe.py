"""Start-up checks of the servers (`/v1/models`: reachable, key accepted, model loaded) and token counts.

Token counts come from the server's tokenizer where it has an endpoint for it (llama.cpp's `/tokenize`, vLLM's
`/tokenize`, llama-cpp-python's `/extras/tokenize`), else from a character estimate (Ollama).
"""
from __future__ import annotations

import logging
import math
import re
import threading
from pathlib import PurePath

import httpx

from summarizer.engines.remote.servers import Server, ServerPool
from summarizer.errors import ConfigError

log = logging.getLogger(__name__)
PROBE_TIMEOUT = httpx.Timeout(10.0)
CHARS_PER_TOKEN = {"cjk": 1.4, "other": 4.0}  # Qwen2.5's tokenizer on news text (as summarizer.progress)
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
CACHE_SIZE = 50_000  # token counts kept per generator


def status_line(server: Server, status: int, model: str, body: str = "") -> str:
    """One line for a server's HTTP error answer."""
    if status == 404:
        return f"server at {server.url} answered 404 for model {model}: is it loaded?"
    if status in (401, 403):
        return (f"server at {server.url} answered {status}: the API key was refused "
                "(set --openai-api-key or BISUM_OPENAI_API_KEY)")
    detail = " ".join(body.split())[:200]
    return f"server at {server.url} answered {status} for model {model}" + (f": {detail}" if detail else "")


def match_model(wanted: str, ids: list[str]) -> str | None:
    """The listed id that names `wanted`: itself, or (llama.cpp lists the GGUF path) its file name or stem."""
    for model_id in ids:
        path = PurePath(model_id)
        if wanted in (model_id, path.name, path.stem):
            return model_id
    return None


def listed_models(client: httpx.Client, server: Server) -> list[str]:
    """The model ids the server lists; one ConfigError line if it cannot be reached or refuses."""
    try:
        response = client.get(f"{server.url}/models", timeout=PROBE_TIMEOUT)
    except httpx.HTTPError as exc:
        raise ConfigError(f"no server answers at {server.url}: {exc or exc.__class__.__name__} "
                          "(start it, or fix --base-url)") from None
    if response.status_code == 404:
        raise ConfigError(f"server at {server.url} answered 404 for /models: is it an OpenAI-compatible server "
                          "(its base URL usually ends in /v1)?")
    if response.status_code != 200:
        raise ConfigError(status_line(server, response.status_code, "list", response.text))
    try:
        return [str(m["id"]) for m in response.json()["data"]]
    except (ValueError, KeyError, TypeError):
        raise ConfigError(f"server at {server.url} answered /models with something that is not a model list") from None


def check_servers(client: httpx.Client, pool: ServerPool, wanted: str | None) -> str:
    """Probe every server; return the model name. Unreachable servers are taken out (all of them: ConfigError);
    a live server without the model, or a refused key, is a ConfigError."""
    name, reachable = wanted, 0
    for server in pool.servers:
        try:
            ids = listed_models(client, server)
        except ConfigError as exc:
            if len(pool.servers) == 1 or not str(exc).startswith("no server answers"):
                raise
            log.warning("%s; left out for now", exc)
            pool.mark_down(server, str(exc))
            continue
        reachable += 1
        if name is None:
            if len(ids) != 1:
                raise ConfigError(f"server at {server.url} serves {len(ids)} models ({', '.join(ids) or 'none'}): "
                                  "choose one with --model")
            name = ids[0]
        found = match_model(name, ids)
        if found is None:
            raise ConfigError(f"server at {server.url} does not list model {name} (it serves: "
                              f"{', '.join(ids) or 'none'}): is it loaded?")
        server.model = found
    if not reachable:
        raise ConfigError("no server answers: " + pool.down_line())
    for server in pool.servers:
        server.model = server.model or name
    return name


def estimate_tokens(text: str) -> int:
    """Tokens by characters: CJK characters at 1.4 per token, other characters at 4."""
    if not text:
        return 0
    cjk = len(_CJK.findall(text))
    return max(1, math.ceil(cjk / CHARS_PER_TOKEN["cjk"] + (len(text) - cjk) / CHARS_PER_TOKEN["other"]))


class TokenCounter:
    """count(text): the server tokenizer's count without special tokens (as llama.cpp counts in-process), cached;
    the estimate when the server has no tokenize endpoint or it fails."""

    def __init__(self, client: httpx.Client, pool: ServerPool):
        self.client, self.pool = client, pool
        self.endpoint: str | None = None  # "/tokenize" | "/extras/tokenize" | "" (estimate)
        self.offset = 0  # tokens the endpoint adds to any text (a BOS token)
        self._cache: dict[str, int] = {}
        self._lock = threading.Lock()

    def detect(self) -> str:
        """Find the server's tokenize endpoint (once); returns a line for the log."""
        for path in ("/tokenize", "/extras/tokenize"):
            self.endpoint = path
            empty = self._ask("")
            if empty is not None and self._ask("token count probe") is not None:
                self.offset = empty
                return f"token counts from {path}"
        self.endpoint = ""
        return "token counts estimated (the server has no tokenize endpoint)"

    def count(self, text: str) -> int:
        with self._lock:
            if text in self._cache:
                return self._cache[text]
        tokens = self._ask(text) if self.endpoint else None
        counted = estimate_tokens(text) if tokens is None else max(0, tokens - self.offset)
        with self._lock:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[text] = counted
        return counted

    def _ask(self, text: str) -> int | None:
        server = self.pool.first_up()
        body = ({"input": text, "model": server.model} if self.endpoint == "/extras/tokenize" else
                {"content": text, "prompt": text, "model": server.model, "add_special": False,
                 "add_special_tokens": False})
        try:
            response = self.client.post(server.root + self.endpoint, json=body, timeout=PROBE_TIMEOUT)
            tokens = response.json().get("tokens") if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError, AttributeError):
            log.debug("tokenize at %s failed", server.root, exc_info=True)
            return None
        return len(tokens) if isinstance(tokens, list) else None
