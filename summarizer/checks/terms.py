"""Glossary terms and names: required renderings of glossary entries, Latin-script names that must survive."""
from __future__ import annotations

import re

from summarizer.document import Check
from summarizer.generation import Terms
from summarizer.terms.glossary import Glossary, Term, load_glossary
from summarizer.text.lang import is_chinese

_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9&'’.\-]*[A-Za-z0-9]|[A-Z]")
_EN_STOP = {"i", "i'm", "mr", "mrs", "ms", "dr", "the", "a", "an", "monday", "tuesday", "wednesday", "thursday", "friday",
            "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december"}


def term_checks(source: str, target: str, source_lang: str, target_lang: str,
                glossary: Glossary | Terms | None = None) -> list[Check]:
    """Glossary entries found in the source whose required rendering is missing from the target (None: the
    default glossary; a `TermSet`: its glossary)."""
    glossary = load_glossary() if glossary is None else glossary_of(glossary)
    if not glossary or source_lang == target_lang:
        return []
    if source_lang == "zh":
        return [Check("term", "warning", f"glossary term {term.zh!r} should be rendered as {term.en!r}", term.zh, None)
                for term in glossary.matches(source, "zh") if not any(_contains_en(target, v) for v in _term_variants(term.en))]
    return [Check("term", "warning", f"glossary term {hit!r} should be rendered as {term.zh!r}", hit, None)
            for term, hit in _english_hits(source, glossary) if term.zh not in target]


def glossary_of(terms: Glossary | Terms) -> Glossary:
    """The glossary itself, or the glossary behind a `Terms` object such as `summarizer.terms.TermSet`."""
    return terms if isinstance(terms, Glossary) else getattr(terms, "glossary", None) or Glossary()


def _english_hits(source: str, glossary: Glossary) -> list[tuple[Term, str]]:
    """(term, the form of it the English source uses), longest terms first, none inside an earlier hit."""
    hits: list[tuple[Term, str]] = []
    for term in sorted(glossary.terms, key=lambda t: -len(t.en)):
        variants = _term_variants(term.en)
        triggers = variants[:2] + [v for v in variants[2:] if len(v) >= 3 and v.isupper()]
        hit = next((v for v in triggers if _contains_en(source, v)), None)
        if hit and not any(hit.lower() in seen.lower() for _, seen in hits):
            hits.append((term, hit))
    return hits


def _term_variants(en: str) -> list[str]:
    """The English forms accepted for a glossary entry: full, without "(ACRONYM)", the acronym alone."""
    variants = [en]
    m = re.match(r"^(.*?)\s*\(([^)]+)\)\s*$", en)
    if m:
        variants += [m.group(1), m.group(2)]
    return [v.strip() for v in variants if v.strip()]


def _flat(text: str) -> str:
    return re.sub(r"[\s\-‐–]+", " ", text.lower())


def _contains_en(text: str, phrase: str) -> bool:
    return re.search(r"(?<![a-z])" + re.escape(_flat(phrase)), _flat(text)) is not None


def latin_names(text: str) -> list[str]:
    """Latin-script words in Chinese text that are names or acronyms (DeepSeek, WIPO, MOLTEN, Unitree)."""
    if not is_chinese(text):
        return []
    names = []
    for m in _LATIN_NAME.finditer(text):
        word = m.group()
        if len(word) >= 2 and (word[0].isupper() or any(c.isupper() for c in word[1:])):
            names.append(word)
    return list(dict.fromkeys(names))


def english_proper_names(sentence: str) -> list[str]:
    """Capitalized words of an English sentence that are not its first word (names, places, acronyms)."""
    words = re.findall(r"(?<![\w'’])([A-Z][A-Za-z’'\-]+)", sentence)
    first = re.match(r"\W*([A-Za-z’'\-]+)", sentence)
    names = [w for w in words if not (first and w == first.group(1)) and w.lower() not in _EN_STOP]
    return list(dict.fromkeys(names))


def entity_checks(source: str, target: str, source_lang: str, target_lang: str) -> list[Check]:
    """Latin-script names and acronyms of a Chinese source must appear in the translation."""
    if source_lang != "zh":
        return []
    target_lower = target.lower()
    return [Check("entity", "warning", f"name {name!r} from the source is missing in the translation", name, None)
            for name in latin_names(source)
            if name.lower() not in target_lower and name.lower().replace("-", " ") not in target_lower]


def name_checks(source: str, target: str, source_lang: str, target_lang: str,
                glossary: Glossary | Terms | None = None) -> list[Check]:
    """Names in a Chinese source whose one confident English rendering (glossary, the source's own bracketed
    English, lexicon, or pinyin for Chinese names) is missing from the translation. Foreign names that only pinyin
    could render are never required (see `summarizer.terms.names`)."""
    if (source_lang, target_lang) != ("zh", "en"):
        return []
    from summarizer.terms.names import missing_renderings

    glossary = load_glossary() if glossary is None else glossary_of(glossary)
    return [Check("entity", "error", f"name {m.zh!r} should be rendered as {m.en!r} ({m.source})", m.zh, None)
            for m in missing_renderings(source, target, glossary)]
