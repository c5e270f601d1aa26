"""Ingest: files, directories, JSONL and stdin -> decoded `Document`s (text, Markdown, HTML, .docx)."""
from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Iterator

from charset_normalizer import from_bytes

from summarizer.document import Document
from summarizer.errors import InputError

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".jsonl", ".ndjson", ".docx"}
_BINARY_MAGIC = {
    b"%PDF": "a PDF file",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an executable",
    b"PK\x03\x04": "a zip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7z archive",
}
_HTML_SNIFF = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<\?xml[^>]*>\s*<html)", re.I)


def human_size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n / 1000:.1f} kB"


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Bytes -> (text, encoding). UTF-8 (BOM or not), UTF-16 (BOM or not), GB18030/GBK, Big5 and more."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").lstrip("\ufeff"), "utf-16"
    if len(data) >= 4 and data.count(b"\x00") > len(data) // 4:
        even, odd = data[0::2].count(b"\x00"), data[1::2].count(b"\x00")
        if odd > len(data) // 4 and even < odd // 8:
            return data.decode("utf-16-le", errors="replace"), "utf-16-le"
        if even > len(data) // 4 and odd < even // 8:
            return data.decode("utf-16-be", errors="replace"), "utf-16-be"
    if b"\x00" in data[:8192]:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return utf16
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"{name}: this is {what}, not text")
    if b"\x00" in data[:8192] and data[:8192].count(b"\x00") > 8:
        raise InputError(f"{name}: binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # GB18030 is a superset of GBK/GB2312 and the most common legacy encoding of Chinese pages
        text = data.decode("gb18030")
        if _looks_like_text(text):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    if best is None or not _looks_like_text(str(best)):
        raise InputError(f"{name}: binary or undecodable file, not text")
    encoding = best.encoding
    if encoding in {"gbk", "gb2312", "hz"}:
        encoding = "gb18030"
    return data.decode(encoding, errors="replace"), encoding


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text saved without a BOM: Chinese has few NUL bytes, so decode and look at what comes out."""
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data[: len(data) - len(data) % 2].decode(encoding)
        except UnicodeDecodeError:
            continue
        plausible = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t")
        cjk_or_ascii = sum(1 for ch in text if ch < "\u0080" or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
        if text and plausible >= 0.98 * len(text) and cjk_or_ascii >= 0.9 * len(text):
            return text, encoding
    return None


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    bad = sum(1 for ch in text[:20000] if (ord(ch) < 32 and ch not in "\n\r\t\f\x1b") or "\ue000" <= ch <= "\uf8ff")
    return bad <= max(2, len(text[:20000]) // 100)


def sniff_format(name: str, data: bytes) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in {".html", ".htm", ".xhtml"} or _HTML_SNIFF.match(data[:2048]):
        return "html"
    if suffix in {".md", ".markdown"}:
        return "markdown"
    if suffix in {".jsonl", ".ndjson"}:
        return "jsonl"
    if suffix == ".docx":
        return "docx"
    return "text"


def html_to_text(html: str) -> tuple[str, dict]:
    """Article body and metadata of an HTML page, via trafilatura; falls back to all visible text."""
    import trafilatura

    meta: dict = {}
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True) or ""
    info = trafilatura.extract_metadata(html)
    if info is not None:
        for key in ("title", "author", "date", "sitename", "url"):
            value = getattr(info, key, None)
            if value:
                meta[key] = value
    if not text.strip():
        from lxml import html as lxml_html

        try:
            tree = lxml_html.fromstring(html)
            for bad in tree.xpath("//script|//style|//noscript"):
                bad.drop_tree()
            text = tree.text_content()
        except Exception:  # lxml rejects some fragments; keep the raw text then
            text = re.sub(r"<[^>]+>", " ", html)
    if meta.get("title") and not text.lstrip().startswith(meta["title"]):
        text = f"{meta['title']}\n\n{text}"
    return text, meta


_MD_RULES = [
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),  # headings
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"), r"\1"),  # italic
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),  # block quotes
    (re.compile(r"^\s*```.*$", re.M), ""),  # code fences
    (re.compile(r"^\s*([-*_])\s*(\1\s*){2,}$", re.M), ""),  # rules
    (re.compile(r"^\s*[-*+]\s+", re.M), ""),  # bullets
]


def markdown_to_text(text: str) -> str:
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    return text


def docx_to_text(data: bytes, name: str) -> str:
    try:
        import docx
    except ImportError as exc:
        raise InputError(f"{name}: reading .docx needs python-docx (pip install 'bisum[web]')") from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise InputError(f"{name}: not a readable .docx file ({exc.__class__.__name__})") from exc
    return "\n\n".join(p.text for p in document.paragraphs if p.text.strip())


def documents_from_bytes(data: bytes, name: str, doc_id: str, max_bytes: int) -> list[Document]:
    """Decode one input (already read) into one Document, or one per JSONL line."""
    if len(data) > max_bytes:
        raise InputError(f"{name}: {human_size(len(data))} is over the size limit of {human_size(max_bytes)} (--max-bytes)")
    fmt = sniff_format(name, data)
    if fmt == "docx":
        return [Document(id=doc_id, source_file=name, raw_text=docx_to_text(data, name), format="docx", encoding="docx")]
    text, encoding = decode(data, name)
    if fmt == "jsonl":
        return list(_jsonl_documents(text, name, doc_id, encoding, max_bytes))
    meta: dict = {}
    if fmt == "html":
        text, meta = html_to_text(text)
    elif fmt == "markdown":
        text = markdown_to_text(text)
    return [Document(id=doc_id, source_file=name, raw_text=text, format=fmt, encoding=encoding, meta=meta)]


def jsonl_objects(text: str, name: str) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-blank JSONL line; a line that is not a JSON object is an InputError."""
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{lineno}: invalid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise InputError(f"{name}:{lineno}: expected a JSON object")
        yield lineno, obj


def _jsonl_documents(text: str, name: str, doc_id: str, encoding: str, max_bytes: int) -> Iterator[Document]:
    for lineno, obj in jsonl_objects(text, name):
        body = obj.get("text", obj.get("source"))
        if not isinstance(body, str):
            raise InputError(f'{name}:{lineno}: each line needs a "text" or "source" string')
        if len(body.encode("utf-8")) > max_bytes:
            raise InputError(f"{name}:{lineno}: text is over the size limit of {human_size(max_bytes)}")
        item_id = str(obj.get("id", f"{doc_id}:{lineno}"))
        meta = {k: v for k, v in obj.items() if k not in {"text", "source", "id"}}
        fmt = "html" if _HTML_SNIFF.match(body[:2048].encode("utf-8", "ignore")) else "text"
        if fmt == "html":
            body, html_meta = html_to_text(body)
            meta.update(html_meta)
        yield Document(id=item_id, source_file=f"{name}:{lineno}", raw_text=body, format="jsonl", encoding=encoding, meta=meta)


def expand_paths(paths: list[str]) -> list[tuple[str, Path | None]]:
    """(display name, path) for each input; directories recursively, '-' is stdin (path None)."""
    found: list[tuple[str, Path | None]] = []
    for raw in paths:
        if raw == "-":
            found.append(("-", None))
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and (p.suffix.lower() in TEXT_SUFFIXES or not p.suffix)
            )
            found.extend((str(p), p) for p in files)
        elif path.is_file():
            found.append((str(path), path))
        elif path.exists():
            raise InputError(f"{raw}: not a regular file")
        else:
            raise InputError(f"{raw}: no such file or directory")
    return found


