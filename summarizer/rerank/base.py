"""What every scorer of candidate translations takes and gives."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from summarizer.generation import Terms

BackTranslate = Callable[[list[str], str, str], list[str]]  # (texts, source_lang, target_lang) -> translations


@dataclass
class CandidateSet:
    """The candidate translations of one source segment (the first is the greedy one). All of them are scored (and
    serve MBR as evidence); only the `eligible` ones (default: all) may be chosen."""

    source: str
    candidates: list[str]
    source_lang: str
    target_lang: str
    terms: Terms | None = field(default=None, repr=False)
    eligible: list[bool] | None = None


class Scorer:
    """Scores the candidates of many segments at once (so models can batch); higher is better.
    Subclasses set `name` and implement `score`."""

    name = ""

    def score(self, sets: Sequence[CandidateSet]) -> list[list[float]]:
        """One score per candidate, per set."""
        raise NotImplementedError
