"""Translation memory: a SQLite cache (WAL, safe across processes) wrapped around any Engine."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

from summarizer.config import Settings, memory_path, prompts_dir
from summarizer.engines.base import Engine
from summarizer.generation import Generation, Terms


def normalize_segment(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


# Bump when engine code changes what a given prompt, text and settings produce (keys then miss old entries).
OUTPUT_REVISION = "2026-11-21: summaries read key sentences"


@lru_cache(maxsize=4)
def prompts_fingerprint(folder: str) -> str:
    digest = hashlib.sha256()
    for path in sorted([*Path(folder).glob("*.txt"), *Path(folder).glob("*.jsonl")]):  # templates and examples
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


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
    """An Engine that is itself an Engine: the inner engine's outputs, kept in the translation memory.

    Identical texts in one call are computed once. Outputs served from the memory carry no notes (nothing was
    generated); failed generations are never stored. Repair is not cached: it goes to the inner engine.
    """

    def __init__(self, engine: Engine, memory: TranslationMemory, settings: Settings):
        self.inner = engine
        self.memory = memory
        self.name: str = engine.name
        self.model: str | None = engine.model
        self.can_translate: bool = engine.can_translate
        self.fingerprint = json.dumps(
            {"engine": engine.name, "model": engine.model, "prompts": prompts_fingerprint(str(prompts_dir())),
             "revision": OUTPUT_REVISION,
             **settings.output_options()},
            sort_keys=True, default=str,
        )

    def _key(self, task: str, text: str, terms_lines: str) -> str:
        payload = f"{self.fingerprint}\x1f{task}\x1f{terms_lines}\x1f{normalize_segment(text)}"
        return hashlib.sha256(payload.encode()).hexdigest()

    def _cached(self, task: str, texts: Sequence[str], terms_lines: Sequence[str],
                compute: Callable[[list[str]], list[Generation]]) -> list[Generation]:
        keys = [self._key(task, t, lines) for t, lines in zip(texts, terms_lines)]
        found = {k: Generation(v) for k, v in self.memory.get_many(sorted(set(keys))).items()}
        todo: dict[str, str] = {}
        for key, text in zip(keys, texts):
            if key not in found and key not in todo:
                todo[key] = text
        if todo:
            fresh = dict(zip(todo, compute(list(todo.values()))))
            self.memory.put_many([(k, task, self.name, self.model, todo[k], out.text)
                                  for k, out in fresh.items() if out.text and not out.failed])
            found.update(fresh)
        return [found[k] for k in keys]

    def translate(self, texts: Sequence[str], source_lang: str, target_lang: str,
                  terms: Terms | None = None) -> list[Generation]:
        examples = self._examples_version(source_lang, target_lang)
        lines = [(terms.prompt_lines(t, source_lang) if terms else "") + examples for t in texts]
        return self._cached(f"translate:{source_lang}-{target_lang}", texts, lines,
                            lambda todo: self.inner.translate(todo, source_lang, target_lang, terms))

    def _examples_version(self, source_lang: str, target_lang: str) -> str:
        """Where the inner engine's few-shot pairs come from the editors' corrections (`CorrectionExamples`), the
        state of those corrections: outputs made with other examples are not reused."""
        version = getattr(getattr(self.inner, "example_source", None), "version", None)
        return f"\x1fexamples:{version(source_lang, target_lang)}" if callable(version) else ""

    def summarize(self, texts: Sequence[str], lang: str, sentences: int, target_lang: str | None = None,
                  terms: Terms | None = None) -> list[Generation]:
        lines = [terms.prompt_lines(t, lang) if terms else "" for t in texts]
        return self._cached(f"summarize:{lang}-{target_lang or lang}:{sentences}", texts, lines,
                            lambda todo: self.inner.summarize(todo, lang, sentences, target_lang, terms))
