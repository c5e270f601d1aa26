"""The smaller commands: check, score, eval, models list, help; the translation-quality flags of every command."""
import json
import os

import pytest

from summarizer.engines.quality import translation_plan
from summarizer.errors import InputError

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


def test_check_reads_the_environment_as_every_command_does(tmp_path, run_cli, monkeypatch):
    translation = "Customs took measures 53,200 times and detained 4.16 million batches, 81.6 million items."
    _, stdout, _ = run_cli("check", "--source", SOURCE, "--translation", translation)
    assert "glossary term '知识产权'" in stdout
    monkeypatch.setenv("BISUM_USE_DEFAULT_GLOSSARY", "0")
    _, stdout, _ = run_cli("check", "--source", SOURCE, "--translation", translation)
    assert "glossary term" not in stdout
    source = tmp_path / "source.txt"
    source.write_text(SOURCE, "utf-8")
    monkeypatch.setenv("BISUM_MAX_BYTES", "40")
    code, _, err = run_cli("check", "--source", str(source), "--translation", translation)
    assert code == 2 and "size limit" in err


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


# --- translation quality: --quality and the method flags ----------------------------------------------

QUALITY_ENV = ("QUALITY", "CANDIDATES", "RERANK", "DOC_CONTEXT", "EXAMPLES")
METHOD_FLAGS = ["--quality", "best", "--candidates", "4", "--rerank", "mbr,checks", "--no-context", "--examples", "2"]


@pytest.fixture
def no_quality_env(monkeypatch):
    for name in QUALITY_ENV:
        monkeypatch.delenv(f"BISUM_{name}", raising=False)


@pytest.fixture
def settings_seen(monkeypatch, no_quality_env):
    """Every Settings the CLI builds from its flags; the command stops right after (one error line, exit 2)."""
    from summarizer import api
    from summarizer.config import Settings

    seen = []

    def stop(**flags):
        seen.append(Settings.load(**flags))
        raise InputError("stopped after the settings")

    monkeypatch.setattr(api, "settings", stop)
    return seen


@pytest.mark.parametrize("command", [["run", "examples"], ["summarize", "text"], ["translate", "text"],
                                     ["eval", "--task", "translation", "--data", "flores-zh-en"], ["serve"]])
def test_quality_flags_reach_the_settings(settings_seen, run_cli, command):
    code, _, err = run_cli(*command, *METHOD_FLAGS)
    assert code == 2 and err.strip() == "bisum: error: stopped after the settings"
    s = settings_seen[-1]
    assert (s.quality, s.candidates, s.rerank, s.doc_context, s.examples) == ("best", 4, "mbr,checks", False, 2)
    assert translation_plan(s).label == "best+candidates=4+context=false+examples=2"  # mbr,checks is the level's


def test_quality_flags_left_out_keep_the_environment(settings_seen, monkeypatch, run_cli):
    monkeypatch.setenv("BISUM_QUALITY", "balanced")
    monkeypatch.setenv("BISUM_CANDIDATES", "3")
    run_cli("translate", "text")
    s = settings_seen[-1]
    assert (s.quality, s.candidates, s.rerank, s.doc_context, s.examples) == ("balanced", 3, None, None, None)
    run_cli("translate", "text", "--quality", "fast", "--context")
    s = settings_seen[-1]
    assert (s.quality, s.candidates, s.doc_context) == ("fast", 3, True)
    assert translation_plan(s).label == "fast+candidates=3+context=true"


@pytest.mark.parametrize("flags, message", [
    (["--quality", "worst"], "quality must be one of fast, balanced, best, not 'worst'"),
    (["--candidates", "0"], "candidates must be at least 1, not 0"),
    (["--examples", "-1"], "examples must be at least 0, not -1"),
    (["--rerank", "mbr,bleu"], "unknown rerank scorer 'bleu'"),
])
@pytest.mark.parametrize("command", [["run", "examples", "--to", "none"], ["serve"]])
def test_bad_quality_values_are_one_error_line(no_quality_env, run_cli, command, flags, message):
    code, out, err = run_cli(*command, *flags)
    lines = err.strip().splitlines()
    assert code == 2 and out == "" and len(lines) == 1, err
    assert lines[0].startswith("bisum: error: ") and message in lines[0]


def test_serve_makes_the_quality_flags_the_page_default(no_quality_env, monkeypatch, run_cli):
    pytest.importorskip("gradio")
    from summarizer.apps import web

    seen, environ = [], dict(os.environ)
    monkeypatch.setattr(web, "launch", lambda base, **kwargs: seen.append(base))  # the one base of every request
    assert run_cli("serve", "--quality", "best", "--no-context", "--rerank", "none")[0] == 0
    assert translation_plan(seen[0]).label == "best+context=false+rerank=none"
    assert dict(os.environ) == environ  # handed over, not written into the environment


def test_eval_signature_names_the_quality(no_quality_env, tmp_path, run_cli):
    out = tmp_path / "eval.json"
    args = ["eval", "--task", "summarization", "--data", "lcsts", "--engine", "lead", "--limit", "3", "--out", str(tmp_path)]
    code, _, err = run_cli(*args, "--quality", "best", "--candidates", "2", "--json", str(out))
    assert code == 0, err
    config = json.loads(out.read_text("utf-8"))["config"]
    assert "|quality:best+candidates=2|" in config["system_signature"] and config["settings"]["quality"] == "best"


def test_quality_options_are_in_the_help(run_cli):
    for cmd in ("run", "summarize", "translate", "eval", "serve"):
        code, stdout, _ = run_cli(cmd, "--help")
        assert code == 0 and "--quality <fast|balanced|best>" in stdout, cmd
        for flag in ("--candidates", "--rerank", "--context / --no-context", "--examples"):
            assert flag in stdout, (cmd, flag)
