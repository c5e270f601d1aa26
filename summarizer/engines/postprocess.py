"""What comes back from a chat model, tidied and judged: chatty prefixes, echoed tags, loops, wrong language."""
from __future__ import annotations

import re

from summarizer.text.lang import HAN, LATIN, han_letter_ratio

LOOP = re.compile(r"(.{4,}?)\1{2,}", re.S)
_CHATTY_PREFIXES = [
    re.compile(r"^\s*(?:sure[,!.]?\s*)?(?:here\s+is|here's|below\s+is)\b[^:\n]{0,80}[:：]\s*", re.I),
    re.compile(r"^\s*(?:english\s+|chinese\s+)?(?:translation|summary|translated text)\s*[:：]\s*", re.I),
    re.compile(r"^\s*(?:以下是|下面是)[^：:\n]{0,40}[：:]\s*"),
    re.compile(r"^\s*(?:中文|英文)?(?:翻译|译文|摘要|总结|概要)\s*[：:]\s*"),
]
_TAGS = re.compile(r"</?(?:source|article|translation|summary)>", re.I)
_FENCE = re.compile(r"^```[\w-]*\s*|\s*```$")
_ECHOED_PROBLEMS = re.compile(r"\n\s*(?:<problems>|Problems\s*:|问题\s*[:：])")
# a required-terms block the model copied into its answer: "Required terms (…):\n卢某 = Lu\n\n"
_ECHOED_TERMS = re.compile(r"^\s*(?:[^\n]{0,60}(?:terms|glossary|术语表)[^\n]{0,60}[:：]\s*\n)?(?:[^\n=]{1,60}\s=\s[^\n]{1,120}\n+)+", re.I)
_STRAY_TAG = re.compile(r"^\s*<[a-z_]{1,16}>\s*|\s*</[a-z_]{1,16}>\s*$", re.I)
WRONG_LANGUAGE = {"zh": "not in Chinese", "en": "not in English"}
# the model's own remarks after the answer: "Note: The translation is based on…", "（注：…）"
_NOTE_LINES = re.compile(r"\n+\s*[(（]?\s*(?:note|notes|translator's note|注|注意|说明)\s*[:：].*\Z", re.I | re.S)
_DOUBLED = re.compile(r"\A(.{40,}?)\s*\1\Z", re.S)  # the whole answer written twice
_CURLY = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})


def clean_output(text: str, target_lang: str | None = None) -> str:
    """Drop chatty prefixes ("Here is the translation:", "翻译："), echoed tags, problem lists, code fences, trailing
    notes and an answer written twice; English gets straight quotes (one house style whichever candidate wins)."""
    text = _tidy(text)
    text = _DOUBLED.sub(r"\1", _NOTE_LINES.sub("", text)).strip()
    return text.translate(_CURLY) if target_lang == "en" else text


def _tidy(text: str) -> str:
    text = _FENCE.sub("", text.strip())
    text = _ECHOED_PROBLEMS.split(text)[0]
    text = _ECHOED_TERMS.sub("", text)
    text = _STRAY_TAG.sub("", _TAGS.sub("", text)).strip()
    changed = True
    while changed:
        changed = False
        for pattern in _CHATTY_PREFIXES:
            new = pattern.sub("", text, count=1)
            if new != text:
                text, changed = new.strip(), True
    return text


def is_repetitive(text: str) -> bool:
    """A loop: some piece of 4+ characters repeated 3+ times in a row, 16+ characters in all."""
    return any(len(m.group(0)) >= 16 for m in LOOP.finditer(text))


def trim_repetition(text: str) -> str:
    """Collapse loops to one occurrence."""
    return LOOP.sub(lambda m: m.group(1) if len(m.group(0)) >= 16 else m.group(0), text)


def in_wrong_language(source: str, output: str, target_lang: str) -> bool:
    letters = lambda s: len(HAN.findall(s)) + len(LATIN.findall(s))  # noqa: E731
    if letters(output) < 4 or letters(source) < 4:
        return False
    ratio = han_letter_ratio(output)
    return ratio < 0.3 if target_lang == "zh" else ratio > 0.3


def output_problems(source: str, output: str, target_lang: str, truncated: bool) -> list[str]:
    """Form problems of one generated segment; [] when it looks fine."""
    if not output.strip():
        return ["empty output"]
    problems = []
    if truncated:
        problems.append("cut off at the token limit")
    if is_repetitive(output):
        problems.append("repetition loop")
    if in_wrong_language(source, output, target_lang):
        problems.append(WRONG_LANGUAGE[target_lang])
    return problems
