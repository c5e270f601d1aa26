"""Quantities in Chinese text: numerals, 万/亿 scales, dates, times, percentages, ordinals, money.

Extraction is a table of rules (`RULES`), most specific first; each rule claims the characters it matches.
"""
from __future__ import annotations

import math
import re

from summarizer.checks.numbers.currency import CURRENCY_ZH, LOCAL_YUAN_RE
from summarizer.checks.numbers.quantity import (
    ARABIC, Finder, Quantity, Rule, arabic_value, latin_adjacent, run_rules, same_size, trailing_zero_precision,
)

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
           "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_SCALE = {**_SMALL_UNITS, "万": 10_000, "亿": 100_000_000}
_DIGIT_CHARS = "".join(_DIGITS)
NUM_CHARS = _DIGIT_CHARS + "".join(_SCALE)
_NUMERAL = f"[{_DIGIT_CHARS}十拾][{NUM_CHARS}]*(?:点[{_DIGIT_CHARS}]+)?"
NUM = f"(?:{ARABIC}|{_NUMERAL})"

_APPROX_BEFORE = {
    "超过": "over", "超出": "over", "超": "over", "逾": "over", "不少于": "over", "至少": "over", "高于": "over",
    "将近": "under", "接近": "under", "近": "under", "不到": "under", "不足": "under", "低于": "under", "少于": "under",
    "大约": "about", "约为": "about", "约达": "about", "约有": "about", "约": "about", "大概": "about", "差不多": "about",
}
_APPROX_AFTER = {"多": "over", "余": "over", "以上": "over", "来": "about", "左右": "about", "上下": "about", "以下": "under", "以内": "under"}
_APPROX_BEFORE_RE = re.compile("(" + "|".join(sorted(_APPROX_BEFORE, key=len, reverse=True)) + r")\s*(?:达到|达|有|为)?\s*$")
_COUNTER = re.compile(
    r"\s*(平方公里|平方米|公里|千米|英里|英尺|英寸|公斤|千克|公顷|摄氏度|华氏度|小时|分钟|亿元|万元|[次批件家项个人名位岁元年天周月米吨克磅度倍台辆架艘座所条只头枚篇部款户场亩])"
)
_CURRENCY_RE = re.compile(r"\s*(人民币|美元|美金|欧元|英镑|日元|港元|港币|澳元|加元|新台币|卢布|韩元|卢比|法郎|元|块)")
_DAYPART = r"(?:上午|下午|晚上|凌晨|早上|中午|傍晚|夜间|深夜|清晨|早晨|晚间|午夜)"
_VAGUE_BEFORE = "数几"


# --------------------------------------------------------------------------------------------------
# Numerals


def parse_zh_numeral(text: str) -> tuple[float, float] | None:
    """(value, precision) of a Chinese numeral: 三千零七十九 -> (3079, 1), 一百二十万 -> (1200000, 100000)."""
    if not text:
        return None
    whole, _, decimals = text.partition("点")
    if decimals:
        if not all(c in _DIGITS for c in decimals):
            return None
        int_part = parse_zh_numeral(whole)
        if int_part is None:
            return None
        frac = "".join(str(_DIGITS[c]) for c in decimals)
        return int_part[0] + float("0." + frac), 10.0 ** -len(frac)
    if all(c in _DIGITS for c in whole):  # 二〇二四: read digit by digit
        return float("".join(str(_DIGITS[c]) for c in whole)), 1.0
    # precision: the units written after the last digit (一百二十万 -> 十万)
    tail = re.search(f"[{''.join(_SCALE)}]*$", whole).group()
    precision = scale_of(tail) if tail and tail != whole else 1.0
    return _integer_value(whole), precision


def _integer_value(whole: str) -> float:
    result = wan = section = number = 0.0
    for ch in whole:
        if ch in _DIGITS:
            number = _DIGITS[ch]
        elif ch in _SMALL_UNITS:
            section += (number or 1) * _SMALL_UNITS[ch]
            number = 0
        elif ch == "万":
            wan = (wan + section + number) * 10_000
            section = number = 0
        elif ch == "亿":
            result = (result + wan + section + number) * 100_000_000
            wan = section = number = 0
    return result + wan + section + number


