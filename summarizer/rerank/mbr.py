"""Minimum-Bayes-risk choice: the candidate that agrees most with the others (their expected chrF against it)."""
from __future__ import annotations

from typing import Sequence

from sacrebleu.metrics import CHRF

from summarizer.rerank.base import CandidateSet, Scorer


class MBRScorer(Scorer):
    """Expected utility of each candidate with the other candidates as pseudo-references (uniform weights).

    utility: sacrebleu chrF (character 6-grams, beta 2; whitespace ignored, so it suits Chinese as it is)."""

    name = "mbr"

    def __init__(self):
        self.chrf = CHRF()

    def score(self, sets: Sequence[CandidateSet]) -> list[list[float]]:
        return [self._expected(s.candidates) for s in sets]

    def _expected(self, candidates: list[str]) -> list[float]:
        if len(candidates) < 2:
            return [0.0] * len(candidates)
        scores = []
        for i, hyp in enumerate(candidates):
            others = [ref for j, ref in enumerate(candidates) if j != i]
            scores.append(sum(self.chrf.sentence_score(hyp, [ref]).score for ref in others) / len(others))
        return scores
