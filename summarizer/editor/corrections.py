"""Editors' corrections: accepted sentence pairs that outrank model output.

A correction is keyed on its direction and its source sentence as `normalize` writes it, so the same sentence
anywhere (other spacing, another article) gets the same translation. The newest correction of a sentence wins.
`similar` finds past corrections that look like a piece of text (FTS5 trigram index, ranked by bm25) for
few-shot examples.
"""
from __future__ import annotations

import re
import time
from typing import Iterable, Sequence

from summarizer.editor.db import EditorDB, normalize
from summarizer.editor.pairs import Pair, checked

COLUMNS = 'source, translation, source_lang, target_lang, who, "when", original, article'
MAX_TRIGRAMS = 48  # of a text, in one similarity query


def _pair(row: Sequence) -> Pair:
    return Pair(*row)


def add_corrections(db: EditorDB, pairs: Iterable[Pair], who: str | None = None) -> list[Pair]:
    """Check and store the pairs in one transaction (each replaces an earlier correction of its sentence)."""
    now = time.time()
    rows = [checked(Pair(p.text, p.translation, p.source, p.target, p.who or who, p.when or now, p.original,
                         p.article)) for p in pairs]
    with db.write() as con:
        con.executemany(
            'INSERT INTO corrections (source, source_key, translation, source_lang, target_lang, who, "when", original, '
            "article) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (source_lang, target_lang, source_key) DO UPDATE SET "
            'source=excluded.source, translation=excluded.translation, who=excluded.who, "when"=excluded."when", '
            "original=excluded.original, article=excluded.article",
            [(p.text, normalize(p.text), p.translation, p.source, p.target, p.who, p.when, p.original, p.article)
             for p in rows])
    return rows


def add_correction(db: EditorDB, pair: Pair, who: str | None = None) -> Pair:
    return add_corrections(db, [pair], who)[0]


def remove_correction(db: EditorDB, text: str, source: str, target: str) -> bool:
    with db.write() as con:
        gone = con.execute("DELETE FROM corrections WHERE source_lang=? AND target_lang=? AND source_key=?",
                           (source, target, normalize(text))).rowcount
    return gone > 0


def has_corrections(db: EditorDB, source: str, target: str) -> bool:
    with db.read() as con:
        return con.execute("SELECT 1 FROM corrections WHERE source_lang=? AND target_lang=? LIMIT 1",
                           (source, target)).fetchone() is not None


def version(db: EditorDB, source: str, target: str) -> str:
    """Changes whenever a correction of this direction is added, changed or removed."""
    with db.read() as con:
        n, last, top = con.execute('SELECT COUNT(*), COALESCE(MAX("when"), 0), COALESCE(MAX(id), 0) FROM corrections '
                                   "WHERE source_lang=? AND target_lang=?", (source, target)).fetchone()
    return f"{n}:{last:.6f}:{top}"


def lookup(db: EditorDB, texts: Iterable[str], source: str, target: str) -> dict[str, str]:
    """{normalized text: corrected translation} for those of `texts` that have a correction."""
    keys = sorted({normalize(t) for t in texts if t.strip()})
    found: dict[str, str] = {}
    with db.read() as con:
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            found.update(con.execute(
                f"SELECT source_key, translation FROM corrections WHERE source_lang=? AND target_lang=? "
                f"AND source_key IN ({','.join('?' * len(chunk))})", (source, target, *chunk)).fetchall())
    return found


def list_corrections(db: EditorDB, source: str | None = None, target: str | None = None,
                     article: int | None = None) -> list[Pair]:
    where, args = _where(source=source, target=target, article=article)
    with db.read() as con:
        rows = con.execute(f"SELECT {COLUMNS} FROM corrections{where} ORDER BY id", args).fetchall()
    return [_pair(r) for r in rows]


def _where(**given) -> tuple[str, list]:
    names = {"source": "source_lang", "target": "target_lang", "article": "article"}
    pairs = [(names[k], v) for k, v in given.items() if v is not None]
    return (" WHERE " + " AND ".join(f"{c}=?" for c, _ in pairs) if pairs else ""), [v for _, v in pairs]


def trigrams(text: str) -> list[str]:
    """The text's distinct character trigrams (lower case, spaces folded), at most MAX_TRIGRAMS spread over it."""
    flat = re.sub(r"\s+", " ", normalize(text).lower())
    grams = list(dict.fromkeys(flat[i:i + 3] for i in range(len(flat) - 2)))
    grams = [g for g in grams if g.strip() and len(g.strip()) == 3]
    step = max(1, len(grams) // MAX_TRIGRAMS)
    return grams[::step][:MAX_TRIGRAMS]


def similar(db: EditorDB, text: str, source: str, target: str, k: int, min_overlap: float = 0.3) -> list[Pair]:
    """Up to k corrections of this direction that share the most trigrams with `text` (bm25 order), each sharing at
    least `min_overlap` of the shorter one's trigrams; the text's own correction is left out."""
    grams = trigrams(text)
    if k <= 0 or not grams:
        return []
    query = " OR ".join('"' + g.replace('"', '""') + '"' for g in grams)
    with db.read() as con:
        rows = con.execute(
            f"SELECT {', '.join('c.' + c.strip() for c in COLUMNS.split(','))} FROM corrections_fts "
            "JOIN corrections c ON c.id = corrections_fts.rowid WHERE corrections_fts MATCH ? AND c.source_lang=? "
            "AND c.target_lang=? AND c.source_key != ? ORDER BY bm25(corrections_fts) LIMIT ?",
            (query, source, target, normalize(text), 4 * k)).fetchall()
    mine = set(grams)
    kept = []
    for row in rows:
        theirs = set(trigrams(row[0]))
        if theirs and len(mine & theirs) / min(len(mine), len(theirs)) >= min_overlap:
            kept.append(_pair(row))
    return kept[:k]


def corrected_sentences(db: EditorDB, paragraphs: Sequence[str], source: str, target: str) -> dict[int, list[Pair]]:
    """For the review view: per paragraph index, its sentences (or the paragraph itself) that have a correction,
    as (sentence, correction) pairs -- what `CorrectedEngine` put into that paragraph's translation."""
    from summarizer.text.sentences import split_sentences

    pieces = {i: [p, *split_sentences(p, source)] for i, p in enumerate(paragraphs) if p.strip()}
    found = lookup(db, [s for group in pieces.values() for s in group], source, target)
    marks: dict[int, list[Pair]] = {}
    for i, (whole, *sentences) in pieces.items():
        hits = [whole] if normalize(whole) in found else [s for s in sentences if normalize(s) in found]
        if hits:
            marks[i] = [Pair(s, found[normalize(s)], source, target) for s in hits]
    return marks
