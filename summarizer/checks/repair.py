"""Repair what the checks flag as errors; keep a fix only when re-checking finds fewer errors.

Three passes, shared by the pipeline and the benchmarks:
1. rules (`fix_numbers`): numbers rewritten from the source's value and currency (万/亿 scale errors, 亿元 written as "$");
   dates the model completed (`fix_dates`: "26日" written "On December 26, 2018" -> "On the 26th");
2. the model: what is still flagged, re-translated in one batch with the problems listed (`Repairer.repair`);
3. rules after the model: names swapped for other real names put back (`swaps`), and Chinese still left in
   English output rendered by glossary, lexicon, then pinyin (`leftovers`).
Every attempt is recorded in `check.repair` ({"original", "fixed", "reason", "accepted", "method"}) and every
accepted fix in the notes; nothing is replaced silently.
"""
from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from summarizer.checks.numbers import Quantity, compare_numbers, extract_quantities
from summarizer.checks.numbers.currency import EN_AMOUNT, EN_SYMBOL_PATTERN, ZH_WORD, currencies_compatible
from summarizer.checks.numbers.quantity import ARABIC
from summarizer.checks.report import CHECK_TYPES
from summarizer.checks.run import check_translation
from summarizer.document import Check, Result
from summarizer.generation import Generation, Repairer, RepairRequest, Terms
from summarizer.prepare.detect import source_language

log = logging.getLogger(__name__)


@dataclass
class RepairItem:
    """One translated text that error-level checks flagged, and where an accepted fix goes."""

    source: str
    translation: str
    source_lang: str
    target_lang: str
    flagged: list[Check]
    label: str = "translation"  # what the notes call it (the result field)
    notes: list[str] = field(default_factory=list)
    write_back: Callable[[str], None] | None = None
    _errors: dict[str, list[Check]] = field(default_factory=dict, repr=False)  # text -> its error checks, one run

    def error_checks(self, text: str, terms: Terms | None) -> list[Check]:
        if text not in self._errors:
            found = check_translation(self.source, text, self.source_lang, self.target_lang, terms)
            self._errors[text] = [c for c in found if c.severity == "error"]
        return self._errors[text]

    def errors(self, text: str, terms: Terms | None) -> int:
        return len(self.error_checks(text, terms))

    def accept(self, fixed: str, note: str) -> None:
        self.translation = fixed
        self.notes.append(note)
        if self.write_back:
            self.write_back(fixed)


def repair_results(results: list[Result], terms: Terms | None, repairer: Repairer | None) -> None:
    """Repair the translations of checked results: rule fixes first, then one batched model repair (if a
    repairer is given) of what is still flagged. `terms`: a Glossary or a `TermSet` (the checks use its
    glossary, the repairer gets all of it), or None (the default glossary)."""
    items = [item for r in results for item in repair_items(r)]
    pending = [item for item in items if not rule_repair(item, terms)]
    if repairer is not None and pending:
        model_repair(pending, terms, repairer)
    for item in items:
        after_model_repair(item, terms)


def _after_model_rules(target_lang: str) -> list[tuple[str, str, Callable]]:
    """(what, check type, fix(item, flagged checks, glossary)) for the rule passes after the model."""
    from summarizer.checks.leftovers import fix_english_leftovers, fix_leftovers
    from summarizer.checks.swaps import fix_swapped_names

    if target_lang == "zh":
        return [("leftovers", "untranslated",
                 lambda item, flagged, glossary: fix_english_leftovers([c.target_span for c in flagged], item.translation, glossary))]
    return [("names", "entity", lambda item, flagged, glossary: fix_swapped_names(item.source, item.translation, glossary)),
            ("leftovers", "untranslated", lambda item, flagged, glossary: fix_leftovers(item.source, item.translation, glossary))]


def after_model_repair(item: RepairItem, terms: Terms | None) -> None:
    """Names and leftovers the model did not fix, rewritten by rule; each rewrite kept only if verified."""
    from summarizer.checks.terms import glossary_of

    glossary = glossary_of(terms) if terms is not None else None
    for what, check_type, fix in _after_model_rules(item.target_lang):
        flagged = [c for c in item.flagged if c.type == check_type and not (c.repair or {}).get("accepted")]
        if flagged:
            fixed, rewrites = fix(item, flagged, glossary)
            keep_rule_fix(item, terms, flagged, fixed, rewrites, what)


