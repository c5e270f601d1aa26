"""One process serves everything: the Gradio page at /, its gradio_client API, and the HTTP API beside them, all
sharing the engines built once per process (and so one llama.cpp model worker and its continuous batch)."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import fastapi
import gradio as gr
import uvicorn

from summarizer.apps.web.page import build_app, launch_options

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


def server_app(engine: str = "auto") -> fastapi.FastAPI:
    """The ASGI app: HTTP API routes first, then the page mounted at the root."""
    from summarizer.apps.web import http_api

    app = fastapi.FastAPI(title="bisum", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(http_api.router(engine))
    return gr.mount_gradio_app(app, build_app(engine), path="", **launch_options())


def launch(host: str = "127.0.0.1", port: int = 7860, engine: str = "auto", *, block: bool = True,
           quiet: bool = False) -> RunningServer | None:
    """Serve the page and the API; with block=False return at once with a RunningServer (call `close()`)."""
    config = uvicorn.Config(server_app(engine), host=host, port=port, log_level="warning" if quiet else "info",
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
