"""Is a Chinese name a transliterated foreign name? Pinyin is the right English only for Chinese names.

International news writes foreign names with the characters of the Xinhua transliteration tables (鲍勃 Bob,
米诺夫 -noff, 新斯科舍 Nova Scotia). Read as pinyin they give "Bao Bo" and "Xinsikeshe", so no such name gets a
pinyin rendering. Two kinds of evidence, both cheap and explainable:

- the characters (`looks_foreign`): a marker character that Chinese given names and Han place names almost never
  use (斯 尔 夫 姆 玛 ...), or a name made only of transliteration characters none of which is a common Chinese
  given-name character (林登 Lyndon, 胡纳 Huhne; not 林丹, whose 丹 is an ordinary given name);
- the text around the name (`context`): next to a name separator (·) it is one part of a foreign full name; with
  a transliteration character right before or after a name made of them, or a marker character right before a
  person, it is a piece of a longer one (萨尔 in 纳萨尔 Nassar, 约翰 in 约翰德罗 Johndroe, 滕贝格 in
  斯托尔滕贝格 Stoltenberg); after 新加坡/朝鲜/香港 ... it is a person whose name is not spelled in pinyin.
"""
from __future__ import annotations

import re

from summarizer.terms.romanize import (
    COMMON_SURNAMES,
    COMPOUND_SURNAMES,
    ORG_SUFFIXES,
    PLACE_UNITS,
    ending_of,
)
from summarizer.text.lang import HAN, HAN_CLASS

# Characters of the Xinhua transliteration tables (英汉/德汉/法汉... 译音表), the ones news uses most.
TRANSLIT = frozenset(
    "阿埃艾爱安昂奥巴拜班邦保鲍贝本比彼宾波伯勃博布查达戴黛丹道德登迪蒂丁东杜多厄恩尔法凡菲费芬丰佛夫弗伏福"
    "盖甘冈戈哥格根贡古圭哈海汉豪赫亨洪胡华怀霍基吉加贾杰金卡凯坎康考柯科克肯库夸奎昆拉莱兰朗劳勒雷蕾里利"
    "莉丽连林琳隆卢鲁路伦罗洛马玛迈麦曼芒毛梅门蒙米莫姆穆纳娜奈南瑙内尼妮涅宁纽努诺欧帕潘庞佩彭皮珀坡普奇"
    "齐恰乔切钦琼丘屈让热瑞若萨塞桑瑟森沙莎尚绍舍圣什施史斯丝松苏索塔泰坦汤唐特提汀通图托瓦万旺威韦维温"
    "文沃乌伍西希锡夏谢辛休雅亚扬耶伊因英尤约泽扎詹兹茨娅翰逊顿琪茜缇契"
)
# Transliteration characters that Chinese given names and Han place names almost never use.
MARKERS = frozenset("斯尔夫姆茨兹丝蒂莎娅玛顿弗埃瑟坦逊沃撒迈契普瓦耶卡拉特托伊勃诺布")
# Transliteration characters that are also common in Chinese given names (林丹, 马兰, 高杰): no evidence.
GIVEN = frozenset("安保本波博丹道德东丰富海汉豪洪华杰金凯康兰雷蕾莉丽连林琳隆明南宁琪茜瑞森尚松泰文英雅亚"
                  "扬泽辛万旺温威维伟彬宾芬佳嘉梅蒙鹏平琼秋荣瑶燕云")
DOTS = "·•‧・∙"
# Places whose people are not written in pinyin (Singapore, Korean, Hong Kong, Taiwan ... spellings).
NON_PINYIN_REGIONS = ("新加坡", "朝鲜", "韩国", "香港", "台湾", "澳门", "马来西亚", "日本", "越南", "缅甸", "泰国",
                      "柬埔寨", "印尼", "印度尼西亚", "菲律宾", "蒙古")
