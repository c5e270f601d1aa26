"""Launch the editors' web page: python gradio_app.py [--host 127.0.0.1] [--port 7860] [--engine extractive]."""
from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="bisum web page (Gradio)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--engine", default="extractive", help="default summarizer: extractive (the model translates), auto, lead, llm, llamacpp, seq2seq")
    args = parser.parse_args(argv)

    from summarizer import api
    from summarizer.apps.web import launch

    # one base for every request: defaults < BISUM_* environment < --engine
    launch(api.settings(engine=args.engine), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
