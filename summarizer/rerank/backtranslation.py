"""Quality estimation by round trip: chrF of the source against each candidate translated back."""
from __future__ import annotations

from typing import Sequence

from sacrebleu.metrics import CHRF

from summarizer.rerank.base import BackTranslate, CandidateSet, Scorer


class BackTranslationScorer(Scorer):
    """back_translate: a greedy translator (the engine itself); it costs one more generation per candidate."""

    name = "backtranslation"

    def __init__(self, back_translate: BackTranslate):
        self.back_translate = back_translate
        self.chrf = CHRF()

    def score(self, sets: Sequence[CandidateSet]) -> list[list[float]]:
        found: dict[int, list[float]] = {}
        for (source_lang, target_lang), group in _by_direction(sets).items():
            distinct = list(dict.fromkeys(c for s in group for c in s.candidates))  # each text translated back once
            back = dict(zip(distinct, self.back_translate(distinct, target_lang, source_lang)))
            for s in group:
                found[id(s)] = [self.chrf.sentence_score(back[c], [s.source]).score for c in s.candidates]
        return [found[id(s)] for s in sets]


def _by_direction(sets: Sequence[CandidateSet]) -> dict[tuple[str, str], list[CandidateSet]]:
    groups: dict[tuple[str, str], list[CandidateSet]] = {}
    for s in sets:
        groups.setdefault((s.source_lang, s.target_lang), []).append(s)
    return groups
