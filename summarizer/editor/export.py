"""An article's results for the desk: .docx (python-docx), Markdown or JSON, from its record (`Result.to_record`).

Each holds the summary and its translation, the translation (title first), a bilingual side-by-side table of the
paragraphs and the flags still open (errors and warnings no accepted repair fixed).
"""
from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any, Iterable

from summarizer.editor.history import open_flags
from summarizer.errors import InputError

EXPORT_FORMATS = ("docx", "md", "json")
LANG_NAMES = {"zh": "Chinese", "en": "English"}


def flag_line(check: dict[str, Any]) -> str:
    span = check.get("span") or check.get("target_span") or check.get("source_span")
    where = f" [{check['field']}]" if check.get("field") else ""
    return f"{check.get('severity', '?')} {check.get('type', '?')}{where}: {check.get('message', '')}" + (
        f" — “{span}”" if span else "")


def _title(record: dict[str, Any]) -> str:
    return record.get("title") or record.get("title_translated") or str(record.get("id") or "article")


def _pairs(record: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p[0], p[1]) for p in record.get("translation_pairs") or []]


def record_markdown(record: dict[str, Any]) -> str:
    lines = [f"# {_title(record)}", ""]
    for label, key in (("Summary", "summary"), ("Summary, translated", "summary_translated")):
        if record.get(key):
            lines += [f"## {label}", "", record[key], ""]
    if record.get("translation"):
        lines += ["## Translation", ""] + ([f"### {record['title_translated']}", ""] * bool(
            record.get("title_translated"))) + [record["translation"], ""]
    pairs = _pairs(record)
    if pairs:
        source, target = LANG_NAMES.get(record.get("source_lang") or "", "Source"), LANG_NAMES.get(
            record.get("target_lang") or "", "Translation")
        lines += ["## Side by side", "", f"| {source} | {target} |", "| --- | --- |"]
        lines += [f"| {_md_cell(a)} | {_md_cell(b)} |" for a, b in pairs] + [""]
    flags = open_flags(record)
    lines += ["## Open flags", ""] + ([f"- {flag_line(c)}" for c in flags] or ["None."]) + [""]
    notes = [n for n in record.get("notes") or [] if "correction" in n]
    return "\n".join(lines + ([f"_{n}_" for n in notes] + [""] if notes else []))


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def record_docx(record: dict[str, Any]) -> bytes:
    try:
        import docx
    except ImportError:
        raise InputError(".docx export needs python-docx: pip install 'bisum[web]'") from None
    doc = docx.Document()
    doc.add_heading(_title(record), level=1)
    for label, key in (("Summary", "summary"), ("Summary, translated", "summary_translated")):
        if record.get(key):
            doc.add_heading(label, level=2)
            doc.add_paragraph(record[key])
    if record.get("translation"):
        doc.add_heading("Translation", level=2)
        if record.get("title_translated"):
            doc.add_heading(record["title_translated"], level=3)
        for paragraph in record["translation"].split("\n\n"):
            doc.add_paragraph(paragraph)
    pairs = _pairs(record)
    if pairs:
        doc.add_heading("Side by side", level=2)
        table = doc.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        table.rows[0].cells[0].text = LANG_NAMES.get(record.get("source_lang") or "", "Source")
        table.rows[0].cells[1].text = LANG_NAMES.get(record.get("target_lang") or "", "Translation")
        for source, target in pairs:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = source, target
    doc.add_heading("Open flags", level=2)
    for check in open_flags(record) or [None]:
        doc.add_paragraph(flag_line(check) if check else "None.", style="List Bullet" if check else None)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def file_stem(record: dict[str, Any], taken: set[str]) -> str:
    """A safe, unique file name for the record (its id, else its title)."""
    base = re.sub(r"[^\w.-]+", "_", str(record.get("id") or _title(record)), flags=re.UNICODE).strip("._")[:80]
    stem, n = base or "article", 1
    while stem in taken:
        n += 1
        stem = f"{base}_{n}"
    taken.add(stem)
    return stem


def export_records(records: Iterable[dict[str, Any]], fmt: str, out_dir: Path) -> list[Path]:
    """One file per record (error records without text are skipped) under out_dir; their paths."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written, taken = [], set()
    for record in records:
        if record.get("error") and not record.get("text"):
            continue
        path = out_dir / f"{file_stem(record, taken)}.{fmt}"
        if fmt == "docx":
            path.write_bytes(record_docx(record))
        elif fmt == "md":
            path.write_text(record_markdown(record), "utf-8")
        else:
            path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", "utf-8")
        written.append(path)
    return written
