"""The flags of the openai engine (a model behind OpenAI-compatible servers), added once to every command that
runs a model. The model's name on the servers is the command's own --model."""
from __future__ import annotations

import functools
import inspect
from typing import List, Optional

import typer

from summarizer.config import Settings

D = Settings()  # defaults, shown in --help
REMOTE_OPTIONS = {  # Settings field: (type, option)
    "openai_base_url": (Optional[List[str]], typer.Option(None, "--base-url", metavar="URL", help=(
        "OpenAI-compatible server for --engine openai (llama.cpp's server, vLLM, Ollama), e.g. "
        "http://127.0.0.1:8080/v1; repeat it (or give a comma list) to spread requests over several "
        "[env: BISUM_OPENAI_BASE_URL]."))),
    "openai_api_key": (Optional[str], typer.Option(None, "--openai-api-key", help=(
        "Key sent to the server as a Bearer token [env: BISUM_OPENAI_API_KEY]."))),
    "openai_concurrency": (Optional[int], typer.Option(None, "--openai-concurrency", help=(
        f"Requests in flight at once, over all servers [default: {D.openai_concurrency}]."))),
    "openai_retries": (Optional[int], typer.Option(None, "--openai-retries", help=(
        f"Further tries of a request after 429, 5xx or a connection error [default: {D.openai_retries}]."))),
}


def remote_options(command):
    """Adds the openai engine's flags to a command, which gets them as `remote_flags` for api.settings()."""
    own = [p for p in inspect.signature(command).parameters.values() if p.name != "remote_flags"]
    params = own + [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=o, annotation=t)
                    for n, (t, o) in REMOTE_OPTIONS.items()]

    @functools.wraps(command)
    def wrapper(**kwargs):
        flags = {name: kwargs.pop(name) for name in REMOTE_OPTIONS}
        urls = flags["openai_base_url"]
        flags["openai_base_url"] = ",".join(urls) if urls else None
        return command(**kwargs, remote_flags=flags)

    wrapper.__signature__ = inspect.Signature(params)
    wrapper.__annotations__ = {p.name: p.annotation for p in params}  # typer reads both
    return wrapper