def zh_value(num: str) -> tuple[float, float] | None:
    """(value, precision) of an Arabic or Chinese number string."""
    if num in ("百", "千"):
        return float(_SCALE[num]), 1.0
    if re.fullmatch(ARABIC, num):
        return arabic_value(num)
    return parse_zh_numeral(num)


def _val(num: str | None) -> float | None:
    parsed = zh_value(num) if num else None
    return parsed[0] if parsed else None


def scale_of(chars: str) -> float:
    return math.prod(_SCALE[c] for c in chars) if chars else 1.0


# --------------------------------------------------------------------------------------------------
# Context: approximation markers, counters, currency


def _approx(text: str, start: int, end: int, inner: str | None = None) -> tuple[str | None, int, int]:
    """Approximation class and widened span from markers before (超, 约, 近) and after (余, 多, 左右) a number."""
    approx = _APPROX_AFTER.get(inner) if inner else None
    m = _APPROX_BEFORE_RE.search(text[max(0, start - 6) : start])
    if m:
        approx = approx or _APPROX_BEFORE[m.group(1)]
        start = start - (len(m.group(0)))
    after = re.match(r"(多|余|以上|左右|上下|以下|以内)", text[end : end + 3])
    if after and not approx:
        approx = _APPROX_AFTER[after.group(1)]
    return approx, start, end


def _unit_and_currency(text: str, end: int) -> tuple[str | None, str | None, int]:
    """(counter or currency word, currency code, end of the quantity) after a number ending at `end`."""
    cur = _CURRENCY_RE.match(text, end)
    if cur:
        return cur.group(1), CURRENCY_ZH[cur.group(1)], cur.end()
    m = _COUNTER.match(text, end)
    return (m.group(1), None, m.end()) if m else (None, None, end)


# --------------------------------------------------------------------------------------------------
# Rules: dates and times


def _iso_date(f: Finder, m: re.Match) -> None:  # 2024-04-12, 2024/4/12, 2024.4.12
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    if 1 <= mo <= 12 and 1 <= d <= 31:
        f.add(m.start(), m.end(), Quantity(y, "year", m[1], start=m.start(), end=m.start() + 4),
              Quantity(mo * 100 + d, "date", m[0][5:], start=m.start() + 5, end=m.end()))


def _calendar_date(f: Finder, m: re.Match) -> None:  # 2024年4月10日 / 4月10日 / 2024年4月 / 4月
    text = f.text
    year, month, day = _val(m[1]), _val(m[2]), _val(m[3])
    if month is None or not (1 <= month <= 12 and month == int(month)) or (day is not None and not 1 <= day <= 31):
        return
    if text[m.start(2) - 1 : m.start(2)] in ("个", "上", "下", "本", "每") and m[1] is None:
        return  # 三个月, 上月: a duration or a relative month
    quantities = []
    if m[1]:
        if year is None or not 1000 <= year <= 2200:
            return
        quantities.append(Quantity(year, "year", text[m.start(1) : m.end(1)] + "年", start=m.start(), end=m.start(2)))
    if day is not None:
        quantities.append(Quantity(month * 100 + day, "date", text[m.start(2) : m.end()], start=m.start(2), end=m.end()))
    else:
        quantities.append(Quantity(month, "month", text[m.start(2) : m.end()], start=m.start(2), end=m.end()))
    f.add(m.start(), m.end(), *quantities)


def _dotted_date(f: Finder, m: re.Match) -> None:  # 4·26 (a festival date); 9/11
    mo, d = int(m[1]), int(m[2])
    if 1 <= mo <= 12 and 1 <= d <= 31:
        f.add(m.start(), m.end(), Quantity(mo * 100 + d, "date", m[0]))


def _decade(f: Finder, m: re.Match) -> None:  # 20世纪90年代, 90年代, 1990年代
    decade = _val(m[2])
    if decade is None:
        return
    century = _val(m[1])
    if century:
        value, alts = (century - 1) * 100 + decade, ()
    elif decade < 100:
        value, alts = decade, (1900 + decade, 2000 + decade, 1800 + decade)
    else:
        value, alts = decade, ()
    f.add(m.start(), m.end(), Quantity(value, "decade", "", alt_values=alts))


def _generation(f: Finder, m: re.Match) -> None:  # 80后 / 00后: born in the 1980s / 2000s
    v = int(m[1])
    f.add(m.start(), m.end(), Quantity(v, "decade", "", alt_values=(1900 + v, 2000 + v)))


