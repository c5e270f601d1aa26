"""One process serves everything: the Gradio page at /, its gradio_client API, and the HTTP API beside them, all
sharing the engines built once per process (and so one llama.cpp model worker and its continuous batch), and one
base `Settings` made at start (defaults < BISUM_* environment < `summarizer serve` flags: `api.settings(**flags)`)."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import fastapi
import gradio as gr
import uvicorn

from summarizer.apps.web.page import build_app, launch_options
from summarizer.config import Settings

log = logging.getLogger(__name__)


@dataclass
class RunningServer:
    """A server started with block=False (tests, benchmarks): its URL, and `close()` to stop it."""

    server: uvicorn.Server
    thread: threading.Thread
    url: str

    def close(self) -> None:
        self.server.should_exit = self.server.force_exit = True  # open event streams do not hold it up
        self.thread.join(timeout=15)


def server_app(base: Settings) -> fastapi.FastAPI:
    """The ASGI app over the server's settings: HTTP API routes first, then the page mounted at the root."""
    from summarizer.apps.web import editor_api, http_api

    app = fastapi.FastAPI(title="bisum", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(http_api.router(base))
    app.include_router(editor_api.router(base))  # /corrections, /glossary, /history
    return gr.mount_gradio_app(app, build_app(base), path="", **launch_options())


def launch(base: Settings, host: str = "127.0.0.1", port: int = 7860, *, block: bool = True,
           quiet: bool = False) -> RunningServer | None:
    """Serve the page and the API over `base` (its engine is the page's default; every request starts from it);
    with block=False return at once with a RunningServer (call `close()`)."""
    config = uvicorn.Config(server_app(base), host=host, port=port, log_level="warning" if quiet else "info",
                            timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    if block:
        log.info("serving the page and the API on http://%s:%d/", host, port)
        server.run()
        return None
    thread = threading.Thread(target=server.run, name="bisum-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start on {host}:{port}")
        time.sleep(0.05)
    return RunningServer(server, thread, f"http://{host}:{port}/")
