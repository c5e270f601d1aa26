"""Load test of the web API: N concurrent `process` calls through gradio_client, one client per thread.

    python benchmarks/web_load.py                      # 20 requests, extractive engine, local server
    python benchmarks/web_load.py --requests 40 --url http://127.0.0.1:7860/

Every request must come back complete (same articles and summaries as a sequential run); the script prints
the total wall time, the throughput and the latency distribution, and exits 1 if any request was lost.
Needs bisum installed (`pip install -e '.[web]'`).
"""
from __future__ import annotations

import argparse
import socket
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--engine", default="extractive")
    parser.add_argument("--translate", default="none", choices=["none", "summary", "full"])
    parser.add_argument("--url", help="an already running server; default: start one on a free port")
    return parser.parse_args()


def load(url: str, texts: list[str], options: dict) -> tuple[float, list[tuple[float, bool]]]:
    """(total seconds, [(latency, complete and as expected)]) for one concurrent burst of requests."""
    from gradio_client import Client

    warm = Client(url, verbose=False)
    expected = {t: [r["summary"] for r in warm.predict(t, **options)["results"]] for t in set(texts)}
    with ThreadPoolExecutor(max_workers=len(texts)) as pool:  # users who already have the page open
        clients = list(pool.map(lambda _: Client(url, verbose=False), texts))

    def one(job: tuple[Client, str]) -> tuple[float, bool]:
        client, text = job
        start = time.perf_counter()
        out = client.predict(text, **options)
        ok = [r["summary"] for r in out["results"]] == expected[text] and all(expected[text])
        return time.perf_counter() - start, ok

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(texts)) as pool:
        outcomes = list(pool.map(one, zip(clients, texts)))
    return time.perf_counter() - start, outcomes


def report(args: argparse.Namespace, url: str, total: float, outcomes: list[tuple[float, bool]]) -> int:
    latencies = [t for t, _ in outcomes]
    good = sum(ok for _, ok in outcomes)
    print(f"server {url} engine {args.engine} translate {args.translate}")
    print(f"{args.requests} concurrent requests: {good} complete, {args.requests - good} lost or wrong")
    print(f"total {total:.2f} s, throughput {args.requests / total:.2f} req/s")
    print(
        f"latency s: min {min(latencies):.2f}  median {statistics.median(latencies):.2f}  "
        f"p90 {percentile(latencies, 0.9):.2f}  max {max(latencies):.2f}  mean {statistics.fmean(latencies):.2f}"
    )
    return 0 if good == args.requests else 1


def main() -> int:
    args = parse_args()
    app, url = None, args.url
    if url is None:
        from summarizer import api
        from summarizer.apps.web import launch

        port = free_port()
        app = launch(api.settings(engine=args.engine), port=port, block=False, quiet=True)
        url = f"http://127.0.0.1:{port}/"
    seeds = sorted(EXAMPLES.glob("*.txt"))
    texts = [seeds[i % len(seeds)].read_text("utf-8") for i in range(args.requests)]
    try:
        total, outcomes = load(url, texts, {"translate": args.translate, "engine": args.engine, "api_name": "/process"})
    finally:
        if app is not None:
            app.close()
    return report(args, url, total, outcomes)


if __name__ == "__main__":
    sys.exit(main())