def document_id(name: str, path: Path | None, roots: list[str]) -> str:
    if path is None:
        return "stdin"
    for root in roots:
        root_path = Path(root)
        if root_path.is_dir():
            try:
                return str(path.relative_to(root_path).with_suffix(""))
            except ValueError:
                continue
    return path.stem


def read_one(name: str, path: Path | None, doc_id: str, max_bytes: int) -> list[Document]:
    if path is None:
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{name}: {human_size(size)} is over the size limit of {human_size(max_bytes)} (--max-bytes)")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{name}: cannot read ({exc.strerror})") from exc
    return documents_from_bytes(data, name, doc_id, max_bytes)


def read_text_arg(value: str, max_bytes: int) -> tuple[str, str]:
    """A CLI TEXT|FILE|- argument -> (text, name)."""
    if value == "-":
        docs = read_one("-", None, "stdin", max_bytes)
    elif len(value) < 1024 and "\n" not in value and Path(value).is_file():
        docs = read_one(value, Path(value), Path(value).stem, max_bytes)
    else:
        return value, "<text>"
    return "\n\n".join(d.raw_text for d in docs), docs[0].source_file if docs else value


def documents_from_arg(value: str, max_bytes: int) -> list[Document]:
    """A TEXT|FILE|- argument as Documents, each input read and extracted exactly once (format from the file)."""
    if value == "-":
        return read_one("-", None, "stdin", max_bytes)
    if len(value) < 1024 and "\n" not in value and Path(value).is_file():
        return read_one(value, Path(value), Path(value).stem, max_bytes)
    return documents_from_bytes(value.encode("utf-8"), "<text>", "text", max_bytes)
