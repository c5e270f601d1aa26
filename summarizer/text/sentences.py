"""Sentence segmentation for Chinese and English, and packing sentences into segments."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Iterable

from summarizer.text.lang import HAN, is_chinese

_ZH_END = "。！？!?…"
_ZH_SOFT_END = "；;"
_CLOSERS = "”’」』）)】〕\"'》"
_OPEN_CLOSE = {"“": "”", "「": "」", "『": "』", "《": "》", "（": "）", "(": ")", "【": "】"}
_MAX_QUOTE = 160  # a quote longer than this is treated as unbalanced and may be split inside


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def split_zh(text: str) -> list[str]:
    """Split Chinese text after 。！？… (and their closing quotes), never inside 《》 or short quotes."""
    sentences: list[str] = []
    start = 0
    stack: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _OPEN_CLOSE:
            stack.append((_OPEN_CLOSE[ch], i))
        elif stack and ch == stack[-1][0]:
            stack.pop()
            if not stack and ch in "”」』" and i > 0 and text[i - 1] in _ZH_END:  # “……。” ends the sentence
                j = i + 1
                while j < n and text[j] in _CLOSERS:
                    j += 1
                sentences.append(text[start:j])
                start = i = j
                continue
        elif ch in _ZH_END or (ch == "." and 0 < i + 1 < n and HAN.match(text[i + 1]) and not text[i - 1].isdigit()):
            if stack and i - stack[-1][1] > _MAX_QUOTE:
                stack.clear()
            if not stack:
                j = i + 1
                while j < n and (text[j] in _ZH_END or text[j] in _CLOSERS):
                    j += 1
                sentences.append(text[start:j])
                start = i = j
                continue
        i += 1
    if start < n:
        sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]


@lru_cache(maxsize=1)
def _pysbd_en():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_en(text: str) -> list[str]:
    """English sentences via pysbd (abbreviations, decimals, quotes)."""
    try:
        return [s.strip() for s in _pysbd_en().segment(text) if s.strip()]
    except Exception:  # pysbd occasionally fails on odd input; fall back to a plain rule
        return [s.strip() for s in re.split(r"(?<=[.!?][\"')\]]?)\s+(?=[A-Z\"'(])", text) if s.strip()]


def split_sentences(text: str, lang: str | None = None) -> list[str]:
    """Sentences of `text`, paragraph by paragraph. `lang` is zh, en or mixed; guessed when None."""
    out: list[str] = []
    for para in paragraphs(text):
        is_zh = lang == "zh" or (lang in (None, "mixed") and is_chinese(para))
        out.extend(split_zh(para) if is_zh else split_en(para))
    return out


def split_long(sentence: str, max_chars: int) -> list[str]:
    """Cut a sentence longer than `max_chars` at clause marks (；，,;、 then spaces), never mid-word when avoidable."""
    if len(sentence) <= max_chars:
        return [sentence]
    for marks in (_ZH_SOFT_END, "，,：:", "、 "):
        pieces = [p for p in re.split(f"(?<=[{re.escape(marks)}])", sentence) if p]
        if len(pieces) > 1:
            return [chunk for piece in _pack(pieces, max_chars, len) for chunk in split_long(piece, max_chars)]
    return [sentence[i : i + max_chars] for i in range(0, len(sentence), max_chars)]


def _pack(pieces: Iterable[str], budget: int, size: Callable[[str], int]) -> list[str]:
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        if current and size(current + piece) > budget:
            chunks.append(current)
            current = piece
        else:
            current += piece
    if current:
        chunks.append(current)
    return chunks


def pack_segments(sentences: list[str], budget: int, size: Callable[[str], int] = len, joiner: str = "") -> list[str]:
    """Pack consecutive sentences into segments whose `size` stays under `budget`; long sentences are cut."""
    segments: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        for piece in split_long(sentence, budget) if size(sentence) > budget else [sentence]:
            if current and size(joiner.join(current + [piece])) > budget:
                segments.append(joiner.join(current))
                current = []
            current.append(piece)
    if current:
        segments.append(joiner.join(current))
    return segments
