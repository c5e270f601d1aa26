"""The HTTP API (LibreTranslate-compatible /translate, /detect, /languages, plus /summarize) on a real uvicorn
server, driven by httpx and by the libretranslatepy client unchanged.

Translation goes through the registry, the pipeline, the translation memory, the checks and the model repair with a
fake engine registered as `fake-mt`: it translates a few known lines, gets one number wrong (which only its repair
fixes) and, for SLOW, waits until its request is cancelled or runs out of time, as the model worker does.
"""
from __future__ import annotations

import threading
import time

import pytest

fastapi = pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")

from conftest import seed  # noqa: E402

from web_servers import serving  # noqa: E402
from summarizer import api, engines, request  # noqa: E402
from summarizer.apps.web import http_api  # noqa: E402
from summarizer.generation import Generation  # noqa: E402

SOURCE = "国务院批准的项目增长了35%。"
RIGHT = "Projects approved by the State Council grew by 35%."
WRONG = RIGHT.replace("35", "53")  # no rule rewrites 53% into 35%: only the model repair does
LINES = {"今天天气很好。": "The weather is fine today.", "The weather is fine today.": "今天天气很好。",
         "新闻": "News", "我们今天发布了报告。": "We released the report today."}
SLOW, BOOM = "这是一个很慢的句子。", "这个句子会出错。"


class FakeMT:
    """Translates LINES (and SOURCE, wrongly) line by line; repairs SOURCE; records the request of every call."""

    name, model, can_translate = "fake-mt", "fake-mt@0123456789ab", True

    def __init__(self):
        self.contexts: list[request.RequestContext | None] = []
        self.stopped = threading.Event()

    def summarize(self, texts, lang, sentences, target_lang=None, terms=None):
        return [Generation(t.strip().split("\n")[0]) for t in texts]

    def translate(self, texts, source_lang, target_lang, terms=None):
        ctx = request.current()
        self.contexts.append(ctx)
        if any(SLOW in t for t in texts):
            while ctx.stop_reason() is None:
                time.sleep(0.05)
            self.stopped.set()
            ctx.check()
        if any(BOOM in t for t in texts):
            raise RuntimeError("the fake model broke")
        return [Generation("\n".join(WRONG if ln.strip() == SOURCE else LINES.get(ln.strip(), ln) for ln in t.split("\n")))
                for t in texts]

    def repair(self, requests, source_lang, target_lang, terms=None):
        return [Generation(RIGHT if r.source.strip() == SOURCE else r.translation) for r in requests]


FAKE = FakeMT()
BUILT_AT: list[str] = []  # the quality level of each engine the registry built (once per set of options)


def build_fake(settings):
    BUILT_AT.append(settings.quality)
    return FAKE




