"""English -> Chinese for proper names (the CC-CEDICT lexicon read backwards), and what each name's entry says
about where it lies, for checking that the names of a translation have a source.

- `chinese_of("Communist Party of China")` -> the entries whose English it is: (中国共产党, org, proper). Every
  gloss of a proper entry counts (国会: Parliament, Congress, Diet), plus the lexicon's own rendering, the other
  names the dictionary gives (CSRC, Sinopec) and the news short forms (UN, WHO, NATO).
- `english_of("国会")` -> every English name the entries give for it (the forward direction, all glosses).
- `contexts("巴黎")` -> ("France",): the proper names an entry's glosses place it in or tie it to (Paris, capital
  of France; Guangzhou, capital of Guangdong; Lanzhou ... in northwest China). A translation may add them (法国巴黎
  for "Paris"), so they support a name but are never required.
- `abbreviated_in(text)` -> English names a Chinese text holds as one-character abbreviations (沪 Shanghai,
  中美 China and the United States).

`proper` says the dictionary spells the entry's pinyin capitalised (联合国 [Lian2 he2 guo2] "United Nations"): a
name, not a common word with a capitalised gloss (最高法院 [zui4 gao1 fa3 yuan4] "supreme court"). Built once from the dictionary file that
`summarizer.terms.lexicon` reads, cached as JSON beside the lexicon's cache.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from summarizer.config import cache_dir, cedict_path
from summarizer.terms import lexicon
from summarizer.terms.variants import ALIASES, SHORT_FORMS, fold

__all__ = ["Entry", "ReverseIndex", "abbreviated_in", "abbreviation", "chinese_of", "contexts", "english_of", "is_common_word", "is_proper", "key", "load"]

log = logging.getLogger(__name__)

_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_CHINESE_REF = re.compile(r"[\u3400-\u9fff\uf900-\ufaff·|]+(?:\[[^\]]*\])?")
_CAPITALISED = re.compile(r"[A-Z][\w'’.-]*(?:\s+(?:of|the|and|de)?\s*[A-Z][\w'’.-]*)*")
_NOT_CONTEXT = {"CL", "Taiwan pr", "PRC", "abbr", "Mandarin", "Chinese", "English", "Cantonese", "Pinyin", "Wade",
                "Giles", "Sanskrit", "Japanese", "Korean", "Tang", "Song", "Ming", "Qing", "Han", "Yuan", "Zhou"}
_RELATIVES = re.compile(r"\b(?:capital|city|county|district|province|prefecture|town|region|part|state|port|island|"
                        r"river|lake|mountain|university|party|ministry|organ|agency|company|subsidiary|in|of)\b")

# One-character abbreviations news uses for places. Those that are also common characters (中 美 日 法 德 英 ...)
# count only next to another abbreviation or before a word that marks a country (中美, 美方, 访日, 法籍).
_ABBREVIATIONS = {
    "沪": "Shanghai", "京": "Beijing", "津": "Tianjin", "渝": "Chongqing", "港": "Hong Kong", "澳": "Macao|Australia",
    "粤": "Guangdong", "闽": "Fujian", "浙": "Zhejiang", "苏": "Jiangsu", "皖": "Anhui", "赣": "Jiangxi",
    "湘": "Hunan", "鄂": "Hubei", "豫": "Henan", "冀": "Hebei", "晋": "Shanxi", "陕": "Shaanxi", "鲁": "Shandong",
    "川": "Sichuan", "蜀": "Sichuan", "黔": "Guizhou", "滇": "Yunnan", "桂": "Guangxi", "琼": "Hainan",
    "辽": "Liaoning", "吉": "Jilin", "黑": "Heilongjiang", "蒙": "Mongolia|Inner Mongolia", "藏": "Tibet", "疆": "Xinjiang",
    "台": "Taiwan", "甘": "Gansu", "陇": "Gansu", "宁": "Ningxia", "青": "Qinghai",
    "中": "China", "华": "China", "美": "United States", "日": "Japan", "韩": "South Korea", "朝": "North Korea",
    "俄": "Russia", "英": "United Kingdom", "法": "France", "德": "Germany", "意": "Italy", "欧": "Europe",
    "印": "India", "加": "Canada", "越": "Vietnam", "泰": "Thailand", "菲": "Philippines", "马": "Malaysia",
    "新": "Singapore|New Zealand|Xinjiang", "巴": "Pakistan|Brazil|Palestine", "伊": "Iran|Iraq", "以": "Israel", "沙": "Saudi Arabia", "土": "Turkey",
    "乌": "Ukraine", "西": "Spain", "葡": "Portugal", "荷": "Netherlands", "瑞": "Sweden|Switzerland", "非": "Africa",
}
_SAFE = set("沪粤闽浙皖赣湘鄂豫冀陕黔滇琼辽渝港澳俄韩")  # rarely anything but the place, in news
_ALL = "".join(_ABBREVIATIONS)
_ABBREVIATED = re.compile(
    rf"(?<=[{_ALL}])([{_ALL}])|([{_ALL}])(?=[{_ALL}]|方|军|籍|媒|企|资|股|元|币|债|舰|城|总统|首相|总理|政府|外长|大使|"
    rf"使馆|两国|关系|边境|贸易|警)|(?<=[访赴驻抵离返旅在来进出])([{_ALL}])(?=[，。、的期间后前时\s]|[^{_ALL}])")


# News names the dictionary words otherwise: (English, the Chinese it stands for).
_NEWS_EQUIVALENTS = (
    ("Communist Party of China", "中共"), ("Chinese Communist Party", "中国共产党"), ("Chinese Communist Party", "中共"),
    ("CPC", "中国共产党"), ("CPC", "中共"), ("CCP", "中国共产党"), ("CCP", "中共"), ("Communist Party", "共产党"),
    ("CPC Central Committee", "中共中央"), ("Central Committee of the CPC", "中共中央"), ("PRC", "中华人民共和国"),
    ("People's Republic of China", "中国"), ("PRC", "中国"), ("Malaysian Chinese Association", "马华公会"),
    ("MCA", "马华公会"), ("MCA", "马华"), ("Fantasy Westward Journey", "梦幻西游"),
    ("D.C.", "华盛顿"), ("Washington DC", "华盛顿"), ("NY", "纽约"), ("Red Cross", "红十字会"),
)


class Entry(NamedTuple):
    zh: str
    kind: str  # person | place | org | other
    proper: bool  # the dictionary capitalises its pinyin: a name, not a capitalised common word


@dataclass
class ReverseIndex:
    names: dict[str, list[Entry]]  # key(english) -> entries
    common: frozenset[str]  # English words the dictionary uses as plain lower-case glosses (parliament, china)
    forward: dict[str, tuple[str, ...]]  # zh -> every English name its entries give
    contexts: dict[str, tuple[str, ...]]  # zh -> names its glosses place it in (巴黎 -> France)
    proper: frozenset[str] = frozenset()  # zh whose pinyin the dictionary capitalises, and the news names


def key(english: str) -> str:
    """The lookup key of an English name: accents, case, hyphens, a leading "the" and a trailing 's off."""
    text = fold(english).replace("’", "'")
    if not re.fullmatch(r"(?:[A-Z]\.?){2,6}", text.strip()):  # acronyms keep their case: US is not "us"
        text = text.lower()
    text = re.sub(r"[-‐–—]", " ", text)
    text = re.sub(r"^(?:the|The)\s+|'s$|\.$", "", re.sub(r"\s+", " ", text).strip())
    return text.replace(".", "") if re.fullmatch(r"(?:[A-Z]\.){2,6}|(?:[A-Z]\.?){2,6}", text) else text


