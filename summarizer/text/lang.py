"""One home for "is this Chinese?": Han characters, Latin letters and the shares between them."""
from __future__ import annotations

import re

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff][\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]*")
LATIN = re.compile(r"[A-Za-z]")
HAN_CLASS = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # for building other patterns

CHINESE_SHARE = 0.15  # Han share of all characters above which a text counts as Chinese


def han_count(text: str) -> int:
    return len(HAN.findall(text))


def han_share(text: str) -> float:
    """Han characters over all characters (spaces included)."""
    return han_count(text) / len(text) if text else 0.0


def han_letter_ratio(text: str) -> float:
    """Han characters over Han + Latin letters: 1.0 all Chinese, 0.0 all English."""
    han, latin = han_count(text), len(LATIN.findall(text))
    return han / (han + latin) if han + latin else 0.0


def is_chinese(text: str) -> bool:
    return han_share(text) > CHINESE_SHARE


def guess_lang(text: str) -> str:
    """zh or en, for text that is known to be one of the two."""
    return "zh" if is_chinese(text) else "en"
