"""zh<->en term lists (TSV or CSV): loaded once, injected into translation prompts, checked in outputs."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from summarizer.config import PACKAGE_DIR
from summarizer.errors import InputError
from summarizer.text.lang import HAN

DEFAULT_GLOSSARY = PACKAGE_DIR / "data" / "glossary_ip_tech.tsv"


@dataclass(frozen=True)
class Term:
    zh: str
    en: str


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms)

    def __add__(self, other: "Glossary") -> "Glossary":
        seen = {t.zh for t in other.terms}
        return Glossary(tuple(other.terms) + tuple(t for t in self.terms if t.zh not in seen))

    def matches(self, text: str, source_lang: str) -> list[Term]:
        """Terms whose source side occurs in `text`; longest first, and a term inside a longer match is skipped."""
        key = (lambda t: t.zh) if source_lang == "zh" else (lambda t: t.en)
        found: list[Term] = []
        lowered = text if source_lang == "zh" else text.lower()
        for term in sorted(self.terms, key=lambda t: -len(key(t))):
            needle = key(term) if source_lang == "zh" else key(term).lower()
            if needle and needle in lowered and not any(needle in (key(f) if source_lang == "zh" else key(f).lower()) for f in found):
                found.append(term)
        return found

    def prompt_lines(self, text: str, source_lang: str) -> str:
        """The glossary entries relevant to `text`, one `source = target` pair a line."""
        pairs = [(t.zh, t.en) if source_lang == "zh" else (t.en, t.zh) for t in self.matches(text, source_lang)]
        return "\n".join(f"{a} = {b}" for a, b in pairs)


def parse_glossary(text: str, name: str = "glossary") -> Glossary:
    delimiter = "\t" if "\t" in text else ","
    terms = []
    for row in csv.reader((ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), delimiter=delimiter):
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise InputError(f"{name}: each line needs a Chinese term and an English term, got {row!r}")
        zh, en = row[0].strip(), row[1].strip()
        if not HAN.search(zh) and HAN.search(en):
            zh, en = en, zh  # accept en,zh column order
        terms.append(Term(zh, en))
    return Glossary(tuple(terms))


@lru_cache(maxsize=16)
def load_glossary(path: str | None = None, use_default: bool = True) -> Glossary:
    """The default IP/tech glossary, extended (and overridden) by the user's file."""
    glossary = parse_glossary(DEFAULT_GLOSSARY.read_text("utf-8"), "default glossary") if use_default else Glossary()
    if path:
        p = Path(path)
        if not p.is_file():
            raise InputError(f"glossary not found: {path}")
        glossary = glossary + parse_glossary(p.read_text("utf-8-sig"), p.name)
    return glossary
