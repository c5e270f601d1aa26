"""Does an English spelling read as the pinyin of some Chinese characters? ("Ma Hua" <- 马华, "Ma Zhaoxu" <- 马朝旭
with 朝 read zhao; not "Wee Ka Siong" <- 魏家祥, a Hokkien spelling). Every reading of every character counts
(pypinyin's heteronyms), ü as u or v; a name may come surname last."""
from __future__ import annotations

import re
from functools import lru_cache

from summarizer.terms import lexicon
from summarizer.terms.variants import fold
from summarizer.text.lang import HAN_CLASS

__all__ = ["TITLES", "pinyin_name", "reads_as_pinyin", "reads_as_pinyin_of", "strip_titles", "syllables"]

_HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
TITLES = {"mr", "mrs", "ms", "dr", "prof", "sir", "president", "premier", "minister", "chairman", "general",
           "gen", "mayor", "governor", "king", "queen", "prince", "princess", "pope", "saint", "st"}


def strip_titles(text: str) -> str:
    """"Mr. Ma Hua" -> "Ma Hua"."""
    words = text.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
        words.pop(0)
    return " ".join(words).rstrip(".'’")


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Every pinyin syllable (tone-less, ü as u) some character reads as."""
    from pypinyin import Style, pinyin

    found = set()
    for cp in range(0x4E00, 0x9FA6):
        found.update(r.replace("ü", "u") for r in pinyin(chr(cp), style=Style.NORMAL, heteronym=True)[0])
    return frozenset(found)


def _splits(word: str) -> bool:
    """`word` (lower case) is a run of pinyin syllables."""
    syl = syllables()
    ok = [True] + [False] * len(word)
    for i in range(1, len(word) + 1):
        ok[i] = any(ok[k] and word[k:i] in syl for k in range(max(0, i - 6), i))
    return ok[-1]


def pinyin_name(text: str) -> bool:
    """A Chinese-looking name in pinyin: two or three words, the first a surname reading, all pinyin syllables."""
    words = [w.lower() for w in re.split(r"[\s-]+", fold(strip_titles(text)).replace("'", "")) if w]
    if not 2 <= len(words) <= 3 or not all(w.isalpha() and _splits(w) for w in words):
        return False
    surnames = {r.lower() for r in lexicon.load().surnames.values()}
    return words[0] in surnames or words[-1] in surnames


@lru_cache(maxsize=4096)
def _readings(ch: str) -> tuple[str, ...]:
    from pypinyin import Style, pinyin

    return tuple({r.replace("ü", "u") for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]} | {
        r.replace("ü", "v") for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]})


def reads_as_pinyin(name: str, source: str) -> bool:
    """The letters of `name` (in its order, or surname last) read as pinyin of consecutive characters of `source`."""
    words = [w.lower() for w in re.split(r"[\s-]+", fold(name).replace("'", "").replace("’", "")) if w]
    if not words or not all(w.isalpha() for w in words):
        return False
    orders = {"".join(words), "".join(words[-1:] + words[:-1])}
    return any(_reads_in(letters, run) for run in _HAN_RUN.findall(source) for letters in orders)


def _reads_in(letters: str, run: str, whole: bool = False) -> bool:
    """Consecutive characters of `run` (all of it when `whole`) read exactly as `letters`."""
    for start in range(1 if whole else len(run)):
        ends = {0}
        for pos in range(start, len(run)):
            ends = {e + len(r) for e in ends for r in _readings(run[pos]) if letters.startswith(r, e)}
            if len(letters) in ends and (not whole or pos == len(run) - 1):
                return True
            if not ends:
                break
    return False


def reads_as_pinyin_of(zh: str, source: str) -> bool:
    """Some capitalised run of the English source reads as the pinyin of `zh` (张伟 <- "Zhang Wei")."""
    return any(_reads_in(re.sub(r"[^a-z]", "", fold(m.group()).lower()), zh, whole=True)
               for m in re.finditer(r"[A-Z][a-z]+(?:[\s-][A-Za-z][a-z]+){0,2}", source))
