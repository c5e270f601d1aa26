"""Finding proper names in Chinese news text (jieba's tagger, the glossary, the CC-CEDICT lexicon).

Adjacent administrative units (广州市荔湾区石围塘街道) stay separate names, one per unit, so that each is required
and checked on its own and the translation may order them the English way (Shiweitang Subdistrict, Liwan District,
Guangzhou); the pieces of one unit (石围 + 塘 + 街道) are joined. Each name carries what the text around it says
(summarizer.terms.foreign.context) and any English the source gives in brackets right after it.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import jieba
import jieba.posseg as pseg

from summarizer.terms import lexicon
from summarizer.terms.foreign import context, english_in_text
from summarizer.terms.romanize import (
    COMMON_SURNAMES,
    COMPANY_SUFFIXES,
    COMPOUND_SURNAMES,
    ORG_SUFFIXES,
    PLACE_UNITS,
    Lookup,
    ending_of,
)
from summarizer.text.lang import HAN_CLASS

jieba.setLogLevel(logging.WARNING)
log = logging.getLogger(__name__)

_ORG_ENDINGS = ("部", "署", "办公室", "总局", "组织", "委员会", "政府")
_FUNCTION_TAGS = {"c", "p", "u", "uj", "ul", "uz", "ug", "uv", "ud", "d", "r", "m", "q", "f", "y", "e", "o", "x"}
_NUMERALS = set("一二三四五六七八九十百千万零两几")
_SMALL_UNITS = {"区", "县", "镇", "乡", "村", "街道", "街"}
_GIVEN_TAGS = {"nz", "nr", "nrt", "ng"}
_SMALL = {"of", "and", "the", "for", "on", "in", "&"}
_TAG_KIND = {"nr": "person", "nrfg": "person", "ns": "place", "nt": "org", "nz": "other"}
_PROPER_TAGS = {"nr", "nrfg", "nrt", "ns", "nt", "nz"}
_ANON = re.compile(rf"([{HAN_CLASS}]{{1,2}}?)某某?(?![些种个项位地处天日年月次件物事类])")
_HAN = re.compile(f"[{HAN_CLASS}]+")
_TITLED = re.compile(  # title + a surname and one or two given-name characters, then a break
    r"(?:副|总|常务)?(?:主任|局长|会长|院长|部长|主席|秘书长|董事长|总经理|总裁|厅长|处长|所长|社长|校长|市长|省长|书记|理事长)"
    rf"(?P<name>[{HAN_CLASS}]{{2,3}}?)(?=以及|表示|指出|认为|介绍|强调|发布|宣布|说|称|、|，|,|。|和|与|等|在)")
_DETERMINERS = set("各每全该本两多诸此")
_LOCATIVES = set("中上下里内外前后")
_NOT_GIVEN_END = set("说称自和与在对向等的了是也语区县市省镇乡村")  # 莫兰说 "Moran said", 高鸿自 "Gavilon since": not names
_CONTEXT_RANK = {"": 0, "region": 1, "last": 2, "first": 2, "inside": 2, "middle": 3, "fragment": 3}


@dataclass(frozen=True)
class Name:
    zh: str
    kind: str  # person|place|org|other
    # What the text around the name says (summarizer.terms.foreign.context): "first"/"middle"/"last" part of a
    # dotted foreign name, "fragment" of a longer transliteration, "region" (a person after 新加坡, 香港 ...), "".
    context: str = field(default="", compare=False)
    english: str = field(default="", compare=False)  # English the source gives in brackets after the name


def as_lookup(glossary) -> Lookup | None:
    """A glossary as a zh -> English callable: a callable, a mapping, or a terms.glossary.Glossary."""
    if glossary is None or callable(glossary):
        return glossary
    if isinstance(glossary, Mapping):
        return glossary.get
    return {t.zh: t.en for t in getattr(glossary, "terms", ())}.get


# -- finding -------------------------------------------------------------------------------------

def find_names(text: str, glossary=None) -> list[Name]:
    """Proper names in Chinese `text`, in order of first appearance, each once."""
    lookup = as_lookup(glossary)
    tokens = [(w, f) for w, f in pseg.cut(text)]
    starts, pos = [], 0
    for w, _ in tokens:
        starts.append(pos)
        pos += len(w)
    hits: list[tuple[int, Name]] = list(_anonymised(text)) + list(_titled(text))
    i = 0
    while i < len(tokens):
        name, step = _match_at(tokens, i, lookup)
        if name and len(name.zh) >= 2:
            hits.append((starts[i], name))
        i += step
    seen: dict[str, Name] = {}
    for start, name in sorted(hits, key=lambda h: h[0]):
        seen[name.zh] = _in_context(text, start, name, seen.get(name.zh))
    _mark_foreign_prefixes(seen)
    log.debug("find_names: %d names in %d characters", len(seen), len(text))
    return list(seen.values())


def _in_context(text: str, start: int, name: Name, earlier: Name | None) -> Name:
    """The name with what this occurrence's surroundings say, merged with its earlier occurrences."""
    end = start + len(name.zh)
    if text[start:end] != name.zh:
        return earlier or name
    ctx = context(text, start, end, name.zh, name.kind)
    english = english_in_text(text, end) if ctx in {"", "last"} else ""
    if ctx == "last" and english:
        english = english.split()[-1]  # 埃尔多安（Recep Tayyip Erdoğan） -> Erdoğan
    if earlier is None:
        return Name(name.zh, name.kind, ctx, english)
    if _CONTEXT_RANK[ctx] <= _CONTEXT_RANK[earlier.context]:
        ctx = earlier.context
    return Name(earlier.zh, earlier.kind, ctx, earlier.english or english)


