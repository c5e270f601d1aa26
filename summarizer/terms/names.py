"""Chinese names in news text: find them (summarizer.terms.finding), render them the way English-language news
does, check a translation.

Rendering order: the glossary, then English the source itself gives in brackets (莱顿 (Layton)), then the
CC-CEDICT lexicon (summarizer.terms.lexicon), then pinyin (pypinyin) by the conventions in summarizer.terms.romanize.
Each `Rendering` says where it came from and whether it is safe to require: pinyin only for names judged Chinese
(summarizer.terms.foreign: 鲍勃 Bob, 新斯科舍省 Nova Scotia get none), lexicon glosses only where they are a good
news rendering (not a guessed spelling of a given name, not a piece of a longer foreign name). Prompts and checks
use only those (`required_terms`, `missing_renderings`); the forms a translation may use are in
summarizer.terms.variants.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from summarizer.terms import lexicon
from summarizer.terms.finding import Name, as_lookup, find_names
from summarizer.terms.foreign import is_acronym, looks_foreign
from summarizer.terms.romanize import (
    COMPOUND_SURNAMES,
    ORG_SUFFIXES,
    PLACE_UNITS,
    Lookup,
    composed,
    ending_of,
    person,
    pinyin,
    reads_as,
    with_unit,
)
from summarizer.terms.variants import (
    ALIASES,
    any_present,
    english_forms,
    fold,
    parts_present,
    surname_present,
)

_PINYIN_UNITS = {"区", "县", "镇", "乡", "村", "街道"}  # Chinese units whose names news spells in pinyin
_PLACE_ENDS = set("湖岛港湾寺塔宫门桥路街")  # rare at the end of a given name, common at the end of a place
__all__ = ["ALIASES", "Missing", "Name", "Rendering", "as_lookup", "find_names", "missing_renderings", "pinyin",
           "render", "rendering", "required_renderings", "required_terms", "variants"]


@dataclass(frozen=True)
class Rendering:
    """An English rendering, where it came from, and whether prompts and checks may require it."""
    en: str
    source: str  # "glossary" | "text" (brackets in the source) | "lexicon" | "pinyin"
    confident: bool = True
    doubt: str = ""  # why it is not confident


class Missing(NamedTuple):
    """A name whose required rendering a translation lacks; `source` is the rendering's provenance."""
    zh: str
    en: str
    source: str


# -- rendering -----------------------------------------------------------------------------------

def rendering(name: Name, glossary=None) -> Rendering | None:
    """English for a name with its provenance; None for a foreign-looking name that nothing but pinyin would give."""
    lookup = as_lookup(glossary)
    hit = lookup(name.zh) if lookup else None
    if hit:
        return Rendering(hit, "glossary")
    if name.english and not is_acronym(name.english):
        return Rendering(name.english, "text")
    known = lexicon.lookup(name.zh)
    if known and not (name.kind == "place" and _misread(name.zh, known)):
        doubt = _lexicon_doubt(name)
        return Rendering(with_unit(name.zh, known) if name.kind == "place" else known, "lexicon", not doubt, doubt)
    foreign = name.context not in {"", "region"} or looks_foreign(name.zh, name.kind)
    if foreign and (name.kind == "person" or composed(name.zh, lookup)[1] == "pinyin"):
        return None  # 鲍勃 is Bob, not "Bao Bo"; 新斯科舍省 is Nova Scotia, not "Xinsikeshe Province"
    if name.kind == "person":
        doubt = ("a person from a place that does not spell names in pinyin" if name.context == "region" else
                 "a person's name that reads like a place (阳澄湖)" if name.zh[-1] in _PLACE_ENDS else
                 _word_not_name(name.zh))
        return Rendering(person(name.zh), "pinyin", not doubt, doubt)
    return Rendering(*composed(name.zh, lookup))


def _misread(zh: str, english: str) -> bool:
    """A Chinese county or district whose dictionary English does not spell its reading (南开区 "Hebei District")."""
    unit = ending_of(zh, PLACE_UNITS)
    core = zh[: -len(unit)] if unit else zh
    return unit in _PINYIN_UNITS and not looks_foreign(core) and not reads_as(core, english)


def _word_not_name(zh: str) -> str:
    """Why a "person" the tagger found is more likely an ordinary word (the lexicon's senses come before pinyin):
    a dictionary word (李鬼 "a fake"), or a two-character word of jieba's own dictionary that CC-CEDICT does not
    know as a name (钟声 bell, 冷杉 fir, 连胜 winning streak): jieba tags such words nr."""
    import jieba

    if lexicon.has_ordinary_sense(zh):
        return "an ordinary word in the dictionary"
    if len(zh) == 2 and not lexicon.is_known(zh) and (jieba.get_FREQ(zh) or 0) > 0:
        return "a word of the tagger's dictionary, not a name the lexicon knows"
    return ""


def _lexicon_doubt(name: Name) -> str:
    """Why a lexicon gloss is not a safe rendering here, or "" when it is."""
    if name.english:  # 临时选举委员会 (CEP): the Provisional Electoral Council, not the dictionary's wording
        return "the source gives an acronym in brackets, the full name may be worded otherwise"
    if name.context in {"fragment", "middle"}:
        return "a piece of a longer foreign name"
    if name.context == "inside":
        return "the start of a longer name the source glosses in brackets"
    if name.context in {"first", "last"} and lexicon.kind(name.zh) in {"place", "org"}:
        return "a place or organisation gloss for part of a personal name"
    if lexicon.is_generic(name.zh):
        return "a transliterated given name or surname: the English spelling is a guess"
    if lexicon.has_ordinary_sense(name.zh) and name.zh not in lexicon.NEWS_NAMES:
        return "the dictionary also gives it an ordinary sense (萨迦 saga, 北欧 north Europe, 大众 the masses)"
    return ""


