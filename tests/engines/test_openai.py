"""The openai engine against scripted OpenAI-compatible fronts (FastAPI on uvicorn, in-process): request bodies
(greedy, sampled, `n`, penalty, key), 429 and 5xx retries, failover and least-outstanding spreading over several
servers, streaming into the request's partial text, cancellation and time limits that close the stream, token
counts, start-up errors (exit 2, one line), per-article failures in a batch, the memory key and the records'
model label. The same engine over llama-cpp-python's real server: test_openai_llama_server.py."""
from __future__ import annotations

import json
import threading
import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from openai_servers import FakeFront, free_port  # noqa: E402

from summarizer import api, request  # noqa: E402
from summarizer.config import Settings  # noqa: E402
from summarizer.engines import _BUILT, _GENERATORS, get_engine, resolve_name  # noqa: E402
from summarizer.engines.remote.generator import OpenAIGenerator, RemoteError, plan  # noqa: E402
from summarizer.engines.remote.probe import estimate_tokens, match_model  # noqa: E402
from summarizer.engines.remote.servers import ServerPool, normalize  # noqa: E402
from summarizer.errors import ConfigError, RequestCancelled, TimeLimitExceeded  # noqa: E402
from summarizer.generation import Sampling  # noqa: E402

CONV = [{"role": "user", "content": "Translate: 今天天气很好。"}]


@pytest.fixture
def fronts():
    started: list[FakeFront] = []

    def make(**kwargs) -> FakeFront:
        started.append(FakeFront(**kwargs).start())
        return started[-1]

    yield make
    for front in started:
        front.stop()


@pytest.fixture
def generators():
    made: list[OpenAIGenerator] = []

    def make(url: str, **kwargs) -> OpenAIGenerator:
        made.append(OpenAIGenerator(url, **{"backoff": 0.01, **kwargs}))
        return made[-1]

    yield make
    for gen in made:
        gen.close()


@pytest.fixture
def fresh_engines():
    """Engines built in a test are not kept for the next (each test's servers have their own ports)."""
    _BUILT.clear()
    _GENERATORS.clear()
    yield
    _BUILT.clear()
    _GENERATORS.clear()


# ---------------------------------------------------------------- requests


def test_greedy_request_body_and_streamed_answer(fronts, generators):
    front = fronts(reply=lambda body, choice: "It is fine today.")
    gen = generators(front.url, repetition_penalty=1.05)
    [out] = gen.generate([CONV], [20])
    assert out.text == "It is fine today." and not out.truncated
    body = front.bodies[0]
    assert body["model"] == "fake-model" and body["messages"] == CONV and body["max_tokens"] == 20
    assert body["temperature"] == 0.0 and body["stream"] is True and "n" not in body and "seed" not in body
    assert body["repeat_penalty"] == body["repetition_penalty"] == 1.05
    assert gen.model_id == f"fake-model@{front.url}" and gen.model_sha256 is None


def test_finish_reason_length_is_truncated(fronts, generators):
    front = fronts(reply=lambda body, choice: "one two three four")
    [out] = generators(front.url).generate([CONV], [4])
    assert out.truncated


def test_candidates_in_one_request_with_n_and_the_first_seed(fronts, generators):
    front = fronts(reply=lambda body, choice: "greedy" if body["temperature"] == 0 else
                   f"seed {body['seed']} choice {choice}")
    gen = generators(front.url)
    sampling = [None, Sampling(seed=1), Sampling(seed=2), Sampling(seed=3)]
    outs = gen.generate([CONV] * 4, [20] * 4, sampling)
    assert [o.text for o in outs] == ["greedy", "seed 1 choice 0", "seed 1 choice 1", "seed 1 choice 2"]
    sampled = [b for b in front.bodies if b["temperature"] != 0]
    assert len(front.bodies) == 2 and sampled[0]["n"] == 3 and sampled[0]["seed"] == 1
    assert sampled[0]["top_p"] == 1.0 and sampled[0]["min_p"] == Sampling().epsilon


