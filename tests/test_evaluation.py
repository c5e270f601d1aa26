"""The eval runner with a fake engine: caching, resuming after a torn write, thresholds, reports."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.datasets import load_eval_set
from summarizer.errors import InputError
from summarizer.evaluation import PredictionCache, run_eval


class FakeEngine:
    """Summaries are the first `sentences` x 8 characters; translations echo the source."""

    name = "fake"
    model = "fake-model@0123456789ab"
    can_translate = True

    def __init__(self):
        self.seen: list[str] = []

    def summarize(self, texts, lang, sentences, target_lang=None):
        self.seen.extend(texts)
        return [t[: 8 * sentences] for t in texts]

    def translate(self, texts, source_lang, target_lang):
        self.seen.extend(texts)
        return list(texts)


ZH_ROWS = [
    {"id": f"z{i}", "source": f"第{i}条新闻：国务院发布新规定支持小微企业发展。其他内容很多很多。", "reference": "国务院发布新规定支持小微企业"}
    for i in range(12)
]


@pytest.fixture
def zh_set(tmp_path) -> Path:
    path = tmp_path / "zh_news.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ZH_ROWS), encoding="utf-8")
    return path


def _settings() -> Settings:
    return Settings(batch_size=4)


def test_run_eval_caches_and_resumes_after_torn_line(zh_set, tmp_path):
    out = tmp_path / "cache"
    engine = FakeEngine()
    first = run_eval("summarization", str(zh_set), engine, settings=_settings(), out_dir=out)
    assert len(engine.seen) == 12 and first.report.n == 12
    assert first.timings["new_items"] == 12 and first.engine == "fake" and first.model_hash == "0123456789ab"

    # Simulate a kill mid-way: keep 7 complete lines and half of the 8th.
    lines = first.predictions_path.read_text(encoding="utf-8").splitlines(keepends=True)
    first.predictions_path.write_text("".join(lines[:7]) + lines[7][: len(lines[7]) // 2], encoding="utf-8")

    engine = FakeEngine()
    second = run_eval("summarization", str(zh_set), engine, settings=_settings(), out_dir=out)
    assert len(engine.seen) == 5  # the torn item and the four never written
    assert second.timings == {**second.timings, "new_items": 5, "cached_items": 7}
    assert second.report.metrics == pytest.approx(first.report.metrics)
    rows = [json.loads(line) for line in second.predictions_path.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in ZH_ROWS)

    engine = FakeEngine()
    third = run_eval("summarization", str(zh_set), engine, settings=_settings(), out_dir=out)
    assert engine.seen == [] and third.timings["cached_items"] == 12


def test_cache_key_changes_with_settings(zh_set, tmp_path):
    a = run_eval("summarization", str(zh_set), FakeEngine(), settings=_settings(), out_dir=tmp_path, sentences=1)
    b = run_eval("summarization", str(zh_set), FakeEngine(), settings=_settings(), out_dir=tmp_path, sentences=2)
    assert a.predictions_path != b.predictions_path
    assert b.report.metrics["rouge1"] != a.report.metrics["rouge1"]


def test_prediction_cache_drops_torn_line(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "1", "prediction": "a"}\n{"id": "2", "predic', encoding="utf-8")
    cache = PredictionCache(path)
    assert list(cache.rows) == ["1"]
    assert path.read_text(encoding="utf-8") == '{"id": "1", "prediction": "a"}\n'


def test_fail_under_and_reports(zh_set, tmp_path):
    result = run_eval(
        "summarization", str(zh_set), FakeEngine(), limit=10, settings=_settings(), out_dir=tmp_path / "c",
        report_dir=tmp_path / "report", fail_under={"ROUGEL": 99, "rouge1": 1},
    )
    assert result.report.n == 10
    assert result.failed == ["ROUGEL"] and not result.ok
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    markdown = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert '<img src="data:image/png;base64,' in html
    assert "rougeL" in markdown and "fake-model" in markdown and "Worst" in markdown
    assert json.loads((tmp_path / "report" / "scores.json").read_text(encoding="utf-8"))["failed"] == ["ROUGEL"]


def test_translation_task_with_sample_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv("BISUM_SHARED_DATA", str(tmp_path / "absent"))
    eval_set = load_eval_set("flores-zh-en")
    assert eval_set.sample and eval_set.task == "translation" and len(eval_set.items) == 20
    result = run_eval("translation", "flores-zh-en", FakeEngine(), limit=5, settings=_settings(), out_dir=tmp_path,
                      fail_under={"chrf": 45})
    assert "tok:13a" in result.report.signature["BLEU"]
    assert result.failed == ["chrf"]  # echoing Chinese source scores near 0 against English


def test_lead_engine_on_committed_lcsts_sample(tmp_path, monkeypatch):
    monkeypatch.setenv("BISUM_SHARED_DATA", str(tmp_path / "absent"))
    result = run_eval("summarization", "lcsts", "lead-1", settings=_settings(), out_dir=tmp_path)
    assert result.engine == "lead-1" and result.report.n == 50 and result.sample
    assert 10 < result.report.metrics["rouge1"] < 50


def test_pipeline_task_collects_check_rates(zh_set, tmp_path):
    def fake_pipeline(sources, source_lang, target_lang, engine, settings):
        checks = [{"type": "number", "severity": "error", "message": "5.32万 became 5,320"}]
        return [{"summary": s[:10], "checks": checks if i % 2 else []} for i, s in enumerate(sources)]

    result = run_eval("pipeline", str(zh_set), FakeEngine(), settings=_settings(), out_dir=tmp_path,
                      report_dir=tmp_path / "r", pipeline=fake_pipeline)
    rows = [json.loads(line) for line in result.predictions_path.read_text(encoding="utf-8").splitlines()]
    assert all("checks" in row for row in rows)
    try:
        import summarizer.checks  # noqa: F401
    except ImportError:
        assert result.check_rates is None
    else:
        assert result.check_rates["number"] == pytest.approx(0.5)
        assert "Check rates" in (tmp_path / "r" / "report.md").read_text(encoding="utf-8")


def test_bad_requests_are_input_errors(zh_set, tmp_path):
    with pytest.raises(InputError, match="unknown eval set"):
        run_eval("summarization", "no-such-set", FakeEngine(), out_dir=tmp_path)
    with pytest.raises(InputError, match="is a summarization set"):
        run_eval("translation", "lcsts", FakeEngine(), out_dir=tmp_path)
    with pytest.raises(InputError, match="unknown task"):
        run_eval("poetry", str(zh_set), FakeEngine(), out_dir=tmp_path)
