"""Quantities in English text: digits with scale words, number words, dates, times, percentages, money.

Extraction is a table of rules (`RULES`), most specific first; each rule claims the characters it matches.
"""
from __future__ import annotations

import math
import re

from summarizer.checks.numbers.currency import (
    CURRENCY_EN_QUALIFIED, CURRENCY_EN_SYMBOL, CURRENCY_EN_WORD, EN_SYMBOL_PATTERN, QUALIFIED_EN_RE,
)
from summarizer.checks.numbers.quantity import (
    ARABIC, WEEKDAY_NAMES, Finder, Quantity, Rule, arabic_value, latin_adjacent, run_rules, same_size,
    trailing_zero_precision,
)

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
SCALE_ABBR = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12, "trn": 1e12}
_ORDINALS = {w: i + 1 for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth".split())}
_ORDINALS.update({w: 10 * (i + 2) for i, w in enumerate(
    "twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth".split())})
_ORDINALS["hundredth"] = 100
_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fourth": 4,
                 "fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6, "eighth": 8, "eighths": 8,
                 "tenth": 10, "tenths": 10}
_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MONTH_NAME = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_UNIT_WORDS = {
    "times", "people", "persons", "items", "pieces", "batches", "cases", "companies", "firms", "enterprises",
    "patents", "kilometers", "kilometres", "km", "miles", "feet", "foot", "meters", "metres", "inches", "pounds",
    "kilograms", "kg", "tons", "tonnes", "years", "months", "weeks", "days", "hours", "minutes", "seconds", "users",
    "yuan", "dollars", "euros", "yen",
}

_APPROX_BEFORE = {
    "more than": "over", "over": "over", "above": "over", "exceeding": "over", "in excess of": "over",
    "upwards of": "over", "at least": "over", "just over": "over", "greater than": "over",
    "nearly": "under", "almost": "under", "close to": "under", "under": "under", "less than": "under",
    "fewer than": "under", "below": "under", "just under": "under", "up to": "under",
    "about": "about", "around": "about", "approximately": "about", "roughly": "about", "some": "about",
    "an estimated": "about", "estimated": "about", "circa": "about", "approx.": "about", "~": "about",
}
_APPROX_AFTER = {"or more": "over", "-plus": "over", "plus": "over", "+": "over", "or so": "about"}
_APPROX_BEFORE_RE = re.compile(
    r"(?<![A-Za-z])(" + "|".join(re.escape(k) for k in sorted(_APPROX_BEFORE, key=len, reverse=True)) + r")\s*$", re.I
)
_APPROX_AFTER_RE = re.compile(r"^\s*(" + "|".join(re.escape(k) for k in _APPROX_AFTER) + r")(?![A-Za-z])", re.I)

_W = "|".join(sorted(list(_UNITS) + list(_TENS), key=len, reverse=True))
_S = "|".join(SCALES)


# --------------------------------------------------------------------------------------------------
# Number words and context


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
        elif token in _UNITS:
            current += _UNITS[token]
            place, seen = 1.0, True
        elif token in _TENS:
            current += _TENS[token]
            place, seen = 10.0, True
        elif token == "dozen":
            current = (current or 1) * 12
            place = 12.0
        elif token == "hundred":
            current = (current or 1) * 100
            place *= 100
        elif token in SCALES:
            total += (current or 1) * SCALES[token]
            place *= SCALES[token]
            current = 0.0
        else:
            return None
    return (total + current, place) if seen else None


