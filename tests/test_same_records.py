"""The CLI, the library entry point, the web page and the HTTP API give the same records on the five bundled pages:
summaries with the extractive engine, full translations (titles included) with a scripted translation engine, and
`summarizer translate` against HTTP /translate, text and checks alike."""
import json
from pathlib import Path

import pytest
from pypinyin import lazy_pinyin

from summarizer import api, engines
from summarizer.checks import checks_to_json
from summarizer.generation import Generation

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.txt"))
PICK = ("title", "text", "summary", "source_lang", "checks", "removed", "meta", "target_lang", "title_translated",
        "translation", "translation_pairs", "summary_translated")


class LineMT:
    """A deterministic 'translation' that keeps every line: Chinese as pinyin words, English as one character per
    word. Not a Repairer: the checks' rule repairs run, the model repair does not."""

    name, model, can_translate = "line-mt", "line-mt@0", True

    def translate(self, texts, source_lang, target_lang, terms=None):
        return [Generation("\n".join(self._line(line, target_lang) for line in text.split("\n"))) for text in texts]

    def summarize(self, texts, lang, sentences, target_lang=None, terms=None):
        return [Generation(t.split("\n")[0]) for t in texts]

    @staticmethod
    def _line(line: str, target: str) -> str:
        if target == "en":
            return " ".join(w for w in lazy_pinyin(line) if w.strip()).capitalize()
        return "".join("词" if w.isalpha() else w for w in line.split())


@pytest.fixture(autouse=True)
def line_mt(monkeypatch, tmp_path):
    """`line-mt` in the engine registry, and no translation memory (every path computes)."""
    engine = LineMT()
    monkeypatch.setitem(engines.REGISTRY, "line-mt", engines.EngineEntry("line-mt", "test", lambda s: engine))
    monkeypatch.setattr(engines, "ENGINE_NAMES", (*engines.ENGINE_NAMES, "line-mt"))
    monkeypatch.setattr(engines, "_BUILT", {})
    monkeypatch.setattr("summarizer.checks.alignment._auto_embedder", lambda: None)  # lengths only: seconds, not minutes
    monkeypatch.setenv("BISUM_CACHE", "0")
    monkeypatch.setenv("BISUM_CACHE_DIR", str(tmp_path / "cache"))
    for name in ("ENGINE", "TRANSLATOR", "MODEL", "TO", "TRANSLATE", "QUALITY", "API_KEY"):
        monkeypatch.delenv(f"BISUM_{name}", raising=False)
    return engine


def _picked(records: list[dict]) -> list[dict]:
    return [{k: r.get(k) for k in PICK} for r in records]


def _cli_records(tmp_path, *flags: str) -> list[dict]:
    from summarizer.apps.cli import main

    out = tmp_path / "out.jsonl"
    with pytest.raises(SystemExit) as exit_:
        main(["run", *map(str, EXAMPLES), *flags, "--out", str(out)])
    assert exit_.value.code == 0
    return [json.loads(line) for line in out.read_text("utf-8").splitlines()]


def _page_records(translate: str, base) -> list[dict]:
    pytest.importorskip("gradio")
    from summarizer.apps.web import service

    records = []
    for path in EXAMPLES:
        settings = service.settings_for(base, "auto", 3, translate, engine="extractive")
        *_, final = service.run_stages(service.read_input(path.read_text("utf-8"), None, settings), settings)
        records += [r.to_record() for r in final.results]
    return records


def _http(path: str, body: dict, base) -> dict:
    pytest.importorskip("fastapi")
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from summarizer.apps.web import http_api

    app = FastAPI()
    app.include_router(http_api.router(base))
    answer = TestClient(app).post(path, json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_summaries_agree_everywhere(tmp_path):
    cli = _cli_records(tmp_path, "--engine", "extractive", "--to", "none")
    settings = api.settings(engine="extractive", to="none")
    library = [r.to_record() for path in EXAMPLES for r in api.process(str(path), settings)]
    assert len(cli) == len(library) == 25
    assert _picked(library) == _picked(cli)
    assert _picked(_page_records("none", api.settings(engine="extractive"))) == _picked(cli)


def test_full_translations_agree_everywhere(tmp_path, monkeypatch):
    monkeypatch.setenv("BISUM_TRANSLATOR", "line-mt")  # the CLI's --translator choices were fixed at its import
    cli = _cli_records(tmp_path, "--engine", "extractive", "--to", "auto", "--translate", "full")
    settings = api.settings(engine="extractive", translator="line-mt", to="auto", translate="full")
    library = [r.to_record() for path in EXAMPLES for r in api.process(str(path), settings)]
    assert _picked(library) == _picked(cli)
    titled = [r for r in cli if r["title"]]
    assert titled and all(r["title_translated"] for r in titled), "full translations translate titles"
    assert any(c["field"] == "translation" for r in cli for c in r["checks"]), "the checks ran on the translations"

    base = api.settings(engine="extractive", translator="line-mt")  # what `serve --translator line-mt` hands over
    assert _picked(_page_records("full", base)) == _picked(cli)
    http = [rec for path in EXAMPLES for rec in _http("/summarize", {"q": path.read_text("utf-8"), "translate": "full",
                                                                     "engine": "extractive"}, base)["results"]]
    assert _picked(http) == _picked(cli)


@pytest.mark.parametrize("page", EXAMPLES, ids=lambda p: p.stem)
def test_translate_command_equals_http_translate(page, tmp_path, monkeypatch, capsys):
    from summarizer.apps.cli import main

    monkeypatch.setenv("BISUM_ENGINE", "line-mt")
    [result] = api.translate(str(page), api.settings(), "auto", "auto")
    flags = tmp_path / "checks.json"
    with pytest.raises(SystemExit) as exit_:
        main(["translate", str(page), "--json", str(flags)])
    assert exit_.value.code in (0, None)
    printed = capsys.readouterr().out
    assert printed.rstrip("\n") == result.translation
    cli_checks = json.loads(flags.read_text("utf-8"))["checks"]
    assert cli_checks == checks_to_json(result.checks)["checks"]

    answer = _http("/translate", {"q": page.read_text("utf-8"), "source": "auto", "target": result.target_lang},
                   api.settings())
    assert answer["translatedText"] == result.translation
    assert answer["checks"] == cli_checks
