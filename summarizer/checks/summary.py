"""Summary checks: sentences whose numbers or names the article does not have (`unsupported`), plus form."""
from __future__ import annotations

from summarizer.checks.common import dedupe, has_word
from summarizer.checks.form import check_form
from summarizer.checks.numbers import extract_quantities, quantities_match
from summarizer.checks.terms import english_proper_names, latin_names
from summarizer.document import Check
from summarizer.text.sentences import split_sentences


def check_summary(article: str, summary: str, lang: str, form: bool = True) -> list[Check]:
    """Summary sentences with numbers or names that the article does not have (`unsupported`), plus form checks."""
    article, summary = article or "", summary or ""
    if not summary.strip():
        return []
    found: list[Check] = []
    article_quantities = extract_quantities(article, lang)
    article_names = {n.lower() for n in latin_names(article)}
    article_lower = article.lower()
    for sentence in split_sentences(summary, lang):
        found += [Check("unsupported", "error", f"number {q.describe()} is not in the article", None, sentence)
                  for q in extract_quantities(sentence, lang)
                  if not q.soft and not any(quantities_match(q, a) for a in article_quantities)]
        found += [_unsupported_name(name, sentence) for name in latin_names(sentence)
                  if name.lower() not in article_names and not has_word(article_lower, name.lower())]
        if lang == "en":
            found += [_unsupported_name(name, sentence) for name in english_proper_names(sentence)
                      if not has_word(article_lower, name.lower())]
    if form:
        found += [c for c in check_form(summary, lang, source=article, source_lang=lang) if c.type != "untranslated"]
    return dedupe(found)


def _unsupported_name(name: str, sentence: str) -> Check:
    return Check("unsupported", "warning", f"name {name!r} is not in the article", None, sentence)
