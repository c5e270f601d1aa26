"""Form checks on one output text: untranslated spans, repetition loops, truncation."""
from __future__ import annotations

import re
from collections import Counter

from summarizer.checks.common import clip, length_z, text_length
from summarizer.document import Check
from summarizer.text.lang import HAN_CLASS, HAN_RUN, guess_lang
from summarizer.text.sentences import split_sentences

_LATIN_WORD = r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f'’\-]*"
_LATIN_RUN = re.compile(rf"{_LATIN_WORD}(?:[ \t]+{_LATIN_WORD})*")
_LATIN_OK = {"vs", "etc", "app", "apps", "ok", "wifi", "email", "e-mail", "online", "logo", "blog", "vlog", "live",
             "show", "pro", "plus", "max", "mini", "the", "of", "and", "de", "la", "von", "van", "da", "du", "del", "le"}
_URL = re.compile(rf"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef{HAN_CLASS}]+|[\w.+-]+@[\w-]+\.[\w.]+")
_MARK_PAIRS = (("(（", ")）"), ("“「『《\"", "”」』》\""))
_LOOP_ZH = re.compile(r"(.{2,40}?)\1{3,}|(.{5,60}?)\1{2,}", re.S)
_LOOP_EN = re.compile(r"(\b.{4,120}?)(?:\s*\1){2,}", re.S)
_END_MARKS = "。！？!?….．\"'”’」』）)》】]"


def check_form(text: str, lang: str, source: str | None = None, source_lang: str | None = None) -> list[Check]:
    """Untranslated spans, repetition loops and truncation in an output `text` written in `lang`."""
    if not text or not text.strip():
        return []
    if source is not None and source_lang is None:
        source_lang = guess_lang(source)
    return (untranslated_checks(text, lang, source, source_lang) + repetition_checks(text, lang, source)
            + truncation_checks(text, lang, source, source_lang))


# --------------------------------------------------------------------------------------------------
# Untranslated


def _inside_brackets(text: str, start: int, end: int) -> bool:
    """Bracketed or quoted by itself: a gloss or a word being mentioned (“boda-boda”, （work）), not running text; a
    word inside quoted speech (“迈克在talks上说了很多”) is running text."""
    before, after = text[max(0, start - 40) : start], text[end : end + 40]
    for opens, closes in _MARK_PAIRS:
        last_open = max(before.rfind(c) for c in opens)
        last_close = max(before.rfind(c) for c in closes if c not in opens)
        next_close = min((after.find(c) for c in closes if c in after), default=-1)
        if last_open > last_close and next_close >= 0 and len(before) - last_open - 1 + next_close <= 6:
            return True
    return False


def _glossed(text: str, end: int) -> bool:
    """A foreign term followed by its Chinese explanation in brackets: boda-boda（出租的摩托车）."""
    return re.match(rf"\s*[（(][^）)]*[{HAN_CLASS}]", text[end : end + 30]) is not None


def _english_left(text: str, m: re.Match, source_lower: str | None) -> bool:
    """Whether a Latin run in Chinese output is English prose left untranslated."""
    run = m.group()
    words = re.findall(_LATIN_WORD, run)
    if not any(w.islower() and len(w) >= 3 and w not in _LATIN_OK for w in words) or not run.isascii():
        return False  # names, acronyms, accented (non-English) words
    if _inside_brackets(text, m.start(), m.end()) or _glossed(text, m.end()):
        return False  # glosses, quoted words
    return source_lower is None or run.lower() not in source_lower  # the Chinese source may write it this way too


def untranslated_checks(text: str, lang: str, source: str | None = None, source_lang: str | None = None) -> list[Check]:
    text = _URL.sub(lambda m: " " * len(m.group()), text)  # links and e-mail addresses are not prose
    if lang == "zh":
        source_lower = (source or "").lower() if source is not None and source_lang == "zh" else None
        return [Check("untranslated", "error", f"English text left in the Chinese output: {m.group()!r}", None, m.group())
                for m in _LATIN_RUN.finditer(text) if _english_left(text, m, source_lower)]
    if lang == "en":
        return [Check("untranslated", "error", f"Chinese text left in the English output: {m.group()!r}", None, m.group())
                for m in HAN_RUN.finditer(text)]  # quoted or bracketed Chinese is still Chinese to an English reader
    return []


