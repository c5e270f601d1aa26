"""Small helpers the checks share: text length across scripts, clipping, de-duplication, whole-word search."""
from __future__ import annotations

import math
import re

from summarizer.document import Check
from summarizer.text.lang import han_count

# Length in "English characters": a Han character counts 3.6, other letters and digits 1 (spaces not
# counted in Chinese). On FLORES-200 devtest references log(len(en) / len(zh)) then has mean 0.02 and sd 0.17.
_HAN_WEIGHT = 3.6
_LOG_RATIO_SD = 0.175


def text_length(text: str, lang: str) -> float:
    """Length in English-character units, comparable across Chinese and English."""
    if lang == "zh":
        han = han_count(text)
        return max(1.0, han * _HAN_WEIGHT + len(re.findall(r"[^\W_]", text)) - han)
    return max(1.0, float(len(re.sub(r"\s+", " ", text.strip()))))


def length_z(src_len: float, tgt_len: float) -> float:
    """How many standard deviations the length ratio is from that of a faithful translation."""
    sd = _LOG_RATIO_SD * max(1.0, math.sqrt(80 / min(src_len, tgt_len)))  # short pieces vary more
    return math.log(tgt_len / src_len) / sd


def has_word(text: str, word: str) -> bool:
    return re.search(r"(?<![a-z0-9])" + re.escape(word) + r"(?![a-z0-9])", text) is not None


def clip(text: str, limit: int = 200) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dedupe(checks: list[Check]) -> list[Check]:
    seen, out = set(), []
    for c in checks:
        key = (c.type, c.message, c.source_span, c.target_span)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