def _mark_foreign_prefixes(seen: dict[str, Name]) -> None:
    """戴维空 (戴维 + 空出 "vacated") when 戴维 is a foreign name elsewhere in the text: not a Chinese person."""
    foreign = [n.zh for n in seen.values() if n.context in {"first", "middle", "last", "fragment"}]
    for zh, name in seen.items():
        if name.kind == "person" and not name.context and any(zh.startswith(f) and zh != f for f in foreign):
            seen[zh] = Name(zh, name.kind, "fragment", name.english)


def _anonymised(text: str):
    """卢某, 赖某某, 欧阳某: anonymised people in court and police reports."""
    for m in _ANON.finditer(text):
        sur, start = m.group(1), m.start(1)
        if len(sur) == 2 and sur not in COMPOUND_SURNAMES:
            sur, start = sur[1], start + 1
        if sur not in COMMON_SURNAMES and sur not in COMPOUND_SURNAMES:
            continue
        if start and lexicon.is_common_word(text[start - 1] + sur):  # 对于某 is not 于某
            continue
        yield start, Name(text[start:m.end()], "person")


def _titled(text: str):
    """副主任何小龙, 副局长蔡鑫: a person right after a job title, which jieba may cut apart (主/任何/小龙)."""
    for m in _TITLED.finditer(text):
        name = m.group("name")
        if name[0] in COMMON_SURNAMES and not lexicon.is_common_word(name) and not lexicon.is_known(name):
            yield m.start("name"), Name(name, "person")


def _match_at(tokens, i: int, lookup: Lookup | None) -> tuple[Name | None, int]:
    """The name starting at token i and how many tokens it spans (1 when there is none)."""
    before = tokens[i - 1][0][-1:] if i else ""
    if before in {"以", "向"} and tokens[i][0][:1] in "东南西北" and tokens[i][0][1:2] == "约":
        return None, 1  # 以北约15英里 "about 15 miles north", not NATO
    if tokens[i][0][:1] in "十百千万亿" and (before.isdigit() or before in _NUMERALS):
        return None, 1  # 1万年 "10,000 years", not Wannian County
    for j in range(min(len(tokens), i + 4), i, -1):  # a known name, longest span first
        name = _known(tokens, i, j, lookup)
        if name:
            return _extend(tokens, i, j, name)
    word, flag = tokens[i]
    nxt, nflag = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
    if (word in COMPOUND_SURNAMES or flag == "nr" and len(word) == 1) and nflag in _GIVEN_TAGS and len(nxt) <= 2:
        merged = word + nxt  # 薛 + 兴华, 欧阳 + 娜娜
        if _plausible(merged, "nr"):
            return Name(merged, "person"), 2
    if flag not in _TAG_KIND or not _HAN.fullmatch(word):
        return _unknown_place(tokens, i)
    if flag == "ns" and nxt in PLACE_UNITS and not lexicon.is_common_word(word):
        return _extend(tokens, i, i + 2, Name(word + nxt, "place"))
    if flag in {"nr", "ns"} and _plausible(word, flag):
        name, step = _extend(tokens, i, i + 1, Name(word, _TAG_KIND[flag]))
        if step > 1:
            return name, step
    if flag == "nr" and len(word) == 2 and _byline_tail(tokens, i) and _plausible(word + nxt, flag):
        return Name(word + nxt, "person"), 2  # 罗知 + 之 + 、
    if flag == "nr" and len(word) == 3 and word[1] == word[2] and nxt in {"的", "地"}:
        return None, 1  # 冷冰冰的: an adjective, not a person
    if flag in {"nr", "nrfg"} and (ending_of("_" + nxt, PLACE_UNITS) or nxt in ORG_SUFFIXES):
        return None, 1  # 关天 + 经济区: the stem of a place, not a person
    return (Name(word, _TAG_KIND[flag]) if _plausible(word, flag) else None), 1