def render(name: Name, glossary=None) -> str:
    """English for a name (see `rendering`). Callers that must put something in place of the Chinese (the leftovers
    fixer) get plain joined pinyin for a foreign-looking name; it is never required nor checked."""
    found = rendering(name, glossary)
    return found.en if found else pinyin(name.zh)


# -- prompts and checks --------------------------------------------------------------------------

def required_renderings(text: str, glossary=None) -> dict[str, Rendering]:
    """Every name in `text` with a confident rendering -> that rendering (with its provenance)."""
    lookup, found = as_lookup(glossary), {}
    for name in find_names(text, lookup):
        r = rendering(name, lookup)
        if r and r.confident:
            found[name.zh] = r
    return found


def required_terms(text: str, glossary=None) -> dict[str, str]:
    """Every name in `text` with a confident rendering -> its English, for a translation prompt."""
    return {zh: r.en for zh, r in required_renderings(text, glossary).items()}


def variants(name: Name, glossary=None) -> set[str]:
    """Acceptable English forms: the rendering, the glossary/lexicon/pinyin ones, without unit words, aliases."""
    lookup = as_lookup(glossary)
    found = rendering(name, lookup)
    forms = {found.en if found else "", lexicon.lookup(name.zh) or "", (lookup and lookup(name.zh)) or ""}
    forms.update(lexicon.other_names(name.zh))
    if name.kind != "person":
        unit = ending_of(name.zh, PLACE_UNITS)
        core = name.zh[: -len(unit)] if unit else name.zh
        forms.update((pinyin(name.zh), pinyin(core), f"{pinyin(core)} {PLACE_UNITS.get(unit or '', '')}"))
    tail = ending_of(name.zh, ORG_SUFFIXES) if not (lookup and lookup(name.zh)) else None
    if tail and not lexicon.lookup(name.zh):  # a composed org: its named stem is what must survive
        forms.add(render(Name(name.zh[: -len(tail)], "place"), lookup))
    forms.update(_translated_ends(name.zh, forms))
    return english_forms(forms)


# A landmark's last character, spelled in pinyin by the dictionary, translated by news: 永定门 Yongdingmen or
# Yongding Gate, 雍和宫 Yonghegong or Yonghe Palace.
_TRANSLATED_ENDS = {"门": ("men", "Gate"), "寺": ("si", "Temple"), "宫": ("gong", "Palace"), "桥": ("qiao", "Bridge"),
                    "塔": ("ta", "Pagoda"), "湖": ("hu", "Lake"), "山": ("shan", "Mountain"), "岛": ("dao", "Island"),
                    "楼": ("lou", "Tower"), "园": ("yuan", "Garden")}


def _translated_ends(zh: str, forms: set[str]) -> set[str]:
    spelled, english = _TRANSLATED_ENDS.get(zh[-1:], ("", ""))
    if not spelled:
        return set()
    return {f"{f[: -len(spelled)].rstrip(' -')} {english}" for f in forms
            if f.lower().endswith(spelled) and len(f) > len(spelled) + 2}


def _kept(name: Name, found: Rendering, english: str, lookup: Lookup | None) -> bool:
    """The translation has the name in one of its forms, by its parts, or (a person) by surname alone."""
    if any_present(variants(name, lookup), english) or parts_present(found.en, english):
        return True
    if found.source == "lexicon" and spelled_alike(found.en, english):
        return True
    if name.kind != "person" or found.source == "text":
        return False
    sur = name.zh[:2] if name.zh[:2] in COMPOUND_SURNAMES else name.zh[:1]
    reading = lexicon.surname(sur) or ""
    chinese_order = found.source == "pinyin" or found.en.split()[0].lower() == reading.lower()
    return surname_present(found.en, english, chinese_order)


def spelled_alike(rendering: str, english: str) -> bool:
    """A one-word foreign name spelled another accepted way: Mohammed / Muhammad, Timbuktoo / Timbuktu (the same first
    letter, at most two edits, lengths within one). Countries and cities of summarizer/data/places.tsv never count
    (Austria is not Australia, Slovakia not Slovenia)."""
    word = fold(rendering)
    if not re.fullmatch(r"[A-Z][a-z]{5,}", word) or word in _place_names():
        return False
    for other in set(re.findall(r"(?<![A-Za-z])[A-Z][a-z]{4,}(?![A-Za-z])", fold(english))):
        if other[0] == word[0] and abs(len(other) - len(word)) <= 1 and other not in _place_names() \
                and _edits(word.lower(), other.lower()) <= 2:
            return True
    return False


def _place_names() -> frozenset[str]:
    from summarizer.terms.places import load_places

    return frozenset(p.en for p in load_places())


def _edits(a: str, b: str) -> int:
    """Levenshtein distance."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def missing_renderings(source_zh: str, english: str, glossary=None) -> list[Missing]:
    """(zh, expected English, provenance) for each name in the source with a confident rendering that the
    translation lacks. Provenance is "glossary", "text", "lexicon" or "pinyin" (see `Rendering`)."""
    lookup, missing = as_lookup(glossary), []
    for name in find_names(source_zh, lookup):
        found = rendering(name, lookup)
        if found and found.confident and not _kept(name, found, english, lookup):
            missing.append(Missing(name.zh, found.en, found.source))
    return missing
