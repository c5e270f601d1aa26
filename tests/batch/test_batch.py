"""Resumable batches: SIGKILL mid-run, rerun with --resume, exactly one record per article."""
import json
import os
import signal
import subprocess
import sys
import time

from conftest import seed

from summarizer.batch.sink import JsonlSink, repair_jsonl


def _ids(path):
    return [json.loads(line)["id"] for line in path.read_text("utf-8").splitlines() if line.strip()]


def test_sigkill_then_resume_gives_exactly_one_record_per_file(tmp_path):
    briefs = [line for line in seed("001").splitlines() if line.startswith("【")]
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(300):
        body = briefs[i % len(briefs)].split("】", 1)[-1]
        (folder / f"{i:03d}.txt").write_text(f"第{i}号简讯\n\n{body}", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    cmd = [sys.executable, "-m", "summarizer", "run", str(folder), "--engine", "extractive", "--to", "none", "--out", str(out)]
    proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or len(out.read_bytes().splitlines()) < 20):
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    written = len(_ids(out))
    assert 0 < written < 300, "the kill must land mid-run"
    done = subprocess.run(cmd + ["--resume"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    ids = _ids(out)
    assert len(ids) == 300 and len(set(ids)) == 300


def test_torn_last_line_is_cut_on_resume(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"id": "a"}\n{"id": "b"}\n{"id": "c", "summ')
    assert [r["id"] for r in repair_jsonl(path)] == ["a", "b"]
    assert path.read_bytes() == b'{"id": "a"}\n{"id": "b"}\n'
    with JsonlSink(path, resume=True) as sink:
        assert sink.done == {"a", "b"}
        sink.write({"id": "c"})
    assert _ids(path) == ["a", "b", "c"]


def test_without_resume_the_output_starts_fresh(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": "old"}\n')
    with JsonlSink(path) as sink:
        sink.write({"id": "new"})
    assert _ids(path) == ["new"]