def test_candidates_by_separate_requests_where_n_is_not_answered(fronts, generators):
    front = fronts(supports_n=False, reply=lambda body, choice: f"seed {body.get('seed')}")
    gen = generators(front.url)
    sampling = [None, Sampling(seed=1), Sampling(seed=2), Sampling(seed=3)]
    outs = gen.generate([CONV] * 4, [20] * 4, sampling)
    assert [o.text for o in outs] == ["seed None", "seed 1", "seed 2", "seed 3"]
    assert gen.pool.servers[0].supports_n is False
    front.bodies.clear()
    gen.generate([CONV] * 3, [20] * 3, [None, Sampling(seed=1), Sampling(seed=2)])
    assert all("n" not in b for b in front.bodies) and len(front.bodies) == 3  # known now: no n asked


def test_n_refused_with_400_falls_back(fronts, generators):
    front = fronts(refuse=lambda body: 400 if body.get("n", 1) > 1 else None,
                   reply=lambda body, choice: f"seed {body.get('seed')}")
    outs = generators(front.url).generate([CONV] * 2, [20] * 2, [Sampling(seed=4), Sampling(seed=5)])
    assert [o.text for o in outs] == ["seed 4", "seed 5"]


def test_plan_groups_runs_of_seeds_of_one_conversation():
    other = [{"role": "user", "content": "other"}]
    s = Sampling(seed=1)
    groups = plan([CONV, CONV, CONV, other, other], [9] * 5, [None, s, Sampling(seed=2), None, Sampling(seed=1)])
    assert [g.outputs for g in groups] == [[0], [1, 2], [3], [4]]
    assert [g.outputs for g in plan([CONV, CONV], [9, 9], [s, Sampling(seed=3)])] == [[0], [1]]  # seeds not in a run


# ---------------------------------------------------------------- failures and retries


def test_429_is_retried_after_its_retry_after(fronts, generators):
    front = fronts(fail=[429, 429])
    [out] = generators(front.url, retries=3).generate([CONV], [20])
    assert out.text == "answer 0" and len(front.bodies) == 3


def test_retries_run_out_in_one_line(fronts, generators):
    front = fronts(fail=[503, 503, 503])
    with pytest.raises(RemoteError, match=f"^server at {front.url} answered 503 for model fake-model: "):
        generators(front.url, retries=1).generate([CONV], [20])
    assert len(front.bodies) == 2


def test_404_for_the_model_is_not_retried(fronts, generators):
    front = fronts()
    gen = generators(front.url)
    front.fail = [404]
    with pytest.raises(RemoteError) as err:
        gen.generate([CONV], [20])
    assert str(err.value) == f"server at {front.url} answered 404 for model fake-model: is it loaded?"
    assert len(front.bodies) == 1


def test_requests_spread_by_least_outstanding(fronts, generators):
    a, b = fronts(delay=0.05), fronts(delay=0.05)
    gen = generators(f"{a.url},{b.url}", concurrency=4)
    convs = [[{"role": "user", "content": f"text {i}"}] for i in range(8)]
    outs = gen.generate(convs, [20] * 8)
    assert all(o.text == "answer 0" for o in outs)
    assert len(a.bodies) == len(b.bodies) == 4
    assert a.most_active + b.most_active <= 4


def test_a_server_that_fails_is_taken_out_and_the_other_answers(fronts, generators):
    a, b = fronts(), fronts()
    gen = generators(f"{a.url},{b.url}")
    a.stop()  # gone after start-up
    outs = gen.generate([[{"role": "user", "content": f"t{i}"}] for i in range(4)], [20] * 4)
    assert all(o.text == "answer 0" for o in outs) and len(b.bodies) == 4
    dead = gen.pool.servers[0]
    assert not dead.up(time.monotonic()) and "cannot be reached" in dead.last_error


def test_a_server_down_at_start_up_is_left_out(fronts, generators, caplog):
    live = fronts()
    dead = f"http://127.0.0.1:{free_port()}"
    gen = generators(f"{dead},{live.url}")
    assert [o.text for o in gen.generate([CONV], [20])] == ["answer 0"]
    assert "no server answers at" in caplog.text


def test_every_server_down_fails_fast(fronts, generators):
    front = fronts()
    gen = generators(front.url, retries=3)
    front.stop()
    started = time.monotonic()
    with pytest.raises(RemoteError, match="cannot be reached"):
        gen.generate([CONV], [20])
    with pytest.raises(RemoteError, match="^no server is up: server at .* cannot be reached"):
        gen.generate([CONV], [20])
    assert time.monotonic() - started < 5


