"""Names the model swapped for other real names (汕尾 → "Shantou", 荔湾 → "Lanting"), put back by rule.

A required rendering is missing, and the translation holds a place or organisation name that the lexicon knows
under Chinese that is not in the source: when there is exactly one such stranger of the missing name's kind,
it is the swap, and the required rendering replaces it. `swap_hint` names the likely swap in the grounding
check's message, in both directions.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from summarizer.terms.glossary import Glossary

_CAPITALIZED = re.compile(r"\b[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){0,2}\b")


@lru_cache(maxsize=1)
def _english_names() -> dict[str, tuple[tuple[str, ...], str]]:
    """English name → (its Chinese forms, kind) for lexicon names of one kind (深圳, 深圳市 → Shenzhen)."""
    from summarizer.terms import lexicon

    seen: dict[str, dict[str, list[str]]] = {}
    for zh, (english, kind) in lexicon.load().names.items():
        seen.setdefault(english, {}).setdefault(kind, []).append(zh)
    return {en: (tuple(forms), kind) for en, kinds in seen.items() if len(kinds) == 1 for kind, forms in kinds.items()}


def _strangers(source: str, translation: str, kind: str) -> list[str]:
    """Lexicon names of `kind` in the translation whose Chinese the source does not have."""
    names = _english_names()
    found = []
    for m in _CAPITALIZED.finditer(translation):
        words = m.group().split()
        for size in range(len(words), 0, -1):  # the longest known name inside the capitalized run
            candidate = " ".join(words[:size])
            forms, its_kind = names.get(candidate, ((), ""))
            if forms and its_kind == kind and not any(zh in source for zh in forms):
                found.append(candidate)
                break
    return list(dict.fromkeys(found))


def fix_swapped_names(source: str, translation: str, glossary: Glossary | None) -> tuple[str, list[str]]:
    """The translation with each swapped name replaced by the required one, and what was replaced."""
    from summarizer.terms.names import find_names, missing_renderings

    kinds = {n.zh: n.kind for n in find_names(source, glossary)}
    rewrites = []
    for missing in missing_renderings(source, translation, glossary):
        kind = kinds.get(missing.zh)
        strangers = _strangers(source, translation, kind) if kind in ("place", "org") else []
        if len(strangers) == 1:
            wanted = missing.en
            translation = re.sub(rf"\b{re.escape(strangers[0])}\b", wanted, translation)
            translation = re.sub(r"\b(District|County|Province|Town|Subdistrict) \1\b", r"\1", translation)
            rewrites.append(f"{strangers[0]!r} -> {wanted!r} (for {missing.zh!r})")
    return translation, rewrites


class Absent(NamedTuple):
    """A name of the source that the translation lacks: its source form, the form the translation should have, kind."""
    source: str
    expected: str
    kind: str


def swap_hint(kind: str, absent: list[Absent]) -> str:
    """"in place of 北京 ('Beijing')?" when exactly one name of the stranger's kind is missing from the translation:
    the stranger most likely took its place (both directions: 北京 -> "Shanghai", "Beijing" -> 上海)."""
    same = [a for a in absent if a.kind == kind]
    if kind not in ("place", "org", "person") or len(same) != 1:
        return ""
    return f"in place of {same[0].source!r} ({same[0].expected!r})?"
