"""The one library entry point, and the inputs that `summarize`/`translate` used to re-ingest under the file's name."""
import json

import pytest

from summarizer import api
from conftest import seed

EXTRACTIVE = dict(engine="extractive", to="none", cache=False)


def test_process_text_and_path_agree(tmp_path):
    page = seed("000")
    path = tmp_path / "page.txt"
    path.write_text(page, encoding="utf-8")
    settings = api.settings(**EXTRACTIVE)
    from_text = [r.summary for r in api.process(page, settings)]
    from_path = [r.summary for r in api.process(str(path), settings)]
    assert len(from_text) == 6 and from_text == from_path


def test_docx_is_read_once_as_docx(tmp_path, run_cli):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for para in seed("003").split("\n\n")[:6]:
        document.add_paragraph(para)
    path = tmp_path / "story.docx"
    document.save(path)
    [result] = api.process(str(path), api.settings(**EXTRACTIVE))
    assert result.article.source_file == str(path) and "PK" not in result.article.text[:20]
    code, out, err = run_cli("summarize", str(path), "--engine", "extractive")
    assert code == 0 and out.strip() and "error" not in err


def test_html_keeps_its_metadata(tmp_path):
    html = ("<html><head><title>海关保护知识产权</title><meta name='author' content='刘欣'></head><body><article>"
            "<h1>海关保护知识产权</h1><p>" + "全国海关共实施知识产权保护措施5.32万次。海关保护成效显著。" * 3 + "</p></article></body></html>")
    path = tmp_path / "story.html"
    path.write_text(html, encoding="utf-8")
    results = api.process(str(path), api.settings(**EXTRACTIVE))
    assert len(results) == 1 and "<p>" not in results[0].article.text and "5.32万次" in results[0].article.text


def test_jsonl_stays_one_document_per_line(tmp_path, run_cli):
    path = tmp_path / "items.jsonl"
    rows = [{"id": "a", "text": "全国海关共实施知识产权保护措施5.32万次。海关保护成效显著。"},
            {"id": "b", "text": "The court ordered the defendant to pay damages. The ruling is final."}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    results = api.process(str(path), api.settings(**EXTRACTIVE))
    assert [r.article.source_lang for r in results] == ["zh", "en"]
    code, out, _ = run_cli("summarize", str(path), "--engine", "extractive")
    assert code == 0 and out.count("## ") == 2


def test_models_verify_without_a_name_means_the_default(run_cli, monkeypatch, tmp_path):
    monkeypatch.setenv("BISUM_CACHE_DIR", str(tmp_path))  # nothing pulled here
    code, _, err = run_cli("models", "verify")
    assert code == 3 and "unknown model" not in err and "qwen2.5-coder-1.5b-instruct" in err
