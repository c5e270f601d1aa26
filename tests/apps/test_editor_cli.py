"""The editor's commands (apps/editor_cli.py): corrections and glossary in and out (TSV, JSONL, TMX), a run that
reuses a correction, its records saved to the history and searched, and exported as .docx (read back with
python-docx), Markdown and JSON."""
from __future__ import annotations

import json

import pytest

from summarizer import engines
from summarizer.generation import Generation

A1, A2 = "甲公司今天在深圳发布了年度报告。", "报告说销量增长了。"
FIXED = "Sales grew, the report says."


class FakeMT:
    name, model, can_translate = "fake-cli", "fake-cli@0123456789ab", True

    def translate(self, texts, source_lang, target_lang, terms=None):
        return [Generation("\n".join(f"EN({ln.strip()})" if ln.strip() else "" for ln in t.split("\n"))) for t in texts]

    def summarize(self, texts, lang, sentences, target_lang=None, terms=None):
        return [Generation(t.strip().split("\n")[0]) for t in texts]

    def repair(self, requests, source_lang, target_lang, terms=None):
        return [Generation(r.translation) for r in requests]


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("BISUM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("BISUM_MEMORY", raising=False)
    monkeypatch.setitem(engines.REGISTRY, "fake-cli", engines.EngineEntry("fake-cli", "test", lambda s: FakeMT()))
    monkeypatch.setattr(engines, "ENGINE_NAMES", (*engines.ENGINE_NAMES, "fake-cli"))
    monkeypatch.setattr(engines, "_BUILT", {})
    return tmp_path


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "tmx"])
def test_glossary_and_corrections_go_out_and_back_in(env, run_cli, fmt):
    assert run_cli("glossary", "add", "鸿蒙", "HarmonyOS", "--who", "ann")[0] == 0
    assert run_cli("corrections", "add", A2, FIXED)[0] == 0
    for kind in ("glossary", "corrections"):
        path = env / f"{kind}.{fmt}"
        assert run_cli(kind, "export", str(path))[0] == 0
        assert run_cli(kind, "remove", "鸿蒙" if kind == "glossary" else A2)[0] == 0
        code, out, _ = run_cli(kind, "list")
        assert code == 0 and out == ""
        code, out, err = run_cli(kind, "import", str(path))
        assert code == 0 and "imported 1" in out, err
    code, out, _ = run_cli("glossary", "list", "--json")
    assert json.loads(out) | {"when": None} == {"text": "鸿蒙", "translation": "HarmonyOS", "source": "zh", "target": "en",
                                                "who": "ann", "when": None, "original": None, "article": None}
    assert FIXED in run_cli("corrections", "list")[1]


def test_bad_input_is_one_error_line(env, run_cli):
    code, _, err = run_cli("corrections", "add", "No Chinese.", FIXED, "--from", "zh")
    assert code == 2 and "not Chinese" in err
    code, _, err = run_cli("glossary", "remove", "不存在")
    assert code == 2 and "no glossary entry" in err


def test_a_run_reuses_a_correction_then_goes_to_history_and_docx(env, run_cli, monkeypatch):
    docx = pytest.importorskip("docx")
    monkeypatch.setenv("BISUM_ENGINE", "fake-cli")
    (env / "a.txt").write_text(f"甲公司发布年度报告\n\n{A1}{A2}\n\n{A1}", "utf-8")
    assert run_cli("corrections", "add", A2, FIXED)[0] == 0
    out = env / "out.jsonl"
    code, _, err = run_cli("run", str(env / "a.txt"), "--translate", "full", "--to", "en", "--out", str(out), "-q")
    assert code == 0, err
    (record,) = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [A1 + A2, f"EN({A1}) {FIXED}"] in record["translation_pairs"]
    assert any(n.startswith("from your corrections") for n in record["notes"])

    assert run_cli("history", "年度报告")[1] == ""  # batch runs are not saved unless asked
    assert "saved 1" in run_cli("history", "--save", str(out))[1]
    code, listed, _ = run_cli("history", "深圳发布", "--json")
    entry = json.loads(listed)
    assert code == 0 and entry["title"] == "甲公司发布年度报告" and entry["origin"] == "cli"

    code, written, err = run_cli("export", str(out), "--format", "docx", "--out", str(env / "docs"))
    assert code == 0, err
    document = docx.Document(written.strip())
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert f"EN({A1}) {FIXED}" in cells and A1 + A2 in cells
    texts = [p.text for p in document.paragraphs]
    assert "Open flags" in texts and any(FIXED in t for t in texts)
    (env / "b.txt").write_text("乙公司回应\n\n乙公司今天在北京回应了报告。", "utf-8")
    code, _, err = run_cli("run", str(env / "a.txt"), str(env / "b.txt"), "--to", "en", "--out", str(out), "--resume",
                           "--history", "-q")
    assert code == 0, err
    newest, older = [json.loads(line) for line in run_cli("history", "--json")[1].splitlines()]
    assert "北京" in newest["snippet"] and older["title"] == "甲公司发布年度报告"  # only the record the run added
    assert "needs --out" in run_cli("run", str(env / "b.txt"), "--history", "-q")[2]
    for fmt in ("md", "json"):
        code, written, _ = run_cli("export", str(out), "--format", fmt, "--out", str(env / "docs"))
        assert code == 0 and FIXED in open(written.split()[0], encoding="utf-8").read()