def _known(tokens, i: int, j: int, lookup: Lookup | None) -> Name | None:
    """tokens[i:j] as a name the glossary or the lexicon knows, when it reads as a name here."""
    span = "".join(w for w, _ in tokens[i:j])
    if len(span) < 2 or len(span) > 12 or not _HAN.fullmatch(span) or lexicon.is_common_word(span):
        return None
    if span in COMPOUND_SURNAMES:
        return None  # 欧阳 alone is a surname, not the Ouyang place
    glossed = lookup(span) if lookup else None
    english = glossed or lexicon.lookup(span)
    if not english:
        return None
    kind = _kind_of(span, tokens[i:j])
    tagged = any(f in _PROPER_TAGS for _, f in tokens[i:j])
    curated = glossed or span in lexicon.NEWS_NAMES
    if j - i > 1 and not curated and kind != "org" and any(f in _FUNCTION_TAGS for _, f in tokens[i:j]):
        return None  # 大 + 和 is not 大和 (Yamato)
    if not (tagged or kind in {"place", "org"} or (lexicon.kind(span) == "person" and j - i > 1)):
        return None  # 日产 (Nissan?) in 日产精品, 悟空 in a game title
    words = re.sub(r"\([^()]*\)", "", english).split()
    if lexicon.lookup(span) is None and not (words and all(w[:1].isupper() or w in _SMALL for w in words)):
        return None  # glossary terms that are not names: 大模型 = large model
    if kind == "org" and not tagged and j - i > 1 and _inside_longer_org(tokens, i, span):
        return None
    return Name(span, kind)


def _kind_of(span: str, toks) -> str:
    """Kind of a known name: the Chinese ending (部, 大学, 区 ...), else the lexicon, else the tagger."""
    known = lexicon.kind(span)
    if known not in {"org", "place"}:
        if ending_of(span, ORG_SUFFIXES | dict.fromkeys(_ORG_ENDINGS, "")):
            return "org"
        if ending_of(span, PLACE_UNITS):
            return "place"
    if known and known != "other":
        return known
    tag = toks[0][1] if len(toks) == 1 else ""
    if tag in {"ns", "nt"} or (tag in {"nr", "nrfg"} and known is None):
        return _TAG_KIND[tag]
    return "other"


def _inside_longer_org(tokens, i: int, span: str) -> bool:
    """发展研究中心 inside 国家工业信息安全发展研究中心: a known org ending preceded by a plain noun."""
    return i > 0 and bool(ending_of(span, ORG_SUFFIXES)) and tokens[i - 1][1] in {"n", "vn", "nz"}


def _byline_tail(tokens, i: int) -> bool:
    """A single character after a two-character name and before 、 ) or the end: 罗知之、陈键."""
    if i + 1 >= len(tokens) or len(tokens[i + 1][0]) != 1 or not _HAN.fullmatch(tokens[i + 1][0]):
        return False
    return i + 2 >= len(tokens) or tokens[i + 2][0] in {"、", "）", ")", "，", ",", "。"}


