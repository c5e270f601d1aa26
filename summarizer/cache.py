"""Translation memory: a SQLite cache (WAL, safe across processes) wrapped around any Engine."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from .config import Settings, memory_path, prompts_dir

# Settings that change what an engine outputs; any change gives new cache keys.
_OUTPUT_SETTINGS = ("segment_tokens", "max_new_tokens_ratio", "min_new_tokens", "repetition_penalty", "no_repeat_ngram_size",
                    "glossary", "use_default_glossary", "map_reduce_chars", "summary_chars", "position_weight", "mmr_lambda")


def normalize_segment(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@lru_cache(maxsize=4)
def prompts_fingerprint(folder: str) -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(folder).glob("*.txt")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _file_hash(path: str | None) -> str | None:
    if not path or not Path(path).is_file():
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


class TranslationMemory:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS memory (key TEXT PRIMARY KEY, task TEXT, engine TEXT, model TEXT, "
            "source TEXT, output TEXT, created REAL, hits INTEGER DEFAULT 0)"
        )
        self.session_hits = 0
        self.session_misses = 0

    @classmethod
    def open_default(cls) -> "TranslationMemory":
        return cls(memory_path())

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            rows = self.db.execute(
                f"SELECT key, output FROM memory WHERE key IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall()
            found.update(rows)
        if found:
            self.db.executemany("UPDATE memory SET hits = hits + 1 WHERE key = ?", [(k,) for k in found])
        return found

    def put_many(self, rows: Sequence[tuple[str, str, str, str | None, str, str]]) -> None:
        """rows: (key, task, engine, model, source, output)."""
        now = time.time()
        self.db.executemany(
            "INSERT OR REPLACE INTO memory (key, task, engine, model, source, output, created, hits) VALUES (?,?,?,?,?,?,?,0)",
            [(*row, now) for row in rows],
        )

    def stats(self) -> dict:
        n, hits = self.db.execute("SELECT COUNT(*), COALESCE(SUM(hits), 0) FROM memory").fetchone()
        by_task = dict(self.db.execute("SELECT task, COUNT(*) FROM memory GROUP BY task").fetchall())
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())
        return {"path": str(self.path), "entries": n, "hits": hits, "by_task": by_task, "size_bytes": size}

    def clear(self) -> int:
        n = self.db.execute("SELECT COUNT(*) FROM memory").fetchone()[0]
        self.db.execute("DELETE FROM memory")
        self.db.execute("VACUUM")
        return n


class CachedEngine:
    """Any Engine plus the translation memory; identical texts in one call are computed once."""

    def __init__(self, engine, memory: TranslationMemory, settings: Settings):
        self.inner = engine
        self.memory = memory
        self.name = engine.name
        self.model = engine.model
        self.can_translate = engine.can_translate
        options = {k: getattr(settings, k) for k in _OUTPUT_SETTINGS}
        options["glossary_hash"] = _file_hash(settings.glossary)
        self.fingerprint = json.dumps(
            {"engine": engine.name, "model": engine.model, "prompts": prompts_fingerprint(str(prompts_dir())), **options},
            sort_keys=True, default=str,
        )

    def __getattr__(self, item):  # repair(), last_notes, ... of the wrapped engine
        return getattr(self.inner, item)

    def _key(self, task: str, text: str) -> str:
        return hashlib.sha256(f"{self.fingerprint}\x1f{task}\x1f{normalize_segment(text)}".encode()).hexdigest()

    def _cached(self, task: str, texts: Sequence[str], compute) -> list[str]:
        keys = [self._key(task, t) for t in texts]
        found = self.memory.get_many(sorted(set(keys)))
        todo: dict[str, str] = {}
        for key, text in zip(keys, texts):
            if key not in found and key not in todo:
                todo[key] = text
        self.memory.session_hits += sum(1 for k in keys if k in found)
        self.memory.session_misses += len(todo)
        if todo:
            outputs = compute(list(todo.values()))
            fresh = dict(zip(todo.keys(), outputs))
            self.memory.put_many([(k, task, self.name, self.model, todo[k], out) for k, out in fresh.items() if out])
            found.update(fresh)
        return [found[k] for k in keys]

    def translate(self, texts: Sequence[str], source_lang: str, target_lang: str) -> list[str]:
        return self._cached(f"translate:{source_lang}-{target_lang}", texts,
                            lambda todo: self.inner.translate(todo, source_lang, target_lang))

    def summarize(self, texts: Sequence[str], lang: str, sentences: int, target_lang: str | None = None) -> list[str]:
        return self._cached(f"summarize:{lang}-{target_lang or lang}:{sentences}", texts,
                            lambda todo: self.inner.summarize(todo, lang, sentences, target_lang))
