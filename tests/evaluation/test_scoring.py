"""Scoring: language-aware ROUGE, sacrebleu metrics with signatures, bootstrap CIs, score_file."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from summarizer.config import shared_data_dir
from summarizer.errors import InputError
from summarizer.evaluation.scoring import below_threshold, format_table, get_tokenizer, score_file, score_summaries, score_translations

ROUGE = ("rouge1", "rouge2", "rougeL", "rougeLsum")
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("tokenize", ["char", "jieba"])
def test_chinese_identical_disjoint_partial(tokenize):
    report = score_summaries(
        ["国务院发布新规定支持小微企业发展", "今天北京天气晴朗", "央行宣布下调存款准备金率"],
        ["国务院发布新规定支持小微企业发展", "足球比赛结果揭晓", "央行宣布下调利率"],
        "zh",
        tokenize,
    )
    identical, disjoint, partial = report.items
    for name in ROUGE:
        assert identical[name] == pytest.approx(100.0)
        assert disjoint[name] == 0.0
        assert 0.0 < partial[name] < 100.0
    assert 0 < report.metrics["rouge1"] < 100
    assert f"tok:{tokenize}" in report.signature["rouge1"]


def test_chinese_is_never_dropped():
    """rouge_score's default tokenizer would make every Chinese token vanish and score 0."""
    for lang, tokenize in (("zh", None), ("en", None), ("zh", "jieba")):
        assert get_tokenizer(lang, tokenize).tokenize("中文摘要")
    assert get_tokenizer("zh").tokenize("iPhone 6售价，5288元！") == list("iphone6售价5288元")


ENGLISH = [
    ("The cats were running quickly across the fields.", "A cat runs quickly across a field."),
    ("Shares of Apple rose 3% on Tuesday after strong earnings.", "Apple's stock climbed 3 percent Tuesday on earnings."),
    ("Police arrested two men.\nThe victims were taken to hospital.", "Two men were arrested by police.\nVictims went to hospital."),
    ("Completely unrelated words here", "nothing in common whatsoever"),
]


def test_english_matches_rouge_score_exactly():
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(ROUGE), use_stemmer=True)
    report = score_summaries([p for p, _ in ENGLISH], [r for _, r in ENGLISH], "en")
    for item, (pred, ref) in zip(report.items, ENGLISH):
        expected = scorer.score(ref, pred)
        for name in ROUGE:
            assert item[name] == pytest.approx(100 * expected[name].fmeasure, abs=1e-4)
    assert "tok:porter" in report.signature["rougeL"]


def test_translation_signatures_use_zh_and_13a():
    zh = score_translations(["我们现在有四个月大的老鼠。"], ["我们现在有 4 个月大的老鼠。"], "zh")
    en = score_translations(["We now have 4-month-old mice."], ["We now have mice that are 4 months old."], "en")
    assert "tok:zh" in zh.signature["BLEU"] and "asian:yes" in zh.signature["TER"]
    assert "tok:13a" in en.signature["BLEU"] and "asian:no" in en.signature["TER"]
    for report in (zh, en):
        assert set(report.metrics) >= {"BLEU", "chrF", "TER"}
        assert "nc:6" in report.signature["chrF"] and "version:" in report.signature["BLEU"]
        assert all(0 <= v <= 100 for v in report.metrics.values())
        assert set(report.items[0]) >= {"id", "BLEU", "chrF", "TER"}


def test_bootstrap_ci_contains_point_estimate_and_is_seeded():
    preds = ["国务院发布新规定", "今天天气很好", "股市大幅下跌", "新能源汽车销量增长", "央行宣布降息"] * 4
    refs = ["国务院出台新规", "明天有雨", "股市下跌", "汽车销量大增", "央行降息"] * 4
    rouge = score_summaries(preds, refs, "zh")
    again = score_summaries(preds, refs, "zh")
    assert rouge.ci == again.ci
    mt = score_translations(preds, refs, "zh")
    for report in (rouge, mt):
        for name, value in report.metrics.items():
            lo, hi = report.ci[name]
            assert lo <= value <= hi, name


