"""English for Chinese names no glossary or dictionary knows, as English-language Chinese news writes them.

- people: surname first, given name joined (马朝旭 -> Ma Zhaoxu); compound surnames (欧阳, 司马, 诸葛 ...) read
  as one word; anonymised X某/X某某 -> the surname alone (卢某 -> Lu).
- places: syllables joined and capitalised (石围塘 -> Shiweitang), an apostrophe before a/o/e syllables inside
  a word (西安 -> Xi'an), ü kept as ü (吕 -> Lü: news writes Lü or Lyu, never Lv). Units: 省 Province,
  区 District, 县 County, 镇 Town, 乡 Township, 村 Village, 街道/街 Subdistrict, 自治区 Autonomous Region;
  市 is dropped (汕尾市 -> Shanwei), as news says "Shanwei" and "Guangzhou" but "Liwan District" and
  "Guangdong Province". A unit already spelled in the name stays single (中关村 -> Zhongguancun).
- organisations: the stem's rendering plus the English suffix (快手科技 -> Kuaishou Technology); only stems that
  are names themselves are rendered this way, descriptive names (国家工业信息安全发展研究中心) are left to the model.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping

from pypinyin import Style, lazy_pinyin
from pypinyin import pinyin as pinyin_readings

from summarizer.terms import lexicon

Lookup = Callable[[str], "str | None"]

# The ~250 commonest single-character surnames (people found by the tagger must start with one).
COMMON_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛"
    "曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席"
    "卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝赖"
)
COMPOUND_SURNAMES = {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
                     "夏侯", "令狐", "端木", "独孤", "西门", "南宫", "轩辕", "澹台", "申屠", "呼延", "万俟", "百里"}
# Given names whose usual reading is not pypinyin's choice (朝 is zhao in names, chao elsewhere).
GIVEN_READINGS = {"朝旭": "zhao xu", "朝晖": "zhao hui", "朝霞": "zhao xia", "朝辉": "zhao hui"}
GIVEN_CHAR_READINGS = {"长": "chang"}  # 申长雨 Shen Changyu: pypinyin reads a lone 长 as zhang

PLACE_UNITS = {"特别行政区": "Special Administrative Region", "自治区": "Autonomous Region",
               "自治州": "Autonomous Prefecture", "自治县": "Autonomous County", "街道": "Subdistrict",
               "省": "Province", "市": "", "区": "District", "县": "County", "镇": "Town", "乡": "Township",
               "村": "Village", "街": "Subdistrict"}
ORG_SUFFIXES = {"股份有限公司": "Co., Ltd.", "有限责任公司": "Co., Ltd.", "有限公司": "Co., Ltd.", "公司": "Company",
                "集团": "Group", "控股": "Holdings", "科技": "Technology", "银行": "Bank", "大学": "University",
                "学院": "College", "研究院": "Research Institute", "研究所": "Research Institute",
                "研究中心": "Research Center", "中心": "Center", "海关": "Customs",
                "高级人民法院": "High People's Court", "中级人民法院": "Intermediate People's Court",
                "人民法院": "People's Court", "法院": "Court", "人民检察院": "People's Procuratorate",
                "检察院": "Procuratorate", "律师事务所": "Law Firm", "协会": "Association", "学会": "Society",
                "基金会": "Foundation", "委员会": "Committee", "联合会": "Federation", "医院": "Hospital",
                "出版社": "Press", "日报": "Daily", "晚报": "Evening News", "电视台": "TV", "局": "Bureau"}
_WORD_UNITS = {"镇", "乡", "村", "街"}  # a one-character stem and these read as one word: 乌镇 Wuzhen
COMPANY_SUFFIXES = {"股份有限公司", "有限责任公司", "有限公司", "公司", "集团", "控股", "科技"}  # not after places


def person(zh: str) -> str:
    core = zh.rstrip("某")
    sur = core[:2] if core[:2] in COMPOUND_SURNAMES else core[:1]
    reading = lexicon.surname(sur) or pinyin(sur)
    given = core[len(sur):]
    if core != zh or not given:  # anonymised: the surname alone
        return reading
    spelled = GIVEN_READINGS.get(given)
    syllables = spelled.split() if spelled else lazy_pinyin(given, style=Style.NORMAL, v_to_u=True, errors="ignore")
    return f"{reading} {_join([GIVEN_CHAR_READINGS.get(c, s) for c, s in zip(given, syllables)])}"


def pinyin(zh: str) -> str:
    """Tone-less pinyin as one capitalised word: 石围塘 -> Shiweitang, 西安 -> Xi'an, 吕 -> Lü."""
    return _join(lazy_pinyin(zh, style=Style.NORMAL, v_to_u=True, errors="ignore"))


