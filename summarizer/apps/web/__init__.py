"""The editors' web page (Gradio 6) over the same pipeline as the CLI, plus a JSON API endpoint `process`.

    summarizer serve --port 7860            # or: python gradio_app.py --port 7860
    gradio_client.Client(url).predict(text, api_name="/process")

- `service`: input → documents → the pipeline's steps, streamed; reference scores; downloads (no Gradio).
- `render`: pure functions from records to the page's HTML and the Markdown download.
- `page`: the Gradio Blocks layout, its handlers, the queue and `launch`.
"""
from __future__ import annotations

from summarizer.apps.web import render, service
from summarizer.apps.web.page import build_app, launch, launch_options
from summarizer.apps.web.service import Progressed, process, read_input, run_stages, settings_for

__all__ = ["build_app", "launch", "launch_options", "process", "read_input", "run_stages", "settings_for",
           "Progressed", "render", "service"]
