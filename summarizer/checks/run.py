"""All checks of one translation (`check_translation`) or of pipeline results (`check_results`)."""
from __future__ import annotations

from typing import Any

from summarizer.checks.alignment import alignment_checks
from summarizer.checks.common import clip
from summarizer.checks.dates import date_checks
from summarizer.checks.form import check_form
from summarizer.checks.grounding import grounding_checks
from summarizer.checks.numbers import number_checks
from summarizer.checks.summary import check_summary
from summarizer.checks.terms import entity_checks, name_checks, term_checks
from summarizer.document import Check, Result
from summarizer.generation import Terms
from summarizer.prepare.detect import source_language
from summarizer.terms.glossary import Glossary


def check_translation(
    source: str,
    target: str,
    source_lang: str,
    target_lang: str,
    glossary: Glossary | Terms | None = None,
    embedder: Any = "auto",
    form: bool = True,
    article: str = "",
) -> list[Check]:
    """All checks of `target` as a translation of `source` (numbers, terms, entities, names and dates with no
    source, omission, addition, form). `article`: the whole text `source` is part of, whose dateline may give the
    month and year of a bare "26日"."""
    source, target = source or "", target or ""
    if not source.strip():
        return []
    if not target.strip():
        return [Check("omission", "error", "the translation is empty", clip(source), None)]
    found = number_checks(source, target, source_lang, target_lang)
    found += term_checks(source, target, source_lang, target_lang, glossary)
    found += entity_checks(source, target, source_lang, target_lang)
    found += name_checks(source, target, source_lang, target_lang, glossary)
    found += grounding_checks(source, target, source_lang, target_lang, _glossary(glossary))
    found += date_checks(source, target, source_lang, target_lang, article)
    found += alignment_checks(source, target, source_lang, target_lang, embedder)
    if form:
        found += check_form(target, target_lang, source=source, source_lang=source_lang)
    return found


def check_results(results: list[Result], glossary: Glossary | Terms | None = None) -> None:
    """Add to each result the checks of its summary, translated summary and translated paragraphs (`field` says
    which). `glossary`: a Glossary, a `TermSet` (its glossary is used) or None (the default glossary)."""
    for r in results:
        lang = source_language(r.article)
        found: list[Check] = []
        if r.summary:
            found += _tag(check_summary(r.article.text, r.summary, lang), "summary")
        text = r.article.text or ""
        if r.summary_translated and r.target_lang:
            found += _tag(check_translation(r.summary, r.summary_translated, lang, r.target_lang, glossary, article=text),
                          "summary_translated")
        for i, (src, tgt) in enumerate(r.translation_pairs or []):
            found += _tag(check_translation(src, tgt, lang, r.target_lang, glossary, article=text), "translation", i)
        r.checks.extend(found)


def _glossary(glossary: Glossary | Terms | None) -> Glossary:
    from summarizer.checks.terms import glossary_of
    from summarizer.terms.glossary import load_glossary

    return load_glossary() if glossary is None else glossary_of(glossary)


def _tag(found: list[Check], field_name: str, paragraph: int | None = None) -> list[Check]:
    for c in found:
        c.field, c.paragraph = field_name, paragraph
    return found