# Ordinary words made of transliteration characters (关于, 因为 ...): not a piece of a longer foreign name.
_ORDINARY_NEIGHBOURS = frozenset("于因里明通文东南西华海安万多加达利亚中大小的在和与是有")
_LATIN_GLOSS = re.compile(r"\s*[(（]\s*([A-Za-z][A-Za-z\u00c0-\u024f .,'’&-]{0,60}?)\s*[)）]")
_INSIDE_GLOSSED = re.compile(f"[{HAN_CLASS}]{{0,10}}(?:" + "|".join(ORG_SUFFIXES) + r")\s*[(（]\s*[A-Za-z]")
_CLAUSE_END = re.compile(r"[，。；：！？、,.;:!?\n]")


def core_of(zh: str) -> str:
    """The name without its place units and organisation suffixes: 新斯科舍省 -> 新斯科舍, 天津市高级人民法院 -> 天津."""
    while True:
        suffix = ending_of(zh, ORG_SUFFIXES) or ending_of(zh, PLACE_UNITS) or ending_of(zh, {"州": ""})
        if not suffix:
            return zh
        zh = zh[: -len(suffix)]


def has_chinese_surname(zh: str) -> bool:
    return zh[:2] in COMPOUND_SURNAMES or zh[:1] in COMMON_SURNAMES


def looks_foreign(zh: str, kind: str = "other") -> bool:
    """True when the characters of `zh` say it is a transliterated foreign name (see the module docstring)."""
    core = core_of(zh)
    if len(core) < 2 or core.endswith("某"):
        return False
    if MARKERS.intersection(core):
        return True
    if kind == "person" and not has_chinese_surname(core):
        return True
    rest = core[1:] if kind == "person" else core
    return all(c in TRANSLIT for c in core) and not GIVEN.intersection(rest)


def context(text: str, start: int, end: int, zh: str, kind: str) -> str:
    """What the text around text[start:end] says about the name there.

    "inside": the start of a longer organisation name the source glosses in brackets (太平洋 in
    太平洋海啸警报中心 (PTWC)); "first", "middle", "last": a part of a dotted full name (鲍勃·迪伦; the dot only counts for people and
    transliterations, not in 宝鸡·丝路); "fragment": a piece of a longer
    run of transliteration characters (纳萨尔 around 萨尔); "region": a person after 新加坡/朝鲜/香港 ... in the same
    clause; "" when nothing.
    """
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    translit = all(c in TRANSLIT for c in zh) or looks_foreign(zh, kind)
    if translit and (_translit_neighbour(before) or _translit_neighbour(after)):
        return "fragment"
    if kind == "person" and before in MARKERS:  # 斯托尔 + 滕贝格; a marker after it is often a word (特别, 迈向)
        return "fragment"
    if kind == "person" and after and after in "尔斯" and text[end : end + 2] not in ("尔后", "斯时"):  # 孙德本 + 尔斯 Sundarbans
        return "fragment"
    dot_before = bool(before) and before in DOTS or (before == "-" and _han(text, start - 2))
    dot_after = bool(after) and after in DOTS or (after == "-" and _han(text, end + 1))
    if (dot_before or dot_after) and (translit or kind == "person"):  # not 宝鸡·丝路, 中国·北京
        return {(True, True): "middle", (False, True): "first", (True, False): "last"}[(dot_before, dot_after)]
    if kind != "person" and _INSIDE_GLOSSED.match(text, end):
        return "inside"
    if kind == "person" and _after_region(text, start):
        return "region"
    return ""


def english_in_text(text: str, end: int) -> str:
    """The English the source gives in brackets right after a name: 莱顿 (Layton) -> "Layton"; see also `is_acronym`."""
    m = _LATIN_GLOSS.match(text, end)
    return m.group(1).strip(" ,") if m else ""


def is_acronym(gloss: str) -> bool:
    """(NHK), (CEP), (BABA): an acronym or a stock ticker, not the name itself."""
    return re.fullmatch(r"[A-Z.&]{1,6}", gloss) is not None


def _han(text: str, i: int) -> bool:
    return 0 <= i < len(text) and HAN.match(text[i]) is not None


def _translit_neighbour(ch: str) -> bool:
    return ch in TRANSLIT and ch not in _ORDINARY_NEIGHBOURS


def _after_region(text: str, start: int) -> bool:
    clause = _CLAUSE_END.split(text[max(0, start - 16):start])[-1]
    return any(region in clause for region in NON_PINYIN_REGIONS)
