"""Servers for the openai engine's tests: llama-cpp-python's own OpenAI-compatible server on a tiny GGUF (started
through bisum's wrapper, which loads the CPU kernels bisum proved safe), and a scripted fake front (FastAPI on
uvicorn, in a thread) that answers 429s, 404s, `n` choices and slow streams on demand."""
import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import httpx

from web_servers import free_port


def wait_until_up(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"no server at {url} after {timeout} s")


class LlamaServer:
    """`python -m summarizer.engines.remote.llama_server` on `model`, one thread; start, kill, start again on the
    same port. cores: a taskset CPU list to pin it to (benchmarks)."""

    def __init__(self, model: Path, port: int | None = None, threads: int = 1, cores: str | None = None,
                 log: Path | None = None):
        self.model, self.port, self.threads, self.cores, self.log = model, port or free_port(), threads, cores, log
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout: float = 120) -> "LlamaServer":
        cmd = [sys.executable, "-m", "summarizer.engines.remote.llama_server", "--model", str(self.model),
               "--host", "127.0.0.1", "--port", str(self.port), "--n_threads", str(self.threads),
               "--n_threads_batch", str(self.threads), "--n_ctx", "4096", "--verbose", "false"]
        if self.cores:
            cmd = ["taskset", "-c", self.cores, *cmd]
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ))
        wait_until_up(self.url, timeout, self.proc)
        return self

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def _sse(chunk: dict | str) -> str:
    return f"data: {chunk if isinstance(chunk, str) else json.dumps(chunk)}\n\n"


@dataclass
class FakeFront:
    """A scripted OpenAI-compatible server. reply(body, choice) -> the text of that choice (sent word by word, one
    piece every `delay` seconds); `fail`: status codes answered first, one per request (429 with Retry-After 0);
    `refuse(body)`: a status code to answer for that request, else None; `supports_n`: answer n choices (else one);
    `tokenize`: serve llama.cpp's /tokenize (one token per character). Records request bodies and headers."""

    reply: Callable[[dict, int], str] = lambda body, choice: f"answer {choice}"
    fail: list[int] = field(default_factory=list)
    refuse: Callable[[dict], int | None] = lambda body: None
    supports_n: bool = True
    delay: float = 0.0
    tokenize: bool = False
    models: tuple[str, ...] = ("fake-model",)
    bodies: list[dict] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)  # requests whose client went away mid-stream (their numbers)
    active: int = 0
    most_active: int = 0
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def app(self):
        from fastapi import FastAPI, Request
        from fastapi.responses import JSONResponse, StreamingResponse

        app = FastAPI()

        @app.get("/v1/models")
        async def models():
            return {"object": "list", "data": [{"id": m, "object": "model"} for m in self.models]}

        @app.post("/tokenize")
        async def tokenize(request: Request):
            if not self.tokenize:
                return JSONResponse({"error": "no"}, status_code=404)
            return {"tokens": list(range(len((await request.json())["content"])))}

        @app.post("/v1/chat/completions")
        async def chat(request: Request):
            body = await request.json()
            number = len(self.bodies)
            self.bodies.append(body)
            self.headers.append(dict(request.headers))
            status = self.fail.pop(0) if self.fail else self.refuse(body)
            if status:
                return JSONResponse({"error": {"message": f"scripted {status}"}}, status_code=status,
                                    headers={"Retry-After": "0"} if status == 429 else None)
            return StreamingResponse(self._stream(body, number), media_type="text/event-stream")

        return app

    async def _stream(self, body: dict, number: int):
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        completed = False
        try:
            choices = body.get("n", 1) if self.supports_n else 1
            for choice in range(choices):
                words = self.reply(body, choice).split(" ")
                for k, word in enumerate(words):
                    if self.delay:
                        await asyncio.sleep(self.delay)
                    piece = word if k == 0 else " " + word
                    yield _sse({"choices": [{"index": choice, "delta": {"content": piece}, "finish_reason": None}]})
                finish = "length" if len(words) >= body["max_tokens"] else "stop"
                yield _sse({"choices": [{"index": choice, "delta": {}, "finish_reason": finish}]})
            yield _sse({"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 3}})
            yield _sse("[DONE]")
            completed = True
        finally:
            self.active -= 1
            if not completed:
                self.closed.append(number)

    def start(self) -> "FakeFront":
        import uvicorn

        config = uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="error")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        wait_until_up(self.url, 30)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
