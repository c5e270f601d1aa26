"""Extractive summarizers (no weights): one small base, a lead-N baseline and TextRank with position prior and MMR."""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from summarizer.text.lang import HAN
from summarizer.text.sentences import split_long, split_sentences

_HEADING_LIKE = re.compile(r"[。！？!?…”」』.\"')）]$")
_MAX_SENTENCE_CHARS = 300  # longer run-on "sentences" are cut at clause marks
_MAX_CANDIDATES = 400  # sentences ranked per article; keeps TextRank O(n^2) bounded on huge inputs
_NEAR_DUPLICATE = 0.9  # cosine similarity above which a sentence repeats one already chosen

_ZH_STOP = set(
    "的 了 和 是 在 与 及 等 对 为 也 将 把 被 从 到 以 并 而 或 中 上 下 其 之 这 那 有 就 都 又 该 各 已 于 由 向 让 给 个 年 月 日 "
    "我们 他们 一个 一些 进行 通过 目前 表示 同时 此外 其中 以及 这些 已经 可以 没有 不是 如果 因为 所以 但是 还是".split()
)


@lru_cache(maxsize=1)
def _en_stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


_EN_STOP = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being it its this that these those "
    "he she they we you i his her their our your them us him not no so than then there here which who whom whose what when "
    "where why how all any both each few more most other some such only own same too very can will just should now said says "
    "also has have had do does did up out over under again about into through during before after above below".split()
)


def tokenize_for_ranking(sentence: str, lang: str) -> list[str]:
    """Content words: jieba words for Chinese, Snowball-stemmed words for English."""
    if lang == "zh" or (lang == "mixed" and HAN.search(sentence)):
        import jieba

        return [w for w in jieba.lcut(sentence) if w.strip() and w not in _ZH_STOP and re.search(r"\w", w)]
    words = [w for w in re.findall(r"[a-z0-9][a-z0-9'-]*", sentence.lower()) if w not in _EN_STOP]
    return _en_stemmer().stemWords(words)


def clause_units(sentence: str) -> list[str]:
    """A sentence as the rankers take it: whole, or cut at clause marks when it is a run-on over 300 characters."""
    return [piece.strip() for piece in split_long(sentence, _MAX_SENTENCE_CHARS) if piece.strip()]


@dataclass
class Summarizer:
    """Base: split into candidate sentences, pick some, return them in article order."""

    position_weight: float = 0.5
    mmr_lambda: float = 0.7

    def candidates(self, text: str, lang: str) -> list[str]:
        sentences = [unit for s in split_sentences(text, lang) for unit in clause_units(s)]
        keep = [s for s in sentences if looks_like_sentence(s, lang)]
        return keep or sentences

    def select(self, sentences: list[str], lang: str, n_sentences: int, max_chars: int | None) -> list[int]:
        raise NotImplementedError

    def summarize(self, text: str, lang: str, sentences: int = 3, max_chars: int | None = None) -> str:
        cands = self.candidates(text, lang)
        if not cands:
            return ""
        chosen = sorted(self.select(cands, lang, max(1, sentences), max_chars))
        joiner = "" if lang == "zh" else " "
        return joiner.join(cands[i] for i in chosen)


def looks_like_sentence(unit: str, lang: str) -> bool:
    """Ends like a sentence and is long enough to be one: not a heading, byline or caption fragment."""
    long_enough = len(unit) >= 10 if lang == "zh" else len(unit.split()) >= 5
    return bool(_HEADING_LIKE.search(unit)) and long_enough


def _fits(chosen_size: int, extra: int, budget: float | None) -> bool:
    return budget is None or chosen_size + extra <= budget


class LeadSummarizer(Summarizer):
    """The first sentences: the classic news baseline."""

    def select(self, sentences, lang, n_sentences, max_chars):
        chosen, total = [], 0
        for i, s in enumerate(sentences):
            if len(chosen) >= n_sentences or (chosen and not _fits(total, len(s), max_chars)):
                break
            chosen.append(i)
            total += len(s)
        return chosen


class TextRankSummarizer(Summarizer):
    """TextRank over TF-IDF cosine similarity, blended with a lead-heavy position prior, picked with MMR."""

    def scores(self, sentences: list[str], lang: str) -> tuple[np.ndarray, np.ndarray]:
        tokens = [tokenize_for_ranking(s, lang) for s in sentences]
        vocab = {w: i for i, w in enumerate(sorted({w for t in tokens for w in t}))}
        n = len(sentences)
        if not vocab:
            return np.ones(n) / n, np.eye(n)
        tf = np.zeros((n, len(vocab)))
        for row, toks in enumerate(tokens):
            for w in toks:
                tf[row, vocab[w]] += 1
        df = (tf > 0).sum(axis=0)
        tfidf = np.log1p(tf) * np.log((1 + n) / (1 + df))[None, :] + 1e-12 * (tf > 0)
        norms = np.linalg.norm(tfidf, axis=1, keepdims=True)
        unit = tfidf / np.where(norms == 0, 1, norms)
        sim = unit @ unit.T
        np.fill_diagonal(sim, 0.0)
        rank = _pagerank(sim)
        position = np.array([1.0 / math.sqrt(i + 1) for i in range(n)])
        w = self.position_weight
        score = (1 - w) * rank / (rank.max() or 1) + w * position
        return score, sim

    def select(self, sentences, lang, n_sentences, max_chars):
        return self.pick(sentences, lang, len, max_chars, n_sentences)

    def pick(self, sentences: list[str], lang: str, cost: Callable[[str], int], budget: float | None,
             max_count: int | None = None, first: int | None = None) -> list[int]:
        """Indices of sentences picked best-first by MMR while their summed `cost` stays within `budget`.

        The first pick is taken even when it alone is over the budget; a later one that does not fit is skipped
        (a shorter one may still fit). first: the index picked first whatever its score (e.g. the lead).
        Only the first 400 sentences are ranked.
        """
        sentences = sentences[:_MAX_CANDIDATES]
        if not sentences:
            return []
        first = first if first is not None and first < len(sentences) else None
        score, sim = self.scores(sentences, lang)
        sizes = np.array([cost(s) for s in sentences], dtype=float)
        open_ = np.ones(len(sentences), dtype=bool)  # not yet picked or skipped
        redundancy = np.zeros(len(sentences))  # highest similarity to a picked sentence
        chosen: list[int] = []
        total = 0.0
        while open_.any() and (max_count is None or len(chosen) < max_count):
            if chosen and budget is not None and sizes[open_].min() > budget - total:
                break  # nothing left fits
            mmr = self.mmr_lambda * score - (1 - self.mmr_lambda) * redundancy
            best = first if first is not None and not chosen else int(np.argmax(np.where(open_, mmr, -np.inf)))
            open_[best] = False
            if redundancy[best] > _NEAR_DUPLICATE or (chosen and not _fits(total, sizes[best], budget)):
                continue
            chosen.append(best)
            total += sizes[best]
            redundancy = np.maximum(redundancy, sim[:, best])
        return chosen


def _pagerank(sim: np.ndarray, damping: float = 0.85, iterations: int = 60) -> np.ndarray:
    n = sim.shape[0]
    out = sim.sum(axis=1, keepdims=True)
    transition = np.where(out > 0, sim / np.where(out == 0, 1, out), 1.0 / n)
    rank = np.ones(n) / n
    for _ in range(iterations):
        new = (1 - damping) / n + damping * transition.T @ rank
        if np.abs(new - rank).sum() < 1e-8:
            return new
        rank = new
    return rank
