"""Find the quantities in Chinese or English text and compare them across a translation.

`extract_quantities` turns every number-like expression into a `Quantity` with a normalized value:
5.32万 -> 53200, 三千零七十九 -> 3079, 1.04 million -> 1040000, 第十四位 -> 14, 2024年4月10日 -> year 2024 +
date 410 (month*100 + day), 百分之十三点五 / 13.5 percent -> 13.5 (percent), 超/over -> approx "over".

`compare_quantities` matches the quantities of a source and a translation. Two quantities match when they share
a comparison group (numbers, percentages, calendar, weekdays, clock times) and their values agree within the
rounding that the less precise one shows (81.6 million matches 8160.51万, 8.16 million does not).

Small numbers written as words (一, 两, "one", "first", "half") are "soft": they can match, but are never
reported when unmatched, because Chinese and English use them idiomatically (一些, 一起, "no one").
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

# --------------------------------------------------------------------------------------------------
# Data


@dataclass
class Quantity:
    """One quantity found in a text.

    value: the normalized number: 53200 for 5.32万; 13.5 for 13.5%; 2024 for a year; month*100+day for a
    date (410 for April 10); month number for a bare month; minutes after 0:00/12:00 for a clock time.
    """

    value: float
    kind: str  # number | percent | percent_point | year | date | month | decade | ordinal | money | time | weekday | fraction
    span: str
    approx: str | None = None  # over | under | about (超/余/more than, 近/nearly, 约/about)
    unit: str | None = None  # counter or measure word when seen: 次, 件, km, times ...
    currency: str | None = None  # CNY | USD | DOLLAR | EUR | GBP | JPY | YEN_OR_YUAN | ...
    precision: float = 1.0  # the place value of the last written digit (100 for 5.32万)
    soft: bool = False  # a small number word: may match, never reported alone
    start: int = 0
    end: int = 0
    alt_values: tuple[float, ...] = field(default_factory=tuple)  # other readings (60年代 -> 1960)

    def keys(self) -> list[tuple[str, float]]:
        """(group, value) pairs under which this quantity can match one on the other side."""
        group = _GROUP.get(self.kind, "num")
        keys = [(group, self.value)] + [(group, v) for v in self.alt_values]
        if self.kind == "fraction":
            keys.append(("pct", self.value * 100))
        elif self.kind == "time" and self.value % 60 == 0:  # "3点" may be a count, "at 3" a time
            hour = int(self.value // 60)
            keys += [("num", float(hour or 12)), ("num", float(hour + 12))]
        return keys

    def describe(self) -> str:
        return f"{self.span!r} ({_format_value(self)})"


_GROUP = {
    "percent": "pct",
    "percent_point": "pct",
    "date": "cal",
    "month": "cal",
    "weekday": "week",
    "time": "time",
}


def _format_value(q: Quantity) -> str:
    if q.kind in ("percent", "percent_point"):
        return f"{_fmt(q.value)}{'%' if q.kind == 'percent' else ' percentage points'}"
    if q.kind == "date":
        return f"month {int(q.value) // 100}, day {int(q.value) % 100}"
    if q.kind == "month":
        return f"month {int(q.value)}"
    if q.kind == "time":
        return f"{int(q.value) // 60}:{int(q.value) % 60:02d}"
    if q.kind == "weekday":
        return _WEEKDAY_NAMES[int(q.value) - 1]
    return _fmt(q.value)


def _fmt(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------------------------------
# Shared vocabulary

_FULLWIDTH = str.maketrans("０１２３４５６７８９％．：", "0123456789%.:")
ARABIC = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"

_APPROX_ZH_BEFORE = {
    "超过": "over", "超出": "over", "超": "over", "逾": "over", "不少于": "over", "至少": "over", "高于": "over",
    "将近": "under", "接近": "under", "近": "under", "不到": "under", "不足": "under", "低于": "under", "少于": "under",
    "大约": "about", "约为": "about", "约达": "about", "约有": "about", "约": "about", "大概": "about", "差不多": "about",
}
_APPROX_ZH_AFTER = {"多": "over", "余": "over", "以上": "over", "来": "about", "左右": "about", "上下": "about", "以下": "under", "以内": "under"}
_APPROX_EN_BEFORE = {
    "more than": "over", "over": "over", "above": "over", "exceeding": "over", "in excess of": "over",
    "upwards of": "over", "at least": "over", "just over": "over", "greater than": "over",
    "nearly": "under", "almost": "under", "close to": "under", "under": "under", "less than": "under",
    "fewer than": "under", "below": "under", "just under": "under", "up to": "under",
    "about": "about", "around": "about", "approximately": "about", "roughly": "about", "some": "about",
    "an estimated": "about", "estimated": "about", "circa": "about", "approx.": "about", "~": "about",
}
_APPROX_EN_AFTER = {"or more": "over", "-plus": "over", "plus": "over", "+": "over", "or so": "about"}

_ZH_APPROX_BEFORE_RE = re.compile("(" + "|".join(sorted(_APPROX_ZH_BEFORE, key=len, reverse=True)) + r")\s*(?:达到|达|有|为)?\s*$")
_EN_APPROX_BEFORE_RE = re.compile(
    r"(?<![A-Za-z])(" + "|".join(re.escape(k) for k in sorted(_APPROX_EN_BEFORE, key=len, reverse=True)) + r")\s*$", re.I
)
_EN_APPROX_AFTER_RE = re.compile(r"^\s*(" + "|".join(re.escape(k) for k in _APPROX_EN_AFTER) + r")(?![A-Za-z])", re.I)

# currency: canonical code plus the family it belongs to ("$" may be any dollar)
_CURRENCY_ZH = {
    "人民币": "CNY", "亿元": "YUAN", "万元": "YUAN", "千元": "YUAN", "元": "YUAN", "块": "YUAN", "美元": "USD", "美金": "USD",
    "欧元": "EUR", "英镑": "GBP", "日元": "JPY", "港元": "HKD", "港币": "HKD", "澳元": "AUD", "加元": "CAD",
    "新台币": "TWD", "卢布": "RUB", "韩元": "KRW", "卢比": "INR", "法郎": "CHF",
}
_CURRENCY_EN_SYMBOL = {
    "US$": "USD", "HK$": "HKD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD", "NZ$": "NZD", "S$": "SGD",
    "$": "DOLLAR", "€": "EUR", "£": "GBP", "¥": "YEN_OR_YUAN", "RMB": "CNY", "USD": "USD", "EUR": "EUR", "CNY": "CNY",
    "GBP": "GBP", "JPY": "JPY", "HKD": "HKD", "Rs": "INR",
}
_CURRENCY_EN_WORD = {
    "yuan": "CNY", "renminbi": "CNY", "rmb": "CNY", "dollars": "DOLLAR", "dollar": "DOLLAR", "usd": "USD",
    "euros": "EUR", "euro": "EUR", "yen": "JPY", "rupees": "INR", "rupee": "INR", "roubles": "RUB", "rubles": "RUB",
    "won": "KRW", "francs": "CHF", "pesos": "PESO",
}
_CURRENCY_FAMILY = {
    "DOLLAR": {"USD", "HKD", "AUD", "CAD", "NZD", "SGD", "TWD", "DOLLAR"},
    "YEN_OR_YUAN": {"CNY", "JPY", "YEN_OR_YUAN", "YUAN"},
}
_LOCAL_YUAN_RE = re.compile(r"(加拿大|美国|香港|港|台湾|新台|澳大利亚|澳洲|新西兰|新加坡|日本|韩国|欧洲|欧盟|英国|印度|俄罗斯)")


def currencies_compatible(a: str | None, b: str | None) -> bool:
    if not a or not b or a == b:
        return True
    if "YUAN" in (a, b):  # 元 names yuan, but also the unit of many other currencies (加拿大 5 元)
        other = b if a == "YUAN" else a
        return other in ("CNY", "YEN_OR_YUAN", "YUAN")
    return b in _CURRENCY_FAMILY.get(a, {a}) or a in _CURRENCY_FAMILY.get(b, {b})


# --------------------------------------------------------------------------------------------------
# Chinese numerals

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
              "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_ZH_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_ZH_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_ZH_SCALE = {**_ZH_SMALL_UNITS, **_ZH_BIG_UNITS}
ZH_NUM_CHARS = "".join(_ZH_DIGITS) + "".join(_ZH_SCALE)
_ZH_NUMERAL = f"[{''.join(_ZH_DIGITS)}十拾][{ZH_NUM_CHARS}]*(?:点[{''.join(_ZH_DIGITS)}]+)?"
ZH_NUM = f"(?:{ARABIC}|{_ZH_NUMERAL})"


def parse_zh_numeral(text: str) -> tuple[float, float] | None:
    """(value, precision) of a Chinese numeral: 三千零七十九 -> (3079, 1), 一百二十万 -> (1200000, 100000)."""
    if not text:
        return None
    whole, _, decimals = text.partition("点")
    if decimals:
        if not all(c in _ZH_DIGITS for c in decimals):
            return None
        int_part = parse_zh_numeral(whole)
        if int_part is None:
            return None
        frac = "".join(str(_ZH_DIGITS[c]) for c in decimals)
        return int_part[0] + float("0." + frac), 10.0 ** -len(frac)
    if all(c in _ZH_DIGITS for c in whole):  # 二〇二四: read digit by digit
        return float("".join(str(_ZH_DIGITS[c]) for c in whole)), 1.0
    result = wan = section = number = 0.0
    for ch in whole:
        if ch in _ZH_DIGITS:
            number = _ZH_DIGITS[ch]
        elif ch in _ZH_SMALL_UNITS:
            section += (number or (1 if ch in "十拾" else 0) or 1) * _ZH_SMALL_UNITS[ch]
            number = 0
        elif ch == "万":
            wan = (wan + section + number) * 10_000
            section = number = 0
        elif ch == "亿":
            result = (result + wan + section + number) * 100_000_000
            wan = section = number = 0
    value = result + wan + section + number
    # precision: the units written after the last digit (一百二十万 -> 十万)
    tail = re.search(f"[{''.join(_ZH_SCALE)}]*$", whole).group()
    precision = 1.0
    if tail and tail != whole:
        precision = math.prod(_ZH_SCALE[c] for c in tail)
    return value, precision


def _zh_value(num: str) -> tuple[float, float] | None:
    """(value, precision) of an Arabic or Chinese number string."""
    if num in ("百", "千"):
        return float(_ZH_SCALE[num]), 1.0
    if re.fullmatch(ARABIC, num):
        return _arabic_value(num)
    return parse_zh_numeral(num)


def _arabic_value(num: str) -> tuple[float, float]:
    plain = num.replace(",", "")
    decimals = len(plain.partition(".")[2])
    return float(plain), 10.0 ** -decimals


def _scale_of(chars: str) -> float:
    return math.prod(_ZH_SCALE[c] for c in chars) if chars else 1.0


def _trailing_zero_precision(num: str) -> float:
    plain = num.replace(",", "")
    if "." in plain or not plain.isdigit():
        return 1.0
    stripped = plain.rstrip("0")
    return 10.0 ** (len(plain) - len(stripped)) if stripped else 1.0


# --------------------------------------------------------------------------------------------------
# English number words

_EN_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_EN_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_EN_SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_EN_SCALE_ABBR = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12, "trn": 1e12}
_EN_ORDINALS = {w: i + 1 for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth".split())}
_EN_ORDINALS.update({w: 10 * (i + 2) for i, w in enumerate(
    "twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split())})
_EN_ORDINALS["hundredth"] = 100
_EN_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4,
                    "fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6, "eighth": 8, "eighths": 8,
                    "tenth": 10, "tenths": 10}
_EN_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_EN_MONTHS.update({m[:3]: i for m, i in list(_EN_MONTHS.items())})
_EN_MONTHS["sept"] = 9
_WEEKDAY_NAMES = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

_W = "|".join(sorted(list(_EN_UNITS) + list(_EN_TENS), key=len, reverse=True))
_S = "|".join(_EN_SCALES)
_EN_WORD_NUM = re.compile(
    rf"\b(?:{_W}|an?(?=[\s-]+(?:{_S}|dozen)\b))(?:[\s-]+(?:and[\s-]+)?(?:{_W}|{_S}|dozen)\b)*\b", re.I
)
_EN_ORD_WORD = re.compile(rf"\b(?:({'|'.join(_EN_TENS)})-)?({'|'.join(_EN_ORDINALS)})\b", re.I)
_MONTH_NAME = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"


def parse_en_number_words(text: str) -> tuple[float, float] | None:
    """(value, precision) of English number words: "twenty-one" -> (21, 1), "a million" -> (1e6, 1e6)."""
    total = current = 0.0
    place = 1.0
    seen = False
    for token in re.split(r"[\s-]+", text.lower()):
        if token in ("and", ""):
            continue
        if token in ("a", "an"):
            current, place, seen = current + 1, 1.0, True
        elif token in _EN_UNITS:
            current += _EN_UNITS[token]
            place, seen = 1.0, True
        elif token in _EN_TENS:
            current += _EN_TENS[token]
            place, seen = 10.0, True
        elif token == "dozen":
            current = (current or 1) * 12
            place = 12.0
        elif token == "hundred":
            current = (current or 1) * 100
            place *= 100
        elif token in _EN_SCALES:
            total += (current or 1) * _EN_SCALES[token]
            place *= _EN_SCALES[token]
            current = 0.0
        else:
            return None
    return (total + current, place) if seen else None


def _same_size(first: str, second: str) -> bool:
    """Whether two numbers of a range can share one scale word (4.2-3.9 million), but not "2014 to 469 billion"."""
    a, b = float(first.replace(",", "")), float(second.replace(",", ""))
    if re.fullmatch(r"\d{4}", first) and 1000 <= a <= 2200:
        return False
    return b > 0 and 0.1 <= a / b <= 10


def _roman_value(text: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for ch, nxt in zip(text, text[1:] + " "):
        v = values[ch]
        total += -v if nxt in values and values[nxt] > v else v
    return total


# --------------------------------------------------------------------------------------------------
# Extraction


class _Finder:
    """Collects quantities from non-overlapping matches, rule by rule, most specific rule first."""

    def __init__(self, text: str):
        self.text = text
        self.taken = [False] * len(text)
        self.found: list[Quantity] = []

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def add(self, start: int, end: int, *quantities: Quantity) -> None:
        for i in range(start, end):
            self.taken[i] = True
        for q in quantities:
            q.value = round(float(q.value), 9)  # 2.53 * 10000 -> 25300.0, not 25299.999999999996
            if not q.span:
                q.start, q.end = start, end
                q.span = self.text[start:end].strip()
            self.found.append(q)

    def result(self) -> list[Quantity]:
        return sorted(self.found, key=lambda q: (q.start, q.end))


def extract_quantities(text: str, lang: str) -> list[Quantity]:
    """Every quantity in `text` (lang "zh" or "en"; anything else is guessed from the script)."""
    if not text:
        return []
    text = text.translate(_FULLWIDTH)
    if lang not in ("zh", "en"):
        lang = "zh" if len(re.findall(r"[\u4e00-\u9fff]", text)) > len(text) * 0.15 else "en"
    return _extract_zh(text) if lang == "zh" else _extract_en(text)


# ---- Chinese


def _zh_approx(text: str, start: int, end: int, inner: str | None = None) -> tuple[str | None, int, int]:
    """Approximation class and widened span from markers before (超, 约, 近) and after (余, 多, 左右) a number."""
    approx = _APPROX_ZH_AFTER.get(inner) if inner else None
    m = _ZH_APPROX_BEFORE_RE.search(text[max(0, start - 6) : start])
    if m:
        approx = approx or _APPROX_ZH_BEFORE[m.group(1)]
        start = start - (len(m.group(0)))
    after = re.match(r"(多|余|以上|左右|上下|以下|以内)", text[end : end + 3])
    if after and not approx:
        approx = _APPROX_ZH_AFTER[after.group(1)]
    return approx, start, end


_ZH_COUNTER = re.compile(
    r"\s*(平方公里|平方米|公里|千米|英里|英尺|英寸|公斤|千克|公顷|摄氏度|华氏度|小时|分钟|亿元|万元|[次批件家项个人名位岁元年天周月米吨克磅度倍台辆架艘座所条只头枚篇部款户场亩])"
)


def _zh_unit_and_currency(text: str, end: int) -> tuple[str | None, str | None, int]:
    m = _ZH_COUNTER.match(text, end)
    unit = m.group(1) if m else None
    cur = re.match(r"\s*(人民币|美元|美金|欧元|英镑|日元|港元|港币|澳元|加元|新台币|卢布|韩元|卢比|法郎|元|块)", text[end:])
    currency = _CURRENCY_ZH[cur.group(1)] if cur else None
    if currency:
        unit = cur.group(1)
        return unit, currency, end + cur.end()
    return unit, None, (m.end() if m else end)


_ZH_DAYPART = r"(?:上午|下午|晚上|凌晨|早上|中午|傍晚|夜间|深夜|清晨|早晨|晚间|午夜)"
_VAGUE_BEFORE_ZH = "数几"


def _extract_zh(text: str) -> list[Quantity]:
    f = _Finder(text)
    N = ZH_NUM

    def val(s: str | None) -> float | None:
        if not s:
            return None
        parsed = _zh_value(s)
        return parsed[0] if parsed else None

    # ISO-like dates 2024-04-12, 2024/4/12, 2024.4.12
    for m in re.finditer(r"(?<![\d.])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d.])", text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        if 1 <= mo <= 12 and 1 <= d <= 31 and f.free(m.start(), m.end()):
            f.add(m.start(), m.end(), Quantity(y, "year", m[1], start=m.start(), end=m.start() + 4),
                  Quantity(mo * 100 + d, "date", m[0][5:], start=m.start() + 5, end=m.end()))
    # 2024年4月10日 / 4月10日 / 2024年4月 / 4月
    for m in re.finditer(rf"(?:({N})\s*年\s*)?({N})\s*月(?:\s*份)?(?:\s*({N})\s*[日号])?", text):
        if not f.free(m.start(), m.end()):
            continue
        year, month, day = val(m[1]), val(m[2]), val(m[3])
        if month is None or not (1 <= month <= 12 and month == int(month)) or (day is not None and not 1 <= day <= 31):
            continue
        if text[m.start(2) - 1 : m.start(2)] in ("个", "上", "下", "本", "每") and m[1] is None:
            continue
        quantities = []
        if m[1]:
            if year is None or not 1000 <= year <= 2200:
                continue
            quantities.append(Quantity(year, "year", text[m.start(1) : m.end(1)] + "年", start=m.start(), end=m.start(2)))
        if day is not None:
            quantities.append(Quantity(month * 100 + day, "date", text[m.start(2) : m.end()], start=m.start(2), end=m.end()))
        else:
            quantities.append(Quantity(month, "month", text[m.start(2) : m.end()], start=m.start(2), end=m.end()))
        f.add(m.start(), m.end(), *quantities)
    # 4·26 (a festival date); 9/11
    for m in re.finditer(r"(?<![\d.])(\d{1,2})\s*[·/]\s*(\d{1,2})(?![\d.%])", text):
        mo, d = int(m[1]), int(m[2])
        if 1 <= mo <= 12 and 1 <= d <= 31 and f.free(m.start(), m.end()):
            f.add(m.start(), m.end(), Quantity(mo * 100 + d, "date", m[0]))
    # 20世纪90年代, 90年代, 1990年代
    for m in re.finditer(rf"(?:({N})\s*世纪\s*)?(\d{{2,4}}|[{ZH_NUM_CHARS}]+)\s*年代", text):
        decade = val(m[2])
        if decade is None or not f.free(m.start(), m.end()):
            continue
        century = val(m[1])
        if century:
            value, alts = (century - 1) * 100 + decade, ()
        elif decade < 100:
            value, alts = decade, (1900 + decade, 2000 + decade, 1800 + decade)
        else:
            value, alts = decade, ()
        f.add(m.start(), m.end(), Quantity(value, "decade", "", alt_values=alts))
    # 80后 / 00后: people born in the 1980s / 2000s
    for m in re.finditer(r"(?<![\d.])(\d0)\s*后(?![\d])", text):
        v = int(m[1])
        if f.free(m.start(), m.end()):
            f.add(m.start(), m.end(), Quantity(v, "decade", "", alt_values=(1900 + v, 2000 + v)))
    # 19世纪 (the 19th century / the 1800s)
    for m in re.finditer(rf"({N})\s*世纪", text):
        c = val(m[1])
        if c and f.free(m.start(), m.end()):
            f.add(m.start(), m.end(), Quantity(c, "ordinal", "", unit="世纪", alt_values=((c - 1) * 100,)))
    # clock times: 10:30, 下午3点, 3点半, 十点钟
    for m in re.finditer(rf"({_ZH_DAYPART})?\s*(?<![\d.])(\d{{1,2}})\s*:\s*(\d{{2}})(?![\d])", text):
        h, mi = int(m[2]), int(m[3])
        if h <= 24 and mi < 60 and f.free(m.start(), m.end()):
            f.add(m.start(), m.end(), Quantity((h % 12) * 60 + mi, "time", ""))
    for m in re.finditer(rf"({_ZH_DAYPART})?\s*({N})\s*([点时])(?:\s*({N})\s*分|(半)|(整)|(钟)|(许))?", text):
        h = val(m[2])
        strong_context = m[1] or m[4] or m[5] or m[6] or m[7] or m[8] or (m[3] == "时" and m[2].isdigit())
        if h is None or h != int(h) or h > 24 or not strong_context or not f.free(m.start(), m.end()):
            continue
        if m[2] in ("一",) and not m[1] and not m[7]:
            continue  # 一点 = "a little"
        minutes = 30 if m[5] else int(val(m[4]) or 0)
        f.add(m.start(), m.end(), Quantity((int(h) % 12) * 60 + minutes, "time", ""))
    # weekdays: 星期一, 周三, 礼拜天
    for m in re.finditer(r"(?:星期|礼拜|周)([一二三四五六日天])", text):
        if f.free(m.start(), m.end()):
            day = {"日": 7, "天": 7}.get(m[1]) or _ZH_DIGITS[m[1]]
            f.add(m.start(), m.end(), Quantity(day, "weekday", "", soft=True))
    # percentages: 百分之十三点五, 13.5%, 3个百分点
    for m in re.finditer(rf"百分之\s*({N}|百)", text):
        if f.free(m.start(), m.end()):
            parsed = _zh_value(m[1])
            if parsed:
                approx, s, e = _zh_approx(text, m.start(), m.end())
                f.add(m.start(), m.end(), Quantity(parsed[0], "percent", text[s:e], approx, precision=parsed[1], start=s, end=e))
    for m in re.finditer(rf"({N})\s*(%|(?:个)?\s*百分点)", text):
        if f.free(m.start(), m.end()) and not _latin_adjacent(text, m.start(), m.end(), before_only=True):
            parsed = _zh_value(m[1])
            if parsed:
                kind = "percent" if m[2] == "%" else "percent_point"
                approx, s, e = _zh_approx(text, m.start(), m.end())
                f.add(m.start(), m.end(), Quantity(parsed[0], kind, text[s:e], approx, precision=parsed[1], start=s, end=e))
    # fractions: 三分之二
    for m in re.finditer(rf"({N})\s*分之\s*({N})", text):
        den, num = val(m[1]), val(m[2])
        if den and num is not None and f.free(m.start(), m.end()):
            f.add(m.start(), m.end(), Quantity(num / den, "fraction", "", precision=0.01 / den))
    # "top N" idioms: 百强, 五百强, 十强
    for m in re.finditer(rf"([{''.join(_ZH_DIGITS)}]?[十百千]|\d+)\s*强", text):
        parsed = _zh_value(m[1]) if not m[1].isdigit() else _arabic_value(m[1])
        if parsed and f.free(m.start(), m.end()):
            f.add(m.start(), m.start() + len(m[1]), Quantity(parsed[0], "number", "", unit="强"))
    # ordinals: 第十四位, 第11
    for m in re.finditer(rf"第\s*({N})", text):
        parsed = _zh_value(m[1])
        if parsed and f.free(m.start(), m.end()):
            soft = not re.search(r"\d", m[1]) and parsed[0] <= 10
            unit, _, end = _zh_unit_and_currency(text, m.end())
            f.add(m.start(), m.end(), Quantity(parsed[0], "ordinal", text[m.start() : end], unit=unit, soft=soft,
                                               start=m.start(), end=end))
    # plain numbers with optional 多/余 and scale: 5.32万次, 400余家, 1000多万, 三千零七十九, 2851.5亿元
    num_re = re.compile(rf"({ARABIC}|{_ZH_NUMERAL})(\s*[多余])?(\s*[十百千万亿]{{1,3}})?(\s*[多余])?")
    for m in num_re.finditer(text):
        start, end = m.start(), m.end()
        if not f.free(start, end) or _latin_adjacent(text, start, end):
            continue
        num = m[1]
        arabic = bool(re.fullmatch(ARABIC, num))
        if not arabic and m[3]:
            continue  # a Chinese numeral already contains its scale
        if (start > 0 and text[start - 1] in _VAGUE_BEFORE_ZH and not arabic) or text[end : end + 1] == "几":
            continue  # 数十万, 几百, 上千, 十几: vague amounts
        parsed = _zh_value(num)
        if not parsed:
            continue
        value, precision = parsed
        scale_chars = (m[3] or "").strip()
        shared = re.match(rf"\s*(?:至|到|-|—|–|~)\s*({ARABIC})\s*([万亿]+)", text[end:])
        if arabic and not scale_chars and shared and _same_size(num, shared.group(1)):
            scale_chars = shared.group(2)  # 420至390万 = 4.2 to 3.9 million
        scale = _scale_of(scale_chars)
        value, precision = value * scale, precision * scale
        approx, s, _ = _zh_approx(text, start, end, (m[2] or m[4] or "").strip() or None)
        if approx == "about" and arabic:
            precision = max(precision, _trailing_zero_precision(num) * scale)
        unit, currency, e = _zh_unit_and_currency(text, end)
        if currency == "YUAN" and _LOCAL_YUAN_RE.search(text[max(0, s - 15) : s]):
            currency = None  # 加拿大 5 元: a local currency named 元
        if currency and unit in ("亿元", "万元", "千元"):
            value, precision = value * _scale_of(unit[0]), precision * _scale_of(unit[0])
        soft = False
        if not arabic:
            plain_digits = all(c in _ZH_DIGITS for c in num)
            if plain_digits and len(num) > 1 and not (len(num) == 4 and text[end : end + 1] == "年"):
                soft, approx = True, approx or "about"  # 七八个 = seven or eight
                value = _ZH_DIGITS[num[0]]
            elif value <= 10:
                soft = True
        kind = "money" if currency else ("year" if unit == "年" and arabic and len(num) == 4 and 1000 <= value <= 2200 else "number")
        if kind == "year" and "." not in num:
            e = end + 1
        f.add(s, e, Quantity(value, kind, text[s:e], approx, unit=unit, currency=currency, precision=precision,
                             soft=soft, start=s, end=e))
    return f.result()


_UNIT_SUFFIXES = {  # case matters: 5G is a network, 5g five grams
    "km", "kg", "cm", "mm", "m", "g", "mg", "lb", "lbs", "ft", "mph", "kph", "kmh", "mi", "h", "hr", "hrs", "min",
    "sec", "s", "GB", "MB", "TB", "KB", "GHz", "MHz", "kW", "MW", "GW", "kWh", "mAh", "x", "k", "bn", "tn", "am", "pm",
    "AM", "PM", "st", "nd", "rd", "th", "l", "L", "ml", "mL", "t", "ha", "sq",
}


def _latin_adjacent(text: str, start: int, end: int, before_only: bool = False) -> bool:
    """True for a number glued to Latin letters (COVID-19, A380, 5G): part of a name, not a quantity."""
    before = text[start - 1 : start]
    if before.isascii() and before.isalpha():
        return True
    if before in ("-", "_") and re.search(r"[A-Z][A-Za-z]*$", text[max(0, start - 12) : start - 1]):
        return True  # COVID-19, F-16 (but not mid-2020)
    if before_only:
        return False
    m = re.match(r"[A-Za-z]+", text[end:])
    return bool(m and m.group() not in _UNIT_SUFFIXES)


# ---- English


def _en_approx(text: str, start: int, end: int) -> tuple[str | None, int, int]:
    approx = None
    m = _EN_APPROX_BEFORE_RE.search(text[max(0, start - 24) : start])
    if m:
        approx = _APPROX_EN_BEFORE[m.group(1).lower()]
        start -= len(m.group(0))
    a = _EN_APPROX_AFTER_RE.match(text[end : end + 10])
    if a:
        approx = approx or _APPROX_EN_AFTER[a.group(1).lower()]
        end += a.end()
    return approx, start, end


_EN_UNIT_WORDS = {
    "times", "people", "persons", "items", "pieces", "batches", "cases", "companies", "firms", "enterprises",
    "patents", "kilometers", "kilometres", "km", "miles", "feet", "foot", "meters", "metres", "inches", "pounds",
    "kilograms", "kg", "tons", "tonnes", "years", "months", "weeks", "days", "hours", "minutes", "seconds", "users",
    "yuan", "dollars", "euros", "yen",
}


def _en_unit(text: str, end: int) -> str | None:
    m = re.match(r"[\s-]*([A-Za-z]+)", text[end:])
    return m.group(1).lower() if m and m.group(1).lower() in _EN_UNIT_WORDS else None


def _extract_en(text: str) -> list[Quantity]:
    f = _Finder(text)
    month_of = lambda name: _EN_MONTHS[name.lower().rstrip(".")[:4 if name.lower().startswith("sept") else 3]]  # noqa: E731

    # ISO dates
    for m in re.finditer(r"(?<![\d.])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d.])", text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        if 1 <= mo <= 12 and 1 <= d <= 31:
            f.add(m.start(), m.end(), Quantity(y, "year", m[1], start=m.start(), end=m.start() + 4),
                  Quantity(mo * 100 + d, "date", m[0][5:], start=m.start() + 5, end=m.end()))
    # April 10, 2024 / April 10th / 10 April 2024 / April 2024 / April
    date_patterns = [
        rf"\b(?P<month>{_MONTH_NAME})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{{4}})\b)?",
        rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH_NAME})(?:,?\s+(?P<year>\d{{4}})\b)?",
        rf"\b(?P<month>{_MONTH_NAME})(?:,?\s+(?P<year>\d{{4}})\b)",
        r"\b(?P<month>January|February|March|April|June|July|August|September|October|November|December)\b",
        r"(?:\b(?:in|of|since|until|till|by|from|early|late|mid|last|next|this|during|before|after)[\s-]+)(?P<month>May)\b",
    ]
    for pattern in date_patterns:
        for m in re.finditer(pattern, text):
            start = m.start("month") if "month" in m.groupdict() else m.start()
            start = min(start, m.start("day")) if m.groupdict().get("day") else start
            if not f.free(start, m.end()):
                continue
            name = m["month"]
            if name[0].islower() or (len(name.rstrip(".")) == 3 and not m.groupdict().get("day") and not m.groupdict().get("year")):
                continue
            if name.rstrip(".") in ("Mar", "Jun", "Jan") and not m.groupdict().get("day"):
                continue
            mo = month_of(name)
            quantities = []
            day = m.groupdict().get("day")
            if day:
                if not 1 <= int(day) <= 31:
                    continue
                quantities.append(Quantity(mo * 100 + int(day), "date", "", start=start, end=m.end("day") if m.start("day") > m.start("month") else m.end("month")))
            else:
                quantities.append(Quantity(mo, "month", name, start=m.start("month"), end=m.end("month")))
            if m.groupdict().get("year"):
                quantities.append(Quantity(int(m["year"]), "year", m["year"], start=m.start("year"), end=m.end("year")))
            for q in quantities:
                q.span = q.span or text[q.start : q.end]
            f.add(start, m.end(), *quantities)
    # weekdays
    for m in re.finditer(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?\b", text):
        if f.free(m.start(), m.end()):
            f.add(m.start(), m.end(), Quantity(_WEEKDAY_NAMES.index(m[1]) + 1, "weekday", "", soft=True))
    # 9/11
    for m in re.finditer(r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?![\d/])", text):
        mo, d = int(m[1]), int(m[2])
        if 1 <= mo <= 12 and 1 <= d <= 31 and f.free(m.start(), m.end()):
            f.add(m.start(), m.end(), Quantity(mo * 100 + d, "date", ""))
    # clock times: 10:30, 3 p.m., 10:30am
    for m in re.finditer(r"(?<![\d:.])(\d{1,2})(?::(\d{2}))?\s*(a\.m\.?|p\.m\.?|am\b|pm\b|AM\b|PM\b|o'clock)|(?<![\d:.])(\d{1,2}):(\d{2})(?![\d:])", text):
        h = int(m[1] or m[4])
        mi = int(m[2] or m[5] or 0)
        if h <= 24 and mi < 60 and f.free(m.start(), m.end()):
            f.add(m.start(), m.end(), Quantity((h % 12) * 60 + mi, "time", ""))
    for m in re.finditer(r"(?<![\d:.])([01]\d|2[0-4])([0-5]\d)(?=\s*(?:GMT|UTC|hours|hrs|local time)\b)", text):
        if f.free(m.start(), m.end()):
            f.add(m.start(), m.end(), Quantity((int(m[1]) % 12) * 60 + int(m[2]), "time", ""))
    # regnal and war numbers: Louis XVI, Elizabeth II, World War II
    for m in re.finditer(r"(?<=[a-z] )(?:M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))\b", text):
        named = re.search(r"\b[A-Z][a-z]+ $", text[max(0, m.start() - 20) : m.start()])
        if named and m.group() and (len(m.group()) > 1 or m.group() in "VX") and f.free(m.start(), m.end()):
            value = _roman_value(m.group())
            f.add(m.start(), m.end(), Quantity(value, "ordinal", "", soft=value <= 10))
    # decades: 1960s, the '60s, in his 20s
    for m in re.finditer(r"(?<![\w.])'?(\d{2}|\d{4})'?s\b", text):
        v = int(m[1])
        if v % 10 == 0 and f.free(m.start(), m.end()):
            alts = (v % 100,) if v >= 100 else (1900 + v, 2000 + v, 1800 + v)
            if v >= 100 and v % 100 == 0:
                alts += (v // 100 + 1,)  # the 1800s = the 19th century
            f.add(m.start(), m.end(), Quantity(v, "decade", "", alt_values=alts))

    # numbers written with digits, with currency, scale word, percent or ordinal suffix
    cur_symbols = "|".join(re.escape(s) for s in sorted(_CURRENCY_EN_SYMBOL, key=len, reverse=True))
    digit_re = re.compile(
        rf"(?P<cur>(?<![A-Za-z])(?:{cur_symbols})\s?)?(?<![\d.,])(?P<num>{ARABIC}|\.\d+)(?![\d])"
        rf"(?P<scale>\s*-?\s*(?:thousand|million|billion|trillion)\b|(?:k|m|mn|bn|b|tn|trn)\b)?"
        rf"(?P<suffix>\s*(?:%|percent\b|per\s?cent\b|percentage points?\b)|(?:st|nd|rd|th)\b)?"
    )
    for m in digit_re.finditer(text):
        start, end = m.start(), m.end()
        if not f.free(start, end):
            continue
        cur_sym = (m["cur"] or "").strip()
        scale_word = (m["scale"] or "").strip(" -").lower()
        if scale_word in _EN_SCALE_ABBR and not cur_sym:
            end = m.end("num")  # 5m without a currency is five metres
            scale_word = ""
        if _latin_adjacent(text, m.start("num"), end) and not cur_sym:
            continue
        num = m["num"]
        value, precision = _arabic_value(num)
        shared = re.match(rf"\s*(?:-|–|to|or)\s*({ARABIC})\s*(thousand|million|billion|trillion)\b", text[end:])
        if not scale_word and shared and not m["suffix"] and _same_size(m["num"], shared.group(1)):
            scale_word = shared.group(2)  # 4.2-3.9 million
        scale = _EN_SCALES.get(scale_word) or _EN_SCALE_ABBR.get(scale_word) or 1.0
        value, precision = value * scale, precision * scale
        suffix = (m["suffix"] or "").strip().lower() if end == m.end() else ""
        if suffix in ("st", "nd", "rd", "th"):
            kind = "ordinal"
        elif suffix.startswith("percentage"):
            kind = "percent_point"
        elif suffix:
            kind = "percent"
        else:
            kind = "number"
        currency = _CURRENCY_EN_SYMBOL.get(cur_sym) if cur_sym else None
        after = re.match(r"[\s-]*([A-Za-z]+)", text[end:])
        if not currency and after and after.group(1).lower() in _CURRENCY_EN_WORD and kind == "number":
            word = after.group(1).lower()
            if word != "won" or re.match(r"\s*won\b(?!\s+(?:the|a|an|by|in|over|against|his|her|their))", text[end:]):
                currency = _CURRENCY_EN_WORD[word]
                end += after.end()
        if currency:
            kind = "money"
        approx, s, e = _en_approx(text, start, end)
        if approx == "about" and not scale_word:
            precision = max(precision, _trailing_zero_precision(num))
        elif approx == "about" and "." not in num:
            precision = max(precision, _trailing_zero_precision(num) * scale)
        if kind == "number" and not scale_word and re.fullmatch(r"\d{4}", num) and 1000 <= value <= 2200:
            kind = "year"
        if not scale_word and re.fullmatch(r"\d+", num) and kind == "number":
            precision = 1.0 if not approx else precision
        f.add(s, e, Quantity(value, kind, text[s:e], approx, unit=_en_unit(text, e), currency=currency,
                             precision=precision, start=s, end=e))
    # "half a million"
    for m in re.finditer(rf"\bhalf an?\s+({_S})\b", text, re.I):
        if f.free(m.start(), m.end()):
            scale = _EN_SCALES[m[1].lower()]
            approx, s, e = _en_approx(text, m.start(), m.end())
            f.add(s, e, Quantity(0.5 * scale, "number", text[s:e], approx, precision=0.1 * scale, start=s, end=e))
    # fractions: two-thirds, a quarter, one half
    den_words = "|".join(_EN_DENOMINATORS)
    for m in re.finditer(rf"\b(a|an|one|two|three|four|five|six|seven|eight|nine|ten)[\s-]({den_words})\b", text, re.I):
        if f.free(m.start(), m.end()):
            numerator = 1 if m[1].lower() in ("a", "an") else _EN_UNITS[m[1].lower()]
            den = _EN_DENOMINATORS[m[2].lower()]
            f.add(m.start(), m.end(), Quantity(numerator / den, "fraction", "", precision=0.01 / den, soft=numerator == 1))
    # ordinals in words: fourteenth, twenty-first
    for m in _EN_ORD_WORD.finditer(text):
        if f.free(m.start(), m.end()):
            value = _EN_ORDINALS[m[2].lower()] + (_EN_TENS[m[1].lower()] if m[1] else 0)
            f.add(m.start(), m.end(), Quantity(value, "ordinal", "", soft=value <= 10))
    # cardinal words, possibly with percent or currency: twenty-one, a million, five percent
    for m in _EN_WORD_NUM.finditer(text):
        if not f.free(m.start(), m.end()):
            continue
        parsed = parse_en_number_words(m.group())
        if not parsed:
            continue
        value, precision = parsed
        end = m.end()
        kind = "number"
        pm = re.match(r"\s*(percent\b|per\s?cent\b|%|percentage points?\b)", text[end:], re.I)
        if pm:
            kind = "percent_point" if pm.group(1).lower().startswith("percentage") else "percent"
            end += pm.end()
        approx, s, e = _en_approx(text, m.start(), end)
        if approx == "about":
            precision = max(precision, 10.0 ** int(math.log10(value)) if value >= 10 else 1.0)
        idiom = re.fullmatch(r"an? (hundred|thousand)", m.group().lower())  # "a thousand lakes"
        soft = value <= 10 and kind == "number" or "dozen" in m.group().lower() or bool(idiom)
        if m.group().lower() in ("a", "an"):
            continue
        f.add(s, e, Quantity(value, kind, text[s:e], approx, unit=_en_unit(text, e), precision=precision,
                             soft=soft, start=s, end=e))
    # once / twice / half / double: soft
    for m in re.finditer(r"\b(once|twice|thrice|half|double|triple)\b", text, re.I):
        if f.free(m.start(), m.end()):
            value = {"once": 1, "twice": 2, "thrice": 3, "half": 0.5, "double": 2, "triple": 3}[m[1].lower()]
            f.add(m.start(), m.end(), Quantity(value, "number", "", soft=True))
    return f.result()


# --------------------------------------------------------------------------------------------------
# Comparison


@dataclass
class NumberIssue:
    """A difference between the quantities of a source and its translation."""

    kind: str  # missing | extra | changed | approx | currency | percent_point
    source: Quantity | None
    target: Quantity | None
    message: str


def quantities_match(a: Quantity, b: Quantity) -> bool:
    return _match_cost(a, b) is not None


def _match_cost(a: Quantity, b: Quantity) -> float | None:
    best = None
    tol = max(a.precision, b.precision) / 2
    for ga, va in a.keys():
        for gb, vb in b.keys():
            if ga != gb:
                continue
            diff = abs(va - vb)
            if diff <= tol * (1 + 1e-9) + 1e-9 * max(abs(va), abs(vb), 1):
                cost = diff / max(abs(va), abs(vb), 1e-9) + (0 if a.kind == b.kind else 0.01)
                best = cost if best is None else min(best, cost)
    if best is not None and a.soft != b.soft:
        best += 0.05
    return best


def _values_seen(q: Quantity, others: list[Quantity]) -> bool:
    return any(quantities_match(q, o) for o in others)


def compare_quantities(source: list[Quantity], target: list[Quantity]) -> list[NumberIssue]:
    """Quantities missing from, added to or changed in the target, plus approximation and currency conflicts."""
    pairs = []
    for i, s in enumerate(source):
        for j, t in enumerate(target):
            cost = _match_cost(s, t)
            if cost is not None:
                order = abs(i / max(len(source), 1) - j / max(len(target), 1)) * 0.001
                pairs.append((cost + order, i, j))
    matched_s: dict[int, int] = {}
    matched_t: set[int] = set()
    for _, i, j in sorted(pairs):
        if i not in matched_s and j not in matched_t:
            matched_s[i] = j
            matched_t.add(j)

    issues: list[NumberIssue] = []
    for i, j in sorted(matched_s.items()):
        s, t = source[i], target[j]
        if {s.approx, t.approx} == {"over", "under"}:
            issues.append(NumberIssue("approx", s, t, f"approximation changed: {s.span!r} ({s.approx}) vs {t.span!r} ({t.approx})"))
        if not currencies_compatible(s.currency, t.currency):
            issues.append(NumberIssue("currency", s, t, f"currency changed: {s.span!r} ({s.currency}) vs {t.span!r} ({t.currency})"))
        if {s.kind, t.kind} == {"percent", "percent_point"}:
            issues.append(NumberIssue("percent_point", s, t, f"percent vs percentage points: {s.span!r} vs {t.span!r}"))

    matched_sources = [source[i] for i in matched_s]
    matched_targets = [target[j] for j in matched_t]
    lost = [s for i, s in enumerate(source) if i not in matched_s and not s.soft and not _values_seen(s, matched_targets)]
    added = [t for j, t in enumerate(target) if j not in matched_t and not t.soft and not _values_seen(t, matched_sources)]
    # an unmatched source and an unmatched target of the same group, in order: one number changed into another
    for s in list(lost):
        group = s.keys()[0][0]
        t = next((t for t in added if t.keys()[0][0] == group), None)
        if t is None:
            continue
        lost.remove(s)
        added.remove(t)
        issues.append(NumberIssue("changed", s, t, f"number changed: {s.describe()} became {t.describe()}"))
    issues += [NumberIssue("missing", s, None, f"number missing from the translation: {s.describe()}") for s in lost]
    issues += [NumberIssue("extra", None, t, f"number not in the source: {t.describe()}") for t in added]
    return issues


def compare_numbers(source: str, target: str, source_lang: str, target_lang: str) -> list[NumberIssue]:
    return compare_quantities(extract_quantities(source, source_lang), extract_quantities(target, target_lang))
