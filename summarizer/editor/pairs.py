"""What editors keep: a `Pair` (a corrected sentence, or a glossary term) and the rules every pair is held to
before it is stored, whichever way it comes in (page, HTTP API, CLI, an imported file)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from typing import Any

from summarizer.errors import InputError
from summarizer.text.lang import han_count, han_letter_ratio

LANGS = ("zh", "en")
MAX_SENTENCE_CHARS = 2000  # one corrected sentence (or a few): more is not a sentence pair
MAX_TERM_CHARS = 200
MAX_WHO_CHARS = 100


class TooLarge(InputError):
    """A pair over its size limit (the HTTP API answers 413)."""


@dataclass(frozen=True)
class Pair:
    """text (in `source`) and its translation (in `target`); who made it and when (seconds since the epoch).
    Corrections may also keep the model's `original` output and the history `article` they were made in."""

    text: str
    translation: str
    source: str
    target: str
    who: str | None = None
    when: float | None = None
    original: str | None = None
    article: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["when"] = iso_time(self.when)
        return data


def iso_time(when: float | None) -> str | None:
    return datetime.fromtimestamp(when, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if when is not None else None


def parse_time(value: Any) -> float | None:
    """Seconds since the epoch from a number, ISO 8601 text or TMX's 20240131T120000Z (None when absent)."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    for fmt in ("%Y%m%dT%H%M%SZ", "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            pass
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"not a time: {text!r}") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).timestamp()


def language(code: Any, name: str) -> str:
    """zh or en from a code such as zh, zh-CN, zh-Hans, en-US (InputError otherwise)."""
    if not isinstance(code, str) or not code.strip():
        raise InputError(f"missing {name} language: choose zh or en")
    lang = code.strip().lower().replace("_", "-").split("-")[0]
    if lang not in LANGS:
        raise InputError(f"{name} language {code!r} is not supported; choose zh or en")
    return lang


def checked(pair: Pair, limit: int = MAX_SENTENCE_CHARS) -> Pair:
    """The pair with its languages as zh/en and its text trimmed, or InputError (TooLarge over `limit`)."""
    source, target = language(pair.source, "source"), language(pair.target, "target")
    if source == target:
        raise InputError(f"source and target are both {source}: a pair goes from one language to the other")
    text, translation = _text(pair.text, "the source text"), _text(pair.translation, "the translation")
    for value, what in ((text, "the source text"), (translation, "the translation")):
        if len(value) > limit:
            raise TooLarge(f"{what} has {len(value):,} characters, over the limit of {limit:,}")
    _in_language(text, source, "the source text")
    _in_language(translation, target, "the translation")
    who = (pair.who or "").strip()[:MAX_WHO_CHARS] or None
    return replace(pair, text=text, translation=translation, source=source, target=target, who=who)


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{what} is empty")
    return value.strip()


def _in_language(text: str, lang: str, what: str) -> None:
    """Chinese text has Han characters; English text is mostly Latin letters."""
    if lang == "zh" and not han_count(text):
        raise InputError(f"{what} is not Chinese (it has no Chinese characters)")
    if lang == "en" and han_letter_ratio(text) > 0.5:
        raise InputError(f"{what} is not English (it is mostly Chinese characters)")


def guess_direction(text: str) -> tuple[str, str]:
    """(source, target) for a pair whose file gave no languages: Chinese text goes to English."""
    return ("zh", "en") if han_count(text) else ("en", "zh")