# the servers under the one app: prefix -> the server's settings (besides `fake-mt` and no rate limit)
SERVERS = {"": {}, "/bare": {"engine": "extractive"}, "/key": {"api_key": "s3cret"}, "/small": {"api_max_chars": 100},
           "/slow": {"request_timeout": 1}, "/rate": {"api_key": "rate-key", "api_rate_per_minute": 2},
           "/lt": {"api_key": "lt-key"}}


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    """The API on a real server: `fake-mt` at /, and under the other SERVERS prefixes over their own settings, each
    made once as `summarizer serve` makes its base (api.settings(**flags))."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BISUM_CACHE_DIR", str(tmp_path_factory.mktemp("api-cache")))
        for name in ("API_KEY", "TRANSLATOR", "ENGINE", "MODEL", "REQUEST_TIMEOUT", "API_MAX_CHARS", "QUALITY",
                     "CANDIDATES", "RERANK", "DOC_CONTEXT", "EXAMPLES"):
            mp.delenv(f"BISUM_{name}", raising=False)
        mp.setitem(engines.REGISTRY, "fake-mt", engines.EngineEntry("fake-mt", "test", build_fake))
        mp.setattr(engines, "ENGINE_NAMES", (*engines.ENGINE_NAMES, "fake-mt"))
        mp.setattr(engines, "_BUILT", {})
        app = fastapi.FastAPI()
        for prefix, flags in SERVERS.items():
            base = api.settings(**{"engine": "fake-mt", "api_rate_per_minute": 10000, **flags})
            app.include_router(http_api.router(base), prefix=prefix)
        with serving(app) as base_url:
            yield base_url


def post(url, path, **kwargs):
    return httpx.post(url + path, timeout=60, **kwargs)


def test_languages(url):
    out = httpx.get(url + "/languages").json()
    assert out == [{"code": "en", "name": "English", "targets": ["zh"]}, {"code": "zh", "name": "Chinese", "targets": ["en"]}]


def test_detect(url):
    assert post(url, "/detect", json={"q": "今天天气很好。"}).json() == [{"confidence": 100.0, "language": "zh"}]
    (found,) = post(url, "/detect", data={"q": "The weather is fine today, 新闻"}).json()
    assert found["language"] == "en" and 50 < found["confidence"] < 100


def test_translate_a_string_with_auto_source(url):
    out = post(url, "/translate", json={"q": "今天天气很好。", "source": "auto", "target": "en"}).json()
    assert out == {"translatedText": "The weather is fine today.", "detectedLanguage": {"confidence": 100.0, "language": "zh"},
                   "checks": []}
    assert FAKE.contexts[-1].label == "api" and FAKE.contexts[-1].time_limit == 600.0  # inside the request scope


def test_translate_a_list_keeps_lines_and_repairs_numbers(url):
    q = [f"{SOURCE}\n\n今天天气很好。", "The weather is fine today.", "We released the report today.", "2024 — 35%"]
    out = post(url, "/translate", json={"q": q, "source": "auto", "target": "zh"}).json()
    assert out["translatedText"] == [q[0], "今天天气很好。", q[2], q[3]]  # q[2]: as the fake left it
    assert [d["language"] for d in out["detectedLanguage"]] == ["zh", "en", "en", "unknown"]
    out = post(url, "/translate", json={"q": q[:1], "source": "zh-Hans", "target": "en"}).json()
    assert out["translatedText"] == [f"{RIGHT}\n\nThe weather is fine today."]  # 53% repaired to 35%
    assert [c["type"] for c in out["checks"][0]] == ["number"] and out["checks"][0][0]["repair"]["accepted"]


def test_translate_form_and_multipart_bodies(url):
    fields = {"q": "今天天气很好。", "source": "zh-CN", "target": "en", "format": "text"}
    assert post(url, "/translate", data=fields).json()["translatedText"] == "The weather is fine today."
    multipart = {k: (None, v) for k, v in fields.items()}
    assert post(url, "/translate", files=multipart).json()["translatedText"] == "The weather is fine today."


def test_translate_html_keeps_markup(url):
    q = '<p class="a">今天天气很好。</p>\n<script>var s = "新闻";</script><!-- 新闻 --><ul><li> <b>新闻</b> &amp; 2 </li></ul>'
    out = post(url, "/translate", json={"q": q, "source": "auto", "target": "en", "format": "html"}).json()
    assert out["translatedText"] == ('<p class="a">The weather is fine today.</p>\n<script>var s = "新闻";</script>'
                                     "<!-- 新闻 --><ul><li> <b>News</b> &amp; 2 </li></ul>")
    assert out["detectedLanguage"]["language"] == "zh"


def test_summarize_a_page_returns_records_with_checks(url):
    out = post(url, "/summarize", json={"q": seed("004"), "engine": "extractive", "target": "none"}).json()
    assert out["warnings"] == [] and out["results"]
    for record in out["results"]:
        assert record["summary"] and record["engine"] == "extractive" and "checks" in record
        assert record["summary_translated"] is None


def test_summarize_and_translate_the_summary(url):
    text = "今天天气很好。\n\n我们今天发布了报告。"
    out = post(url, "/summarize", data={"q": text, "sentences": "1", "translate": "full", "source": "zh"}).json()
    (record,) = out["results"]
    assert record["engine"] == "fake-mt" and record["target_lang"] == "en"
    assert record["summary_translated"] in set(LINES.values()) and "We released the report today." in record["translation"]
    assert not [c for c in record["checks"] if c["type"] == "failed"]


def test_quality_field_chooses_the_level(url):
    text = "今天天气很好。\n\n我们今天发布了报告。"
    body = {"q": text, "sentences": "1", "source": "zh", "target": "en"}
    (record,) = post(url, "/summarize", json=body).json()["results"]
    assert record["quality"] == "balanced"  # the server's level (the default)
    (record,) = post(url, "/summarize", data={**body, "quality": "best"}).json()["results"]
    assert record["quality"] == "best" and record["summary_translated"] in set(LINES.values())
    out = post(url, "/translate", json={"q": "今天天气很好。", "source": "zh", "target": "en", "quality": "balanced"})
    assert out.json()["translatedText"] == "The weather is fine today." and "balanced" in BUILT_AT


def test_summarize_without_a_translation_model_warns(url):
    out = post(url, "/bare/summarize", json={"q": seed("004")}).json()
    assert out["results"][0]["summary"] and out["results"][0]["summary_translated"] is None
    assert any("Translation is not available" in w for w in out["warnings"])


@pytest.mark.parametrize("body, message", [
    ({"source": "zh", "target": "en"}, "missing q"),
    ({"q": "新闻", "source": "fr", "target": "en"}, "'fr' is not supported"),
    ({"q": "新闻", "source": "zh", "target": "zh-TW"}, "Simplified Chinese"),
    ({"q": "新闻", "source": "zh", "target": "zh-Hans"}, "nothing to translate"),
    ({"q": "新闻", "target": "en", "format": "pdf"}, "format 'pdf'"),
    ({"q": [1, 2], "target": "en"}, "list of strings"),
    ({"q": "新闻", "target": "en", "quality": "ultra"}, "quality 'ultra' is not supported; choose one of fast, balanced"),
    ({"q": "新闻", "target": "en", "quality": 3}, "quality 3 is not supported"),
])
def test_bad_translate_requests_are_400(url, body, message):
    response = post(url, "/translate", json=body)
    assert response.status_code == 400 and message in response.json()["error"]


def test_bad_bodies_and_options_are_400(url):
    response = post(url, "/translate", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400 and "cannot be read" in response.json()["error"]
    for fields, message in (({"sentences": "three"}, "whole number"), ({"engine": "gpt9"}, "unknown engine"),
                            ({"translate": "everything"}, "translate must be one of"), ({"q": "  "}, "paste an article"),
                            ({"quality": "ultra"}, "quality 'ultra' is not supported")):
        response = post(url, "/summarize", json={"q": "新闻", **fields})
        assert response.status_code == 400 and message in response.json()["error"], response.json()


def test_api_key(url):
    body = {"q": "今天天气很好。", "source": "zh", "target": "en"}
    for extra, headers in (({}, {}), ({"api_key": "wrong"}, {}), ({}, {"Authorization": "Bearer wrong"})):
        response = post(url, "/key/translate", json={**body, **extra}, headers=headers)
        assert response.status_code == 403 and "API key" in response.json()["error"]
    assert post(url, "/key/translate", json={**body, "api_key": "s3cret"}).status_code == 200
    assert post(url, "/key/detect", data={"q": "新闻"}, headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert httpx.get(url + "/key/languages").status_code == 200  # open


def test_too_large_is_413(url):
    response = post(url, "/small/translate", json={"q": ["新闻" * 30, "新闻" * 30], "target": "en"})
    assert response.status_code == 413 and "120 characters" in response.json()["error"]
    response = post(url, "/summarize", content=b"q=" + b"a" * (http_api.MAX_BODY_BYTES + 1))
    assert response.status_code == 413 and "request body" in response.json()["error"]


def test_rate_limit_is_429_with_retry_after(url):
    body = {"q": "新闻", "api_key": "rate-key"}  # a client of its own: the key
    assert [post(url, "/rate/detect", json=body).status_code for _ in range(2)] == [200, 200]
    response = post(url, "/rate/detect", json=body)
    assert response.status_code == 429 and "at most 2 a minute" in response.json()["error"]
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_no_translation_model_is_503(url):
    response = post(url, "/bare/translate", json={"q": "今天天气很好。", "target": "en"})
    assert response.status_code == 503 and "model" in response.json()["error"]


def test_time_limit_is_504(url):
    response = post(url, "/slow/translate", json={"q": SLOW, "source": "zh", "target": "en"})
    assert response.status_code == 504 and "time limit of 1 s" in response.json()["error"]


def test_client_going_away_cancels_the_request(url):
    FAKE.stopped.clear()
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(url + "/translate", json={"q": SLOW, "source": "zh", "target": "en"}, timeout=0.5)
    assert FAKE.stopped.wait(10), "the request's work went on after its client left"
    assert FAKE.contexts[-1].cancelled and not FAKE.contexts[-1].expired()


def test_model_failure_is_500_without_a_traceback(url, monkeypatch):
    response = post(url, "/translate", json={"q": BOOM, "source": "zh", "target": "en"})
    assert response.status_code == 500 and response.json() == {"error": "translation failed; the server log has the details"}

    def broken(text):
        raise ValueError("secret internals")

    monkeypatch.setattr(http_api, "detected", broken)
    response = post(url, "/detect", json={"q": "新闻"})
    assert response.status_code == 500 and "secret" not in response.text and "Traceback" not in response.text


def test_libretranslatepy_client(url):
    lt = pytest.importorskip("libretranslatepy")
    client = lt.LibreTranslateAPI(url + "/lt", api_key="lt-key")
    assert [lang["code"] for lang in client.languages()] == ["en", "zh"]
    assert client.detect("今天天气很好。") == [{"confidence": 100.0, "language": "zh"}]
    assert client.translate("今天天气很好。\n新闻", "zh", "en") == "The weather is fine today.\nNews"
    assert client.translate("The weather is fine today.", "auto", "zh") == "今天天气很好。"
    with pytest.raises(Exception, match="403"):
        lt.LibreTranslateAPI(url + "/lt", api_key="wrong").translate("新闻", "zh", "en")


def test_environment_set_after_the_start_changes_no_request(url, monkeypatch):
    """A request's settings are the server's base (made once, at start) with its fields: BISUM_* variables set
    later are not read."""
    for name, value in {"API_KEY": "late", "API_MAX_CHARS": "1", "QUALITY": "best", "REQUEST_TIMEOUT": "1",
                        "API_RATE_PER_MINUTE": "1", "ENGINE": "extractive"}.items():
        monkeypatch.setenv(f"BISUM_{name}", value)
    body = {"q": "今天天气很好。\n\n我们今天发布了报告。", "sentences": "1", "source": "zh", "target": "en"}
    for _ in range(2):
        response = post(url, "/summarize", json=body)
        assert response.status_code == 200, response.text
        (record,) = response.json()["results"]
        assert record["engine"] == "fake-mt" and record["quality"] == "balanced"
    assert post(url, "/translate", json={"q": SOURCE, "source": "zh", "target": "en"}).json()["translatedText"] == RIGHT
