"""The editor's loop, kept in the translation memory's SQLite file next to the memory itself:

- `corrections`: accepted sentence pairs; they outrank model output wherever the sentence comes again (the
  translator built by `pipeline.build_pipeline` is wrapped in `engines.corrected.CorrectedEngine`), and can serve as
  few-shot examples (`similar`).
- `glossary`: the newsroom glossary; `terms.load_terms` merges it into every TermSet (prompts and checks).
- `history`: every article the page and the API processed, searchable (FTS5 trigram).
- `formats`: TSV / JSONL / TMX 1.4 in and out; `export`: .docx, Markdown and JSON of a record.

`db.open_db()` opens the file (`config.memory_path()`, BISUM_MEMORY) once per process.
"""
from __future__ import annotations

from summarizer.editor.db import EditorDB, existing_db, normalize, open_db
from summarizer.editor.pairs import Pair, TooLarge

__all__ = ["EditorDB", "Pair", "TooLarge", "existing_db", "normalize", "open_db"]
