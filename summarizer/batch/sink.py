"""Output: append-only JSONL that survives kills (whole lines only) and resumes, plus atomic single-file writes."""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from filelock import FileLock


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write to a temp file in the same folder, fsync, then rename over `path`: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: str | Path, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def repair_jsonl(path: Path) -> list[dict]:
    """Read the complete records of a JSONL file and cut off a torn last line left by a kill."""
    if not path.exists():
        return []
    data = path.read_bytes()
    records: list[dict] = []
    good_end = 0
    pos = 0
    while pos < len(data):
        nl = data.find(b"\n", pos)
        if nl == -1:
            break  # no newline: the last write was torn
        line = data[pos:nl]
        pos = nl + 1
        if not line.strip():
            good_end = pos
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            break
        good_end = pos
    if good_end < len(data):
        with open(path, "r+b") as fh:
            fh.truncate(good_end)
    return records


class JsonlSink:
    """One JSON object per line; each record is a single write() of a whole line, fsynced, under a file lock."""

    def __init__(self, path: str | Path | None, resume: bool = False, key: str = "id"):
        self.path = Path(path) if path else None
        self.key = key
        self.done: set[str] = set()
        self._fh = None
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(self.path) + ".lock")
        self._lock.acquire(timeout=5)
        if resume:  # records of articles that failed are dropped: a resumed run tries them again
            records = repair_jsonl(self.path)
            kept = [r for r in records if not r.get("error")]
            if len(kept) < len(records):
                atomic_write_text(self.path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept))
            self.done = {str(r.get(key)) for r in kept}
        else:
            self.path.write_bytes(b"")
        self._fh = open(self.path, "ab", buffering=0)

    def write(self, record: dict) -> None:
        text = json.dumps(record, ensure_ascii=False) + "\n"
        if self._fh is None:
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        line = text.encode("utf-8")
        os.write(self._fh.fileno(), line)
        os.fsync(self._fh.fileno())
        self.done.add(str(record.get(self.key)))


    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
            self._lock.release()
            Path(str(self.path) + ".lock").unlink(missing_ok=True)

    def __enter__(self) -> "JsonlSink":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