def test_to_json_shape_and_table():
    report = score_summaries(["我爱北京"], ["我爱上海"], "zh", ids=["a1"])
    data = json.loads(json.dumps(report.to_json()))
    assert data["n"] == 1 and set(data["metrics"]) == set(ROUGE)
    assert data["items"][0]["id"] == "a1" and "rougeL" in data["items"][0]
    assert "signature" in data and "rougeL" in format_table(report)


def test_thresholds_case_insensitive_and_ter_lower_is_better():
    metrics = {"rougeL": 20.0, "chrF": 50.0, "TER": 60.0}
    assert below_threshold(metrics, {"ROUGEL": 22, "chrf": 45}) == ["ROUGEL"]
    assert below_threshold(metrics, {"ter": 50}) == ["ter"]
    assert below_threshold(metrics, {"bleu": 1}) == ["bleu"]  # asked for but not computed: fail loudly


def _write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_score_file(tmp_path):
    path = _write_jsonl(tmp_path / "preds.jsonl", [
        {"id": "1", "prediction": "我爱北京天安门", "reference": "我爱北京天安门", "lang": "zh"},
        {"id": "2", "prediction": "今天天气很好", "reference": "足球比赛", "lang": "zh"},
    ])
    report = score_file(path, "summarization")
    assert report.lang == "zh" and report.n == 2
    assert [i["id"] for i in report.items] == ["1", "2"]
    assert report.items[0]["rouge1"] == 100.0 and report.items[1]["rouge1"] == 0.0
    mt = score_file(path, "translation")
    assert "tok:zh" in mt.signature["BLEU"]


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("", "no lines"),
    ('{"prediction": "a", "reference": "b"}\nnot json\n', ":2: invalid JSON"),
    ('{"prediction": "a"}\n', "missing text field"),
    ('{"prediction": "a", "reference": "b", "lang": "zh"}\n{"prediction": "a", "reference": "b", "lang": "en"}\n', "mixed languages"),
])
def test_score_file_bad_input(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)) as info:
        score_file(path, "summarization")
    assert "\n" not in str(info.value)


def test_length_mismatch_is_input_error():
    with pytest.raises(InputError):
        score_summaries(["a", "b"], ["a"], "en")


def test_evaluate_module_loads_offline(monkeypatch):
    evaluate = pytest.importorskip("evaluate")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    rouge = evaluate.load(str(REPO / "eval" / "metrics" / "bisum_rouge"))
    result = rouge.compute(predictions=["我爱北京天安门"], references=["我爱北京天安门"], lang="zh")
    assert result["rouge1"] == 100.0 and "tok:char" in result["signature"]["rouge1"]
    mt = evaluate.load(str(REPO / "eval" / "metrics" / "bisum_sacrebleu"))
    assert "tok:13a" in mt.compute(predictions=["a cat"], references=["a cat"], target_lang="en")["signature"]["BLEU"]


LCSTS = shared_data_dir() / "eval" / "summ_zh_lcsts_part3.jsonl"


@pytest.mark.skipif(not LCSTS.is_file(), reason="shared LCSTS data not present")
def test_lcsts_lead1_matches_published_char_rouge():
    """First sentence (cut at the first 。！？) vs reference, 725 items: R-1 26.4 / R-2 15.1 / R-L 22.5."""
    rows = [json.loads(line) for line in LCSTS.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if r["human_label"] >= 3]
    leads = [re.split(r"(?<=[。！？])", r["source"])[0] or r["source"] for r in rows]
    report = score_summaries(leads, [r["reference"] for r in rows], "zh")
    assert report.n == 725
    assert round(report.metrics["rouge1"], 1) == 26.4
    assert round(report.metrics["rouge2"], 1) == 15.1
    assert round(report.metrics["rougeL"], 1) == 22.5