def rule_repair(item: RepairItem, terms: Terms | None) -> bool:
    """Rewrite the flagged numbers and invented dates by rule, each kept only if verified; True when nothing is
    left for the model."""
    fixed, rewrites = fix_numbers(item.source, item.translation, item.source_lang, item.target_lang)
    numbers = [c for c in item.flagged if c.type == "number"]
    kept = keep_rule_fix(item, terms, numbers, fixed, rewrites, "numbers")
    if not (fix_dates(item, terms) or kept):
        return False
    item.flagged = [c for c in item.flagged if c.repair is None]
    return not item.flagged or item.errors(item.translation, terms) == 0


def fix_dates(item: RepairItem, terms: Terms | None) -> bool:
    """A day the source gives without a month, completed with a month and year ("26日" -> "On December 26,
    2018"), rewritten as "the 26th"; an invented year after a right date dropped (`checks.dates`)."""
    from summarizer.checks.dates import fix_invented_dates, is_date_check

    dates = [c for c in item.flagged if is_date_check(c)]
    if not dates or (item.source_lang, item.target_lang) != ("zh", "en"):
        return False
    fixed, rewrites = fix_invented_dates(item.source, item.translation)
    return keep_rule_fix(item, terms, dates, fixed, rewrites, "dates")


def keep_rule_fix(item: RepairItem, terms: Terms | None, checks: list[Check], fixed: str, rewrites: list[str],
                  what: str) -> bool:
    """Accept a rule rewrite when re-checking finds fewer errors; record it on `checks` and in the notes."""
    if not rewrites:
        return False
    if item.errors(fixed, terms) >= item.errors(item.translation, terms):
        log.debug("rule fix of %s rejected (no fewer errors): %s", what, rewrites)
        return False
    method = "rule: " + "; ".join(rewrites)
    still = {c.message for c in item.error_checks(fixed, terms)}
    for check in checks:
        if check.message not in still:  # a figure the rewrite did not reach stays flagged, for the model
            check.repair = _record(item.translation, fixed, check, True, method)
    item.accept(fixed, f"repaired {item.label} {what}: {'; '.join(rewrites)}")
    return True


def model_repair(items: list[RepairItem], terms: Terms | None, repairer: Repairer) -> None:
    """Re-translate every item with its problems listed, one batch per direction; keep fixes that clear errors."""
    by_direction: dict[tuple[str, str], list[RepairItem]] = {}
    for item in items:
        by_direction.setdefault((item.source_lang, item.target_lang), []).append(item)
    for (source_lang, target_lang), group in by_direction.items():
        requests = [RepairRequest(i.source, i.translation, tuple(c.message for c in i.flagged)) for i in group]
        for item, generation in zip(group, repairer.repair(requests, source_lang, target_lang, terms)):
            _judge_model_fix(item, generation, terms)


def _judge_model_fix(item: RepairItem, generation: Generation, terms: Terms | None) -> None:
    fixed = generation.text
    usable = bool(fixed.strip()) and not generation.truncated and not generation.failed
    accepted = usable and item.errors(fixed, terms) < item.errors(item.translation, terms)
    for check in item.flagged:
        check.repair = _record(item.translation, fixed, check, accepted, "model")
    if accepted:
        item.accept(fixed, f"repaired {item.label}: {'; '.join(c.message for c in item.flagged)}")
    log.debug("model repair of %s %s", item.label, "accepted" if accepted else "rejected")


def _record(original: str, fixed: str, check: Check, accepted: bool, method: str) -> dict:
    return {"original": original, "fixed": fixed, "reason": check.message, "accepted": accepted, "method": method}


# --------------------------------------------------------------------------------------------------
# Which texts of a result to repair


