"""Codes that hold digits (802.11n, PD-1, A380, race times such as 4:41.30): written the same in both languages, so a
code of the source that the translation lacks, beside a code of the same shape the source lacks, was changed."""
from __future__ import annotations

import re

from summarizer.checks.numbers.quantity import FULLWIDTH

_CODE = re.compile(r"(?<![A-Za-z0-9.\-:])(?:"
                   r"(?=[A-Za-z0-9.\-]*[A-Za-z])(?=[A-Za-z0-9.\-]*\d)[A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+)*"  # 802.11n, PD-1, A380
                   r"|\d{1,2}:\d{2}\.\d{1,3}"  # 4:41.30
                   r")(?![A-Za-z0-9]|[.\-:]\d)")


def codes(text: str) -> list[str]:
    """The codes of a text, each once, in order."""
    return list(dict.fromkeys(m.group() for m in _CODE.finditer(text.translate(FULLWIDTH))))


def shape(code: str) -> str:
    return re.sub(r"\d+", "#", code.upper())


def changed_codes(source: str, target: str) -> list[tuple[str, str]]:
    """(source code, target code) pairs where a code of the source was changed into one of the same shape."""
    src, tgt = codes(source), codes(target)
    lost = [c for c in src if c not in tgt]
    added = [c for c in tgt if c not in src]
    pairs = []
    for code in lost:
        other = next((a for a in added if shape(a) == shape(code)), None)
        if other:
            added.remove(other)
            pairs.append((code, other))
    return pairs