def _names_in_glosses(glosses: list[str]) -> tuple[list[str], list[str]]:
    """(the names the glosses give the entry, the other names they place it in)."""
    names, around = [], []
    for gloss in glosses:
        name = lexicon.clean_gloss(gloss)
        if name:
            names.append(name)
        if gloss.startswith(("see ", "variant of", "old variant", "CL:", "Taiwan pr.")):
            continue
        rest = _CHINESE_REF.sub(" ", gloss[len(name):] if name and gloss.startswith(name) else gloss)
        for m in _CAPITALISED.finditer(rest):
            phrase = m.group().strip(" .,'’")
            if phrase and phrase not in _NOT_CONTEXT and len(phrase) > 1 and _RELATIVES.search(gloss):
                around.append(phrase)
    return names, around


def build(lines) -> ReverseIndex:
    """The index from CC-CEDICT lines plus the lexicon's own renderings and the news short forms."""
    forward: dict[str, list[str]] = {}
    around: dict[str, list[str]] = {}
    proper: set[str] = set(lexicon.NEWS_NAMES)
    common: set[str] = set()
    lex = lexicon.load()
    for line in lines:
        m = _LINE.match(line)
        if not m or m.group(2) in lexicon.NOT_NAMES:
            continue
        simp, pinyin, glosses = m.group(2), m.group(3), m.group(4).split("/")
        if not pinyin[:1].isupper():
            common.update(g.removeprefix("to ").removeprefix("a ") for g in glosses if re.fullmatch(r"(?:to |a )?[a-z]+", g))
        if len(simp) < 2:
            continue
        names, places = _names_in_glosses(glosses)
        if pinyin[:1].isupper():
            proper.add(simp)
        if names and (pinyin[:1].isupper() or simp in lex.names):
            forward.setdefault(simp, []).extend(names)
            around.setdefault(simp, []).extend(places)
    countries = set(ALIASES) | {a for aliases in ALIASES.values() for a in aliases}
    for zh, (english, _kind) in lex.names.items():
        forward.setdefault(zh, []).insert(0, english)
        forward[zh].extend(a for a in lex.alternatives.get(zh, ()) if a not in countries)  # not "Chicago, USA"
        forward[zh].extend(SHORT_FORMS.get(english, ()))
        if english in ALIASES:  # demonyms: Syrian, South Korean, French
            forward[zh].extend(ALIASES[english])
        if english in countries and english.endswith("a"):
            forward[zh].append(english + "n")
    for english, zh in _NEWS_EQUIVALENTS:
        forward.setdefault(zh, []).append(english)
        proper.add(zh)
    index = ReverseIndex({}, frozenset(common), {}, {})
    for zh, names in forward.items():
        kind = lexicon.kind(zh) or "other"
        index.forward[zh] = tuple(dict.fromkeys(names))
        for name in index.forward[zh]:
            index.names.setdefault(key(name), []).append(Entry(zh, kind, zh in proper))
        if around.get(zh):
            index.contexts[zh] = tuple(dict.fromkeys(p for p in around[zh] if p not in names))[:8]
    index.proper = frozenset(proper & index.forward.keys())
    return index


