"""The openai engine over a real server: llama-cpp-python's own OpenAI-compatible server on the tiny GGUFs, started
on a free port through bisum's wrapper (`python -m summarizer.engines.remote.llama_server`, which loads the CPU
kernels bisum proved safe before llama.cpp starts: a bare `python -m llama_cpp.server` would pick the AMX variant
that dies with SIGILL on this machine). Greedy outputs, token counts and whole records equal the in-process
llama.cpp engine's; candidates, streaming, cancellation, time limits, a server killed mid-job (`--resume` finishes
after a restart) and a wrong model name."""
from __future__ import annotations

import json
import threading
import time

import pytest

pytest.importorskip("sse_starlette", reason="llama-cpp-python's server extra is not installed")
pytest.importorskip("starlette_context", reason="llama-cpp-python's server extra is not installed")

from openai_servers import LlamaServer  # noqa: E402

from summarizer import api, request  # noqa: E402
from summarizer.engines import _BUILT, _GENERATORS, prompts  # noqa: E402
from summarizer.engines.remote.generator import OpenAIGenerator  # noqa: E402
from summarizer.errors import RequestCancelled, TimeLimitExceeded  # noqa: E402
from summarizer.generation import Sampling  # noqa: E402

TEXTS = ["今天天气很好。", "国家知识产权局今天发布了新的专利审查指南。", "The court ordered the defendant to pay.",
         "世界知识产权组织报告显示，中国的国际专利申请数量继续位居全球第一。"]
ARTICLE = ("国家知识产权局发布新指南\n\n国家知识产权局今天发布了新的专利审查指南。"
           "今年前三季度，全国发明专利授权量达到5.32万件。\n\n人工智能和新能源汽车是增长最快的技术领域。")


@pytest.fixture(scope="module")
def visible_server(tiny_visible, tmp_path_factory):
    server = LlamaServer(tiny_visible, log=tmp_path_factory.mktemp("llama-server") / "server.log").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def main_server(tiny):
    server = LlamaServer(tiny[0]).start()
    yield server
    server.stop()


@pytest.fixture
def fresh_engines(monkeypatch, tmp_path):
    monkeypatch.setenv("BISUM_MEMORY", str(tmp_path / "memory.sqlite3"))
    _BUILT.clear()
    _GENERATORS.clear()
    yield
    for generator in _GENERATORS.values():
        if isinstance(generator, OpenAIGenerator):
            generator.close()
    _BUILT.clear()
    _GENERATORS.clear()


@pytest.fixture
def remote(visible_server):
    gen = OpenAIGenerator(visible_server.url, repetition_penalty=1.05, backoff=0.01)
    yield gen
    gen.close()


def _conversations(examples: int = 0) -> list[list[dict]]:
    return [prompts.render("translate_zh_en", prompts.examples("zh", "en", examples), text=t, glossary="", context="")
            for t in TEXTS]


def test_greedy_outputs_and_token_counts_equal_the_in_process_engine(remote, tiny_visible):
    from summarizer.llamacpp.generator import LlamaCppGenerator

    local = LlamaCppGenerator(str(tiny_visible), threads=1, speculative=False, repetition_penalty=1.05)
    convs = _conversations() + _conversations(examples=4)
    limits = [24, 8, 40, 16] * 2
    assert [(g.text, g.truncated) for g in remote.generate(convs, limits)] == \
        [(g.text, g.truncated) for g in local.generate(convs, limits)]
    assert [remote.count_tokens(t) for t in TEXTS] == [local.count_tokens(t) for t in TEXTS]


def _same_records(source: str, server: LlamaServer, model, **options) -> None:
    common = dict(cache=False, **options)
    over_server = api.process(source, api.settings(engine="openai", openai_base_url=server.url, **common))
    in_process = api.process(source, api.settings(engine="llamacpp", model=str(model), threads=1, **common))
    assert len(over_server) == len(in_process) >= 1
    for a, b in zip(over_server, in_process):
        ra, rb = a.to_record(), b.to_record()
        assert (ra["engine"], rb["engine"]) == ("openai", "llamacpp") and ra["model"].endswith("@" + server.url)
        for record in (ra, rb):
            del record["engine"], record["model"], record["timings"]
        assert ra == rb  # summaries, translations, checks, notes, quality label


@pytest.mark.slow
def test_same_records_as_in_process_on_a_short_article(visible_server, tiny_visible, fresh_engines):
    _same_records(ARTICLE, visible_server, tiny_visible, quality="fast", summary_sentences=1, translate="full")


@pytest.mark.slow
def test_same_records_as_in_process_on_a_bundled_page(main_server, tiny, fresh_engines):
    _same_records("examples/004_bfc60f8ba75ceeca.txt", main_server, tiny[0], quality="balanced", translate="summary")


