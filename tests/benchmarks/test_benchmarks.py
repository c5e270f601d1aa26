"""Every benchmark still runs: each script's `--help` (its imports and arguments), and a smoke run on tiny models
wherever one takes seconds. The real-model runs take many minutes and are not run here.

Each script runs as a user runs it (`python benchmarks/<name>.py ...`, in a fresh process), with BISUM_* pointing
at the tiny GGUF models of tests/conftest.py and at a cache folder of its own. Not smoke-run: serving.py (a full
translation of a 2,000-character article by a model that never stops early takes minutes), cpu_variants.py (one
build per CPU variant) and peer_server.py (a library of llama_server_peer.py).
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
SCRIPTS = sorted(p.name for p in BENCHMARKS.glob("*.py"))


def run(script: str, *args: str, env: dict | None = None, cwd: Path | None = None, timeout: int = 240):
    """`python benchmarks/<script> args` in a fresh process; fails the test with its output when it fails."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("BISUM_")}
    env = {**base, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **(env or {})}
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{script} {' '.join(args)} exited {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def needs(*modules: str) -> None:
    for module in modules:
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed")


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """One cache folder for every run of this module (the name lexicon is built once), no pulled models."""
    return tmp_path_factory.mktemp("bench-cache")


@pytest.fixture
def tiny_env(tiny, cache, tmp_path) -> dict:
    """BISUM_* for a tiny GGUF main model that stops early, with its drafting model."""
    main, draft, _ = tiny
    return {"BISUM_MODEL": str(main), "BISUM_DRAFT_MODEL": str(draft), "BISUM_THREADS": "1",
            "BISUM_CACHE_DIR": str(cache), "BISUM_MEMORY": str(tmp_path / "tm.sqlite3")}


@pytest.fixture
def visible_env(tiny_env, tiny_visible) -> dict:
    """As tiny_env, with a main model that writes visible text to its token limit (outputs are never empty)."""
    return {**tiny_env, "BISUM_MODEL": str(tiny_visible)}


# ----------------------------------------------------------------------------- every script


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_benchmark_answers_help(script):
    done = run(script, "--help", timeout=120)
    if 'if __name__ == "__main__":' in (BENCHMARKS / script).read_text("utf-8"):
        assert "usage:" in done.stdout
    else:  # a library of the other scripts: importing it is what can break
        assert done.stdout == ""


# ----------------------------------------------------------------------------- smoke runs on tiny models


@pytest.mark.slow
def test_speculative_replays_sampled_candidates_at_quality_best(tiny_env, tmp_path):
    out = tmp_path / "speculative.json"
    run("speculative.py", "--summaries", "1", "--translations", "1", "--streams", "2", "--modes", "off", "lookup",
        "--quality", "best", "--json", str(out), env=tiny_env)
    rows = json.loads(out.read_text("utf-8"))["rows"]
    translations = [r for r in rows if r["task"] == "translations"]
    assert {r["mode"] for r in translations} == {"off", "lookup"}
    assert all(r["prompts"] > 1 for r in translations)  # the candidates of one sentence, sampled
    assert all(r["identical"] == r["prompts"] for r in rows if r["mode"] == "off")


@pytest.mark.slow
def test_llama_server_peer_records_bisums_side(tiny_env, tmp_path):
    out = tmp_path / "peer.json"
    done = run("llama_server_peer.py", "--limit", "1", "--quality", "best", "--bisum-only", "--json", str(out),
               env=tiny_env)
    record = json.loads(out.read_text("utf-8"))
    assert record["bisum_job"]["articles"] == 1 and record["calls"]
    assert sum(c["sampled"] for c in record["calls"]) > 0
    assert all(c["positions_evaluated"] > 0 for c in record["calls"])
    assert "engine calls" in done.stdout


@pytest.mark.slow
def test_llm_benchmarks_run_on_a_tiny_model(visible_env, tmp_path):
    run("flores_llm.py", "-n", "2", "--direction", "zh-en", "--out", str(tmp_path / "flores.json"), env=visible_env)
    assert json.loads((tmp_path / "flores.json").read_text("utf-8"))["results"][0]["n"] == 2
    done = run("llm_throughput.py", "-n", "2", "--naive-n", "0", "--json", str(tmp_path / "llm.json"), env=visible_env)
    assert "ratios:" in done.stdout
    done = run("flores_checks.py", "-n", "2", "--engine", "llamacpp", env=visible_env)
    assert "sentences translated and checked" in done.stdout


@pytest.mark.slow
def test_quality_levels_pools_best_candidates(visible_env, tmp_path):
    out = tmp_path / "levels.json"
    run("quality_levels.py", "--sets", "flores-zh-en:2", "--runs", "greedy,best", "--json", str(out), env=visible_env)
    [result] = json.loads(out.read_text("utf-8"))["results"]
    names = {r["name"] for r in result["rows"]}
    assert {"greedy", "best", "best pool: mbr"} <= names


@pytest.mark.slow
def test_summary_input_compares_both_configs(visible_env, tmp_path):
    out = tmp_path / "summary_input.json"
    run("summary_input.py", "--lcsts", "2", "--cnndm", "0", "--pages", "0", "--budget", "20", "--out", str(out),
        env=visible_env)
    configs = json.loads(out.read_text("utf-8"))["sets"]["lcsts"]["configs"]
    assert set(configs) == {"full", "extract"} and configs["extract"]["passes"] > 0


@pytest.mark.slow
def test_seq2seq_marian_on_a_tiny_model(cache, tmp_path):
    needs("torch", "transformers", "sentencepiece")
    out = tmp_path / "marian.json"
    run("seq2seq_marian.py", "--tiny", "-n", "4", "--batch-size", "4", "--new-tokens", "4", "--json", str(out),
        env={"BISUM_CACHE_DIR": str(cache)})
    assert set(json.loads(out.read_text("utf-8"))) == {"batched", "per-sentence", "speedup"}


def test_number_false_alarms_on_reference_translations(cache):
    done = run("number_false_alarms.py", "--no-embed", "--limit", "2", "--quiet", env={"BISUM_CACHE_DIR": str(cache)})
    for check in ("number check, zh-en", "omission/addition check, en-zh", "form check"):
        assert check in done.stdout


def test_e2e_seeds_probe(cache, tmp_path):
    done = run("e2e_seeds.py", "--probe-only", "--engine", "extractive",
               env={"BISUM_CACHE_DIR": str(cache), "BISUM_MEMORY": str(tmp_path / "tm.sqlite3")})
    figures = json.loads(done.stdout)
    assert figures["first_summary_extractive"]["summary"]


def test_page_quality_counts_from_records(cache, tmp_path):
    records = [
        {"id": "a", "source_lang": "zh", "target_lang": "en", "summary": "国家知识产权局今天发布了新的指南。",
         "summary_translated": "The National Intellectual Property Administration released new guidelines today.",
         "checks": [{"type": "numbers", "severity": "error", "message": "currency 元 missing", "repair": None}],
         "timings": {"summarize": 1.0}, "notes": []},
        {"id": "b", "source_lang": "en", "target_lang": "zh", "summary": "Prices rose", "summary_translated": "价格上涨了。",
         "checks": [], "timings": {"summarize": 3.0}, "notes": ["summary replaced by the extractive one"]},
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    done = run("page_quality.py", str(path), "--names", str(tmp_path / "names.md"), env={"BISUM_CACHE_DIR": str(cache)})
    report = json.loads(done.stdout)
    assert report["articles"] == 2 and report["summaries_cut_off"] == ["b"]
    assert report["currency_errors"] == [["a", "currency 元 missing"]] and report["summary_fallbacks"] == ["b"]
    assert (tmp_path / "names.md").read_text("utf-8").startswith("| article |")


@pytest.mark.slow
def test_web_load_against_its_own_server(cache):
    needs("gradio", "gradio_client")
    done = run("web_load.py", "--requests", "2", env={"BISUM_CACHE_DIR": str(cache)})
    assert "2 complete, 0 lost or wrong" in done.stdout
