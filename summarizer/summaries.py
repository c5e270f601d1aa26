"""The summarize step: summaries in whole sentences, as many as asked, that stand on the article.

    generate → keep whole sentences → check grounding → (rejected) write again from the key sentences
             → (still rejected) use the extractive summary, with a note saying why

A summary is rejected when a sentence carries a number or name the article does not have (an error-level
`unsupported` check), when it was cut off mid-sentence, or when too little of it comes from the article.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from summarizer.engines.base import Engine

from summarizer.generation import Generation, Terms
from summarizer.text.lang import HAN
from summarizer.text.sentences import split_sentences

MIN_SHARED = 0.5  # share of the summary's characters (zh) or words (en) that must occur in the article
KEY_SENTENCES_FACTOR = 2  # the second attempt reads this many times the requested sentences
SENTENCE_END = re.compile(r"[。！？!?….]['\"”’」』）)]*\s*$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+|\d[\d.,]*")


@dataclass
class Draft:
    """One article's summary so far, and why it is not acceptable yet ([] = accepted)."""

    article: str
    text: str = ""
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


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


def _accept(draft: Draft, out: Generation, lang: str, sentences: int) -> None:
    text = limit_sentences(whole_sentences(out.text, lang, out.truncated), lang, sentences)
    draft.text, draft.notes = text, draft.notes + tuple(out.notes)
    draft.problems = grounding_problems(draft.article, text, lang)


def grounded_summaries(articles: Sequence[str], lang: str, sentences: int, engine: Engine, extractive: Engine,
                       terms: Terms | None = None) -> list[Draft]:
    """Summaries of `articles` by `engine`, each accepted, rewritten from key sentences, or replaced."""
    drafts = [Draft(a) for a in articles]
    for draft, out in zip(drafts, engine.summarize(list(articles), lang, sentences, terms=terms)):
        _accept(draft, out, lang, sentences)
    if engine.model is None:  # sentence pickers copy the article: nothing to verify
        return drafts
    retry = [d for d in drafts if d.problems]
    if retry:
        keys = extractive.summarize([d.article for d in retry], lang, sentences * KEY_SENTENCES_FACTOR)
        for draft, key, out in zip(retry, keys, engine.summarize([k.text for k in keys], lang, sentences, terms=terms)):
            first = draft.problems
            _accept(draft, out, lang, sentences)
            draft.notes += (f"summary rewritten from key sentences: {'; '.join(first)}",)
    fallback = [d for d in drafts if d.problems]
    for draft, out in zip(fallback, extractive.summarize([d.article for d in fallback], lang, sentences)):
        draft.notes += (f"summary replaced by the extractive one: {'; '.join(draft.problems)}",)
        draft.text, draft.problems = out.text, ()
    return drafts