def _century(f: Finder, m: re.Match) -> None:  # 19世纪: the 19th century, the 1800s
    c = _val(m[1])
    if c:
        f.add(m.start(), m.end(), Quantity(c, "ordinal", "", unit="世纪", alt_values=((c - 1) * 100,)))


def _colon_time(f: Finder, m: re.Match) -> None:  # 10:30
    h, mi = int(m[2]), int(m[3])
    if h <= 24 and mi < 60:
        f.add(m.start(), m.end(), Quantity((h % 12) * 60 + mi, "time", ""))


def _hour_time(f: Finder, m: re.Match) -> None:  # 下午3点, 3点半, 十点钟
    h = _val(m[2])
    strong_context = m[1] or m[4] or m[5] or m[6] or m[7] or m[8] or (m[3] == "时" and m[2].isdigit())
    if h is None or h != int(h) or h > 24 or not strong_context:
        return
    if m[2] in ("一",) and not m[1] and not m[7]:
        return  # 一点 = "a little"
    minutes = 30 if m[5] else int(_val(m[4]) or 0)
    f.add(m.start(), m.end(), Quantity((int(h) % 12) * 60 + minutes, "time", ""))


def _weekday(f: Finder, m: re.Match) -> None:  # 星期一, 周三, 礼拜天
    day = {"日": 7, "天": 7}.get(m[1]) or _DIGITS[m[1]]
    f.add(m.start(), m.end(), Quantity(day, "weekday", "", soft=True))


# --------------------------------------------------------------------------------------------------
# Rules: percentages, fractions, ranks


def _percent_words(f: Finder, m: re.Match) -> None:  # 百分之十三点五
    parsed = zh_value(m[1])
    if parsed:
        approx, s, e = _approx(f.text, m.start(), m.end())
        f.add(m.start(), m.end(), Quantity(parsed[0], "percent", f.text[s:e], approx, precision=parsed[1], start=s, end=e))


def _percent_sign(f: Finder, m: re.Match) -> None:  # 13.5%, 3个百分点
    if latin_adjacent(f.text, m.start(), m.end(), before_only=True):
        return
    parsed = zh_value(m[1])
    if parsed:
        kind = "percent" if m[2] == "%" else "percent_point"
        approx, s, e = _approx(f.text, m.start(), m.end())
        f.add(m.start(), m.end(), Quantity(parsed[0], kind, f.text[s:e], approx, precision=parsed[1], start=s, end=e))


def _fraction(f: Finder, m: re.Match) -> None:  # 三分之二
    den, num = _val(m[1]), _val(m[2])
    if den and num is not None:
        f.add(m.start(), m.end(), Quantity(num / den, "fraction", "", precision=0.01 / den))


def _top_n(f: Finder, m: re.Match) -> None:  # 百强, 五百强, 十强
    parsed = zh_value(m[1]) if not m[1].isdigit() else arabic_value(m[1])
    if parsed:
        f.add(m.start(), m.start() + len(m[1]), Quantity(parsed[0], "number", "", unit="强"))


def _ordinal(f: Finder, m: re.Match) -> None:  # 第十四位, 第11
    parsed = zh_value(m[1])
    if parsed:
        soft = not re.search(r"\d", m[1]) and parsed[0] <= 10
        unit, _, end = _unit_and_currency(f.text, m.end())
        f.add(m.start(), m.end(), Quantity(parsed[0], "ordinal", f.text[m.start() : end], unit=unit, soft=soft,
                                           start=m.start(), end=end))


# --------------------------------------------------------------------------------------------------
# Rules: numbers written in parts, plan names, bare days, scores


def _composite(f: Finder, m: re.Match) -> None:  # 11万7015辆 = 117,015; 1亿2000万 = 120,000,000
    last = m["units"] or m["units2"]
    yi, wan, units = (int(g) if g else 0 for g in (m["yi"], m["wan"] or m["wan2"], last))
    if not (m["wan"] or last):
        return  # 1亿 alone: a plain number
    value = yi * 100_000_000 + wan * 10_000 + units
    precision = 1.0 if last else 10_000.0
    approx, s, _ = _approx(f.text, m.start(), m.end())
    unit, currency, e = _unit_and_currency(f.text, m.end())
    kind = "money" if currency else "number"
    f.add(s, e, Quantity(value, kind, f.text[s:e], approx, unit=unit, currency=currency, precision=precision,
                         start=s, end=e))


