"""The newsroom glossary: names and terms editors fixed, one call each, kept beside the corrections.

`summarizer.terms.load_terms` merges it into every TermSet (over the default glossary), so an entry goes into the
prompts and the checks of every run from then on.
"""
from __future__ import annotations

import time
from typing import Iterable

from summarizer.editor.db import EditorDB
from summarizer.editor.pairs import MAX_TERM_CHARS, Pair, checked, language

COLUMNS = 'term, translation, source, target, who, "when"'


def add_terms(db: EditorDB, pairs: Iterable[Pair], who: str | None = None) -> list[Pair]:
    """Check and store the terms in one transaction (a term replaces its earlier entry for the same direction)."""
    now = time.time()
    rows = [checked(Pair(p.text, p.translation, p.source, p.target, p.who or who, p.when or now), MAX_TERM_CHARS)
            for p in pairs]
    with db.write() as con:
        con.executemany(f"INSERT OR REPLACE INTO glossary ({COLUMNS}) VALUES (?,?,?,?,?,?)",
                        [(p.text, p.translation, p.source, p.target, p.who, p.when) for p in rows])
    return rows


def add_term(db: EditorDB, pair: Pair, who: str | None = None) -> Pair:
    return add_terms(db, [pair], who)[0]


def remove_term(db: EditorDB, term: str, source: str, target: str, translation: str | None = None) -> int:
    """Delete the term's entry for this direction (only with this translation, when one is given); how many went."""
    args = [term.strip(), language(source, "source"), language(target, "target")]
    extra = " AND translation=?" if translation else ""
    with db.write() as con:
        return con.execute(f"DELETE FROM glossary WHERE term=? AND source=? AND target=?{extra}",
                           args + ([translation.strip()] if translation else [])).rowcount


def list_terms(db: EditorDB, source: str | None = None, target: str | None = None) -> list[Pair]:
    where = [(c, v) for c, v in (("source", source), ("target", target)) if v]
    sql = f"SELECT {COLUMNS} FROM glossary" + (" WHERE " + " AND ".join(f"{c}=?" for c, _ in where) if where else "")
    with db.read() as con:
        rows = con.execute(sql + ' ORDER BY source, term', [v for _, v in where]).fetchall()
    return [Pair(*row) for row in rows]
