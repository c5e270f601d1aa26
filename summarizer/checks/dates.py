"""Months and years a translation gives that the source does not (`unsupported`, error), and the rule repair of a
date the model completed on its own.

Chinese news dates events by day alone (当地时间26日, "on the 26th, local time"); models often complete such a date
with a month and year of their own ("On December 26, 2018"). A month of the translation must be one the source
names (12月, 2018-12-26, a holiday that falls in it: 圣诞 December), a year one the source has as a number.
`fix_invented_dates` rewrites a completed day back to "the 26th" and drops an invented year from a date whose
month is right; `summarizer.checks.repair` keeps the rewrite only if re-checking finds fewer errors.
"""
from __future__ import annotations

import re

from summarizer.checks.numbers import extract_quantities
from summarizer.document import Check

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
_MONTH = (r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December"
          r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)")
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>(?:1[89]|20|21)\d\d))"
_EN_DATES = (
    re.compile(rf"\b{_MONTH}\s+{_DAY}\b{_YEAR}?(?!\d)"),
    re.compile(rf"\b(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?![a-z]){_YEAR}?(?!\d)"),
    re.compile(rf"\b{_MONTH}(?![a-z]){_YEAR}(?!\d)"),
)
_HOLIDAYS = {
    "zh": {"元旦": (1,), "春节": (1, 2), "除夕": (1, 2), "元宵": (2, 3), "情人节": (2,), "妇女节": (3,), "清明": (4,),
           "劳动节": (5,), "五一": (5,), "端午": (5, 6), "儿童节": (6,), "六一": (6,), "七一": (7,), "建党": (7,),
           "八一": (8,), "建军节": (8,), "七夕": (7, 8), "中秋": (9, 10), "国庆": (10,), "重阳": (10,),
           "万圣节": (10, 11), "感恩节": (11,), "双十一": (11,), "双11": (11,), "平安夜": (12,), "圣诞": (12,)},
    "en": {"New Year": (1, 12), "Valentine": (2,), "Easter": (3, 4), "Independence Day": (7,), "Halloween": (10,),
           "Thanksgiving": (11,), "Christmas": (12,), "Spring Festival": (1, 2), "Lunar New Year": (1, 2),
           "Mid-Autumn": (9, 10), "National Day": (10,)},
}
_BARE_DAY = re.compile(r"(?<![月\d.])(\d{1,2})\s*日")


def calendar_of(text: str, lang: str) -> tuple[set[int], set[int]]:
    """(months, years) a text names: dates and months, holidays, and every figure that could be a year."""
    months: set[int] = set()
    years: set[int] = set()
    for q in extract_quantities(text, lang):
        if q.kind == "date":
            months.add(int(q.value) // 100)
        elif q.kind == "month":
            months.add(int(q.value))
        elif q.value == int(q.value) and 1000 <= q.value <= 2200:
            years.add(int(q.value))
        years.update(int(v) for v in q.alt_values if v == int(v) and 1000 <= v <= 2200)
    for word, falls in _HOLIDAYS.get(lang, {}).items():
        if word in text:
            months.update(falls)
    return months, years


def date_checks(source: str, target: str, source_lang: str, target_lang: str, article: str = "") -> list[Check]:
    """An error-level `unsupported` check for each month and year of `target` that `source` does not give, nor
    `article` (the whole text the source is a part of: its dateline may name the month of "26日")."""
    if {source_lang, target_lang} != {"zh", "en"}:
        return []
    months, years = calendar_of(source + "\n" + article if article else source, source_lang)
    found: list[Check] = []
    for q in extract_quantities(target, target_lang):
        if q.kind in ("date", "month"):
            month = int(q.value) // 100 if q.kind == "date" else int(q.value)
            if 1 <= month <= 12 and month not in months:
                found.append(Check("unsupported", "error", f"month {MONTHS[month - 1]!r} (in {q.span!r}) has no "
                                   "source in the article", None, q.span))
        elif q.kind == "year" and int(q.value) not in years and not set(q.alt_values) & years:
            found.append(Check("unsupported", "error", f"year {q.span!r} has no source in the article", None, q.span))
    return found


def is_date_check(check: Check) -> bool:
    return check.type == "unsupported" and check.message.startswith(("month ", "year "))


def fix_invented_dates(source: str, target: str) -> tuple[str, list[str]]:
    """English `target` with each date completed beyond a Chinese `source` rewritten: a day the source gives with
    no month ("26日" -> "On December 26, 2018") becomes "the 26th"; an invented year after a right month and day
    is dropped ("December 26, 2018" -> "December 26"). Returns the text and what was rewritten."""
    months, years = calendar_of(source, "zh")
    bare_days = {int(d) for d in _BARE_DAY.findall(source)}
    edits: list[tuple[int, int, str]] = []
    for pattern in _EN_DATES:
        for m in pattern.finditer(target):
            if any(s < m.end() and m.start() < e for s, e, _ in edits):
                continue
            new = _rewrite(m, months, years, bare_days, target)
            if new is not None:
                edits.append((m.start(), m.end(), new))
    fixed, notes = target, []
    for start, end, new in sorted(edits, reverse=True):
        notes.append(f"{fixed[start:end]!r} -> {new!r}")
        fixed = fixed[:start] + new + fixed[end:]
    return fixed, notes[::-1]


def _rewrite(m: re.Match, months: set[int], years: set[int], bare_days: set[int], text: str) -> str | None:
    """The replacement for one English date, or None when the source gives all of it (or no rule applies)."""
    month = _month_number(m["month"])
    day = int(m["day"]) if m.groupdict().get("day") else None
    year = int(m["year"]) if m["year"] else None
    month_ok, year_ok = month in months, year is None or year in years
    if month_ok and year_ok:
        return None
    if not month_ok:
        if day is None or day not in bare_days:
            return None  # a month the source does not give, and no bare day to fall back on: for the model
        opens = re.search(r"(?:^|[.!?]\s+|\n)$", text[: m.start()]) is not None
        return ("The " if opens else "the ") + _ordinal(day)
    return m.group()[: m.start("year") - m.start()].rstrip(", ")


def _month_number(name: str) -> int:
    name = name.rstrip(".").lower()
    return next(i + 1 for i, full in enumerate(MONTHS) if full.lower().startswith(name[:3]))


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"
