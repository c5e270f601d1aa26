"""Serving editors: the page's streaming API and the HTTP API on one server, one shared model worker.

    python benchmarks/serving.py [--engine llamacpp] [--clients 20] [--json benchmarks/results/serving.json]

The server runs in its own process (`summarizer serve`) with the translation memory off, so nothing is served
from a cache. Measured in one run:
  warm-up        one short translation loads the model (a running server has it loaded)
  one editor     a 2,000-character Chinese article through `/process_stream` (gradio_client): seconds from the
                 click to the first summary token, to the summary, to the translated summary
  five editors   five different articles pasted at once: total wall time against one editor's, none lost, and
                 against the same five pasted one after another
  API clients    N concurrent `POST /translate` (LibreTranslate) calls with different FLORES sentences: all
                 answered, p50 / p95 latency
  levels         (--levels fast,balanced,best) the one editor's article at each quality level, translated summary
                 and full translation: what each level costs an editor (issue 14)
Targets (issue 13): first token < 3 s, summary < 10 s, all < 20 s; five editors < 2x one; no request lost.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from summarizer import api
from summarizer.llamacpp import cpu_variants
from summarizer.evaluation.datasets import load_eval_set

ROOT = Path(__file__).resolve().parent.parent
ARTICLE_CHARS = 2000


def chinese_articles(count: int) -> list[str]:
    """The first `count` Chinese articles of the seed pages, each cut to about 2,000 characters at a paragraph."""
    settings, out = api.settings(), []
    for page in sorted((ROOT / "examples").glob("*.txt")):
        for result in api.prepare(api.documents(page, settings)):
            article = result.article
            if article.source_lang != "zh" or len(article.text) < ARTICLE_CHARS // 3:
                continue
            kept, total = [], 0
            for para in article.paragraphs:
                if kept and total + len(para) > ARTICLE_CHARS:
                    break
                kept.append(para)
                total += len(para)
            out.append("\n\n".join(kept))
            if len(out) == count:
                return out
    return out


def start_server(engine: str, port: int, work: Path) -> subprocess.Popen:
    env = dict(os.environ, BISUM_CACHE="0", BISUM_MEMORY=str(work / "tm.sqlite3"), PYTHONUNBUFFERED="1")
    server = subprocess.Popen([sys.executable, "-m", "summarizer", "serve", "--engine", engine, "--port", str(port)],
                              env=env, stdout=open(work / "server.log", "w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/languages", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.5)
    server.kill()
    sys.exit(f"the server did not start; see {work / 'server.log'}")


def warm_up(url: str) -> float:
    """One short translation, so that loading the model is not counted against the first editor."""
    start = time.perf_counter()
    httpx.post(f"{url}translate", json={"q": "你好", "source": "zh", "target": "en"}, timeout=600).raise_for_status()
    return round(time.perf_counter() - start, 2)


def one_editor(url: str, text: str, engine: str, quality: str = "fast", translate: str = "summary") -> dict:
    """Click-to-first-token, click-to-summary, click-to-translated-summary and click-to-done of one paste, streamed
    (translate: "summary", the page's default, or "full", the whole article too)."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    start = time.perf_counter()
    job = client.submit(text, "auto", 3, translate, engine, quality, api_name="/process_stream")
    marks: dict = {}
    last = None
    for update in job:
        now = time.perf_counter() - start
        records = update["results"]
        if update["stage"] == "summarize" and update["partial"] and "first_token_s" not in marks:
            marks["first_token_s"] = now
        if records and all(r.get("summary") for r in records) and "summary_s" not in marks:
            marks["summary_s"] = now
        if records and all(r.get("summary_translated") or r.get("error") for r in records) and "translated_s" not in marks:
            marks["translated_s"] = now
        last = update
    marks["all_s"] = time.perf_counter() - start
    marks["complete"] = bool(last and last["final"] and all(r.get("summary") and r.get("summary_translated")
                                                            for r in last["results"]))
    marks["server_timings"] = last["timings"] if last else {}
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in marks.items()}


def editors_at_once(url: str, texts: list[str], engine: str) -> dict:
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(texts)) as pool:
        runs = list(pool.map(lambda t: one_editor(url, t, engine), texts))
    return {"wall_s": round(time.perf_counter() - start, 2), "complete": sum(r["complete"] for r in runs), "runs": runs}


def api_clients(url: str, count: int) -> dict:
    sentences = [item.source for item in load_eval_set("flores-zh-en", limit=count).items]

    def one(q: str) -> tuple[float, bool]:
        start = time.perf_counter()
        reply = httpx.post(f"{url}translate", json={"q": q, "source": "zh", "target": "en"}, timeout=900)
        ok = reply.status_code == 200 and bool(reply.json().get("translatedText"))
        return time.perf_counter() - start, ok

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=count) as pool:
        outcomes = list(pool.map(one, sentences))
    latencies = sorted(t for t, _ in outcomes)
    return {"clients": count, "answered": sum(ok for _, ok in outcomes), "wall_s": round(time.perf_counter() - start, 2),
            "p50_s": round(statistics.median(latencies), 2),
            "p95_s": round(latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))], 2)}


def levels(url: str, text: str, engine: str, names: list[str]) -> dict:
    """One editor's article at each quality level, with the translated summary (the page's default) and in full."""
    out = {}
    for name in names:
        out[name] = {mode: one_editor(url, text, engine, name, mode) for mode in ("summary", "full")}
        print(f"quality {name}:", json.dumps(out[name]), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engine", default="llamacpp")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--levels", default="", help="quality levels (e.g. fast,balanced,best): one editor's article is "
                                                 "also timed at each, summary and full translation")
    ap.add_argument("--levels-only", action="store_true", help="only the per-level figures")
    args = ap.parse_args()
    print(cpu_variants.machine_line())
    texts = chinese_articles(6)
    work = Path(tempfile.mkdtemp(prefix="bisum-serving-"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = start_server(args.engine, port, work)
    url = f"http://127.0.0.1:{port}/"
    figures: dict = {"engine": args.engine, "article_chars": [len(t) for t in texts]}
    try:
        figures["warm_up_s"] = warm_up(url)
        if args.levels:
            figures["levels"] = levels(url, texts[0], args.engine, args.levels.split(","))
        if args.levels_only:
            return
        figures["one_editor"] = one_editor(url, texts[0], args.engine)
        print("one editor:", json.dumps(figures["one_editor"]), flush=True)
        figures["five_editors"] = editors_at_once(url, texts[1:6], args.engine)
        figures["five_over_one"] = round(figures["five_editors"]["wall_s"] / figures["one_editor"]["all_s"], 2)
        print(f"five editors: {figures['five_editors']['wall_s']} s wall ({figures['five_over_one']}x one), "
              f"{figures['five_editors']['complete']}/{len(texts[1:6])} complete", flush=True)
        alone = [one_editor(url, t, args.engine) for t in texts[1:6]]
        figures["five_one_after_another_s"] = round(sum(r["all_s"] for r in alone), 2)
        print(f"the same five one after another: {figures['five_one_after_another_s']} s", flush=True)
        figures["api_clients"] = api_clients(url, args.clients)
        print("API clients:", json.dumps(figures["api_clients"]), flush=True)
    finally:
        server.terminate()
        server.wait(30)
        if args.json:
            args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
