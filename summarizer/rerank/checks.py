"""Quality estimation by the faithfulness checks: fewer error-level findings is better."""
from __future__ import annotations

from typing import Sequence

from summarizer.rerank.base import CandidateSet, Scorer


class ChecksScorer(Scorer):
    """Minus the number of error-level checks (numbers, terms, names, leftovers, form) on each candidate.
    Sentence alignment runs by length only here: the similarity scorer already embeds."""

    name = "checks"

    def score(self, sets: Sequence[CandidateSet]) -> list[list[float]]:
        from summarizer.checks import check_translation

        return [[-float(sum(c.severity == "error" for c in check_translation(
                    s.source, cand, s.source_lang, s.target_lang, s.terms, embedder=None)))
                 for cand in s.candidates] for s in sets]