def test_pool_picks_least_outstanding_then_longest_ago():
    clock = [0.0]
    pool = ServerPool(["http://a/v1", "http://b/v1"], down_s=10, clock=lambda: clock[0])
    first, second = pool.pick(), pool.pick()
    assert {first.url, second.url} == {"http://a/v1", "http://b/v1"}
    pool.release(first)
    assert pool.pick() is first
    pool.mark_down(second, "gone")
    pool.release(first)
    assert pool.pick() is first and pool.pick() is first
    clock[0] = 11
    assert pool.pick() is second


# ---------------------------------------------------------------- streaming, cancellation, time limits


def _in_thread(fn):
    box: dict = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


def test_greedy_text_streams_into_the_request(fronts, generators):
    front = fronts(delay=0.05, reply=lambda body, choice: "one two three four five six seven eight")
    gen = generators(front.url)
    ctx = request.RequestContext(label="t")
    seen = []

    def call():
        with request.scope(ctx):
            return gen.generate([CONV, CONV], [50, 50], [None, Sampling(seed=1)])

    thread, box = _in_thread(call)
    while thread.is_alive():
        seen.append(ctx.partial_text()[1])
        time.sleep(0.02)
    assert [o.text for o in box["value"]][0] == "one two three four five six seven eight"
    growing = [t for t in seen if t]
    assert len(set(growing)) >= 3 and all("one two three four five six seven eight".startswith(t) for t in growing)
    assert ctx.tokens == 16 and ctx.first_token_s is not None  # the sampled candidate counts but is not shown


@pytest.mark.parametrize("stop", ["cancel", "time limit"])
def test_a_stopped_request_closes_its_streams(fronts, generators, stop):
    front = fronts(delay=0.2, reply=lambda body, choice: " ".join(["word"] * 100))
    gen = generators(front.url)
    ctx = request.RequestContext(label="t", time_limit=0.5 if stop == "time limit" else None)

    def call():
        with request.scope(ctx):
            return gen.generate([CONV], [200])

    thread, box = _in_thread(call)
    time.sleep(0.4)
    if stop == "cancel":
        ctx.cancel()
    thread.join(5)
    assert not thread.is_alive()
    assert isinstance(box["error"], RequestCancelled if stop == "cancel" else TimeLimitExceeded)
    deadline = time.monotonic() + 5
    while front.closed != [0] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert front.closed == [0] and front.active == 0  # the server saw the client go


# ---------------------------------------------------------------- token counts


def test_token_counts_from_the_servers_tokenize(fronts, generators):
    front = fronts(tokenize=True)
    gen = generators(front.url)
    assert gen.tokens.endpoint == "/tokenize" and gen.count_tokens("abcde") == 5


def test_token_counts_estimated_without_an_endpoint(fronts, generators):
    gen = generators(fronts().url)
    assert gen.tokens.endpoint == ""
    assert gen.count_tokens("今天天气很好") == estimate_tokens("今天天气很好") == 5
    assert estimate_tokens("abcdefgh") == 2 and estimate_tokens("") == 0


# ---------------------------------------------------------------- start-up, settings, CLI


def test_urls_and_model_names():
    assert normalize("http://h:8080") == normalize("http://h:8080/v1/") == "http://h:8080/v1"
    with pytest.raises(ConfigError, match="not an http"):
        normalize("h:8080")
    assert match_model("model", ["/models/model.gguf"]) == "/models/model.gguf"
    assert match_model("qwen2.5:1.5b", ["qwen2.5:1.5b", "other"]) == "qwen2.5:1.5b"
    assert match_model("nope", ["a"]) is None


def test_model_defaults_to_the_only_one_served(fronts, generators):
    front = fronts(models=("a", "b"))
    with pytest.raises(ConfigError, match="serves 2 models .a, b.: choose one with --model"):
        generators(front.url)
    assert generators(front.url, model="b").model_name == "b"


