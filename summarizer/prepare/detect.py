"""Detect: language (zh / en / mixed) and Chinese script (Simplified / Traditional) of an article."""
from __future__ import annotations

import re

from summarizer.document import Article

from summarizer.text.lang import HAN as _HAN
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_HAN_PER_WORD = 1.6  # roughly how many Han characters carry one English word's content


def language_shares(text: str) -> tuple[float, float]:
    """(zh share, en share) of the text's content, in word-equivalents."""
    han = len(_HAN.findall(text)) / _HAN_PER_WORD
    latin = len(_LATIN_WORD.findall(text))
    total = han + latin
    return (han / total, latin / total) if total else (0.0, 0.0)


def detect_language(text: str) -> str:
    zh, en = language_shares(text)
    if zh == en == 0:
        return "unknown"
    if zh >= 0.75:
        return "zh"
    if en >= 0.75:
        return "en"
    return "mixed"


def dominant_language(text: str) -> str:
    zh, en = language_shares(text)
    return "zh" if zh >= en and zh > 0 else "en" if en > 0 else "unknown"


def detect_script(text: str) -> str | None:
    """Hans, Hant, mixed (both forms present) or Latn; None when there are no letters."""
    han = "".join(_HAN.findall(text))
    if not han:
        return "Latn" if _LATIN_WORD.search(text) else None
    import hanzidentifier

    kind = hanzidentifier.identify(han)
    return {hanzidentifier.SIMPLIFIED: "Hans", hanzidentifier.TRADITIONAL: "Hant",
            hanzidentifier.BOTH: "Hans", hanzidentifier.MIXED: _majority_script(han)}.get(kind)


def _majority_script(han: str) -> str:
    import hanzidentifier

    simp = sum(1 for ch in han if hanzidentifier.is_simplified(ch) and not hanzidentifier.is_traditional(ch))
    trad = sum(1 for ch in han if hanzidentifier.is_traditional(ch) and not hanzidentifier.is_simplified(ch))
    if simp and trad and min(simp, trad) > 0.2 * max(simp, trad):
        return "mixed"
    return "Hant" if trad > simp else "Hans"


def detect_article(article: Article) -> Article:
    sample = f"{article.title or ''}\n{article.text}"
    article.source_lang = detect_language(sample)
    article.script = detect_script(sample)
    if article.source_lang == "mixed":
        article.meta["dominant_lang"] = dominant_language(sample)
    return article


def target_language(article: Article, to: str) -> str | None:
    """`--to auto` means the other language; `none` means no translation."""
    if to == "none":
        return None
    source = source_language(article)
    if to == "auto":
        return {"zh": "en", "en": "zh"}.get(source)
    return to if to != source else None


def source_language(article: Article) -> str:
    if article.source_lang == "mixed":
        return article.meta.get("dominant_lang") or dominant_language(article.text)
    return article.source_lang or "unknown"
