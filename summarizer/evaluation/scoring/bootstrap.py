"""Seeded bootstrap confidence intervals for corpus-level scores.

Resampling follows sacrebleu (`numpy.random.default_rng(seed).choice(n, (B, n))`, seed 12345),
so the resamples for BLEU/chrF/TER are the ones `sacrebleu --confidence` draws; the interval is
the 2.5th-97.5th percentile of the resampled scores.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

N_RESAMPLES = 1000
SEED = 12345


def _indices(n: int, n_resamples: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).choice(n, size=(n_resamples, n), replace=True)


def _percentiles(scores: np.ndarray, level: float) -> tuple[float, float]:
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(scores, [tail, 100 - tail])
    return float(lo), float(hi)


def mean_ci(values, n_resamples: int = N_RESAMPLES, seed: int = SEED, level: float = 0.95) -> tuple[float, float]:
    """CI of the mean of per-item scores (ROUGE, embedding similarity)."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return (float("nan"), float("nan"))
    means = values[_indices(len(values), n_resamples, seed)].mean(axis=1)
    return _percentiles(means, level)


def stats_ci(
    stats, compute: Callable[[np.ndarray], float], n_resamples: int = N_RESAMPLES, seed: int = SEED, level: float = 0.95
) -> tuple[float, float]:
    """CI of a score computed from summed per-item sufficient statistics (corpus BLEU, chrF, TER)."""
    stats = np.asarray(stats, dtype=float)
    if len(stats) == 0:
        return (float("nan"), float("nan"))
    scores = np.array([compute(stats[idx].sum(axis=0)) for idx in _indices(len(stats), n_resamples, seed)])
    return _percentiles(scores, level)


def paired_stats_ci(
    stats_a, stats_b, compute: Callable[[np.ndarray], float], n_resamples: int = N_RESAMPLES, seed: int = SEED,
    level: float = 0.95,
) -> tuple[float, float]:
    """CI of score(b) - score(a) for two systems on the same items, resampled together (paired bootstrap)."""
    a, b = np.asarray(stats_a, dtype=float), np.asarray(stats_b, dtype=float)
    if len(a) == 0:
        return (float("nan"), float("nan"))
    diffs = np.array([compute(b[idx].sum(axis=0)) - compute(a[idx].sum(axis=0))
                      for idx in _indices(len(a), n_resamples, seed)])
    return _percentiles(diffs, level)