def _plan_or_range(f: Finder, m: re.Match) -> None:  # “十四五”: the 14th Five-Year Plan; 十四五岁: 14 or 15 years old
    first = _val(m[1])
    plan = re.match(r"[”\"」』]?\s*(?:规划|计划|时期|期间|期|以来|开局|收官|末|[”\"」』])", f.text[m.end():]) is not None
    if first is None:
        return
    f.add(m.start(), m.end(), Quantity(first, "ordinal" if plan else "number", "", approx=None if plan else "about",
                                       soft=True, alt_values=() if plan else (first + 1,)))


def _bare_day(f: Finder, m: re.Match) -> None:  # 30日下午: the 30th, which a translation may date (September 30)
    day = _val(m[1])
    if day is None or not 1 <= day <= 31 or day != int(day):
        return
    dates = tuple(month * 100 + day for month in range(1, 13))  # the month is often the dateline's, or another
    f.add(m.start(), m.end(), Quantity(day, "day", "", alt_values=dates))


def _year_range(f: Finder, m: re.Match) -> None:  # 2009-11年: 2009 to 2011
    first, last = int(m[1]), int(m[2])
    century = first - first % 100
    f.add(m.start(1), m.end(1), Quantity(first, "year", m[1], start=m.start(1), end=m.end(1)))
    f.add(m.start(2), m.end(), Quantity(century + last, "year", m[2] + "年", start=m.start(2), end=m.end()))


def _holiday(f: Finder, m: re.Match) -> None:  # “十一”小长假, 五一假期: a holiday's name (October 1, May 1), never a figure
    month = {"十一": 10, "五一": 5, "六一": 6, "七一": 7, "八一": 8}[m[1]]
    f.add(m.start(), m.end(), Quantity(month * 100 + 1, "date", "", soft=True))


def _score(f: Finder, m: re.Match) -> None:  # 以12：10拿下, 比分为3:1: a score, two numbers, not a clock time
    for g in (1, 2):
        f.add(m.start(g), m.end(g), Quantity(int(m[g]), "number", m[g], start=m.start(g), end=m.end(g)))


# --------------------------------------------------------------------------------------------------
# Rule: plain numbers with optional 多/余, scale and unit: 5.32万次, 400余家, 1000多万, 三千零七十九, 2851.5亿元


def _skip_plain_number(text: str, m: re.Match, arabic: bool) -> bool:
    if latin_adjacent(text, m.start(), m.end()):
        return True
    if not arabic and m[3]:
        return True  # a Chinese numeral already contains its scale
    # 数十万, 几百, 十几: vague amounts
    return (m.start() > 0 and text[m.start() - 1] in _VAGUE_BEFORE and not arabic) or text[m.end() : m.end() + 1] == "几"


def _scale_chars(text: str, m: re.Match, arabic: bool) -> str:
    scale_chars = (m[3] or "").strip()
    shared = re.match(rf"\s*(?:至|到|-|—|–|~)\s*({ARABIC})\s*([万亿]+)", text[m.end():])
    if arabic and not scale_chars and shared and same_size(m[1], shared.group(1)):
        scale_chars = shared.group(2)  # 420至390万 = 4.2 to 3.9 million
    return scale_chars


def _soft_numeral(text: str, num: str, end: int, value: float, approx: str | None) -> tuple[bool, str | None, float]:
    """(soft, approx, value) of a number written in Chinese numerals: 七八个 = seven or eight; small ones are soft."""
    plain_digits = all(c in _DIGITS for c in num)
    if plain_digits and len(num) > 1 and not (len(num) == 4 and text[end : end + 1] == "年"):
        return True, approx or "about", _DIGITS[num[0]]
    return value <= 10, approx, value