def _dictionary() -> Path | None:
    custom = cedict_path()
    if custom:
        return custom
    try:
        path = Path(str(resources.files(lexicon.DATA_PACKAGE).joinpath(lexicon.DATA_FILE)))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


def _cache_file(data: Path) -> Path:
    rules = hashlib.sha1(Path(__file__).read_bytes() + Path(lexicon.__file__).read_bytes()
                         + Path(lexicon.news_names.__file__).read_bytes()).hexdigest()[:10]
    where = hashlib.sha1(str(data.resolve()).encode()).hexdigest()[:8]
    return cache_dir() / "terms" / f"cedict-reverse-{where}-{data.stat().st_size}-{rules}.json"


@lru_cache(maxsize=1)
def load() -> ReverseIndex:
    """The index: from its JSON cache when fresh, else built from the dictionary file (and cached)."""
    data = _dictionary()
    if data is None:
        return build([])
    cache = _cache_file(data)
    try:
        blob = json.loads(cache.read_text("utf-8"))
        return ReverseIndex({k: [Entry(*e) for e in v] for k, v in blob["names"].items()}, frozenset(blob["common"]),
                            {k: tuple(v) for k, v in blob["forward"].items()},
                            {k: tuple(v) for k, v in blob["contexts"].items()}, frozenset(blob["proper"]))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    opener = gzip.open if data.suffix == ".gz" else open
    with opener(data, "rt", encoding="utf-8") as fh:
        index = build(fh)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"names": index.names, "common": sorted(index.common), "forward": index.forward, "contexts": index.contexts,
                                   "proper": sorted(index.proper)},
                                  ensure_ascii=False, separators=(",", ":")), "utf-8")
        tmp.replace(cache)
        for old in cache.parent.glob(f"cedict-reverse-{cache.name.split('-')[2]}-*.json"):
            if old != cache:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("reverse index cache not written (%s)", exc)
    return index


def chinese_of(english: str) -> list[Entry]:
    """The entries whose English name `english` is (any gloss, the lexicon rendering, short forms), best first:
    entries whose main name it is (北京 before 京剧 for "Beijing"), places, organisations and people before other
    things, shorter before longer; [] if none."""
    k = key(english)
    return _ranked(k) or (_ranked(k[:-1]) if k.endswith("s") and len(k) > 4 else [])  # Syrians -> Syrian


@lru_cache(maxsize=8192)
def _ranked(k: str) -> list[Entry]:
    rank = {"place": 0, "org": 1, "person": 2}
    forward = load().forward
    return sorted(load().names.get(k, []), key=lambda e: (key((forward.get(e.zh) or ("",))[0]) != k,
                                                          rank.get(e.kind, 3), len(e.zh)))


def is_common_word(english: str) -> bool:
    """True for a word the dictionary uses as a plain lower-case gloss (parliament, china, congress)."""
    return english.lower() in load().common


def english_of(zh: str) -> tuple[str, ...]:
    """Every English name the dictionary and the lexicon give for `zh` (the lexicon's rendering first)."""
    return load().forward.get(zh, ())


def is_proper(zh: str) -> bool:
    """The dictionary capitalises the pinyin of `zh` (a name), or it is one of the news names."""
    return zh in load().proper


def contexts(zh: str) -> tuple[str, ...]:
    """Names the entry's glosses place `zh` in or tie it to (巴黎 -> France, 广州 -> Guangdong)."""
    return load().contexts.get(zh, ())


def abbreviation(ch: str) -> tuple[str, ...]:
    """The places a one-character abbreviation may stand for (美 -> United States; 新 -> Singapore, ...)."""
    return tuple(_ABBREVIATIONS[ch].split("|")) if ch in _ABBREVIATIONS else ()


def abbreviated_in(text: str) -> set[str]:
    """English names of the places `text` names by one-character abbreviations (沪, 中美, 访日, 法籍)."""
    text = re.sub(r"[\d一二三四五六七八九十今昨明次当每]日", "#", text)  # 26日, 今日: days, not Japan
    chars = {ch for ch in _SAFE if ch in text}
    chars.update(next(g for g in m.groups() if g) for m in _ABBREVIATED.finditer(text))
    return {name for ch in chars for name in _ABBREVIATIONS[ch].split("|")}