def repair_items(r: Result) -> list[RepairItem]:
    """One item per translated text of `r` (translated summary, translated paragraph) with error-level checks."""
    pairs = _pairs(r)
    flagged: dict[tuple[str, int], list[Check]] = {}
    for check in r.checks:
        if check.severity != "error" or check.field not in pairs or check.type not in CHECK_TYPES:
            continue  # summary checks, and the pipeline's own "failed" records
        idx = next((k for k, pair in enumerate(pairs[check.field]) if _spans_in(check, *pair)), None)
        if idx is not None:
            flagged.setdefault((check.field, idx), []).append(check)
    return [RepairItem(*pairs[name][idx], source_language(r.article), r.target_lang, checks, label=name, notes=r.notes,
                       write_back=_writer(r, name, idx))
            for (name, idx), checks in flagged.items()]


def _spans_in(check: Check, source: str, translation: str) -> bool:
    """Whether a check's spans come from this pair (a clipped span ends with "…")."""
    return (check.source_span or "").rstrip("…") in source and (check.target_span or "").rstrip("…") in translation


def _pairs(r: Result) -> dict[str, list[tuple[str, str]]]:
    """The (source, translation) pairs a check's `field` refers to."""
    pairs: dict[str, list[tuple[str, str]]] = {"translation": list(r.translation_pairs or [])}
    if r.summary and r.summary_translated:
        pairs["summary_translated"] = [(r.summary, r.summary_translated)]
    return pairs


def _writer(r: Result, field_name: str, idx: int) -> Callable[[str], None]:
    def write(fixed: str) -> None:
        if field_name == "summary_translated":
            r.summary_translated = fixed
        else:
            r.translation_pairs[idx] = (r.translation_pairs[idx][0], fixed)
            r.translation = "\n\n".join(t for _, t in r.translation_pairs)

    return write


# --------------------------------------------------------------------------------------------------
# Rule fixes for numbers

_EN_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
_EN_QUALIFIER = r"US|U\.S\.|HK|Hong Kong|Australian|Canadian|Singapore|New Zealand|New Taiwan|Taiwan|Swiss|British|Chinese|Japanese"
_EN_CURRENCY_WORD = r"(?i:yuan|renminbi|rmb|dollars?|usd|euros?|yen|rupees?|roubles|rubles|won|francs|pesos|pounds)"
_EN_AMOUNT = re.compile(
    rf"(?P<cur>(?:{EN_SYMBOL_PATTERN})\s?)?(?P<num>{ARABIC}"
    rf"(?:\s*-?\s*(?:thousand|million|billion|trillion)\b|(?:k|m|mn|bn|b|tn|trn)\b)?)"
    rf"(?P<word>[\s-]+(?:(?:{_EN_QUALIFIER})\s+)?{_EN_CURRENCY_WORD}\b)?"
)
_ARTICLE_BEFORE = re.compile(r"(?:(?:^|[.!?:\"“]\s*)(?P<cap>A|An)|(?<![\w'’-])(?P<low>a|an))\s+$")
_ZH_AMOUNT = re.compile(rf"{ARABIC}\s*[万亿]*")


def format_english_number(value: float) -> str:
    """53200 -> '53,200'; 81605100 -> '81.61 million'; 4160000 -> '4.16 million'."""
    for scale, word in _EN_SCALES:
        if value >= scale:
            return f"{value / scale:.4g} {word}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def format_chinese_number(value: float) -> str:
    """1040000 -> '104万'; 28515000000 -> '285.15亿'; 53200 -> '53200'."""
    if value >= 1e8:
        return f"{value / 1e8:.6g}亿"
    return f"{value / 1e4:.6g}万" if value >= 1e5 else f"{value:.6g}"


@dataclass
class _Edit:
    """How one target quantity must change to agree with its source quantity."""

    source: Quantity
    target: Quantity
    value: bool = False  # the value is wrong (a scale error)
    currency: bool = False  # the currency is wrong