def reads_as(zh: str, english: str) -> bool:
    """`english` starts with a reading of zh's first character (南开 "Nankai" yes, "Hebei" no; 单县 "Shan" yes)."""
    word = unicodedata.normalize("NFKD", english).encode("ascii", "ignore").decode().lower()
    readings = pinyin_readings(zh[:1], style=Style.NORMAL, heteronym=True)[0] if zh else []
    return any(word.startswith(r.replace("ü", "u").replace("v", "u")) for r in readings)


def _join(syllables: list[str]) -> str:
    out = ""
    for syl in syllables:
        out += ("'" if out and syl[:1] in "aoe" else "") + syl
    return out[:1].upper() + out[1:]


def ending_of(zh: str, table: Mapping[str, str]) -> str | None:
    return next((s for s in sorted(table, key=len, reverse=True) if zh.endswith(s) and len(zh) > len(s)), None)


def with_unit(zh: str, english: str) -> str:
    """Apply the place-unit rule to a lexicon rendering: 福建省 Fujian -> Fujian Province, 汕尾市 -> Shanwei."""
    unit = ending_of(zh, PLACE_UNITS)
    if unit is None:
        return english
    word = PLACE_UNITS[unit]
    if not word:
        return re.sub(r" City$", "", english)
    if english.endswith(word) or "Autonomous" in english or english.lower().endswith(pinyin(unit).lower()):
        return english  # 中关村 -> Zhongguancun, not "Zhongguancun Village"
    return f"{english} {word}"


def compose(zh: str, lookup: Lookup | None) -> str:
    """Stem + English unit/suffix for names no dictionary knows: 荔湾区, 快手科技, 天津市高级人民法院."""
    return composed(zh, lookup)[0]


def composed(zh: str, lookup: Lookup | None) -> tuple[str, str]:
    """`compose` and where the stem came from: "glossary", "lexicon", or "pinyin" when any part is pinyin."""
    for table in (ORG_SUFFIXES, PLACE_UNITS):
        suffix = ending_of(zh, table)
        if suffix:
            stem = zh[: -len(suffix)]
            if table is PLACE_UNITS and len(stem) == 1 and suffix in _WORD_UNITS:
                return pinyin(zh), "pinyin"  # 乌镇 is Wuzhen, not "Wu Town"
            glossed = lookup and lookup(stem)
            stem_en = glossed or lexicon.lookup(stem)
            if table is PLACE_UNITS and stem_en and re.search(r"[- ]", stem_en):
                stem_en = None  # 粤海街道 is Yuehai Subdistrict, not "Guangdong-Hainan Subdistrict"
            if stem_en:
                stem_en, source = with_unit(stem, stem_en), "glossary" if glossed else "lexicon"
            else:
                stem_en, source = composed(stem, lookup)
            if table is ORG_SUFFIXES:  # 河北省高级人民法院 -> Hebei High People's Court
                stem_en = re.sub(r" Province$", "", stem_en)
            if suffix == "公司" and lexicon.kind(stem) == "org":
                return stem_en, source  # 华为公司 -> Huawei
            return " ".join(p for p in (stem_en, table[suffix]) if p), source
    return pinyin(zh), "pinyin"