def _extend(tokens, i: int, j: int, name: Name) -> tuple[Name, int]:
    """Join a following unit or organisation suffix: 吴江 + 区, 快手 + 科技, 柳沈 + 律师 + 事务所."""
    if name.kind in {"place", "other"} and j < len(tokens) and tokens[j][0] in PLACE_UNITS:
        name, j = Name(name.zh + tokens[j][0], "place"), j + 1
    for k in range(min(len(tokens), j + 3), j, -1):
        suffix = "".join(w for w, _ in tokens[j:k])
        if suffix in ORG_SUFFIXES and not (name.kind == "place" and suffix in COMPANY_SUFFIXES):
            return Name(name.zh + suffix, "org"), k - i
    return name, j - i


def _plausible(word: str, flag: str) -> bool:
    """Precision filter for names the tagger proposes that no dictionary knows."""
    if len(word) < 2 or lexicon.is_common_word(word):
        return False
    if flag in {"nr", "nrfg"}:
        return _looks_likeperson(word)
    if flag == "ns":
        return _place_with_unit(word)
    if flag in {"nt", "nz"}:
        return _org_with_named_stem(word)
    return False  # nrt (foreign transliterations) only through the lexicon


def _place_with_unit(word: str) -> bool:
    """震泽镇, 石围塘街道; not 亚太地区 "the Asia-Pacific region", 文明城市 "civilised city", 各县区 "each county"."""
    if not any(word.endswith(u) and len(word) > len(u) + 1 for u in PLACE_UNITS):
        return False
    tail = word[-2:]
    return word[0] not in _DETERMINERS and not (tail not in PLACE_UNITS and lexicon.is_common_word(tail))


def _looks_likeperson(word: str) -> bool:
    compound = word[:2] in COMPOUND_SURNAMES
    given = word[2:] if compound else word[1:]
    if not (compound or word[0] in COMMON_SURNAMES) or not 1 <= len(given) <= 2:
        return False
    if word[0] == "和" or (len(given) == 2 and given[-1] in _NOT_GIVEN_END) or word[1:] == "方":
        return False  # 和塞科 "and Seko", 莫兰说 "Moran said", 罗曼语 "Romance languages", 韩方 "the Korean side"
    if len(word) == 3 and word[2] in _LOCATIVES and lexicon.is_common_word(word[:2]):
        return False  # 文明中 "in civilisation", 马镫上 "on the stirrup"
    if len(given) == 2 and lexicon.is_common_word(given):
        return False  # 牛羊肉, 高亮度
    return compound or not (len(given) == 2 and lexicon.is_known(given))  # 韩欧美


def _org_with_named_stem(word: str) -> bool:
    suffix = ending_of(word, ORG_SUFFIXES)
    if not suffix or len(word) <= len(suffix):
        return False
    stem = word[: -len(suffix)]
    return all(lexicon.is_known(w) or (f in _PROPER_TAGS and _plausible(w, f)) for w, f in pseg.cut(stem))


def _unknown_place(tokens, i: int) -> tuple[Name | None, int]:
    """石围 + 塘 + 站/街道, or 震泽镇 after a place: unknown place names before a unit or a station."""
    word = tokens[i][0]
    unit = ending_of(word, _SMALL_UNITS)
    after_place = i and (tokens[i - 1][1] == "ns" or tokens[i - 1][0] in PLACE_UNITS)
    if unit and after_place and _HAN.fullmatch(word) and len(word) >= 3:
        stem = word[: -len(unit)]
        ok = not (lexicon.is_common_word(word) or lexicon.is_common_word(stem) or _NUMERALS.intersection(stem))
        return (Name(word, "place") if ok else None), 1
    chunk, j = "", i
    while j < len(tokens) and j - i < 3 and (tokens[j][1].startswith("n") or tokens[j][1] == "j"):
        if tokens[j][0] in PLACE_UNITS or tokens[j][0] == "站":
            break
        chunk += tokens[j][0]
        j += 1
    nxt = tokens[j][0] if j < len(tokens) else ""
    if j - i < 2 or not 2 <= len(chunk) <= 4 or not _HAN.fullmatch(chunk) or lexicon.is_common_word(chunk):
        return None, 1
    if any(lexicon.is_common_word(w) for w, _ in tokens[i:j]) or nxt not in _SMALL_UNITS | {"站"}:
        return None, 1
    return Name(chunk if nxt == "站" else chunk + nxt, "place"), j - i + (nxt != "站")
