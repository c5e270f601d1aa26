"""Plain dataclasses that flow through the pipeline: Document -> Article -> Result."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Removal:
    """One piece of text that cleaning dropped, and why."""

    reason: str  # e.g. "share-widget", "spam-links", "related-list"
    text: str
    line: int | None = None  # 1-based line in the raw document, when known

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Check:
    """One faithfulness or form problem found in an output."""

    type: str  # number | term | entity | omission | addition | untranslated | repetition | truncated | unsupported
    severity: str  # error | warning | info
    message: str
    source_span: str | None = None
    target_span: str | None = None
    field: str | None = None  # which output it concerns: summary | summary_translated | translation
    paragraph: int | None = None  # for field "translation": the index of its (paragraph, translation) pair
    repair: dict[str, Any] | None = None  # {"original", "fixed", "reason"} when a repair was attempted

    @property
    def span(self) -> str | None:
        return self.target_span or self.source_span

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["span"] = self.span
        return data


@dataclass
class Document:
    """One input: a file, a JSONL line or stdin, decoded to text."""

    id: str
    source_file: str
    raw_text: str
    format: str = "text"  # text | markdown | html | jsonl
    encoding: str = "utf-8"
    meta: dict[str, Any] = field(default_factory=dict)
    # Filled by cleaning:
    text: str = ""
    removed: list[Removal] = field(default_factory=list)


@dataclass
class Article:
    """One news article found in a document."""

    id: str
    source_file: str
    title: str | None
    text: str
    paragraphs: list[str] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)  # byline, captions, date, ...
    source_lang: str | None = None  # zh | en | mixed | unknown
    script: str | None = None  # Hans | Hant | Latn | mixed | None


@dataclass
class Result:
    """An article plus everything the pipeline made of it; one JSONL record."""

    article: Article
    summary: str | None = None
    target_lang: str | None = None
    summary_translated: str | None = None
    title_translated: str | None = None  # full translations: the article's title
    translation: str | None = None
    translation_pairs: list[tuple[str, str]] | None = None  # (source paragraph, translated paragraph)
    checks: list[Check] = field(default_factory=list)
    engine: str | None = None
    model: str | None = None
    quality: str | None = None  # the translation quality plan's label (level and changed methods)
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_record(self) -> dict[str, Any]:
        art = self.article
        return {
            "id": art.id,
            "source_file": art.source_file,
            "title": art.title,
            "source_lang": art.source_lang,
            "script": art.script,
            "text": art.text,
            "removed": [r.to_dict() for r in art.removed],
            "meta": art.meta or None,
            "summary": self.summary,
            "target_lang": self.target_lang,
            "summary_translated": self.summary_translated,
            "title_translated": self.title_translated,
            "translation": self.translation,
            "translation_pairs": [list(p) for p in self.translation_pairs] if self.translation_pairs else None,
            "checks": [c.to_dict() for c in self.checks],
            "engine": self.engine,
            "model": self.model,
            "quality": self.quality,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "error": self.error,
            "notes": self.notes or None,
        }
