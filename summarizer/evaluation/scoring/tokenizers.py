"""Tokenizers for ROUGE, kept apart from the metrics (like sacrebleu's tokenizers).

Each tokenizer has `tokenize(text) -> list[str]` (the interface `rouge_score` expects) and a short
`signature` that goes into the metric signature. None of them ever drops Chinese characters:
`rouge_score`'s own tokenizer keeps only [a-z0-9] and silently scores Chinese 0.
"""
from __future__ import annotations

import re
from functools import lru_cache

from summarizer.text.lang import HAN

CJK_CHAR = HAN


def cjk_ratio(text: str) -> float:
    """Share of non-space characters that are CJK ideographs."""
    chars = [c for c in text if not c.isspace()]
    return sum(1 for c in chars if CJK_CHAR.match(c)) / len(chars) if chars else 0.0


def guess_lang(texts: list[str]) -> str:
    """"zh" when the texts are mostly Chinese, else "en"."""
    sample = "".join(texts[:200])
    return "zh" if cjk_ratio(sample) > 0.3 else "en"


class CharTokenizer:
    """Chinese by characters: lowercase, one token per letter/digit/ideograph; punctuation and spaces dropped.

    Dropping punctuation matters: LCSTS references and leads are full of ，。“” and counting them
    inflates overlap (lead-1 char ROUGE-1 24.9 with punctuation vs the published 26.4 without).
    No NFKC width folding (２０１４ != 2014), as in the usual LCSTS evaluation; folding moves
    lead-1 by +0.05.
    """

    signature = "char"

    def tokenize(self, text: str) -> list[str]:
        return [c for c in text.lower() if c.isalnum()]


class JiebaTokenizer:
    """Chinese by jieba words (default dictionary, precise mode); tokens without letters/digits dropped."""

    signature = "jieba"

    def tokenize(self, text: str) -> list[str]:
        words = _jieba().lcut(text.lower())
        return [w.strip() for w in words if any(c.isalnum() for c in w)]


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


class EnglishTokenizer:
    """`rouge_score`'s tokenizer (lowercase, [a-z0-9] words, Porter stemming of words > 3 chars), byte for byte.

    Text without CJK gives exactly `rouge_score`'s tokens. Chinese characters inside English text
    become one token each instead of vanishing.
    """

    def __init__(self, stem: bool = True):
        from rouge_score.tokenizers import DefaultTokenizer

        self.stem = stem
        self._default = DefaultTokenizer(use_stemmer=stem)
        self.signature = "porter" if stem else "word"

    def tokenize(self, text: str) -> list[str]:
        if not CJK_CHAR.search(text):
            return self._default.tokenize(text)
        tokens: list[str] = []
        for piece in re.split(f"({CJK_CHAR.pattern})", text):
            if CJK_CHAR.fullmatch(piece):
                tokens.append(piece)
            elif piece:
                tokens.extend(self._default.tokenize(piece))
        return tokens


TOKENIZE_CHOICES = ("char", "jieba", "porter", "word")


def get_tokenizer(lang: str, tokenize: str | None = None):
    """The ROUGE tokenizer for `lang`: Chinese by characters, English Porter-stemmed; `tokenize` overrides."""
    from summarizer.errors import InputError

    choice = tokenize or ("char" if lang == "zh" else "porter")
    if choice == "char":
        return CharTokenizer()
    if choice == "jieba":
        return JiebaTokenizer()
    if choice in ("porter", "word"):
        return EnglishTokenizer(stem=choice == "porter")
    raise InputError(f"unknown tokenize={tokenize!r}; use one of {', '.join(TOKENIZE_CHOICES)}")
