"""The smaller commands: check, score, eval, models list, help."""
import json

SOURCE = "全年共实施知识产权保护措施5.32万次，实际扣留侵权嫌疑货物416万批，8160.51万件。"


def test_check_flags_wrong_numbers_and_writes_json(tmp_path, run_cli):
    bad = "Customs took IP protection measures 5,320 times and detained 4.16 million batches, 8.16 million items."
    out = tmp_path / "checks.json"
    code, stdout, _ = run_cli("check", "--from", "zh", "--to", "en", "--source", SOURCE, "--translation", bad, "--json", str(out))
    assert code == 0 and "5,320" in stdout
    spans = {c["target_span"] for c in json.loads(out.read_text("utf-8"))["checks"] if c["type"] == "number"}
    assert spans == {"5,320", "8.16 million"}
    good = "Customs took IP protection measures 53,200 times and detained 4.16 million batches, 81.6 million items."
    code, stdout, _ = run_cli("check", "--from", "zh", "--to", "en", "--source", SOURCE, "--translation", good, "--strict")
    assert code == 0 and "no problems found" in stdout


def test_score_chinese_identical_disjoint_partial(tmp_path, run_cli):
    pred = tmp_path / "pred.jsonl"
    rows = [
        {"id": "same", "prediction": "海关保护知识产权", "reference": "海关保护知识产权", "lang": "zh"},
        {"id": "none", "prediction": "今天天气很好", "reference": "海关保护知识产权", "lang": "zh"},
        {"id": "some", "prediction": "海关保护商标", "reference": "海关保护知识产权", "lang": "zh"},
    ]
    pred.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out = tmp_path / "scores.json"
    code, stdout, _ = run_cli("score", "--task", "summarization", "--pred", str(pred), "--json", str(out))
    assert code == 0 and "rougeL" in stdout
    items = {i["id"]: i["rougeL"] for i in json.loads(out.read_text("utf-8"))["items"]}
    assert items["same"] == 100 and items["none"] == 0 and 0 < items["some"] < 100


def test_eval_gate_fails_below_threshold(tmp_path, run_cli):
    common = ["eval", "--task", "summarization", "--data", "lcsts", "--engine", "lead", "--limit", "40", "--out", str(tmp_path)]
    assert run_cli(*common, "--fail-under", "rougeL=5")[0] == 0
    code, _, err = run_cli(*common, "--fail-under", "rougeL=99")
    assert code == 1 and "rougeL" in err


def test_models_list_names_the_offline_default(run_cli):
    code, stdout, _ = run_cli("models", "list")
    assert code == 0 and "qwen2.5-coder-1.5b-instruct" in stdout and "cc324af070c2" in stdout


def test_every_command_has_help(run_cli):
    for cmd in ("run", "summarize", "translate", "check", "score", "eval", "serve", "models", "cache"):
        code, stdout, _ = run_cli(cmd, "--help")
        assert code == 0 and "Usage" in stdout, cmd
