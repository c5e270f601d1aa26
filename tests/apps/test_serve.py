"""`summarizer serve`: one base Settings (defaults < BISUM_* environment < its flags), made at start and handed to the
page and the HTTP API; nothing is written into os.environ, and a BISUM_* variable set later changes no request."""
from __future__ import annotations

import os

import pytest

pytest.importorskip("gradio")
gradio_client = pytest.importorskip("gradio_client")
httpx = pytest.importorskip("httpx")

from conftest import seed  # noqa: E402
from test_web import LineTranslator  # noqa: E402  (tests/apps is on sys.path)

import summarizer.engines  # noqa: E402
from summarizer.apps import web  # noqa: E402
from web_servers import free_port  # noqa: E402

ENVIRONMENT = {"TRANSLATE": "full", "QUALITY": "fast"}  # set before the start: the environment layer
LATE = {"QUALITY": "balanced", "TRANSLATE": "none", "API_KEY": "late", "ENGINE": "lead"}  # set after it




def bisum_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("BISUM_")}


def line_translator(monkeypatch) -> None:
    """Every engine but the extractive one is a LineTranslator."""
    real = summarizer.engines.get_engine
    monkeypatch.setattr(summarizer.engines, "get_engine",
                        lambda name, settings: real(name, settings) if name == "extractive" else LineTranslator())


@pytest.fixture
def served(monkeypatch, tmp_path, run_cli):
    """`summarizer serve --quality best --api-key k` on a free port (started without blocking), over ENVIRONMENT;
    yields (url, the BISUM_* names written into os.environ while it started). The environment is restored after
    the start: the server keeps what it was given."""
    monkeypatch.setenv("BISUM_CACHE_DIR", str(tmp_path))
    for name in ("API_KEY", "ENGINE", "TRANSLATOR", "MODEL", "CANDIDATES", "RERANK", "DOC_CONTEXT", "EXAMPLES"):
        monkeypatch.delenv(f"BISUM_{name}", raising=False)
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(f"BISUM_{name}", value)
    running, launch = [], web.launch
    monkeypatch.setattr(web, "launch", lambda base, host, port: running.append(
        launch(base, host, port, block=False, quiet=True)))
    writes, before, setitem = [], bisum_environment(), type(os.environ).__setitem__
    monkeypatch.setattr(type(os.environ), "__setitem__",
                        lambda env, key, value: (writes.append(key), setitem(env, key, value)))
    code, _, err = run_cli("serve", "--port", str(free_port()), "--quality", "best", "--api-key", "k")
    try:
        assert code == 0, err
        assert bisum_environment() == before
        monkeypatch.undo()
        yield running[0].url, [w for w in writes if w.startswith("BISUM_")]
    finally:
        for server in running:
            server.close()


def test_serve_hands_its_settings_to_the_page_and_the_api(served, monkeypatch):
    url, writes = served
    assert writes == [], "serve wrote its settings into the environment"
    line_translator(monkeypatch)
    for name, value in LATE.items():  # after the start: read by no request
        monkeypatch.setenv(f"BISUM_{name}", value)
    for _ in range(2):
        record = gradio_client.Client(url, verbose=False).predict(seed("003"), api_name="/process")["results"][0]
        assert record["engine"] == "extractive+lines" and record["quality"] == "best"  # the flag beats BISUM_QUALITY

        body = {"q": seed("003"), "source": "zh", "target": "en"}
        assert httpx.post(url + "summarize", json=body, timeout=60).status_code == 403  # --api-key
        response = httpx.post(url + "summarize", json={**body, "api_key": "k"}, timeout=60)
        assert response.status_code == 200, response.text
        (record,) = response.json()["results"]
        assert record["quality"] == "best" and record["engine"] == "extractive+lines"
        assert record["translation"] and record["title_translated"]  # BISUM_TRANSLATE=full, as it was at the start
