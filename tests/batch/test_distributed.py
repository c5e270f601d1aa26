"""The Ray executor gives the same records as the local one, and resumes the same way."""
import json

import pytest
from conftest import seed

pytest.importorskip("ray")


def _records(path):
    out = {}
    for line in path.read_text("utf-8").splitlines():
        record = json.loads(line)
        record.pop("timings", None)
        out[record["id"]] = record
    return out


def test_ray_matches_local_on_50_articles(tmp_path, run_cli):
    briefs = [line for line in seed("001").splitlines() if line.startswith("【")]
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(50):
        (folder / f"{i:03d}.txt").write_text(f"第{i}号简讯\n\n{briefs[i % len(briefs)].split('】', 1)[1]}", encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"%PDF-1.4 binary")
    local, remote = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    base = ["run", str(folder), "--engine", "extractive", "--to", "none"]
    assert run_cli(*base, "--out", str(local))[0] == 1  # the PDF is recorded as an error
    code, _, err = run_cli(*base, "--executor", "ray", "--workers", "2", "--out", str(remote))
    assert code == 1, err
    assert _records(local) == _records(remote) and len(_records(remote)) == 51
    # resume: drop some records, rerun, get exactly the same set back
    lines = remote.read_text("utf-8").splitlines()
    remote.write_text("\n".join(lines[:20]) + "\n", encoding="utf-8")
    run_cli(*base, "--executor", "ray", "--out", str(remote), "--resume")
    ids = [json.loads(line)["id"] for line in remote.read_text("utf-8").splitlines()]
    assert len(ids) == 51 and len(set(ids)) == 51
