"""The CLI, the library entry point and the web page give the same records on the five bundled pages."""
import json
from pathlib import Path

import pytest

from summarizer import api

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.txt"))


def _comparable(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in ("timings", "source_file", "id")}


@pytest.fixture(scope="module")
def cli_records(tmp_path_factory):
    from summarizer.apps.cli import main

    out = tmp_path_factory.mktemp("cli") / "out.jsonl"
    with pytest.raises(SystemExit) as exit_:
        main(["run", *map(str, EXAMPLES), "--engine", "extractive", "--to", "none", "--out", str(out)])
    assert exit_.value.code == 0
    return [json.loads(line) for line in out.read_text("utf-8").splitlines()]


def test_cli_and_api_agree(cli_records):
    settings = api.settings(engine="extractive", to="none")
    records = [r.to_record() for path in EXAMPLES for r in api.process(str(path), settings)]
    assert len(records) == len(cli_records) == 25
    assert [_comparable(r) for r in records] == [_comparable(r) for r in cli_records]


def test_cli_and_web_page_agree(cli_records):
    pytest.importorskip("gradio")
    from summarizer.apps.web import service

    records = []
    for path in EXAMPLES:
        settings = service.settings_for("auto", 3, "none", engine="extractive")
        docs = service.read_input(path.read_text("utf-8"), None, settings)
        *_, final = service.run_stages(docs, settings)
        records += [r.to_record() for r in final.results]
    pick = ("title", "text", "summary", "source_lang", "checks", "removed", "meta")
    assert [{k: r[k] for k in pick} for r in records] == [{k: r[k] for k in pick} for r in cli_records]