# --------------------------------------------------------------------------------------------------
# Repetition


def repetition_checks(text: str, lang: str, source: str | None = None) -> list[Check]:
    found = _loops(text, lang, source) + _repeated_sentences(text, lang, source)
    return found or _ngram_repetition(text, lang, source)


def _loops(text: str, lang: str, source: str | None) -> list[Check]:
    """A short unit repeated back to back: 人工智能人工智能人工智能, "the patent was valid and" x 4."""
    found = []
    for m in (_LOOP_ZH if lang == "zh" else _LOOP_EN).finditer(text):
        unit = m.group(1) or m.group(2) if lang == "zh" else m.group(1)
        if not re.search(rf"[A-Za-z{HAN_CLASS}]{{2}}", unit):
            continue  # 0000, ----, ....
        if source and m.group() in source:
            continue
        found.append(Check("repetition", "error", f"repetition loop: {unit.strip()!r} repeated", None, clip(m.group())))
    return found


def _repeated_sentences(text: str, lang: str, source: str | None) -> list[Check]:
    source_sentences = Counter(_norm_sentence(s) for s in split_sentences(source or "", None)) if source else Counter()
    counts = Counter(_norm_sentence(s) for s in split_sentences(text, lang))
    return [Check("repetition", "error", f"sentence repeated {count} times", None, clip(sentence))
            for sentence, count in counts.items()
            if count >= 2 and len(sentence) >= (8 if lang == "zh" else 20) and source_sentences[sentence] < count]


def _ngram_repetition(text: str, lang: str, source: str | None) -> list[Check]:
    """One long n-gram (8 words / 12 characters) that recurs 3+ times where the source does not repeat it."""
    tokens = list(re.sub(r"\s+", "", text)) if lang == "zh" else re.findall(r"\w+", text.lower())
    n = 12 if lang == "zh" else 8
    if len(tokens) < n * 3:
        return []
    sep = "" if lang == "zh" else " "
    grams = Counter(sep.join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    gram, count = grams.most_common(1)[0]
    if count >= 3 and not (source and _norm_sentence(source).count(gram.lower()) >= count):
        return [Check("repetition", "warning", f"phrase repeated {count} times", None, gram)]
    return []


def _norm_sentence(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().lower())


# --------------------------------------------------------------------------------------------------
# Truncation


def truncation_checks(text: str, lang: str, source: str | None = None, source_lang: str | None = None) -> list[Check]:
    """Output that stops mid-sentence, or is far shorter than its source."""
    stripped = text.rstrip()
    found = []
    if _ends_mid_sentence(stripped, source):
        found.append(Check("truncated", "warning", "output ends mid-sentence", None, stripped[-30:]))
    if source and source_lang and source_lang != lang:
        src_len, tgt_len = text_length(source, source_lang), text_length(text, lang)
        # under about 60% of the expected length: -3 sd, which 0.1% of human references reach (FLORES / WMT19 dev)
        if src_len >= 100 and length_z(src_len, tgt_len) < -3.0:
            found.append(Check("truncated", "error",
                               f"output is far shorter than its source ({int(tgt_len)} vs {int(src_len)} characters)",
                               None, stripped[-30:]))
    return found


def _ends_mid_sentence(stripped: str, source: str | None) -> bool:
    last = stripped[-1:]
    source_ends = (source or "").rstrip()[-1:]
    if not last or last in _END_MARKS or (source is not None and source_ends and source_ends not in _END_MARKS):
        return False  # ends properly, or the source itself does not end with a mark
    return len(stripped) > 20 and (last in "，,、；;：:“‘(（—-" or re.search(rf"[\w{HAN_CLASS}]$", stripped) is not None)
