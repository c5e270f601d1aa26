"""The summarize step: summaries in whole sentences, as many as asked, that stand on the article.

    generate → keep whole sentences → drop foreign sentences → check grounding and coverage
             → (rejected) write again from the key sentences → (still rejected) use the extractive summary, with a note

A sentence is dropped when it reads as an instruction to a model, repeats an instruction that cleaning removed,
or shares nothing with the article. A summary is rejected when a sentence carries a number or name the article
does not have (an error-level `unsupported` check), when it was cut off mid-sentence, when too little of it comes
from the article, or when too little of it comes from the article's key sentences (a summary that is something
else — say an injected payload the cleaner missed — is rewritten from them). Key sentences, and the extractive
fallback, are drawn from the article without its instruction-like sentences.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from summarizer.checks.summary import foreign_sentences, key_coverage
from summarizer.document import Article, Check, Result
from summarizer.engines.base import Engine
from summarizer.generation import Generation, Terms
from summarizer.prepare.injection import strip_instructions
from summarizer.prepare.instruction_cues import is_cued
from summarizer.text.lang import HAN
from summarizer.text.sentences import split_sentences

MIN_SHARED = 0.5  # share of the summary's characters (zh) or words (en) that must occur in the article
KEY_SENTENCES_FACTOR = 2  # the second attempt reads this many times the requested sentences
# Share of the summary's content units (Han pairs / content words) that must come from the article's key sentences
# (at least COVERAGE_KEYS of them). On human references (LCSTS, CNN/DM) 0.15 rejects 3-6%, and 0-4% of another
# article's reference passes; model summaries copy more than references do.
MIN_KEY_COVERAGE = 0.15
COVERAGE_KEYS = 6
SENTENCE_END = re.compile(r"[。！？!?….]['\"”’」』）)]*\s*$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+|\d[\d.,]*")


@dataclass
class Draft:
    """One article's summary so far, and why it is not acceptable yet ([] = accepted)."""

    article: str
    text: str = ""
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()  # instructions that cleaning removed (and suspect text found here): never repeated
    safe: str = ""  # the article without suspect text, which summary sentences must come from ("" = the article)
    keys: str = ""  # the key sentences of `safe`, for the coverage check ("" = not checked)


def whole_sentences(text: str, lang: str, truncated: bool) -> str:
    """Drop a last sentence that was cut off (no closing punctuation after a token-limit stop)."""
    text = text.strip()
    sentences = split_sentences(text, lang)
    if len(sentences) > 1 and (truncated or not SENTENCE_END.search(sentences[-1])):
        sentences = sentences[:-1]
    return ("" if lang == "zh" else " ").join(s.strip() for s in sentences)


def limit_sentences(text: str, lang: str, n: int) -> str:
    """At most n sentences, ending on a whole one: models asked for a short summary sometimes copy paragraphs."""
    sentences = split_sentences(text, lang)
    if len(sentences) <= n:
        return text.strip()
    kept = sentences[:n]
    while len(kept) > 1 and not SENTENCE_END.search(kept[-1]):
        kept.pop()  # a long sentence split at a comma: do not stop inside it
    return ("" if lang == "zh" else " ").join(s.strip() for s in kept)


def shared_share(article: str, summary: str, lang: str) -> float:
    """How much of the summary comes from the article: Han characters and words (zh) or lower-cased words (en)."""
    def units(text: str) -> list[str]:
        words = [w.lower() for w in _WORD.findall(text)]
        return HAN.findall(text) + words if lang == "zh" else words

    wanted = units(summary)
    if not wanted:
        return 1.0
    have = set(units(article))
    return sum(1 for u in wanted if u in have) / len(wanted)


def grounding_problems(article: str, summary: str, lang: str) -> tuple[str, ...]:
    """Why this summary cannot be published as standing on the article; () when it can."""
    from summarizer.checks import check_summary

    if not summary.strip():
        return ("empty summary",)
    problems = [c.message for c in check_summary(article, summary, lang, form=False)
                if c.type == "unsupported" and c.severity == "error"]
    if not SENTENCE_END.search(summary):
        problems.append("cut off mid-sentence")
    if shared_share(article, summary, lang) < MIN_SHARED:
        problems.append(f"shares less than {MIN_SHARED:.0%} of its words with the article")
    return tuple(dict.fromkeys(problems))


