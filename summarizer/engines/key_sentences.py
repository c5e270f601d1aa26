"""What an LLM reads to summarize an article: its key sentences under a token budget ("read less").

Prefill dominates the cost of a summary on CPU, and news puts its key facts first, so the model reads the
sentences that TextRank (with the lead prior and MMR, the scorer of the `extractive` engine) ranks highest,
in article order, instead of the whole article.
"""
from __future__ import annotations

from collections.abc import Callable

from summarizer.engines.textrank import TextRankSummarizer, clause_units, looks_like_sentence
from summarizer.text.sentences import split_sentences


def key_sentences(text: str, lang: str, budget_tokens: int, count_tokens: Callable[[str], int],
                  ranker: TextRankSummarizer | None = None) -> str:
    """The article itself when it fits `budget_tokens` (or the budget is 0); else its key sentences.

    Sentences are picked best-first by the ranker's scores (TextRank, lead prior, MMR) while their summed
    `count_tokens` stays within the budget, then joined in article order. The lead (the first unit that looks
    like a sentence, not a heading or byline) is always picked first. Every pick is a whole sentence; only a run-on over 300 characters is taken in clauses cut at ；，,;
    (as the extractive engine does), so a number or a name is never cut and no single pick is larger than that.
    Unlike the extractive engine's output, headings and short lines stay candidates: the model reads them.
    """
    if budget_tokens <= 0 or count_tokens(text) <= budget_tokens:
        return text
    ranker = ranker or TextRankSummarizer()
    units, lead = units_and_lead(text, lang)
    chosen = ranker.pick(units, lang, count_tokens, budget_tokens, first=lead)
    return ("" if lang == "zh" else " ").join(units[i] for i in sorted(chosen))


def units_and_lead(text: str, lang: str) -> tuple[list[str], int]:
    """The units the ranker picks from (sentences; clauses of run-ons), and the index of the lead's first unit."""
    sentences = split_sentences(text, lang)
    lead_sentence = next((k for k, s in enumerate(sentences) if looks_like_sentence(s, lang)), 0)
    units, lead = [], 0
    for k, sentence in enumerate(sentences):
        if k == lead_sentence:
            lead = len(units)
        units += clause_units(sentence)
    return units, lead
