"""The editors' web page (Gradio 6) and the HTTP API, one process over the same pipeline as the CLI.

    summarizer serve --port 7860            # or: python gradio_app.py --port 7860
    gradio_client.Client(url).predict(text, api_name="/process")            # or submit(..., "/process_stream")
    curl -d '{"q": "海关", "source": "zh", "target": "en"}' -H 'content-type: application/json' :7860/translate

- `service`: input → documents → `Pipeline.run` on a background thread, followed and streamed; reference scores;
  downloads (no Gradio).
- `state`: the page's state, worked out once per update (each article's status, records converted once).
- `render`: pure functions from plain data to the page's HTML and the Markdown download.
- `page`: the Gradio Blocks layout, its handlers and the queue.
- `http_api`: LibreTranslate-compatible `/translate`, `/detect`, `/languages`, and `/summarize`.
- `server`: the FastAPI app with both, served by uvicorn (`launch`).
"""
from __future__ import annotations

from summarizer.apps.web import render, service, state
from summarizer.apps.web.page import build_app, launch_options
from summarizer.apps.web.server import launch, server_app
from summarizer.apps.web.service import process, read_input, run_stages, settings_for
from summarizer.apps.web.state import Progressed

__all__ = ["build_app", "launch", "server_app", "launch_options", "process", "read_input", "run_stages", "settings_for",
           "Progressed", "render", "service", "state"]
