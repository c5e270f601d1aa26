"""History: every article the page or the HTTP API processed, with its record (results and flags) and the
corrections made in it, searchable over title and text (FTS5 trigram: Chinese without a word splitter).

Callers save: the page and the API after each run (`save_results`); batch CLI runs only with `--history`
(`summarizer history save RECORDS.jsonl` does the same for a run's output afterwards).
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

from summarizer.document import Result
from summarizer.editor.corrections import list_corrections
from summarizer.editor.db import EditorDB
from summarizer.editor.pairs import Pair, iso_time

log = logging.getLogger(__name__)
SNIPPET_CHARS = 120


@dataclass
class HistoryEntry:
    """One saved article: where it came from, how many flags are still open, and its corrections (`edits`)."""

    id: int
    article_id: str | None
    title: str | None
    snippet: str
    source_lang: str | None
    target_lang: str | None
    flags: int
    origin: str | None
    who: str | None
    when: float
    edits: list[Pair] = field(default_factory=list)
    record: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in ("id", "article_id", "title", "snippet", "source_lang", "target_lang",
                                              "flags", "origin", "who")}
        data["when"] = iso_time(self.when)
        data["edits"] = [e.to_dict() for e in self.edits]
        if self.record is not None:
            data["record"] = self.record
        return data


def open_flags(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's errors and warnings that no accepted repair fixed."""
    return [c for c in record.get("checks") or [] if c.get("severity") in ("error", "warning")
            and not (c.get("repair") or {}).get("accepted")]


def save_results(db: EditorDB, results: Iterable[Result], origin: str, who: str | None = None) -> list[int]:
    """Save each result's record; returns their history ids (for linking corrections made in them)."""
    return save_records(db, [r.to_record() for r in results], origin, who)


def remember(results: Iterable[Result], origin: str, who: str | None = None) -> list[int]:
    """Save the results to the history in the default database, for the page and the HTTP API after a run: a
    failure is logged, never raised (history must not break a request). Their history ids ([] on failure)."""
    from summarizer.editor.db import open_db

    try:
        return save_results(open_db(), list(results), origin, who)
    except Exception:  # noqa: BLE001 -- a full disk or a locked file costs the history entry, not the answer
        log.warning("could not save to the history", exc_info=True)
        return []


def save_records(db: EditorDB, records: Iterable[dict[str, Any]], origin: str, who: str | None = None) -> list[int]:
    """Save records (as `Result.to_record` writes them; error records without text are skipped), in one
    transaction."""
    now, ids = time.time(), []
    with db.write() as con:
        for rec in records:
            if not rec.get("text"):
                continue
            cur = con.execute(
                'INSERT INTO articles (article_id, title, text, source_lang, target_lang, record, flags, origin, who, '
                '"when") VALUES (?,?,?,?,?,?,?,?,?,?)',
                (rec.get("id"), rec.get("title"), rec["text"], rec.get("source_lang"), rec.get("target_lang"),
                 json.dumps(rec, ensure_ascii=False), len(open_flags(rec)), origin, who, now))
            ids.append(cur.lastrowid)
    return ids


ENTRY_COLUMNS = 'a.id, a.article_id, a.title, a.text, a.source_lang, a.target_lang, a.flags, a.origin, a.who, a."when"'


def search_history(db: EditorDB, query: str | None = None, limit: int = 20, offset: int = 0) -> list[HistoryEntry]:
    """The newest articles first, or those whose title or text holds every word of `query` (words of three
    characters or more through the trigram index, shorter ones by substring)."""
    words = (query or "").split()
    long_words = [w for w in words if len(w) >= 3]
    sql, args = f"SELECT {ENTRY_COLUMNS} FROM articles a", []
    conditions = []
    if long_words:
        sql += " JOIN articles_fts f ON f.rowid = a.id"
        conditions.append("articles_fts MATCH ?")
        args.append(" AND ".join('"' + w.replace('"', '""') + '"' for w in long_words))
    for word in (w for w in words if len(w) < 3):
        conditions.append("(coalesce(a.title, '') || ' ' || a.text) LIKE ? ESCAPE '\\'")
        args.append("%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    sql += (" WHERE " + " AND ".join(conditions) if conditions else "") + ' ORDER BY a."when" DESC, a.id DESC LIMIT ? OFFSET ?'
    with db.read() as con:
        rows = con.execute(sql, [*args, max(1, limit), max(0, offset)]).fetchall()
    return [_entry(db, row) for row in rows]


def history_entry(db: EditorDB, entry_id: int) -> HistoryEntry | None:
    """One saved article with its whole record."""
    with db.read() as con:
        row = con.execute(f"SELECT {ENTRY_COLUMNS}, a.record FROM articles a WHERE a.id=?", (entry_id,)).fetchone()
    if row is None:
        return None
    entry = _entry(db, row[:-1])
    entry.record = json.loads(row[-1])
    return entry


def _entry(db: EditorDB, row) -> HistoryEntry:
    id_, article_id, title, text, source, target, flags, origin, who, when = row
    snippet = " ".join(text.split())[:SNIPPET_CHARS]
    return HistoryEntry(id_, article_id, title, snippet, source, target, flags, origin, who, when,
                        list_corrections(db, article=id_))
