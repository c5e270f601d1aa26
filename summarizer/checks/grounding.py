"""Names in a translation that the source does not give (`unsupported`, error), both directions.

English output (a Chinese source): the names of the translation are found by `summarizer.terms.english` (spaCy's
NER when installed, capitalised spans otherwise); each name, or each part of it the lexicon knows ("Communist
Party of China" inside "the Central Committee of the Communist Party of China"), must map back to the source by
one of: its Chinese (CC-CEDICT read backwards, `summarizer.terms.reverse`) in the source; an English form of a
name the source holds (lexicon glosses, other names, aliases and demonyms, the place an entry lies in, pinyin and
the renderings of `summarizer.terms.names`, the glossary); a one-character abbreviation (沪, 中美); its letters
read as pinyin of characters in the source (Ma Hua <- 马华); or the words themselves in the source. Only names the
lexicon knows, or Chinese-looking pinyin names of people, can be flagged: an unknown name ("Wee Ka Siong", a
Cantonese or Hokkien spelling) may be a correct rendering no dictionary has, so it is never flagged.

Chinese output (an English source): the names jieba and the lexicon find in the translation
(`summarizer.terms.names.find_names`) that the lexicon knows must have one of their English forms in the source,
or be the Chinese of a name the source has (its place in a larger one: 法国 for "Paris" counts).

A flagged name whose kind matches exactly one source name the translation lacks is reported as a likely swap
(`summarizer.checks.swaps.swap_hint`). Months and years: `summarizer.checks.dates`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from summarizer.checks.swaps import Absent, swap_hint
from summarizer.document import Check
from summarizer.terms import lexicon, reverse
from summarizer.terms.english import entities
from summarizer.terms.glossary import Glossary
from summarizer.terms.readings import TITLES, pinyin_name, reads_as_pinyin, reads_as_pinyin_of, strip_titles, syllables
from summarizer.terms.reverse import key
from summarizer.terms.variants import ALIASES, SHORT_FORMS, any_present, english_forms, fold
from summarizer.text.lang import HAN_CLASS

_HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
_TOKEN = re.compile(r"[A-Za-z\u00c0-\u024f][\w'’.&]*")
_NEVER = {"internet", "web", "god", "earth", "moon", "sun", "bible", "christmas", "easter", "mr", "new", "north",
          "south", "east", "west", "central", "national", "international", "world", "global", "city", "state",
          "english", "chinese", "mandarin", "western", "eastern", "northern", "southern", "i", "ok", "tv"}
_CHINA_IMPLIED = ("我国", "全国", "国务院", "人大", "政协", "内地", "大陆", "党中央", "自治区")
_PARTY_IMPLIED = re.compile(r"党委|党组|党支部|党员|党中央|党的|共产党|中共|[省市县区旗镇乡村]委")
_CPC = ["Communist Party of China", "Communist Party", "CPC", "CCP", "Chinese Communist Party"]
# Geographic words a name may add around a place the source has: "Korean Peninsula" for 半岛 beside 韩朝.
_GENERIC = {"peninsula", "river", "sea", "lake", "mountain", "mountains", "island", "islands", "province", "city",
            "county", "district", "region", "strait", "bay", "gulf", "ocean", "valley", "basin", "plateau", "of",
            "the", "and"}
_MAX_PIECE = 6


@dataclass
class Unsupported:
    """A name of the translation with no source: its text, kind (person|place|org|other) and span."""
    name: str
    kind: str
    start: int = 0
    end: int = 0
    notes: list[str] = field(default_factory=list)


def grounding_checks(source: str, target: str, source_lang: str, target_lang: str,
                     glossary: Glossary | None = None) -> list[Check]:
    """An error-level `unsupported` check for each name of `target` that nothing in `source` accounts for."""
    if (source_lang, target_lang) == ("zh", "en"):
        found, absent = english_strangers(source, target, glossary), _absent_in_english
    elif (source_lang, target_lang) == ("en", "zh"):
        found, absent = chinese_strangers(source, target, glossary), _absent_in_chinese
    else:
        return []
    checks, missing = [], None
    for u in found:
        if u.kind in ("place", "org"):
            missing = absent(source, target, glossary) if missing is None else missing
        hint = swap_hint(u.kind, missing or [])
        message = f"{u.name!r} has no source in the article" + (f" ({hint})" if hint else "")
        checks.append(Check("unsupported", "error", message, None, u.name))
    return checks


# --------------------------------------------------------------------------------------------------
# English output


@dataclass
class _ChineseSource:
    """What a Chinese source can account for in English: its text and every English form of its names."""
    text: str
    forms: str  # normalised English forms, one a line, with spaces around for whole-word search
    lower: str = ""

    def supports(self, name: str, zh_forms: list[str]) -> bool:
        if any(_in_chinese(zh, self.text) for zh in zh_forms):
            return True
        k = key(name)
        if re.search(rf"(?<![a-z0-9]){re.escape(k)}(?![a-z0-9])", self.forms, re.I if k.islower() else 0):
            return True
        if fold(name).lower() in self.lower or reads_as_pinyin(name, self.text):
            return True
        words = [w for w in key(name).split() if w.lower() not in _GENERIC]
        return bool(words) and len(words) < len(key(name).split()) and all(self._has(w) for w in words)

    def _has(self, word: str) -> bool:
        """One word of a name is in an English form of a name the source holds."""
        return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", self.forms, re.I) is not None


_DOTS = re.compile(r"[·•‧・∙.\s]")


def _in_chinese(zh: str, text: str) -> bool:
    """`zh` in `text`, name dots aside (鲍勃·迪伦, 鲍勃•迪伦), or without a country before it (英国脱欧 for 脱欧)."""
    zh, text = _DOTS.sub("", zh), _DOTS.sub("", text)
    if zh in text:
        return True
    return any(len(zh) - k >= 2 and zh[k:] in text and lexicon.kind(zh[:k]) in ("place", "other")
               and reverse.abbreviation(zh[0]) for k in (2, 3))


def _source_forms(source: str, glossary: Glossary | None) -> _ChineseSource:
    """Every English form of the names a Chinese source holds (see the module docstring)."""
    from summarizer.terms.names import find_names, variants

    names: list[str] = []
    for zh in _known_substrings(source):
        names += reverse.english_of(zh) + reverse.contexts(zh)
    for name in find_names(source, glossary):
        names += variants(name, glossary)
    if glossary:
        names += [t.en for t in glossary.matches(source, "zh")]
    names += reverse.abbreviated_in(source)
    if any(word in source for word in _CHINA_IMPLIED):
        names += ["China", "People's Republic of China", "PRC"]
    if _PARTY_IMPLIED.search(source):
        names += _CPC
    forms = {key(f) for f in english_forms(names)} | {key(f) for n in names for f in SHORT_FORMS.get(n, ())}
    return _ChineseSource(source, "\n" + "\n".join(sorted(forms)) + "\n", fold(source).lower())


def _known_substrings(text: str) -> list[str]:
    """Every substring of the Han runs of `text` that the reverse index has English for."""
    forward = reverse.load().forward
    found = []
    for run in _HAN_RUN.findall(text):
        for i in range(len(run)):
            for j in range(i + 2, min(len(run), i + 12) + 1):
                if run[i:j] in forward:
                    found.append(run[i:j])
    return list(dict.fromkeys(found))


def english_strangers(source: str, target: str, glossary: Glossary | None = None) -> list[Unsupported]:
    """Names of an English translation that nothing in the Chinese source accounts for."""
    src = _source_forms(source, glossary)
    found: dict[str, Unsupported] = {}
    for ent in entities(target):
        pieces = known_pieces(ent.text, ent.label, ent.sentence_start)
        for piece, kind, zh_forms in pieces:
            if piece not in found and not src.supports(piece, zh_forms):
                if kind == "person" and _foreign_people(source, target, glossary):
                    continue  # Joko Widodo for 佐科·维多多: a transliteration the dictionary spells otherwise
                found[piece] = Unsupported(piece, kind, ent.start, ent.end)
        if not pieces and ent.label == "person" and pinyin_name(ent.text):
            name = strip_titles(ent.text)
            if name not in found and not src.supports(name, []) and not _unrendered_people(source, target, glossary):
                found[name] = Unsupported(name, "person", ent.start, ent.end)
    return list(found.values())


def _foreign_people(source: str, target: str, glossary: Glossary | None) -> bool:
    """The source names a foreign person (a dotted name) or a person the translation has no form of."""
    return bool(re.search(r"[\u4e00-\u9fff][·•‧・∙][\u4e00-\u9fff]", source)) or bool(_unrendered_people(source, target, glossary))


def _unrendered_people(source: str, target: str, glossary: Glossary | None) -> list[str]:
    """People of the source none of whose forms the translation has: an unknown name in the translation may be
    theirs, spelled as they spell it (邓鸿森 is Daren Tang, 魏家祥 Wee Ka Siong)."""
    from summarizer.terms.names import find_names, variants

    return [n.zh for n in find_names(source, glossary) if n.kind == "person" and not any_present(variants(n, glossary), target)]


def known_pieces(span: str, label: str = "", sentence_start: bool = False) -> list[tuple[str, str, list[str]]]:
    """(piece, kind, its Chinese forms) for the longest runs of words in `span` that the lexicon knows as names.
    A person is one piece: "Daren Tang" is not the places Daren and Tang."""
    tokens = [m for m in _TOKEN.finditer(span)]
    while tokens and tokens[0].group().lower().rstrip(".") in TITLES | {"the"}:
        tokens.pop(0)
    pieces, i = [], 0
    while i < len(tokens):
        last = len(tokens) - 1 if label == "person" else i  # a person: the whole name or nothing
        for j in range(len(tokens) if label == "person" else min(len(tokens), i + _MAX_PIECE), last, -1):
            text = span[tokens[i].start():tokens[j - 1].end()].rstrip(".'’")
            if text.endswith(("'s", "’s")):
                text = text[:-2]
            entries = _flaggable(text, label, sentence_start and i == 0 and j - i == 1)
            if entries:
                pieces.append((text, _kind(entries, label), [e.zh for e in entries]))
                i = j
                break
        else:
            if label == "person":
                break
            i += 1
    return pieces


def _flaggable(text: str, label: str, opens_sentence: bool) -> list:
    """The entries of a name that may be flagged: proper, capitalised, not a plain English word."""
    if not text[:1].isupper() or key(text) in _NEVER or fold(text).lower() in _NEVER:
        return []
    entries = [e for e in reverse.chinese_of(text) if e.proper and not lexicon.is_generic(e.zh)]
    if not entries:
        return []
    if text.isupper() and len(text) <= 5 and not any(key(reverse.english_of(e.zh)[0]) == key(text) for e in entries):
        return []  # NSA: National Security Agency or Advisor; only acronyms that are an entry's main name (NATO)
    single = " " not in text and not text.isupper()
    if single and text.endswith("s") and reverse.is_common_word(text[:-1]):
        return []  # Accords
    if single and fold(text).lower() in syllables():
        return []  # Li, Tang, Zhang: a surname or a syllable of a name far more often than 澧县 or the Tang dynasty
    if single and reverse.is_common_word(text) and text not in ALIASES:
        return []  # Parliament, Congress, Press: capitalised common words
    if single and opens_sentence and not label and reverse.is_common_word(text):
        return []
    return entries


def _kind(entries, label: str) -> str:
    if label in ("person", "place", "org"):
        return label
    kinds = {e.kind for e in entries}
    return next((k for k in ("place", "org", "person") if k in kinds), "other")


# --------------------------------------------------------------------------------------------------
# Chinese output


@dataclass
class _EnglishSource:
    text: str
    chinese: set[str]  # the Chinese of every name-like run of the source
    around: set[str]  # normalised English of the places those names lie in (Paris -> france)


def _english_source(source: str) -> _EnglishSource:
    chinese: set[str] = set()
    for ent in entities(source, groups=True):
        tokens = list(_TOKEN.finditer(ent.text))
        for i in range(len(tokens)):
            for j in range(i + 1, min(len(tokens), i + _MAX_PIECE) + 1):
                piece = ent.text[tokens[i].start():tokens[j - 1].end()]
                chinese.update(e.zh for e in reverse.chinese_of(piece))
    around = {key(f) for zh in chinese for f in english_forms(reverse.contexts(zh))}
    return _EnglishSource(source, chinese, around)


def chinese_strangers(source: str, target: str, glossary: Glossary | None = None) -> list[Unsupported]:
    """Names of a Chinese translation that the lexicon knows and nothing in the English source accounts for.
    A place or person is flagged only when some name of the source is missing from the translation (what a swap
    leaves behind): translators add the country a sentence only implies (美国最高法院 for "the Supreme Court")."""
    src: _EnglishSource | None = None
    found, absent = [], None
    for zh, kind in _chinese_candidates(target, glossary):
        if zh in source or _accounted(zh, kind, source, glossary):
            continue
        src = src or _english_source(source)
        if any(_same_place(c, zh) for c in src.chinese):
            continue
        if {key(f) for f in english_forms(reverse.english_of(zh))} & src.around:
            continue
        if kind != "org":
            absent = _absent_in_chinese(source, target, glossary) if absent is None else absent
            if not absent:
                continue
        found.append(Unsupported(zh, kind))
    return found


_ADDED = ("人", "籍", "方", "队", "语", "文", "族")  # 北京 -> 北京市, 法国 -> 法国人


def _same_place(source_zh: str, zh: str) -> bool:
    """The translation's name is the source's, or it with a place unit or a 人/方/语 (北京 and 北京市)."""
    from summarizer.terms.romanize import PLACE_UNITS

    if source_zh == zh:
        return True
    longer, shorter = (zh, source_zh) if len(zh) > len(source_zh) else (source_zh, zh)
    rest = longer[len(shorter):] if longer.startswith(shorter) else None
    return len(shorter) >= 2 and rest is not None and (rest in PLACE_UNITS or rest in _ADDED)


def _chinese_candidates(target: str, glossary: Glossary | None) -> list[tuple[str, str]]:
    """(zh, kind) for the names of a Chinese text the lexicon knows: those `find_names` finds, and the longest
    dictionary names inside its runs (红十字 in 据红十字会称), none a piece of a transliterated foreign name."""
    from summarizer.terms.foreign import context
    from summarizer.terms.names import find_names

    whole = ("", "inside", "region")  # not a piece of a transliterated name (fragment, first, middle, last)
    found = {n.zh: n.kind for n in find_names(target, glossary) if n.context in whole and lexicon.is_known(n.zh)}
    import jieba

    starts = {0}
    for word in jieba.cut(target):
        starts.add(max(starts) + len(word))
    for m in _HAN_RUN.finditer(target):
        run, i = m.group(), 0
        while i < len(run):
            j = next((j for j in range(min(len(run), i + 12), i + 1, -1) if _proper_name(run[i:j])), None)
            if j is None or not _on_words(m.start() + i, m.start() + j, starts, target):
                i += 1  # 大发 (Daihatsu) in 重大发现, 吉普 (Jeep) in 吉普赛: not a word of the text
                continue
            start = m.start() + i
            if context(target, start, start + j - i, run[i:j], "other") in whole:
                found.setdefault(run[i:j], lexicon.kind(run[i:j]) or "other")
            i = j
    return [(zh, _kind_of_chinese(zh, kind)) for zh, kind in found.items() if not lexicon.is_generic(zh)]


def _on_words(start: int, end: int, bounds: set[int], text: str) -> bool:
    """text[start:end] starts a word and ends one, or ends before an organisation suffix (红十字 + 会)."""
    from summarizer.terms.romanize import ORG_SUFFIXES, PLACE_UNITS

    if start not in bounds:
        return False
    nxt = min((b for b in bounds if b >= end), default=end)
    rest = text[end:nxt]  # the rest of the word: 会 (红十字会), 政府 (奥地利政府), 奥委会 (芬兰奥委会), 队 (智利队)
    return (nxt == end or rest in ORG_SUFFIXES or rest in PLACE_UNITS or rest in ("会", "组织") + _ADDED
            or lexicon.is_common_word(rest) or _proper_name(rest))


def _proper_name(zh: str) -> bool:
    return reverse.is_proper(zh) and not lexicon.is_common_word(zh) and zh not in lexicon.NOT_NAMES


_ORG_WORDS = {"union", "organization", "organisation", "nations", "fund", "bank", "committee", "council", "agency",
              "party", "association", "cross", "institute", "academy", "university", "court", "ministry", "office",
              "department", "commission", "federation", "league", "corporation", "company", "group", "society",
              "army", "navy", "police", "greenpeace", "reuters", "xinhua", "nato", "bureau", "administration"}


def _kind_of_chinese(zh: str, kind: str) -> str:
    """org when its English says so (欧盟 "European Union"), person when the lexicon says so, else place."""
    english = " ".join(reverse.english_of(zh)[:2]).lower()
    if kind == "org" or _ORG_WORDS & set(re.findall(r"[a-z]+", english)) or english.isupper():
        return "org"
    return "person" if kind == "person" else "place"


def _accounted(zh: str, kind: str, source: str, glossary: Glossary | None) -> bool:
    """An English form of `zh` is in the source: whole, by its last name (Pelosi), by its initials (NY)."""
    from summarizer.terms.names import Name, variants

    forms = english_forms(set(reverse.english_of(zh)) | variants(Name(zh, kind), glossary))
    if any_present(forms, source) or reads_as_pinyin_of(zh, source):
        return True
    if _shares_distinctive_words(reverse.english_of(zh)[:1], source):
        return True
    places = [reverse.abbreviation(ch) for ch in zh]
    if len(zh) <= 3 and all(places) and all(any_present(english_forms(p), source) for p in places):
        return True  # 中美 for "US-China"
    from summarizer.terms.foreign import looks_foreign

    person = kind == "person" or looks_foreign(zh)
    for form in forms:
        words = re.findall(r"[A-Z][\w'’]+", fold(form))
        if person and len(words) >= 2 and len(words[-1]) >= 3 and re.search(rf"\b{re.escape(words[-1])}\b", fold(source)):
            return True  # Pelosi for 佩洛西 "Nancy Pelosi"
        if len(words) >= 2 and re.search(rf"\b{''.join(w[0] for w in words)}\b", source.replace(".", "")):
            return True
    return False


_COMMON_NAME_WORDS = {"people's", "national", "international", "world", "united", "central", "state", "federal",
                      "eastern", "western", "northern", "southern", "new", "great", "royal", "republic", "church"}


def _shares_distinctive_words(names: tuple[str, ...], source: str) -> bool:
    """At least half the distinctive words of the name (not a country, not a generic word) are capitalised words of
    the source: 东正教 "Eastern Orthodox Church" for "Orthodox Christian"; not 中国人民银行 for "China's"."""
    countries = set(ALIASES) | {a for aliases in ALIASES.values() for a in aliases}
    capitalised = set(re.findall(r"[A-Z][\w'’]+", fold(source)))
    for name in names:
        words = [w for w in re.findall(r"[A-Z][\w'’]+", fold(name)) if w not in countries
                 and w.lower() not in _GENERIC | _ORG_WORDS | _COMMON_NAME_WORDS]
        if words and 2 * sum(w in capitalised for w in words) >= len(words):
            return True
    return False


# --------------------------------------------------------------------------------------------------
# What the translation lacks (for swap hints)


def _absent_in_english(source: str, target: str, glossary: Glossary | None) -> list[Absent]:
    from summarizer.terms.names import missing_renderings

    absent = {m.zh: Absent(m.zh, m.en, lexicon.kind(m.zh) or "other") for m in missing_renderings(source, target, glossary)}
    known = [zh for zh in _known_substrings(source)
             if lexicon.kind(zh) in ("place", "org") and not lexicon.is_common_word(zh)]
    for zh in known:
        english = reverse.english_of(zh)
        if zh in absent or any(zh in other and zh != other for other in known) or any_present(english_forms(english), target):
            continue
        absent[zh] = Absent(zh, english[0], lexicon.kind(zh) or "other")
    return list(absent.values())


def _absent_in_chinese(source: str, target: str, glossary: Glossary | None) -> list[Absent]:
    absent = []
    for ent in entities(source, groups=True):
        for piece, kind, zh_forms in known_pieces(ent.text, ent.label, ent.sentence_start):
            if not any(zh in target for zh in zh_forms):
                absent.append(Absent(zh_forms[0], piece, _kind_of_chinese(zh_forms[0], kind)))
    return absent
