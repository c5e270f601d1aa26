"""The eval runner over the real pipeline with fake engines: caching, resuming after a torn write, thresholds,
reports, and checks + repair by default (what `summarizer run` gives) against `--no-repair` (the raw model)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer import engines
from summarizer.config import Settings
from summarizer.generation import Generation
from summarizer.engines.extractive import lead_engine
from summarizer.errors import BisumError, InputError
from summarizer.evaluation.datasets import load_eval_set
from summarizer.evaluation.predictions import PredictionCache
from summarizer.evaluation.runner import run_eval
from summarizer.pipeline import Pipeline


class FakeEngine:
    """Summaries are the first `sentences` x 8 characters (items 1, 10 and 11 add a name the article lacks: a
    warning, which the summarize step lets through); translations echo the source."""

    name = "fake"
    model = "fake-model@0123456789ab"
    can_translate = True

    def __init__(self):
        self.seen: list[str] = []

    def summarize(self, texts, lang, sentences, target_lang=None, terms=None):
        self.seen.extend(texts)
        return [Generation(t[: 8 * sentences] + ("Tesla表示支持。" if "1" in t[:3] else "")) for t in texts]

    def translate(self, texts, source_lang, target_lang, terms=None):
        self.seen.extend(texts)
        return [Generation(t) for t in texts]


SOURCE = "国务院批准的项目增长了35%。"
REFERENCE = "Projects approved by the State Council grew by 35%."


class FakeTranslator:
    """Its first translation changes a number (35% -> 53%, which no rule rewrites); its repair fixes it."""

    name = "fake-mt"
    model = "fake-mt@fedcba987654"
    can_translate = True

    def __init__(self):
        self.repairs = 0

    def summarize(self, texts, lang, sentences, target_lang=None, terms=None):
        return [Generation(t) for t in texts]

    def translate(self, texts, source_lang, target_lang, terms=None):
        return [Generation(REFERENCE.replace("35", "53") if t.strip() == SOURCE else OTHER.get(t.strip(), t))
                for t in texts]

    def repair(self, requests, source_lang, target_lang, terms=None):
        self.repairs += len(requests)
        return [Generation(REFERENCE if r.source.strip() == SOURCE else r.translation) for r in requests]


OTHER = {"今天天气很好。": "The weather is fine today."}


ZH_ROWS = [
    {"id": f"z{i}", "source": f"第{i}条新闻：国务院发布新规定支持小微企业发展。其他内容很多很多。", "reference": "国务院发布新规定支持小微企业"}
    for i in range(12)
]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def zh_set(tmp_path) -> Path:
    return _write(tmp_path / "zh_news.jsonl", ZH_ROWS)


def _settings(**changes) -> Settings:
    return Settings(batch_size=4, cache=False).with_(**changes)


def _system(engine, **changes) -> Pipeline:
    return Pipeline(_settings(**changes), summarizer=engine, translator=engine if engine.can_translate else None)


def test_run_eval_caches_and_resumes_after_torn_line(zh_set, tmp_path):
    out = tmp_path / "cache"
    engine = FakeEngine()
    first = run_eval("summarization", str(zh_set), _system(engine), settings=_settings(), out_dir=out)
    assert len(engine.seen) == 12 and first.report.n == 12
    assert first.timings["new_items"] == 12 and first.engine == "fake" and first.model_hash == "0123456789ab"

    # Simulate a kill mid-way: keep 7 complete lines and half of the 8th.
    lines = first.predictions_path.read_text(encoding="utf-8").splitlines(keepends=True)
    first.predictions_path.write_text("".join(lines[:7]) + lines[7][: len(lines[7]) // 2], encoding="utf-8")

    engine = FakeEngine()
    second = run_eval("summarization", str(zh_set), _system(engine), settings=_settings(), out_dir=out)
    assert len(engine.seen) == 5  # the torn item and the four never written
    assert second.timings == {**second.timings, "new_items": 5, "cached_items": 7}
    assert second.report.metrics == pytest.approx(first.report.metrics)
    rows = [json.loads(line) for line in second.predictions_path.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in ZH_ROWS)

    engine = FakeEngine()
    third = run_eval("summarization", str(zh_set), _system(engine), settings=_settings(), out_dir=out)
    assert engine.seen == [] and third.timings["cached_items"] == 12


def test_cache_key_changes_with_settings(zh_set, tmp_path):
    a = run_eval("summarization", str(zh_set), _system(FakeEngine()), settings=_settings(), out_dir=tmp_path, sentences=1)
    b = run_eval("summarization", str(zh_set), _system(FakeEngine()), settings=_settings(), out_dir=tmp_path, sentences=2)
    c = run_eval("summarization", str(zh_set), _system(FakeEngine()), settings=_settings(repair=False), out_dir=tmp_path,
                 sentences=2)
    assert len({a.predictions_path, b.predictions_path, c.predictions_path}) == 3
    assert b.report.metrics["rouge1"] != a.report.metrics["rouge1"]
    assert "repair:yes" in b.config["system_signature"] and "repair:no" in c.config["system_signature"]


def test_prediction_cache_drops_torn_line(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "1", "prediction": "a"}\n{"id": "2", "predic', encoding="utf-8")
    cache = PredictionCache(path)
    assert list(cache.rows) == ["1"]
    assert path.read_text(encoding="utf-8") == '{"id": "1", "prediction": "a"}\n'


def test_fail_under_and_reports(zh_set, tmp_path):
    result = run_eval(
        "summarization", str(zh_set), _system(FakeEngine()), limit=10, settings=_settings(), out_dir=tmp_path / "c",
        report_dir=tmp_path / "report", fail_under={"ROUGEL": 99, "rouge1": 1},
    )
    assert result.report.n == 10
    assert result.failed == ["ROUGEL"] and not result.ok
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    markdown = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert '<img src="data:image/png;base64,' in html and "repair:yes" in html
    assert "rougeL" in markdown and "fake-model" in markdown and "Worst" in markdown
    assert "| checks / repair | on / on |" in markdown
    scores = json.loads((tmp_path / "report" / "scores.json").read_text(encoding="utf-8"))
    assert scores["failed"] == ["ROUGEL"] and scores["config"]["repair"] is True


def test_translation_task_with_sample_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv("BISUM_SHARED_DATA", str(tmp_path / "absent"))
    eval_set = load_eval_set("flores-zh-en")
    assert eval_set.sample and eval_set.task == "translation" and len(eval_set.items) == 20
    result = run_eval("translation", "flores-zh-en", _system(FakeEngine()), limit=5, settings=_settings(),
                      out_dir=tmp_path, fail_under={"chrf": 45})
    assert "tok:13a" in result.report.signature["BLEU"]
    assert result.failed == ["chrf"]  # echoing Chinese source scores near 0 against English
    assert result.check_rates["untranslated"] == 1.0  # the checks ran on the scored translations


def test_lead_n_engine_names_via_api(tmp_path, monkeypatch):
    monkeypatch.setenv("BISUM_SHARED_DATA", str(tmp_path / "absent"))
    result = run_eval("summarization", "lcsts", "lead-1", settings=_settings(), out_dir=tmp_path)
    assert result.engine == "lead-1" and result.report.n == 50 and result.sample
    assert result.config["sentences"] == 1 and result.config["settings"]["engine"] == "lead"
    assert 10 < result.report.metrics["rouge1"] < 50
    three = run_eval("summarization", "lcsts", "lead-3", settings=_settings(), out_dir=tmp_path, limit=5)
    assert three.engine == "lead-3" and three.config["sentences"] == 3


def test_summarization_collects_check_rates(zh_set, tmp_path):
    result = run_eval("summarization", str(zh_set), _system(FakeEngine()), settings=_settings(), out_dir=tmp_path,
                      report_dir=tmp_path / "r")
    rows = [json.loads(line) for line in result.predictions_path.read_text(encoding="utf-8").splitlines()]
    assert result.task == "summarization" and all("checks" in row for row in rows)
    assert result.check_rates["unsupported"] == pytest.approx(3 / 12)  # z1, z10, z11: Tesla is not in the article
    assert "Check rates" in (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    unchecked = run_eval("summarization", str(zh_set), _system(FakeEngine()), settings=_settings(check=False),
                         out_dir=tmp_path)
    assert unchecked.check_rates is None


def _mt_set(tmp_path) -> Path:
    rows = [{"id": "t0", "source": SOURCE, "reference": REFERENCE, "lang_pair": "zh-en"},
            {"id": "t1", "source": "今天天气很好。", "reference": "The weather is fine today.", "lang_pair": "zh-en"}]
    return _write(tmp_path / "mt.jsonl", rows)


def test_translation_eval_repairs_like_run_and_no_repair_is_raw(tmp_path):
    data = _mt_set(tmp_path)

    def translate(**changes):
        mt = FakeTranslator()
        system = Pipeline(_settings(**changes), lead_engine(), mt, repairer=mt)
        result = run_eval("translation", str(data), system, settings=_settings(**changes), out_dir=tmp_path / "c")
        return result, PredictionCache(result.predictions_path).rows["t0"], mt

    repaired, row, mt = translate()
    assert row["prediction"] == REFERENCE and mt.repairs >= 1
    assert any(c["type"] == "number" and c["repair"]["accepted"] for c in row["checks"])
    raw, raw_row, mt = translate(repair=False, check=False)  # what `--no-repair` sets
    assert raw_row["prediction"] == REFERENCE.replace("35", "53") and mt.repairs == 0
    assert raw.predictions_path != repaired.predictions_path and raw.check_rates is None
    assert repaired.report.metrics["chrF"] > raw.report.metrics["chrF"]


def test_cli_eval_translation_repairs_by_default(tmp_path, monkeypatch, run_cli):
    """`summarizer eval --task translation` through the engine registry: repaired by default, raw with --no-repair."""
    monkeypatch.setenv("BISUM_MEMORY", str(tmp_path / "tm.sqlite3"))
    monkeypatch.setitem(engines.REGISTRY, "fake-mt", engines.EngineEntry("fake-mt", "test", lambda s: FakeTranslator()))
    monkeypatch.setattr(engines, "ENGINE_NAMES", (*engines.ENGINE_NAMES, "fake-mt"))
    monkeypatch.setattr(engines, "_BUILT", {})
    data = _mt_set(tmp_path)
    args = ["eval", "--task", "translation", "--data", str(data), "--engine", "fake-mt", "--out", str(tmp_path / "c")]
    for flag, expected in (("--repair", REFERENCE), ("--no-repair", REFERENCE.replace("35", "53"))):
        code, out, err = run_cli(*args, flag, "--json", str(tmp_path / f"{flag}.json"))
        assert code == 0, err
        result = json.loads((tmp_path / f"{flag}.json").read_text(encoding="utf-8"))
        assert PredictionCache(Path(result["predictions_path"])).rows["t0"]["prediction"] == expected
        assert result["config"]["repair"] is (flag == "--repair")


def test_bad_requests_are_input_errors(zh_set, tmp_path):
    with pytest.raises(InputError, match="unknown eval set"):
        run_eval("summarization", "no-such-set", "lead", out_dir=tmp_path)
    with pytest.raises(InputError, match="is a summarization set"):
        run_eval("translation", "lcsts", "lead", out_dir=tmp_path)
    with pytest.raises(InputError, match="unknown task"):
        run_eval("poetry", str(zh_set), "lead", out_dir=tmp_path)
    with pytest.raises(BisumError, match="does not translate|translation needs a model"):
        run_eval("translation", "flores-zh-en", "extractive", limit=2, settings=_settings(), out_dir=tmp_path)


def test_items_cached_with_an_error_are_predicted_again(tmp_path):
    cache = PredictionCache(tmp_path / "p.jsonl")
    cache.append([{"id": "a", "prediction": "x", "error": None}, {"id": "b", "prediction": "", "error": "check: boom"}])
    items = load_eval_set(str(_mt_set(tmp_path))).items  # ids t0, t1: neither cached
    items[0].id, items[1].id = "a", "b"
    asked: list[str] = []

    def predict(batch):
        asked.extend(item.id for item in batch)
        return [{"prediction": "fixed", "error": None} for _ in batch]

    assert cache.fill(items, predict, batch_size=8) == 1 and asked == ["b"]
    assert PredictionCache(cache.path).rows["b"]["prediction"] == "fixed"
