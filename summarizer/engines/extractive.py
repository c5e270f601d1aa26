"""Weight-free engines: TextRank extractive summaries and the lead-N baseline. They do not translate."""
from __future__ import annotations

from typing import Sequence

from ..config import Settings
from ..errors import EngineUnavailable
from ..summarize import LeadSummarizer, Summarizer, TextRankSummarizer


class _SentenceEngine:
    name = "extractive"
    model = None
    can_translate = False

    def __init__(self, settings: Settings | None = None, summarizer: Summarizer | None = None):
        self.settings = settings or Settings()
        self.summarizer = summarizer or TextRankSummarizer(self.settings.position_weight, self.settings.mmr_lambda)

    def summarize(self, texts: Sequence[str], lang: str, sentences: int, target_lang: str | None = None) -> list[str]:
        if target_lang and target_lang != lang:
            raise EngineUnavailable(f"the {self.name} engine cannot write a summary in another language; add a translator")
        return [self.summarizer.summarize(t, lang, sentences, self.settings.summary_chars) for t in texts]

    def translate(self, texts: Sequence[str], source_lang: str, target_lang: str) -> list[str]:
        raise EngineUnavailable(f"the {self.name} engine does not translate; use --engine llm or --to none")


class ExtractiveEngine(_SentenceEngine):
    name = "extractive"


class LeadEngine(_SentenceEngine):
    name = "lead"

    def __init__(self, settings: Settings | None = None):
        super().__init__(settings, LeadSummarizer())
