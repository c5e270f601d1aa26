"""Corrections and glossary entries in and out as TSV, JSONL or TMX 1.4 (the XML that CAT tools exchange).

TSV: `text<TAB>translation<TAB>source<TAB>target<TAB>who<TAB>when` after a `#` header line (a glossary TSV is also
a `--glossary` file: its first two columns are the pair). JSONL: one object a line with LibreTranslate's names,
{"q" (or "term"), "translation", "source", "target", "who", "when"}. TMX: one <tu> per pair with its <tuv>s in
xml:lang zh and en, creationid = who and creationdate = when.
"""
from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from typing import Sequence

from summarizer.editor.pairs import Pair, guess_direction, iso_time, language, parse_time
from summarizer.errors import InputError

log = logging.getLogger(__name__)
FORMATS = ("tsv", "jsonl", "tmx")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TSV_HEADER = "# text\ttranslation\tsource\ttarget\twho\twhen"


def dump(pairs: Sequence[Pair], fmt: str, kind: str = "correction") -> str:
    """kind: correction (sentences; JSONL field q) or term (glossary; JSONL field term, TMX segtype phrase)."""
    if fmt == "tsv":
        rows = [[p.text, p.translation, p.source, p.target, p.who or "", iso_time(p.when) or ""] for p in pairs]
        return "\n".join([TSV_HEADER] + ["\t".join(_cell(v) for v in row) for row in rows]) + "\n"
    if fmt == "jsonl":
        name = "term" if kind == "term" else "q"
        return "".join(json.dumps({name: p.text, "translation": p.translation, "source": p.source,
                                   "target": p.target, "who": p.who, "when": iso_time(p.when)},
                                  ensure_ascii=False) + "\n" for p in pairs)
    if fmt == "tmx":
        return to_tmx(pairs, kind)
    raise InputError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")


def load(text: str, fmt: str) -> list[Pair]:
    """The pairs of a TSV, JSONL or TMX text (not yet checked: storing them checks each)."""
    if fmt == "tsv":
        return [_tsv_pair(line) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if fmt == "jsonl":
        return [_json_pair(line, n) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if fmt == "tmx":
        return from_tmx(text)
    raise InputError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")


def format_of(path: str, given: str | None) -> str:
    """The format given, else the file's extension (.tsv/.csv, .jsonl/.json, .tmx)."""
    if given:
        return given
    ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    found = {"tsv": "tsv", "csv": "tsv", "txt": "tsv", "jsonl": "jsonl", "json": "jsonl", "tmx": "tmx"}.get(ext)
    if not found:
        raise InputError(f"cannot tell the format of {path}: pass --format {'|'.join(FORMATS)}")
    return found


def _cell(value: str) -> str:
    return " ".join(str(value).split())  # tabs and line breaks would break the row


def _tsv_pair(line: str) -> Pair:
    cells = [c.strip() for c in line.rstrip("\r\n").split("\t")]
    if len(cells) < 2:
        raise InputError(f"each TSV line needs a text and its translation, got {line!r}")
    source, target = (cells[2], cells[3]) if len(cells) >= 4 and cells[2] and cells[3] else guess_direction(cells[0])
    who = cells[4] if len(cells) > 4 and cells[4] else None
    return Pair(cells[0], cells[1], source, target, who, parse_time(cells[5]) if len(cells) > 5 else None)


def _json_pair(line: str, number: int) -> Pair:
    try:
        row = json.loads(line)
    except ValueError as exc:
        raise InputError(f"JSONL line {number} is not JSON: {exc}") from None
    if not isinstance(row, dict):
        raise InputError(f"JSONL line {number} is not an object")
    text = next((row[k] for k in ("q", "term", "text", "source_text") if isinstance(row.get(k), str)), "")
    source, target = row.get("source"), row.get("target")
    if not source or not target:
        source, target = guess_direction(text)
    return Pair(text, row.get("translation") or "", source, target, row.get("who"), parse_time(row.get("when")))


def to_tmx(pairs: Sequence[Pair], kind: str = "correction") -> str:
    sources = {p.source for p in pairs}
    root = ET.Element("tmx", version="1.4")
    ET.SubElement(root, "header", {
        "creationtool": "bisum", "creationtoolversion": "0.1.0", "segtype": "phrase" if kind == "term" else "sentence",
        "o-tmf": "bisum", "adminlang": "en", "srclang": sources.pop() if len(sources) == 1 else "*all*",
        "datatype": "plaintext"})
    body = ET.SubElement(root, "body")
    for p in pairs:
        attrs = {"srclang": p.source}
        if p.who:
            attrs["creationid"] = p.who
        if p.when is not None:
            attrs["creationdate"] = (iso_time(p.when) or "").replace("-", "").replace(":", "")
        tu = ET.SubElement(body, "tu", attrs)
        ET.SubElement(tu, "prop", type="x-bisum-kind").text = kind
        for lang, text in ((p.source, p.text), (p.target, p.translation)):
            ET.SubElement(ET.SubElement(tu, "tuv", {XML_LANG: lang}), "seg").text = text
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def from_tmx(text: str) -> list[Pair]:
    """Pairs from a TMX file's <tu>s: its zh and en <tuv>s (other languages are skipped, with a count)."""
    if "<!DOCTYPE" in text[:2000] and "<!ENTITY" in text:
        raise InputError("TMX files with entity declarations are not read")
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise InputError(f"not a TMX file: {exc}") from None
    header = root.find("header")
    default = header.get("srclang", "*all*") if header is not None else "*all*"
    pairs, skipped = [], 0
    for tu in root.iter("tu"):
        pair = _tu_pair(tu, tu.get("srclang") or default)
        if pair is None:
            skipped += 1
        else:
            pairs.append(pair)
    if skipped:
        log.warning("TMX: %d unit(s) without a zh and an en segment were skipped", skipped)
    return pairs


def _tu_pair(tu: ET.Element, srclang: str) -> Pair | None:
    segments: dict[str, str] = {}
    for tuv in tu.findall("tuv"):
        code = tuv.get(XML_LANG) or tuv.get("lang") or ""
        seg = tuv.find("seg")
        try:
            lang = language(code, "TMX")
        except InputError:
            continue
        if seg is not None and lang not in segments:
            segments[lang] = "".join(seg.itertext()).strip()
    if set(segments) != {"zh", "en"}:
        return None
    try:
        source = language(srclang, "TMX source")
    except InputError:
        source = guess_direction(segments["zh"])[0]
    target = "en" if source == "zh" else "zh"
    return Pair(segments[source], segments[target], source, target, tu.get("creationid") or tu.get("changeid"),
                parse_time(tu.get("creationdate") or tu.get("changedate")))