def fix_numbers(source: str, target: str, source_lang: str, target_lang: str) -> tuple[str, list[str]]:
    """Rewrite the target's amounts whose value (万/亿 scale errors) or currency (亿元 written "$") the checks found
    changed, from the source quantity. Returns the new target and what was rewritten; callers keep the new text
    only if the checks then find fewer errors."""
    fixed, notes = target, []
    for edit in sorted(_number_edits(source, target, source_lang, target_lang), key=lambda e: -e.target.start):
        rewrite = _rewrite_en(fixed, edit) if target_lang == "en" else _rewrite_zh(fixed, edit)
        if rewrite is None:
            continue
        start, end, new = rewrite
        notes.append(f"{fixed[start:end]!r} -> {new!r} (from {edit.source.span!r})")
        fixed = fixed[:start] + new + fixed[end:]
    return fixed, notes[::-1]


def _number_edits(source: str, target: str, source_lang: str, target_lang: str) -> list[_Edit]:
    edits: dict[int, _Edit] = {}
    for issue in compare_numbers(source, target, source_lang, target_lang):
        s, t = issue.source, issue.target
        if issue.kind not in ("changed", "currency") or not s or not t or s.kind not in ("number", "money"):
            continue
        if not _same_figure(s, t):
            s = _scaled_twin(t, extract_quantities(source, source_lang))
            if s is None:
                continue  # not the same figure at another scale: the pairing is a guess, and a guess is never written
        edit = edits.setdefault(t.start, _Edit(s, t))
        edit.value = edit.value or issue.kind == "changed"
        edit.currency = edit.currency or not currencies_compatible(s.currency, t.currency)
    return list(edits.values())


def _scaled_twin(target: Quantity, sources: list[Quantity]) -> Quantity | None:
    """The one source figure that the target is at another scale (7.88亿 for "7.88 billion"), if exactly one."""
    twins = [s for s in sources if s.kind in ("number", "money") and s.value != target.value and _same_figure(s, target)]
    return twins[0] if len(twins) == 1 else None


def _same_figure(source: Quantity, target: Quantity) -> bool:
    """The target is the source's figure, written at a power-of-ten scale off (万/亿 errors) or in another
    currency; 152万元 vs "2 yuan" or 7.88亿 vs "2,025" are different figures, not something a rule may fix."""
    if not source.value or not target.value or (target.currency and not source.currency and source.kind != "money"):
        return False
    exponent = math.log10(abs(target.value / source.value))
    return abs(exponent - round(exponent)) < 0.02


def _rewrite_en(text: str, edit: _Edit) -> tuple[int, int, str] | None:
    """(start, end, replacement) in `text` for an English amount: "$126.9 billion" -> "126.9 billion yuan"."""
    t, s = edit.target, edit.source
    m = _EN_AMOUNT.search(text, t.start, t.end)
    if not m:
        return None
    number = format_english_number(s.value) if edit.value else m["num"]
    pattern = EN_AMOUNT.get(s.currency or "") if edit.currency else None
    new = pattern.format(number) if pattern else (m["cur"] or "") + number + (m["word"] or "")
    article = _ARTICLE_BEFORE.search(text, 0, m.start())
    if not article:
        return m.start(), m.end(), new
    name = "cap" if article["cap"] else "low"  # "a $80 billion fund" -> "an 8 billion yuan fund"
    return article.start(name), m.end(), _article(new, article[name]) + text[article.end(name) : m.start()] + new


def _article(amount: str, old: str) -> str:
    """"a" or "an" before an amount as it is read aloud: an 8 million, an 11 billion, an HK$5; case kept."""
    vowel_sound = re.match(r"8|1[18](?!\d)|[AEFHILMNORSX][A-Z]*\$", amount) is not None
    new = "an" if vowel_sound else "a"
    return new.capitalize() if old[0].isupper() else new


def _rewrite_zh(text: str, edit: _Edit) -> tuple[int, int, str] | None:
    """(start, end, replacement) in `text` for a Chinese amount: "500万元" -> "500万美元", "10.4万" -> "104万"."""
    t, s = edit.target, edit.source
    new = text[t.start : t.end]
    if edit.currency:
        word = ZH_WORD.get(s.currency or "")
        if not word or not t.unit or not new.endswith(t.unit):
            return None
        new = new[: -len(t.unit)] + word
    if edit.value:
        m = _ZH_AMOUNT.search(new)
        if not m:
            return None
        new = new[: m.start()] + format_chinese_number(s.value) + new[m.end():]
    return t.start, t.end, new
