"""The `Quantity` found in a text, its normalised value, and the rule machinery both languages extract with."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

FULLWIDTH = str.maketrans("０１２３４５６７８９％．：", "0123456789%.:")
ARABIC = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
WEEKDAY_NAMES = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

# comparison group of each kind; every other kind is a plain number ("num")
_GROUP = {"percent": "pct", "percent_point": "pct", "date": "cal", "month": "cal", "weekday": "week", "time": "time"}


@dataclass
class Quantity:
    """One quantity found in a text.

    value: the normalized number: 53200 for 5.32万; 13.5 for 13.5%; 2024 for a year; month*100+day for a
    date (410 for April 10); month number for a bare month; minutes after 0:00/12:00 for a clock time.
    """

    value: float
    kind: str  # number | percent | percent_point | year | date | month | day | decade | ordinal | money | time | weekday | fraction
    span: str
    approx: str | None = None  # over | under | about (超/余/more than, 近/nearly, 约/about)
    unit: str | None = None  # counter or measure word when seen: 次, 件, km, times ...
    currency: str | None = None  # CNY | USD | DOLLAR | EUR | GBP | JPY | YEN_OR_YUAN | ...
    precision: float = 1.0  # the place value of the last written digit (100 for 5.32万)
    soft: bool = False  # a small number word: may match, never reported alone
    start: int = 0
    end: int = 0
    alt_values: tuple[float, ...] = field(default_factory=tuple)  # other readings (60年代 -> 1960)

    @property
    def group(self) -> str:
        return _GROUP.get(self.kind, "num")

    def keys(self) -> list[tuple[str, float]]:
        """(group, value) pairs under which this quantity can match one on the other side."""
        if self.kind == "day":  # 30日: the 30th, or the 30th of any month ("September 30")
            return [("num", self.value)] + [("cal", v) for v in self.alt_values]
        keys = [(self.group, self.value)] + [(self.group, v) for v in self.alt_values]
        if self.kind == "fraction":
            keys.append(("pct", self.value * 100))
        elif self.kind == "time" and self.value % 60 == 0:  # "3点" may be a count, "at 3" a time
            hour = int(self.value // 60)
            keys += [("num", float(hour or 12)), ("num", float(hour + 12))]
        return keys

    def describe(self) -> str:
        return f"{self.span!r} ({format_value(self)})"


def format_value(q: Quantity) -> str:
    if q.kind in ("percent", "percent_point"):
        return f"{_fmt(q.value)}{'%' if q.kind == 'percent' else ' percentage points'}"
    if q.kind == "date":
        return f"month {int(q.value) // 100}, day {int(q.value) % 100}"
    if q.kind == "month":
        return f"month {int(q.value)}"
    if q.kind == "time":
        return f"{int(q.value) // 60}:{int(q.value) % 60:02d}"
    if q.kind == "weekday":
        return WEEKDAY_NAMES[int(q.value) - 1]
    return _fmt(q.value)


def _fmt(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------------------------------
# Normalisation shared by both languages


def arabic_value(num: str) -> tuple[float, float]:
    """(value, precision) of digits: "1,234.5" -> (1234.5, 0.1)."""
    plain = num.replace(",", "")
    decimals = len(plain.partition(".")[2])
    return float(plain), 10.0 ** -decimals


def trailing_zero_precision(num: str) -> float:
    """The place value that the trailing zeros of a round number leave open: "1200" -> 100."""
    plain = num.replace(",", "")
    if "." in plain or not plain.isdigit():
        return 1.0
    stripped = plain.rstrip("0")
    return 10.0 ** (len(plain) - len(stripped)) if stripped else 1.0


def same_size(first: str, second: str) -> bool:
    """Whether two numbers of a range can share one scale word (4.2-3.9 million), but not "2014 to 469 billion"."""
    a, b = float(first.replace(",", "")), float(second.replace(",", ""))
    if re.fullmatch(r"\d{4}", first) and 1000 <= a <= 2200:
        return False
    return b > 0 and 0.1 <= a / b <= 10


_UNIT_SUFFIXES = {  # case matters: 5G is a network, 5g five grams
    "km", "kg", "cm", "mm", "m", "g", "mg", "lb", "lbs", "ft", "mph", "kph", "kmh", "mi", "h", "hr", "hrs", "min",
    "sec", "s", "GB", "MB", "TB", "KB", "GHz", "MHz", "kW", "MW", "GW", "kWh", "mAh", "x", "k", "bn", "tn", "am", "pm",
    "AM", "PM", "st", "nd", "rd", "th", "l", "L", "ml", "mL", "t", "ha", "sq",
}


def latin_adjacent(text: str, start: int, end: int, before_only: bool = False) -> bool:
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


# --------------------------------------------------------------------------------------------------
# Rule tables


class Finder:
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


Handler = Callable[[Finder, re.Match], None]


class Rule(NamedTuple):
    """A pattern and what to add for each match; `whole_match_free`: skip matches that overlap earlier finds."""

    name: str
    pattern: re.Pattern
    handler: Handler
    whole_match_free: bool = True


def run_rules(text: str, rules: list[Rule]) -> list[Quantity]:
    """Apply the rules in order; each claims the characters it matched so later rules cannot reuse them."""
    finder = Finder(text)
    for rule in rules:
        for m in rule.pattern.finditer(text):
            if not rule.whole_match_free or finder.free(m.start(), m.end()):
                rule.handler(finder, m)
    return finder.result()
