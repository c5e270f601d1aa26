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

from summarizer.checks.numbers.codes import changed_codes
from summarizer.checks.numbers.compare import (
    NumberIssue,
    compare_quantities,
    quantities_match,
)
from summarizer.checks.numbers.en import extract_en, parse_en_number_words
from summarizer.checks.numbers.quantity import FULLWIDTH, Quantity
from summarizer.checks.numbers.zh import extract_zh, parse_zh_numeral
from summarizer.document import Check
from summarizer.text.lang import guess_lang

__all__ = ["NumberIssue", "Quantity", "compare_numbers", "compare_quantities", "extract_quantities", "number_checks",
           "parse_en_number_words", "parse_zh_numeral", "quantities_match"]

_SEVERITY = {"missing": "error", "changed": "error", "extra": "warning", "approx": "warning",
             "currency": "error", "percent_point": "warning"}


def extract_quantities(text: str, lang: str) -> list[Quantity]:
    """Every quantity in `text` (lang "zh" or "en"; anything else is guessed from the script)."""
    if not text:
        return []
    text = text.translate(FULLWIDTH)
    if lang not in ("zh", "en"):
        lang = guess_lang(text)
    return extract_zh(text) if lang == "zh" else extract_en(text)


def compare_numbers(source: str, target: str, source_lang: str, target_lang: str) -> list[NumberIssue]:
    return compare_quantities(extract_quantities(source, source_lang), extract_quantities(target, target_lang))


def number_checks(source: str, target: str, source_lang: str, target_lang: str) -> list[Check]:
    """One `number` check per difference between the quantities of `source` and `target`, and per code (802.11n,
    4:41.30) changed into another of the same shape."""
    found = [_to_check(issue) for issue in compare_numbers(source, target, source_lang, target_lang)]
    return found + [Check("number", "error", f"code changed: {a!r} became {b!r}", a, b)
                    for a, b in changed_codes(source or "", target or "")]


def _to_check(issue: NumberIssue) -> Check:
    return Check("number", _SEVERITY.get(issue.kind, "warning"), issue.message,
                 issue.source.span if issue.source else None, issue.target.span if issue.target else None)
