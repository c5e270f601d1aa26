"""BLEU, chrF and TER via sacrebleu, tokenized for the target language (zh -> "zh", otherwise "13a").

The bootstrap CI resamples sacrebleu's per-sentence sufficient statistics through `Metric._extract_corpus_statistics`
and `Metric._compute_score_from_stats`: sacrebleu has no public API for them (its own `n_bootstrap` keeps the
interval in private fields too), so the `eval` extra pins `sacrebleu>=2.4,<3`, the 2.x line these exist in.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from summarizer.evaluation.scoring import bootstrap


def bleu_tokenizer(target_lang: str) -> str:
    return "zh" if target_lang == "zh" else "13a"


def _metrics(target_lang: str, sentence_level: bool = False) -> dict:
    from sacrebleu.metrics import BLEU, CHRF, TER

    zh = target_lang == "zh"
    return {
        "BLEU": BLEU(tokenize=bleu_tokenizer(target_lang), effective_order=sentence_level),
        "chrF": CHRF(),
        "TER": TER(asian_support=zh),
    }


@dataclass
class CorpusScore:
    score: float
    ci: tuple[float, float]
    signature: str


def corpus_scores(predictions: list[str], references: list[str], target_lang: str,
                  n_resamples: int = bootstrap.N_RESAMPLES, seed: int = bootstrap.SEED) -> dict[str, CorpusScore]:
    """Corpus BLEU/chrF/TER with a bootstrap CI over sacrebleu's sufficient statistics."""
    out = {}
    for name, metric in _metrics(target_lang).items():
        score = metric.corpus_score(predictions, [references]).score
        stats = np.array(metric._extract_corpus_statistics(predictions, [references]), dtype=float)
        ci = bootstrap.stats_ci(stats, lambda s, m=metric: m._compute_score_from_stats(s).score, n_resamples, seed)
        # sacrebleu puts bs/seed into the signature when it bootstraps; ours uses the same resamples.
        metric.n_bootstrap, metric.seed = n_resamples, str(seed)
        out[name] = CorpusScore(score, ci, str(metric.get_signature()))
    return out


def item_scores(predictions: list[str], references: list[str], target_lang: str) -> list[dict[str, float]]:
    """Sentence-level BLEU (effective order), chrF and TER per item."""
    metrics = _metrics(target_lang, sentence_level=True)
    return [
        {name: float(metric.sentence_score(pred, [ref]).score) for name, metric in metrics.items()}
        for pred, ref in zip(predictions, references)
    ]


def paired_difference(baseline: list[str], system: list[str], references: list[str], target_lang: str,
                      n_resamples: int = bootstrap.N_RESAMPLES, seed: int = bootstrap.SEED) -> dict[str, dict]:
    """Corpus BLEU and chrF of `system` minus `baseline` on the same items, with a paired bootstrap 95% CI."""
    out = {}
    for name, metric in _metrics(target_lang).items():
        if name == "TER":
            continue
        stats_a = np.array(metric._extract_corpus_statistics(baseline, [references]), dtype=float)
        stats_b = np.array(metric._extract_corpus_statistics(system, [references]), dtype=float)
        diff = metric.corpus_score(system, [references]).score - metric.corpus_score(baseline, [references]).score
        ci = bootstrap.paired_stats_ci(stats_a, stats_b, lambda s, m=metric: m._compute_score_from_stats(s).score,
                                       n_resamples, seed)
        out[name] = {"diff": round(diff, 2), "ci": [round(x, 2) for x in ci]}
    return out