def _roman_value(text: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for ch, nxt in zip(text, text[1:] + " "):
        v = values[ch]
        total += -v if nxt in values and values[nxt] > v else v
    return total


def _approx(text: str, start: int, end: int) -> tuple[str | None, int, int]:
    """Approximation class and widened span from markers before (more than, about) and after (or more) a number."""
    approx = None
    m = _APPROX_BEFORE_RE.search(text[max(0, start - 24) : start])
    if m:
        approx = _APPROX_BEFORE[m.group(1).lower()]
        start -= len(m.group(0))
    a = _APPROX_AFTER_RE.match(text[end : end + 10])
    if a:
        approx = approx or _APPROX_AFTER[a.group(1).lower()]
        end += a.end()
    return approx, start, end


def _unit(text: str, end: int) -> str | None:
    m = re.match(r"[\s-]*([A-Za-z]+)", text[end:])
    return m.group(1).lower() if m and m.group(1).lower() in _UNIT_WORDS else None


def _month_number(name: str) -> int:
    name = name.lower().rstrip(".")
    return _MONTHS[name[: 4 if name.startswith("sept") else 3]]


# --------------------------------------------------------------------------------------------------
# Rules: dates and times


def _iso_date(f: Finder, m: re.Match) -> None:  # 2024-04-10
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    if 1 <= mo <= 12 and 1 <= d <= 31:
        f.add(m.start(), m.end(), Quantity(y, "year", m[1], start=m.start(), end=m.start() + 4),
              Quantity(mo * 100 + d, "date", m[0][5:], start=m.start() + 5, end=m.end()))


def _named_month(f: Finder, m: re.Match) -> None:  # April 10, 2024 / April 10th / 10 April 2024 / April 2024 / April
    day, year, name = m.groupdict().get("day"), m.groupdict().get("year"), m["month"]
    start = min(m.start("month"), m.start("day")) if day else m.start("month")
    if not f.free(start, m.end()) or name[0].islower():
        return
    if (len(name.rstrip(".")) == 3 and not day and not year) or (name.rstrip(".") in ("Mar", "Jun", "Jan") and not day):
        return  # a bare "Mar" or "Jan" is rarely a month
    mo = _month_number(name)
    if day and not 1 <= int(day) <= 31:
        return
    if day:
        day_end = m.end("day") if m.start("day") > m.start("month") else m.end("month")
        quantities = [Quantity(mo * 100 + int(day), "date", f.text[start:day_end], start=start, end=day_end)]
    else:
        quantities = [Quantity(mo, "month", name, start=m.start("month"), end=m.end("month"))]
    if year:
        quantities.append(Quantity(int(year), "year", year, start=m.start("year"), end=m.end("year")))
    f.add(start, m.end(), *quantities)


def _weekday(f: Finder, m: re.Match) -> None:
    f.add(m.start(), m.end(), Quantity(WEEKDAY_NAMES.index(m[1]) + 1, "weekday", "", soft=True))


def _slash_date(f: Finder, m: re.Match) -> None:  # 9/11
    mo, d = int(m[1]), int(m[2])
    if 1 <= mo <= 12 and 1 <= d <= 31:
        f.add(m.start(), m.end(), Quantity(mo * 100 + d, "date", ""))


def _clock_time(f: Finder, m: re.Match) -> None:  # 10:30, 3 p.m., 10:30am
    h, mi = int(m[1] or m[4]), int(m[2] or m[5] or 0)
    if h <= 24 and mi < 60:
        f.add(m.start(), m.end(), Quantity((h % 12) * 60 + mi, "time", ""))


def _military_time(f: Finder, m: re.Match) -> None:  # 1430 GMT
    f.add(m.start(), m.end(), Quantity((int(m[1]) % 12) * 60 + int(m[2]), "time", ""))


_ROMAN_CONTEXT = re.compile(  # words after which a Roman numeral is a number: World War II, Part III, Super Bowl LIII
    r"\b(?:War|Part|Chapter|Volume|Vol\.|Book|Act|Scene|Phase|Stage|Article|Title|Section|Class|Type|Grade|Level|Round|"
    r"Series|Mark|Mk|Bowl|Apollo|Vatican|Pope|King|Queen|Emperor|Tsar|Czar|Pharaoh|Dynasty|Liga|Division|Schedule|"
    r"Annex|Appendix|Amendment|Council|Corps|Army|Fleet) $")
_REGNAL_MAX = 30  # Louis XVIII, Pope John XXIII; "Mazda CX" (110) or "Washington DC" (600) are names


def _regnal(f: Finder, m: re.Match) -> None:  # Louis XVI, Elizabeth II, World War II, Part III; never CX-4
    before, after = f.text[max(0, m.start() - 20) : m.start()], f.text[m.end() : m.end() + 1]
    glued = bool(after) and after in "-‐–/"  # CX-4, a model code
    if not m.group() or glued or not (len(m.group()) > 1 or m.group() in "VX"):
        return
    value = _roman_value(m.group())
    context = _ROMAN_CONTEXT.search(before) is not None
    named = re.search(r"\b[A-Z][a-z]+ $", before) is not None and value <= _REGNAL_MAX
    if context or named:
        f.add(m.start(), m.end(), Quantity(value, "ordinal", "", soft=value <= 10))


def _decade(f: Finder, m: re.Match) -> None:  # 1960s, the '60s, in his 20s
    v = int(m[1])
    if v % 10 == 0:
        alts = (v % 100,) if v >= 100 else (1900 + v, 2000 + v, 1800 + v)
        if v >= 100 and v % 100 == 0:
            alts += (v // 100 + 1,)  # the 1800s = the 19th century
        f.add(m.start(), m.end(), Quantity(v, "decade", "", alt_values=alts))


# --------------------------------------------------------------------------------------------------
# Rule: digits with currency, scale word, percent or ordinal suffix


def _shared_scale(text: str, m: re.Match, end: int) -> str:
    """The scale word of a range that two numbers share: "4.2-3.9 million" -> "million" for 4.2."""
    shared = re.match(rf"\s*(?:-|–|to|or)\s*({ARABIC})\s*(thousand|million|billion|trillion)\b", text[end:])
    if shared and not m["suffix"] and same_size(m["num"], shared.group(1)):
        return shared.group(2)
    return ""


def _digit_kind(m: re.Match, end: int) -> str:
    suffix = (m["suffix"] or "").strip().lower() if end == m.end() else ""
    if suffix in ("st", "nd", "rd", "th"):
        return "ordinal"
    if suffix.startswith("percentage"):
        return "percent_point"
    return "percent" if suffix else "number"


def _digit_currency(text: str, symbol: str, kind: str, end: int) -> tuple[str | None, int]:
    """(currency, end): from the symbol before the number ($, US$, RMB) or the currency words after it (yuan, US dollars)."""
    if symbol:
        return CURRENCY_EN_SYMBOL.get(symbol), end
    qualified = QUALIFIED_EN_RE.match(text, end) if kind == "number" else None
    if qualified:  # "US dollars", "pounds sterling"
        return CURRENCY_EN_QUALIFIED[next(g for g in qualified.groups() if g).lower()], qualified.end()
    after = re.match(r"[\s-]*([A-Za-z]+)", text[end:])
    word = after.group(1).lower() if after else ""
    if kind != "number" or word not in CURRENCY_EN_WORD:
        return None, end
    if word == "won" and not re.match(r"\s*won\b(?!\s+(?:the|a|an|by|in|over|against|his|her|their))", text[end:]):
        return None, end  # "5 won the vote"
    return CURRENCY_EN_WORD[word], end + after.end()


def _digits(f: Finder, m: re.Match) -> None:
    text, num, symbol = f.text, m["num"], (m["cur"] or "").strip()
    scale_word, end = (m["scale"] or "").strip(" -").lower(), m.end()
    if scale_word in SCALE_ABBR and not symbol:
        end, scale_word = m.end("num"), ""  # 5m without a currency is five metres
    if latin_adjacent(text, m.start("num"), end) and not symbol:
        return
    scale_word = scale_word or _shared_scale(text, m, end)
    scale = SCALES.get(scale_word) or SCALE_ABBR.get(scale_word) or 1.0
    kind = _digit_kind(m, end)
    currency, end = _digit_currency(text, symbol, kind, end)
    kind = "money" if currency else kind
    approx, s, e = _approx(text, m.start(), end)
    value, precision = arabic_value(num)
    value, precision = value * scale, precision * scale
    if approx == "about" and not scale_word:
        precision = max(precision, trailing_zero_precision(num))
    elif approx == "about" and "." not in num:
        precision = max(precision, trailing_zero_precision(num) * scale)
    if kind == "number" and not scale_word and re.fullmatch(r"\d{4}", num) and 1000 <= value <= 2200:
        kind = "year"
    f.add(s, e, Quantity(value, kind, text[s:e], approx, unit=_unit(text, e), currency=currency,
                         precision=precision, start=s, end=e))


# --------------------------------------------------------------------------------------------------
# Rules: words


def _half_scale(f: Finder, m: re.Match) -> None:  # half a million
    scale = SCALES[m[1].lower()]
    approx, s, e = _approx(f.text, m.start(), m.end())
    f.add(s, e, Quantity(0.5 * scale, "number", f.text[s:e], approx, precision=0.1 * scale, start=s, end=e))


def _fraction(f: Finder, m: re.Match) -> None:  # two-thirds, a quarter, one half
    numerator = 1 if m[1].lower() in ("a", "an") else _UNITS[m[1].lower()]
    den = _DENOMINATORS[m[2].lower()]
    f.add(m.start(), m.end(), Quantity(numerator / den, "fraction", "", precision=0.01 / den, soft=numerator == 1))


def _ordinal_word(f: Finder, m: re.Match) -> None:  # fourteenth, twenty-first
    value = _ORDINALS[m[2].lower()] + (_TENS[m[1].lower()] if m[1] else 0)
    f.add(m.start(), m.end(), Quantity(value, "ordinal", "", soft=value <= 10))


def _cardinal_words(f: Finder, m: re.Match) -> None:  # twenty-one, a million, five percent
    parsed = parse_en_number_words(m.group()) if m.group().lower() not in ("a", "an") else None
    if not parsed:
        return
    text, (value, precision), end, kind = f.text, parsed, m.end(), "number"
    pm = re.match(r"\s*(percent\b|per\s?cent\b|%|percentage points?\b)", text[end:], re.I)
    if pm:
        kind = "percent_point" if pm.group(1).lower().startswith("percentage") else "percent"
        end += pm.end()
    approx, s, e = _approx(text, m.start(), end)
    if approx == "about":
        precision = max(precision, 10.0 ** int(math.log10(value)) if value >= 10 else 1.0)
    idiom = re.fullmatch(r"an? (hundred|thousand)", m.group().lower())  # "a thousand lakes"
    soft = value <= 10 and kind == "number" or "dozen" in m.group().lower() or bool(idiom)
    f.add(s, e, Quantity(value, kind, text[s:e], approx, unit=_unit(text, e), precision=precision,
                         soft=soft, start=s, end=e))


def _multiplier(f: Finder, m: re.Match) -> None:  # once / twice / half / double: soft
    value = {"once": 1, "twice": 2, "thrice": 3, "half": 0.5, "double": 2, "triple": 3}[m[1].lower()]
    f.add(m.start(), m.end(), Quantity(value, "number", "", soft=True))


def _rule(name: str, pattern: str, handler, flags: int = 0, whole_match_free: bool = True) -> Rule:
    return Rule(name, re.compile(pattern, flags), handler, whole_match_free)


_PREPOSITION = r"in|of|since|until|till|by|from|early|late|mid|last|next|this|during|before|after"
_LONG_MONTH = r"January|February|March|April|June|July|August|September|October|November|December"
RULES = [
    _rule("iso date", r"(?<![\d.])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d.])", _iso_date),
    *(_rule("named month", p, _named_month, whole_match_free=False) for p in (
        rf"\b(?P<month>{_MONTH_NAME})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{{4}})\b)?",
        rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH_NAME})(?:,?\s+(?P<year>\d{{4}})\b)?",
        rf"\b(?P<month>{_MONTH_NAME})(?:,?\s+(?P<year>\d{{4}})\b)",
        rf"\b(?P<month>{_LONG_MONTH})\b",
        rf"(?:\b(?:{_PREPOSITION})[\s-]+)(?P<month>May)\b",
    )),
    _rule("weekday", r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?\b", _weekday),
    _rule("slash date", r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?![\d/])", _slash_date),
    _rule("clock time", r"(?<![\d:.])(\d{1,2})(?::(\d{2}))?\s*(a\.m\.?|p\.m\.?|am\b|pm\b|AM\b|PM\b|o'clock)"
                        r"|(?<![\d:.])(\d{1,2}):(\d{2})(?![\d:])", _clock_time),
    _rule("military time", r"(?<![\d:.])([01]\d|2[0-4])([0-5]\d)(?=\s*(?:GMT|UTC|hours|hrs|local time)\b)", _military_time),
    _rule("regnal number", r"(?<=[a-z] )(?:M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))\b", _regnal),
    _rule("decade", r"(?<![\w.])'?(\d{2}|\d{4})'?s\b", _decade),
    _rule("digits", rf"(?P<cur>(?<![A-Za-z])(?:{EN_SYMBOL_PATTERN})\s?)?(?<![\d.,])(?P<num>{ARABIC}|\.\d+)(?![\d])"
                    rf"(?P<scale>\s*-?\s*(?:thousand|million|billion|trillion)\b|(?:k|m|mn|bn|b|tn|trn)\b)?"
                    rf"(?P<suffix>\s*(?:%|percent\b|per\s?cent\b|percentage points?\b)|(?:st|nd|rd|th)\b)?", _digits),
    _rule("half a scale", rf"\bhalf an?\s+({_S})\b", _half_scale, re.I),
    _rule("fraction", rf"\b(a|an|one|two|three|four|five|six|seven|eight|nine|ten)[\s-]({'|'.join(_DENOMINATORS)})\b",
          _fraction, re.I),
    _rule("ordinal word", rf"\b(?:({'|'.join(_TENS)})-)?({'|'.join(_ORDINALS)})\b", _ordinal_word, re.I),
    _rule("cardinal words", rf"\b(?:{_W}|an?(?=[\s-]+(?:{_S}|dozen)\b))(?:[\s-]+(?:and[\s-]+)?(?:{_W}|{_S}|dozen)\b)*\b",
          _cardinal_words, re.I),
    _rule("multiplier", r"\b(once|twice|thrice|half|double|triple)\b", _multiplier, re.I),
]


def extract_en(text: str) -> list[Quantity]:
    return run_rules(text, RULES)
