"""Faithfulness and form checks for translations and summaries, and the repair of what they flag.

check_translation: numbers, glossary terms, Latin-script names, omitted / added sentences, plus form.
check_summary: summary sentences whose numbers or names are not in the article (`unsupported`), plus form.
check_form: untranslated spans, repetition loops, truncated output.
check_results / repair_results: the pipeline's check stage over `Result`s.

Every check is a `Check` (document.py) with a type, a severity, a message and the spans on each side.
"""
from summarizer.checks.alignment import alignment_checks
from summarizer.checks.form import check_form
from summarizer.checks.numbers import number_checks
from summarizer.checks.repair import fix_numbers, repair_results
from summarizer.checks.report import CHECK_TYPES, check_rates, checks_to_json
from summarizer.checks.run import check_results, check_translation
from summarizer.checks.summary import check_summary
from summarizer.checks.terms import entity_checks, term_checks

__all__ = [
    "CHECK_TYPES", "alignment_checks", "check_form", "check_rates", "check_results", "check_summary", "check_translation",
    "checks_to_json", "entity_checks", "fix_numbers", "number_checks", "repair_results", "term_checks",
]
