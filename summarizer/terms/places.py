"""Countries, regions and cities with their Chinese names and the adjectives and demonyms a translation may use
(法国 → "France" or "French"), read from the compact data file summarizer/data/places.tsv."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from summarizer.config import PACKAGE_DIR

PLACES_FILE = PACKAGE_DIR / "data" / "places.tsv"


@dataclass(frozen=True)
class Place:
    en: str
    zh: str
    kind: str  # country | region | continent | city
    also: tuple[str, ...] = ()  # adjectives, demonyms and short forms: French, Frenchman for France


@lru_cache(maxsize=1)
def load_places() -> tuple[Place, ...]:
    """Every place of the data file, in file order."""
    places = []
    for line in PLACES_FILE.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("en\t"):
            continue
        en, zh, kind, *rest = line.split("\t")
        also = tuple(a.strip() for a in (rest[0] if rest else "").split("|") if a.strip())
        places.append(Place(en.strip(), zh.strip(), kind.strip(), also))
    return tuple(places)


@lru_cache(maxsize=1)
def demonyms() -> dict[str, tuple[str, ...]]:
    """English place name → the other words a translation may use for it (France → French, Frenchman, ...)."""
    return {p.en: p.also for p in load_places() if p.also}


@lru_cache(maxsize=1)
def by_chinese() -> dict[str, Place]:
    return {p.zh: p for p in load_places()}
