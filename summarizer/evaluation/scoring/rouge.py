"""ROUGE-1/2/L/Lsum via `rouge_score`, with a language-aware tokenizer (F1, 0-100)."""
from __future__ import annotations

from functools import cached_property
from importlib.metadata import version

from summarizer.evaluation.scoring.tokenizers import get_tokenizer

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
# Bumped whenever tokenization or sentence splitting changes what a score means.
SCORING_VERSION = "1"


def _package_version(name: str) -> str:
    try:
        return version(name)
    except Exception:
        return "unknown"


class Rouge:
    """F1 ROUGE with `rouge_score.RougeScorer(tokenizer=...)`.

    rougeLsum needs one sentence per line: text that already has newlines is used as is
    (like `rouge_score`); otherwise sentences are split with `summarizer.text.sentences.split_sentences`.
    """

    def __init__(self, lang: str, tokenize: str | None = None):
        self.lang = lang
        self.tokenizer = get_tokenizer(lang, tokenize)

    @cached_property
    def _scorer(self):
        from rouge_score.rouge_scorer import RougeScorer

        return RougeScorer(list(ROUGE_TYPES), tokenizer=self.tokenizer)

    @property
    def signature(self) -> str:
        stem = "porter" if self.tokenizer.signature == "porter" else "no"
        return (
            f"lang:{self.lang}|tok:{self.tokenizer.signature}|stem:{stem}|f1|lsum:newline-or-segment"
            f"|rouge_score:{_package_version('rouge-score')}|scoring:{SCORING_VERSION}"
        )

    def _lsum_lines(self, text: str) -> str:
        if "\n" in text.strip():
            return text
        from summarizer.text.sentences import split_sentences

        return "\n".join(split_sentences(text, self.lang if self.lang in ("zh", "en") else None))

    def score(self, prediction: str, reference: str) -> dict[str, float]:
        """Per-item F1 for each ROUGE type, 0-100."""
        # Line breaks are not tokens, so splitting changes rougeLsum only.
        scores = self._scorer.score(self._lsum_lines(reference), self._lsum_lines(prediction))
        return {name: 100 * scores[name].fmeasure for name in ROUGE_TYPES}
