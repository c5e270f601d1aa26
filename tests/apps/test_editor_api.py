"""The editor's HTTP API (apps/web/editor_api.py) beside /translate on a real uvicorn server: a correction posted
once is what /translate answers from then on (and the CLI too), glossary entries in and out, the history, the
API key and rate limit, JSON errors for bad input, and 20 writers at once losing nothing."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

fastapi = pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")

from web_servers import serving  # noqa: E402
from summarizer import api, engines  # noqa: E402
from summarizer.apps.web import editor_api, http_api  # noqa: E402
from summarizer.editor import history  # noqa: E402
from summarizer.generation import Generation  # noqa: E402

SOURCE, MODEL_SAYS, FIXED = "今天天气很好。", "The weather is fine today.", "Today the weather is lovely."


class FakeMT:
    name, model, can_translate = "fake-ed", "fake-ed@0123456789ab", True

    def translate(self, texts, source_lang, target_lang, terms=None):
        return [Generation("\n".join(MODEL_SAYS if ln.strip() == SOURCE else f"EN({ln})" if ln.strip() else ""
                                     for ln in t.split("\n"))) for t in texts]

    def summarize(self, texts, lang, sentences, target_lang=None, terms=None):
        return [Generation(t.strip().split("\n")[0]) for t in texts]

    def repair(self, requests, source_lang, target_lang, terms=None):
        return [Generation(r.translation) for r in requests]




def post(url, **kwargs):
    return httpx.post(url, timeout=120, **kwargs)


def get(url, **kwargs):
    return httpx.get(url, timeout=60, **kwargs)


SERVERS = {"": {}, "/key": {"api_key": "s3cret"}, "/rate": {"api_key": "rate-key", "api_rate_per_minute": 2}}


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BISUM_CACHE_DIR", str(tmp_path_factory.mktemp("editor-api")))
        for name in ("MEMORY", "API_KEY", "TRANSLATOR", "ENGINE", "MODEL", "QUALITY"):
            mp.delenv(f"BISUM_{name}", raising=False)
        mp.setitem(engines.REGISTRY, "fake-ed", engines.EngineEntry("fake-ed", "test", lambda s: FakeMT()))
        mp.setattr(engines, "ENGINE_NAMES", (*engines.ENGINE_NAMES, "fake-ed"))
        mp.setattr(engines, "_BUILT", {})
        app = fastapi.FastAPI()
        for prefix, flags in SERVERS.items():
            base = api.settings(**{"engine": "fake-ed", "api_rate_per_minute": 10000, **flags})
            app.include_router(http_api.router(base), prefix=prefix)
            app.include_router(editor_api.router(base), prefix=prefix)
        with serving(app) as base_url:
            yield base_url


def test_a_posted_correction_is_what_translate_answers_from_then_on(url, run_cli, monkeypatch):
    body = {"q": SOURCE, "source": "zh", "target": "en"}
    assert post(url + "/translate", json=body).json()["translatedText"] == MODEL_SAYS  # and now in the memory
    posted = post(url + "/corrections", json={**body, "translation": FIXED, "who": "Ann"})
    assert posted.status_code == 200
    assert posted.json()["correction"]["translation"] == FIXED and posted.json()["correction"]["who"] == "Ann (127.0.0.1)"
    assert post(url + "/translate", json=body).json()["translatedText"] == FIXED
    two = post(url + "/translate", json={**body, "q": f"{SOURCE}\n\n新闻。"}).json()["translatedText"]
    assert two == f"{FIXED}\n\nEN(新闻。)"
    listed = get(url + "/corrections", params={"source": "zh", "target": "en"}).json()["corrections"]
    assert [c["text"] for c in listed] == [SOURCE]
    monkeypatch.setenv("BISUM_ENGINE", "fake-ed")
    code, out, err = run_cli("translate", SOURCE, "--from", "zh", "--to", "en", "-q")
    assert code == 0 and out.strip() == FIXED, err  # the CLI reads the same database


@pytest.mark.parametrize("body, status, message", [
    ({"q": "", "translation": FIXED, "source": "zh", "target": "en"}, 400, "missing q"),
    ({"q": SOURCE, "source": "zh", "target": "en"}, 400, "missing translation"),
    ({"q": "No Chinese here.", "translation": FIXED, "source": "zh", "target": "en"}, 400, "not Chinese"),
    ({"q": SOURCE, "translation": "仍然是中文。", "source": "zh", "target": "en"}, 400, "not English"),
    ({"q": SOURCE, "translation": FIXED, "source": "zh", "target": "fr"}, 400, "not supported"),
    ({"q": ["a"], "translation": FIXED, "source": "zh", "target": "en"}, 400, "must be a string"),
    ({"q": "国" * 3000, "translation": FIXED, "source": "zh", "target": "en"}, 413, "over the limit"),
])
def test_bad_corrections_are_json_errors(url, body, status, message):
    answer = post(url + "/corrections", json=body)
    assert answer.status_code == status and message in answer.json()["error"]


def test_glossary_add_list_remove(url):
    entry = {"term": "鸿蒙", "translation": "HarmonyOS", "source": "zh", "target": "en"}
    assert post(url + "/glossary", json=entry).json()["term"]["translation"] == "HarmonyOS"
    terms = get(url + "/glossary", params={"source": "zh", "target": "en"}).json()["terms"]
    assert {"term": "鸿蒙", "translation": "HarmonyOS", "source": "zh", "target": "en"}.items() <= terms[0].items()
    assert get(url + "/glossary", params={"source": "en", "target": "zh"}).json() == {"terms": []}
    from summarizer.terms import load_terms

    assert "鸿蒙 = HarmonyOS" in load_terms().prompt_lines("鸿蒙系统发布。", "zh")  # into prompts and checks
    assert httpx.request("DELETE", url + "/glossary", json=entry).json() == {"removed": 1}
    gone = httpx.request("DELETE", url + "/glossary", json=entry)
    assert gone.status_code == 404 and "no glossary entry" in gone.json()["error"]
    assert post(url + "/glossary", json={**entry, "term": "Harmony"}).status_code == 400


def test_history_lists_and_searches_what_was_saved(url):
    (result,) = api.process("华为发布鸿蒙新系统\n\n华为今天在深圳发布了新系统。", api.settings(engine="extractive", to="none"))
    (saved,) = history.remember([result], "page", "Ann")
    found = get(url + "/history", params={"q": "深圳发布"}).json()["articles"]
    assert [a["id"] for a in found] == [saved] and found[0]["origin"] == "page"
    assert get(url + "/history", params={"q": "没有这样的文章"}).json() == {"articles": []}
    whole = get(url + f"/history/{saved}").json()["article"]
    assert whole["record"]["text"] == result.article.text
    assert get(url + "/history/99999").status_code == 404
    assert get(url + "/history", params={"limit": "x"}).status_code == 400


def test_the_api_key_and_the_rate_limit_hold(url):
    body = {"q": "新闻。", "translation": "News.", "source": "zh", "target": "en"}
    refused = post(url + "/key/corrections", json=body)
    assert refused.status_code == 403 and "API key" in refused.json()["error"]
    assert get(url + "/key/glossary").status_code == 403
    ok = post(url + "/key/corrections", json=body, headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200 and ok.json()["correction"]["who"].startswith("key:")
    assert "s3cret" not in ok.text
    assert get(url + "/key/glossary", params={"api_key": "s3cret"}).status_code == 200
    codes = [get(url + "/rate/glossary", params={"api_key": "rate-key"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_twenty_writers_at_once_lose_nothing(url):
    def write(k: int) -> int:
        body = {"q": f"第{k}位编辑改的句子。", "translation": f"Sentence fixed by editor {k}.", "source": "zh",
                "target": "en", "who": f"editor {k}"}
        term = {"term": f"术语{k}", "translation": f"Term {k}", "source": "zh", "target": "en"}
        return post(url + "/corrections", json=body).status_code + \
            post(url + "/glossary", json=term).status_code

    with ThreadPoolExecutor(20) as pool:
        assert list(pool.map(write, range(20))) == [400] * 20
    texts = {c["text"] for c in get(url + "/corrections").json()["corrections"]}
    assert {f"第{k}位编辑改的句子。" for k in range(20)} <= texts
    terms = {t["term"] for t in get(url + "/glossary").json()["terms"]}
    assert {f"术语{k}" for k in range(20)} <= terms