def test_settings_precedence_and_the_key_as_bearer_token(fronts, monkeypatch, fresh_engines):
    front = fronts()
    monkeypatch.setenv("BISUM_OPENAI_BASE_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("BISUM_OPENAI_API_KEY", "from-env")
    monkeypatch.setenv("BISUM_OPENAI_CONCURRENCY", "3")
    s = Settings.load(openai_base_url=front.url, openai_api_key=None)
    assert (s.openai_base_url, s.openai_api_key, s.openai_concurrency) == (front.url, "from-env", 3)
    assert resolve_name("auto", s) == "openai"  # a server given is the model auto picks
    engine = get_engine("openai", s.with_(openai_api_key="from-flag"))
    engine.generator.generate([CONV], [5])
    assert front.headers[-1]["authorization"] == "Bearer from-flag"
    engine.generator.close()


@pytest.mark.parametrize("case", ["down", "model", "404", "url", "none"])
def test_start_up_errors_are_one_line_and_exit_2(run_cli, fronts, tmp_path, fresh_engines, case):
    (tmp_path / "a.txt").write_text("今天天气很好。明天会下雨。", "utf-8")
    front = fronts()
    url = {"down": f"http://127.0.0.1:{free_port()}", "url": "127.0.0.1:8080", "404": front.url[:-3] + "/nope",
           "model": front.url, "none": None}[case]
    args = ["run", str(tmp_path / "a.txt"), "--engine", "openai", "--no-cache", "--model", "missing"]
    code, out, err = run_cli(*args, *(["--base-url", url] if url else []))
    expected = {"down": "no server answers at", "model": "does not list model missing (it serves: fake-model)",
                "404": "answered 404 for /models", "url": "is not an http(s) URL", "none": "needs a server"}[case]
    assert code == 2 and expected in err and len(err.strip().splitlines()) == 1 and not out


def test_serve_reports_a_server_that_is_down_at_start_up(run_cli, fresh_engines):
    code, _, err = run_cli("serve", "--engine", "openai", "--base-url", f"http://127.0.0.1:{free_port()}")
    assert code == 2 and "no server answers at" in err


# ---------------------------------------------------------------- the pipeline over it


def _reply(body: dict, choice: int) -> str:
    prompt = body["messages"][0]["content"] + body["messages"][-1]["content"]
    return "The weather is fine today." if "English" in prompt else "今天天气很好。"


def test_batch_goes_on_when_one_article_fails(run_cli, fronts, tmp_path, fresh_engines):
    front = fronts(reply=_reply, refuse=lambda body: 404 if "坏" in json.dumps(body, ensure_ascii=False) else None)
    (tmp_path / "good.txt").write_text("今天天气很好。明天会下雨。", "utf-8")
    (tmp_path / "bad.txt").write_text("坏天气来了。明天会下雨。", "utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli("run", str(tmp_path), "--engine", "openai", "--base-url", front.url, "--no-cache",
                           "--quality", "fast", "--out", str(out), "-q")
    records = {r["source_file"].rsplit("/", 1)[-1]: r for r in map(json.loads, out.read_text().splitlines())}
    assert code == 1 and set(records) == {"good.txt", "bad.txt"}
    assert "answered 404 for model fake-model: is it loaded?" in records["bad.txt"]["error"]
    assert records["good.txt"].get("error") is None and records["good.txt"]["engine"] == "openai"
    assert records["good.txt"]["model"] == f"fake-model@{front.url}"


def test_memory_keys_on_model_and_server(fronts, tmp_path, monkeypatch, fresh_engines):
    from summarizer.engines.cache import CachedEngine, TranslationMemory

    a, b = fronts(reply=_reply), fronts(reply=_reply)
    memory = TranslationMemory(tmp_path / "m.sqlite3")
    keys = []
    for front in (a, b):
        s = api.settings(engine="openai", openai_base_url=front.url, quality="fast")
        keys.append(CachedEngine(get_engine("openai", s), memory, s)._key("translate:zh-en", "今天", ""))
    assert keys[0] != keys[1]
    s = api.settings(engine="openai", openai_base_url=a.url, quality="fast")
    cached = CachedEngine(get_engine("openai", s), memory, s)
    cached.translate(["今天天气很好。"], "zh", "en")
    sent = len(a.bodies)
    assert cached.translate(["今天天气很好。"], "zh", "en")[0].text == "The weather is fine today."
    assert len(a.bodies) == sent  # the second time from the memory
