"""Choosing among candidate translations: scorers by name, and the choice of their weighted sum.

    from summarizer.rerank import CandidateSet, choose, make_scorers
    best = choose(sets, make_scorers(["mbr", "similarity", "checks"]))

Each scorer is one file (`mbr`, `similarity`, `checks`, `backtranslation`), imported only when used. Scores are
standardised within each set (z-scores) before the weighted sum, so scorers on different scales combine; ties
go to the earlier candidate, the greedy one first.
"""
from __future__ import annotations

import importlib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from summarizer.errors import ConfigError
from summarizer.rerank.base import BackTranslate
from summarizer.rerank.base import CandidateSet, Scorer

SCORERS = {
    "mbr": "summarizer.rerank.mbr:MBRScorer",
    "similarity": "summarizer.rerank.similarity:SimilarityScorer",
    "checks": "summarizer.rerank.checks:ChecksScorer",
    "backtranslation": "summarizer.rerank.backtranslation:BackTranslationScorer",
}
NEEDS_TRANSLATOR = {"backtranslation"}

__all__ = ["SCORERS", "CandidateSet", "Choice", "Scorer", "check_scorer_names", "choose", "combined", "make_scorers", "pick", "recording",
           "standardised"]


@dataclass
class Choice:
    """One choice made while `recording`: the candidates (the first greedy), which could be chosen, each scorer's
    raw scores, the index chosen."""

    source: str
    candidates: list[str]
    eligible: list[bool]
    scores: dict[str, list[float]]
    chosen: int


_RECORDING: ContextVar[list[Choice] | None] = ContextVar("bisum_rerank_recording", default=None)


@contextmanager
def recording() -> Iterator[list[Choice]]:
    """Collect every choice made in this context (benchmarks compare scorers on the same candidates)."""
    choices: list[Choice] = []
    token = _RECORDING.set(choices)
    try:
        yield choices
    finally:
        _RECORDING.reset(token)


def check_scorer_names(rerank: str) -> None:
    """A --rerank comma list names known scorers (or none); else one ConfigError line."""
    unknown = [n for n in rerank.split(",") if n.strip() not in (*SCORERS, "none", "")]
    if unknown:
        raise ConfigError(f"unknown rerank scorer {unknown[0].strip()!r}; use a comma list of "
                          f"{', '.join(SCORERS)} (or none)")


def make_scorers(names: Sequence[str], back_translate: BackTranslate | None = None) -> list[Scorer]:
    """Scorers by name; `back_translate` is required by the back-translation scorer."""
    scorers = []
    for name in names:
        if name not in SCORERS:
            raise ConfigError(f"unknown rerank scorer {name!r}; choose from {', '.join(SCORERS)}")
        module, cls = SCORERS[name].split(":")
        factory = getattr(importlib.import_module(module), cls)
        if name in NEEDS_TRANSLATOR:
            if back_translate is None:
                raise ConfigError(f"the {name} scorer needs a translation engine")
            scorers.append(factory(back_translate))
        else:
            scorers.append(factory())
    return scorers


def standardised(values: Sequence[float]) -> np.ndarray:
    """z-scores within one set (all equal: zeros)."""
    x = np.asarray(values, dtype=float)
    spread = x.std()
    return (x - x.mean()) / spread if spread > 1e-9 else np.zeros_like(x)


def combined(per_scorer: Sequence[Sequence[float]], weights: Sequence[float] | None = None) -> np.ndarray:
    """The weighted sum of each scorer's standardised scores for one set."""
    weights = weights or [1.0] * len(per_scorer)
    return sum(w * standardised(s) for w, s in zip(weights, per_scorer))


def pick(per_scorer: Sequence[Sequence[float]], eligible: Sequence[bool] | None = None,
         weights: Sequence[float] | None = None) -> int:
    """The eligible candidate with the highest combined score (the earliest on a tie)."""
    total = combined(per_scorer, weights) if per_scorer else np.zeros(len(eligible or [0]))
    if eligible is not None:
        total = np.where(np.asarray(eligible, dtype=bool), total, -np.inf)
    return int(np.argmax(total))


def choose(sets: Sequence[CandidateSet], scorers: Sequence[Scorer],
           weights: Sequence[float] | None = None) -> list[int]:
    """Index of the chosen candidate in each set (the first eligible one when there are no scorers or one candidate)."""
    if not scorers:
        return [pick([], cs.eligible) if cs.eligible else 0 for cs in sets]
    scored = [scorer.score(sets) for scorer in scorers]
    picks = [pick([s[i] for s in scored], cs.eligible, weights) if len(cs.candidates) > 1 else 0
             for i, cs in enumerate(sets)]
    record = _RECORDING.get()
    if record is not None:
        record += [Choice(cs.source, list(cs.candidates), list(cs.eligible or [True] * len(cs.candidates)),
                          {sc.name: scored[k][i] for k, sc in enumerate(scorers)}, chosen)
                   for i, (cs, chosen) in enumerate(zip(sets, picks))]
    return picks