def test_candidates_by_separate_seeded_requests(remote):
    """llama-cpp-python's server answers one choice whatever `n` asks: the rest are asked one by one, each with its
    seed, and give what a request with that seed alone gives."""
    [conv] = _conversations()[:1]
    plans = [None, Sampling(epsilon=0.0, seed=1), Sampling(epsilon=0.0, seed=2)]
    together = [g.text for g in remote.generate([conv] * 3, [12] * 3, plans)]
    assert remote.pool.servers[0].supports_n is False
    alone = [remote.generate([conv], [12], [p] if p else None)[0].text for p in plans]
    assert together == alone and len(set(together)) == 3


def test_greedy_text_streams_into_the_request(remote):
    ctx = request.RequestContext(label="stream")
    seen: list[str] = []
    box: dict = {}

    def call():
        with request.scope(ctx):
            box["out"] = remote.generate(_conversations()[:1], [300])

    thread = threading.Thread(target=call)
    thread.start()
    while thread.is_alive():
        seen.append(ctx.partial_text()[1])
        time.sleep(0.01)
    final = box["out"][0].text
    growing = [t for t in seen if t]
    assert len(set(growing)) >= 2 and all(final.startswith(t.strip()) for t in growing)


@pytest.mark.parametrize("stop", ["cancel", "time limit"])
def test_a_stopped_request_stops_the_server(remote, visible_server, stop):
    """The stream is closed and llama-cpp-python's server stops generating (it logs the disconnect); the next
    request is answered at once instead of after the stopped one's 3000 tokens."""
    ctx = request.RequestContext(label="stop", time_limit=0.5 if stop == "time limit" else None)
    box: dict = {}

    def call():
        try:
            with request.scope(ctx):
                remote.generate(_conversations()[:1], [3000])
        except Exception as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc

    before = visible_server.log.read_text(errors="replace").count("Disconnected from client")
    thread = threading.Thread(target=call)
    thread.start()
    time.sleep(0.5)
    if stop == "cancel":
        ctx.cancel()
    thread.join(10)
    assert isinstance(box.get("error"), RequestCancelled if stop == "cancel" else TimeLimitExceeded)
    started = time.monotonic()
    remote.generate(_conversations()[1:2], [4])
    deadline = time.monotonic() + 10
    while visible_server.log.read_text(errors="replace").count("Disconnected from client") == before:
        assert time.monotonic() < deadline, "the server never saw the client go"
        time.sleep(0.1)
    assert time.monotonic() - started < 10


def test_wrong_model_name_exits_2(run_cli, visible_server, tmp_path, fresh_engines):
    (tmp_path / "a.txt").write_text(ARTICLE, "utf-8")
    code, out, err = run_cli("run", str(tmp_path / "a.txt"), "--engine", "openai", "--base-url", visible_server.url,
                             "--model", "qwen-that-is-not-there")
    assert code == 2 and not out
    assert err.strip() == (f"bisum: error: server at {visible_server.url} does not list model qwen-that-is-not-there "
                           f"(it serves: {visible_server.model}): is it loaded?")


def test_server_killed_mid_job_then_resume_after_restart(run_cli, tiny_visible, tmp_path, fresh_engines, monkeypatch):
    server = LlamaServer(tiny_visible).start()
    try:
        folder = tmp_path / "in"
        folder.mkdir()
        for i, line in enumerate(TEXTS[:3]):
            (folder / f"{i}.txt").write_text(f"{line}\n\n{line}", "utf-8")
        out = tmp_path / "out.jsonl"
        args = ["run", str(folder), "--engine", "openai", "--base-url", server.url, "--quality", "fast",
                "--summary-length", "1", "--out", str(out), "-q"]
        generate = OpenAIGenerator.generate

        def then_kill(self, *a, **kw):  # the first model call (the summaries) is answered, then the server dies
            result = generate(self, *a, **kw)
            server.kill()
            return result

        monkeypatch.setattr(OpenAIGenerator, "generate", then_kill)
        code, _, _ = run_cli(*args)
        records = [json.loads(line) for line in out.read_text().splitlines()]
        assert code == 1 and len(records) == 3
        assert all("RemoteError: " in r["error"] and "cannot be reached" in r["error"] for r in records)

        monkeypatch.setattr(OpenAIGenerator, "generate", generate)
        server.start()
        _BUILT.clear()
        _GENERATORS.clear()  # a new run, as a new process would be
        code, _, err = run_cli(*args, "--resume")
        records = [json.loads(line) for line in out.read_text().splitlines()]
        assert code == 0, err
        assert sorted(r["id"] for r in records) == ["0", "1", "2"] and not any(r.get("error") for r in records)
    finally:
        server.stop()
