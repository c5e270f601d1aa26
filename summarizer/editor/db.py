"""The editors' tables, in the translation memory's SQLite file (WAL): corrections, the newsroom glossary and the
history of processed articles (with FTS5 `trigram` indexes, which search Chinese without a word splitter).

One `EditorDB` per file and process (`open_db`): its connection is shared by the threads of a server under a lock,
and every write is one `BEGIN IMMEDIATE` transaction with a busy timeout, so concurrent writers (threads or
processes) wait their turn instead of losing rows.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from summarizer.config import memory_path

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY, source_lang TEXT NOT NULL, target_lang TEXT NOT NULL, source TEXT NOT NULL,
    source_key TEXT NOT NULL, translation TEXT NOT NULL, original TEXT, who TEXT, "when" REAL NOT NULL,
    article INTEGER, UNIQUE (source_lang, target_lang, source_key));
CREATE VIRTUAL TABLE IF NOT EXISTS corrections_fts USING fts5(
    source, content='corrections', content_rowid='id', tokenize='trigram');
CREATE TRIGGER IF NOT EXISTS corrections_ai AFTER INSERT ON corrections BEGIN
    INSERT INTO corrections_fts(rowid, source) VALUES (new.id, new.source); END;
CREATE TRIGGER IF NOT EXISTS corrections_ad AFTER DELETE ON corrections BEGIN
    INSERT INTO corrections_fts(corrections_fts, rowid, source) VALUES ('delete', old.id, old.source); END;
CREATE TRIGGER IF NOT EXISTS corrections_au AFTER UPDATE ON corrections BEGIN
    INSERT INTO corrections_fts(corrections_fts, rowid, source) VALUES ('delete', old.id, old.source);
    INSERT INTO corrections_fts(rowid, source) VALUES (new.id, new.source); END;
CREATE TABLE IF NOT EXISTS glossary (
    term TEXT NOT NULL, translation TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, who TEXT,
    "when" REAL NOT NULL, PRIMARY KEY (term, source, target));
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY, article_id TEXT, title TEXT, text TEXT NOT NULL, source_lang TEXT, target_lang TEXT,
    record TEXT NOT NULL, flags INTEGER NOT NULL DEFAULT 0, origin TEXT, who TEXT, "when" REAL NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, text, content='articles', content_rowid='id', tokenize='trigram');
CREATE TRIGGER IF NOT EXISTS articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, coalesce(new.title, ''), new.text); END;
CREATE TRIGGER IF NOT EXISTS articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.id, coalesce(old.title, ''), old.text); END;
"""


def normalize(text: str) -> str:
    """The form a sentence is matched in: NFC, whitespace runs as one space, no space at the ends."""
    return " ".join(unicodedata.normalize("NFC", text).split())


class EditorDB:
    """The editors' tables in one SQLite file; `read()` and `write()` hand out its connection under a lock."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self.db = sqlite3.connect(str(self.path), timeout=60, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA busy_timeout=60000")
        with self._lock:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            with self.write() as db:
                _create(db)

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self.db

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, taken at once (BEGIN IMMEDIATE): other writers wait up to the busy timeout."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self.db.close()


def _create(db: sqlite3.Connection) -> None:
    for statement in _statements(SCHEMA):
        db.execute(statement)


def _statements(script: str) -> list[str]:
    """The schema's statements (a trigger's body holds `;` of its own, so split on complete statements)."""
    out, buffer = [], ""
    for line in script.strip().splitlines():
        buffer += line + "\n"
        if sqlite3.complete_statement(buffer):
            out.append(buffer.strip())
            buffer = ""
    return out


_OPEN: dict[Path, EditorDB] = {}
_OPEN_LOCK = threading.Lock()


def open_db(path: str | Path | None = None) -> EditorDB:
    """The process's EditorDB for `path` (default: the translation memory's file, `config.memory_path()`)."""
    key = Path(path or memory_path()).resolve()
    with _OPEN_LOCK:
        found = _OPEN.get(key)
        if found is None or not key.exists():  # a file deleted under us (tests, `cache clear`) is made again
            found = _OPEN[key] = EditorDB(key)
        return found


def existing_db(path: str | Path | None = None) -> EditorDB | None:
    """The EditorDB when its file exists, else None (reading never creates the file)."""
    key = Path(path or memory_path())
    return open_db(key) if key.exists() else None