def without_foreign(text: str, article: str, lang: str, removed: Sequence[str] = ()) -> tuple[str, tuple[str, ...]]:
    """text without the sentences that must not be published (`checks.summary.foreign_sentences`; article "" skips
    the shares-nothing test, as for a translation), and a note for each one dropped."""
    found = foreign_sentences(text, article, lang, removed)
    if not found:
        return text, ()
    dropped = {s for s, _ in found}
    kept = [s.strip() for s in split_sentences(text, lang) if s not in dropped]
    notes = tuple(f"sentence dropped, {why}: {s.strip()[:80]}" for s, why in found)
    return ("" if lang == "zh" else " ").join(kept), notes


def instruction_free(article: str) -> tuple[str, list[str]]:
    """(the article without suspect blocks, those blocks). A suspect block is a sentence with any instruction cue,
    with the cued sentences next to it and the text it hands over (`find_instructions` seeded by `is_cued`). Key
    sentences and fallbacks come from what is left, and a summary sentence taken from a suspect block is dropped:
    a payload the cleaner missed does not pass as covering the article."""
    text, suspect = strip_instructions(article, seed=is_cued)
    return (text, suspect) if text.strip() else (article, [])


def _accept(draft: Draft, out: Generation, lang: str, sentences: int) -> None:
    text = whole_sentences(out.text, lang, out.truncated)
    text, dropped = without_foreign(text, draft.safe or draft.article, lang, draft.removed)
    text = limit_sentences(text, lang, sentences)
    draft.text, draft.notes = text, draft.notes + tuple(out.notes) + dropped
    problems = grounding_problems(draft.article, text, lang)
    if draft.keys and text.strip() and key_coverage(text, draft.keys) < MIN_KEY_COVERAGE:
        problems += (f"takes less than {MIN_KEY_COVERAGE:.0%} of its content from the article's key sentences",)
    draft.problems = problems


def grounded_summaries(articles: Sequence[str], lang: str, sentences: int, engine: Engine, extractive: Engine,
                       terms: Terms | None = None, removed: Sequence[Sequence[str]] | None = None) -> list[Draft]:
    """Summaries of `articles` by `engine`, each accepted, rewritten from key sentences, or replaced.
    removed: per article, the instruction text that cleaning removed from it (no summary sentence may repeat it)."""
    drafts = [Draft(a, removed=tuple(r)) for a, r in zip(articles, removed or [()] * len(articles))]
    model = engine.model is not None
    for draft in drafts if model else ():
        draft.safe, suspect = instruction_free(draft.article)
        draft.removed += tuple(suspect)
    safe = [d.safe or d.article for d in drafts]
    if model:
        for draft, key in zip(drafts, extractive.summarize(safe, lang, max(COVERAGE_KEYS, sentences * KEY_SENTENCES_FACTOR))):
            draft.keys = key.text
    for draft, out in zip(drafts, engine.summarize(list(articles), lang, sentences, terms=terms)):
        _accept(draft, out, lang, sentences)
    if not model:  # sentence pickers copy the article: nothing to verify
        return drafts
    retry = [i for i, d in enumerate(drafts) if d.problems]
    if retry:
        keys = extractive.summarize([safe[i] for i in retry], lang, sentences * KEY_SENTENCES_FACTOR)
        retry = [drafts[i] for i in retry]
        for draft, key, out in zip(retry, keys, engine.summarize([k.text for k in keys], lang, sentences, terms=terms)):
            first = draft.problems
            _accept(draft, out, lang, sentences)
            draft.notes += (f"summary rewritten from key sentences: {'; '.join(first)}",)
    fallback = [i for i, d in enumerate(drafts) if d.problems]
    for draft, out in zip([drafts[i] for i in fallback], extractive.summarize([safe[i] for i in fallback], lang, sentences)):
        draft.notes += (f"summary replaced by the extractive one: {'; '.join(draft.problems)}",)
        draft.text, draft.problems = out.text, ()
    return drafts


def instruction_removals(article: Article) -> tuple[str, ...]:
    """The instruction text that cleaning removed from an article."""
    return tuple(x.text for x in article.removed if x.reason == "instruction")


def guard_translated_summary(r: Result) -> None:
    """Drop sentences of the translated summary that read as an instruction or repeat a removed one (a flag check
    says so); a translation left with nothing is not shown."""
    if not r.summary_translated or not r.target_lang:
        return
    text, notes = without_foreign(r.summary_translated, "", r.target_lang, instruction_removals(r.article))
    if not notes:
        return
    r.notes.extend(n for n in notes if n not in r.notes)
    r.checks.append(Check("instruction", "error", f"translated summary: {'; '.join(notes)}", None,
                          r.summary_translated[:200], field="summary_translated"))
    r.summary_translated = text or None
