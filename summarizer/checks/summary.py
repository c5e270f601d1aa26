"""Summary checks: sentences whose numbers or names the article does not have (`unsupported`), sentences that
carry an instruction (`instruction`), plus form. Also the measures the summarize step uses to keep a summary on
the article: how much of it comes from the article's key sentences (`key_coverage`), and which of its sentences
share nothing with the article or carry an instruction (`foreign_sentences`)."""
from __future__ import annotations

import re
from typing import Sequence

from summarizer.checks.common import dedupe, has_word
from summarizer.checks.form import check_form
from summarizer.checks.numbers import extract_quantities, quantities_match
from summarizer.checks.terms import english_proper_names, latin_names
from summarizer.document import Check
from summarizer.prepare.injection import normalize
from summarizer.prepare.instruction_cues import is_instruction
from summarizer.text.sentences import split_sentences

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[A-Za-z][A-Za-z'-]+|\d[\d.,]*")
# Words that carry no content: a sentence sharing only these with the article shares nothing.
_STOP = frozenset(
    "the a an and or of to in on for with at by from as is are was were be been being has have had it its this that "
    "these those he she they we you i his her their our your my not no but also which who whom will would can could "
    "may might must should shall said says say after before over into than about more most all any some such there "
    "here then so if up out new one two".split())
_QUOTED = re.compile(r"[\"“‘'「『]([^\"”’'」』]{4,80})[\"”’'」』]|\b([A-Z]{4,}(?:\s+[A-Z]{2,}){0,4})\b")


def content_units(text: str) -> set[str]:
    """What a text says, as comparable units: Han character pairs and content words (Latin letters; numbers), in
    either language. Plural -s is folded so 'vehicles' meets 'vehicle'."""
    units: set[str] = set()
    for run in _HAN_RUN.findall(text):  # in English text too: Chinese there is rare, and telling
        units |= {run[i:i + 2] for i in range(len(run) - 1)} if len(run) > 1 else {run}
    for word in _LATIN.findall(text):
        w = word.lower().strip("'-").removesuffix("'s").rstrip(".,")
        if w and w not in _STOP:
            units.add(w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w)
    return units


def overlap(text: str, reference: str) -> float:
    """Share of text's content units found in reference (1.0 for a text with none)."""
    mine = content_units(text)
    return len(mine & content_units(reference)) / len(mine) if mine else 1.0


def key_coverage(summary: str, key_sentences: str) -> float:
    """How much of the summary comes from the article's key sentences (see summaries.MIN_KEY_COVERAGE)."""
    return overlap(summary, key_sentences)


def copies_removed(sentence: str, article: str, removed: Sequence[str]) -> bool:
    """The sentence repeats text that was removed as an instruction: a quoted or all-caps payload of it, or mostly
    its words (at least 0.3 more of them than of `article`'s, the text the sentence should come from)."""
    norm = normalize(sentence).lower()
    for text in removed:
        payloads = [a or b for a, b in _QUOTED.findall(normalize(text))]
        if any(p.strip().lower() in norm for p in payloads if len(p.strip()) >= 4):
            return True
        from_removed = overlap(sentence, text)
        if len(content_units(sentence)) >= 2 and from_removed >= 0.6 and from_removed - overlap(sentence, article) >= 0.3:
            return True
    return False


def foreign_sentences(summary: str, article: str, lang: str, removed: Sequence[str] = (),
                      min_overlap: float = 0.1) -> list[tuple[str, str]]:
    """(sentence, why) for each sentence of an output that must not be published: one that addresses a model, one
    that copies a removed instruction, or (when `article` is in the output's language) one that shares less than
    `min_overlap` of its content with the article."""
    found = []
    for sentence in split_sentences(summary, lang):
        if is_instruction(normalize(sentence)):
            found.append((sentence, "it reads as an instruction to a model"))
        elif removed and copies_removed(sentence, article, removed):
            found.append((sentence, "it repeats an instruction removed from the article"))
        elif article and overlap(sentence, article) < min_overlap:
            found.append((sentence, "it shares nothing with the article"))
    return found


def check_summary(article: str, summary: str, lang: str, form: bool = True) -> list[Check]:
    """Summary sentences with numbers or names that the article does not have (`unsupported`), sentences that carry
    an instruction (`instruction`), plus form checks."""
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
        if is_instruction(normalize(sentence)):
            found.append(Check("instruction", "error", "the sentence reads as an instruction to a model", None, sentence))
    if form:
        found += [c for c in check_form(summary, lang, source=article, source_lang=lang) if c.type != "untranslated"]
    return dedupe(found)


def _unsupported_name(name: str, sentence: str) -> Check:
    return Check("unsupported", "warning", f"name {name!r} is not in the article", None, sentence)