def _plain_number(f: Finder, m: re.Match) -> None:
    text, num = f.text, m[1]
    arabic = bool(re.fullmatch(ARABIC, num))
    parsed = None if _skip_plain_number(text, m, arabic) else zh_value(num)
    if not parsed:
        return
    scale = scale_of(_scale_chars(text, m, arabic))
    value, precision = parsed[0] * scale, parsed[1] * scale
    approx, s, _ = _approx(text, m.start(), m.end(), (m[2] or m[4] or "").strip() or None)
    if approx == "about" and arabic:
        precision = max(precision, trailing_zero_precision(num) * scale)
    unit, currency, e = _unit_and_currency(text, m.end())
    if currency == "YUAN" and LOCAL_YUAN_RE.search(text[max(0, s - 15) : s]):
        currency = None  # 加拿大 5 元: a local currency named 元
    soft = False
    if not arabic:
        soft, approx, value = _soft_numeral(text, num, m.end(), value, approx)
    is_year = unit == "年" and arabic and len(num) == 4 and 1000 <= value <= 2200
    kind = "money" if currency else ("year" if is_year else "number")
    if kind == "year" and "." not in num:
        e = m.end() + 1
    f.add(s, e, Quantity(value, kind, text[s:e], approx, unit=unit, currency=currency, precision=precision,
                         soft=soft, start=s, end=e))


def _rule(name: str, pattern: str, handler) -> Rule:
    return Rule(name, re.compile(pattern), handler)


RULES = [
    _rule("iso date", r"(?<![\d.])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d.])", _iso_date),
    _rule("year range", r"(?<!\d)((?:19|20)\d{2})\s*[-–—~至到]\s*(\d{2})\s*年", _year_range),
    _rule("holiday", r"[“\"「]?(十一|五一|六一|七一|八一)[”\"」]?(?=\s*(?:小长假|长假|黄金周|假期|国庆|劳动节|儿童节|建党|建军|期间))", _holiday),
    _rule("score", r"(?:以|比分为?|比分是|比)\s*(\d{1,3})\s*[:：比]\s*(\d{1,3})(?![\d:：.])(?!\s*[点时分])", _score),
    _rule("calendar date", rf"(?:({NUM})\s*年\s*)?({NUM})\s*月(?:\s*份)?(?:\s*({NUM})\s*[日号])?", _calendar_date),
    _rule("dotted date", r"(?<![\d.])(\d{1,2})\s*[·/]\s*(\d{1,2})(?![\d.%])", _dotted_date),
    _rule("decade", rf"(?:({NUM})\s*世纪\s*)?(\d{{2,4}}|[{NUM_CHARS}]+)\s*年代", _decade),
    _rule("generation", r"(?<![\d.])(\d0)\s*后(?![\d])", _generation),
    _rule("century", rf"({NUM})\s*世纪", _century),
    _rule("colon time", rf"({_DAYPART})?\s*(?<![\d.])(\d{{1,2}})\s*:\s*(\d{{2}})(?![\d])", _colon_time),
    _rule("hour time", rf"({_DAYPART})?\s*({NUM})\s*([点时])(?:\s*({NUM})\s*分|(半)|(整)|(钟)|(许))?", _hour_time),
    _rule("weekday", r"(?:星期|礼拜|周)([一二三四五六日天])", _weekday),
    _rule("bare day", rf"(?<![\d.{NUM_CHARS}月])(\d{{1,2}})\s*[日号](?![\d{NUM_CHARS}]|元|本|语|文|军|方|产|企|媒|籍|韩|美|俄|系|货|圆)", _bare_day),
    _rule("percent words", rf"百分之\s*({NUM}|百)", _percent_words),
    _rule("percent sign", rf"({NUM})\s*(%|(?:个)?\s*百分点)", _percent_sign),
    _rule("fraction", rf"({NUM})\s*分之\s*({NUM})", _fraction),
    _rule("top n", rf"([{_DIGIT_CHARS}]?[十百千]|\d+)\s*强", _top_n),
    _rule("ordinal", rf"第\s*({NUM})", _ordinal),
    _rule("composite", r"(?<![\d.])(?:(?P<yi>\d{1,4})\s*亿\s*(?:(?P<wan>\d{1,4})\s*万)?\s*(?P<units>\d{4})?"
                       r"|(?P<wan2>\d{1,4})\s*万\s*(?P<units2>\d{4}))(?![\d.万亿])", _composite),
    _rule("plan or range", rf"(?<![{NUM_CHARS}])([一二三四五六七八九]?十[一二三四五六七八九])([一二三四五六七八九])(?![{NUM_CHARS}])",
          _plan_or_range),
    _rule("plain number", rf"({ARABIC}|{_NUMERAL})(\s*[多余])?(\s*[十百千万亿]{{1,3}})?(\s*[多余])?", _plain_number),
]


def extract_zh(text: str) -> list[Quantity]:
    return run_rules(text, RULES)
