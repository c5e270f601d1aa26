"""Weight-free engines: TextRank extractive summaries and the lead-N baseline. They do not translate."""
from __future__ import annotations

from typing import Sequence

from summarizer.generation import Generation, Terms
from summarizer.engines.textrank import LeadSummarizer, Summarizer, TextRankSummarizer
from summarizer.errors import EngineUnavailable


class SentenceEngine:
    """The Engine protocol over a sentence-picking Summarizer."""

    name = "extractive"
    model = None
    can_translate = False

    def __init__(self, summarizer: Summarizer, name: str = "extractive", summary_chars: int | None = None):
        """summary_chars: a character budget that, when set, replaces the sentence count."""
        self.summarizer = summarizer
        self.name = name
        self.summary_chars = summary_chars

    def summarize(self, texts: Sequence[str], lang: str, sentences: int, target_lang: str | None = None,
                  terms: Terms | None = None) -> list[Generation]:
        if target_lang and target_lang != lang:
            raise EngineUnavailable(f"the {self.name} engine cannot write a summary in another language; add a translator")
        return [Generation(self.summarizer.summarize(t, lang, sentences, self.summary_chars)) for t in texts]

    def translate(self, texts: Sequence[str], source_lang: str, target_lang: str,
                  terms: Terms | None = None) -> list[Generation]:
        raise EngineUnavailable(f"the {self.name} engine does not translate; use --engine llm or --to none")


def extractive_engine(position_weight: float = 0.5, mmr_lambda: float = 0.7, summary_chars: int | None = None) -> SentenceEngine:
    """TextRank with a lead-heavy position prior and MMR redundancy control."""
    return SentenceEngine(TextRankSummarizer(position_weight, mmr_lambda), "extractive", summary_chars)


def lead_engine(summary_chars: int | None = None) -> SentenceEngine:
    """The first N sentences (baseline)."""
    return SentenceEngine(LeadSummarizer(), "lead", summary_chars)
