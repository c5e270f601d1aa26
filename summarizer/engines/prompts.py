"""Prompt templates kept as plain files in `prompts/`: a system part, a `---user---` line, a user part.

Placeholders are `{name}` (str.format syntax; write `{{`/`}}` for literal braces). Values are inserted
once and never re-parsed, so an article containing braces or "instructions" is just data.
"""
from __future__ import annotations

import hashlib
import json
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol, Sequence

from summarizer.config import prompts_dir
from summarizer.errors import ModelError

USER_MARKER = "---user---"
LANG_NAMES = {"zh": "Chinese", "en": "English"}


@dataclass(frozen=True)
class Example:
    """A few-shot pair from the held-out split (see `examples`)."""

    id: str
    source: str
    target: str


@dataclass(frozen=True)
class PromptTemplate:
    name: str
    system: str
    user: str
    sha256: str

    @property
    def fields(self) -> set[str]:
        return {f for part in (self.system, self.user) for _, f, _, _ in string.Formatter().parse(part) if f}

    def render(self, examples: Sequence[Example] = (), **values: object) -> list[dict]:
        """Chat messages with the placeholders filled; a missing value is a ModelError naming it. Each example is
        a user turn (the user part with its source as `text`, other placeholders empty) and the answer turn."""
        missing = self.fields - values.keys()
        if missing:
            raise ModelError(f"prompt {self.name}: no value for {', '.join(sorted(missing))}")
        system = self.system.format_map(values).strip()
        messages = [{"role": "system", "content": system}] if system else []
        for example in examples:
            blank = {**dict.fromkeys(self.fields, ""), "text": example.source}
            messages += [{"role": "user", "content": self.user.format_map(blank).strip()},
                         {"role": "assistant", "content": example.target}]
        return messages + [{"role": "user", "content": self.user.format_map(values).strip()}]


def _path(name: str) -> Path:
    return prompts_dir() / f"{name}.txt"


@lru_cache(maxsize=64)
def _load(path: Path, mtime_ns: int) -> PromptTemplate:
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    if USER_MARKER in text:
        system, user = text.split(USER_MARKER, 1)
    else:
        system, user = "", text
    return PromptTemplate(path.stem, system.strip("\n"), user.strip("\n"), hashlib.sha256(raw).hexdigest())


def load(name: str) -> PromptTemplate:
    path = _path(name)
    if not path.is_file():
        raise ModelError(f"prompt template {name!r} not found at {path}")
    return _load(path, path.stat().st_mtime_ns)


def render(name: str, examples: Sequence[Example] = (), **values: object) -> list[dict]:
    return load(name).render(examples, **values)


# Few-shot pairs come from WMT19 newstest2019's held-out dev split, the last 200 items of each direction
# (`summarizer.evaluation.datasets.HELD_OUT`), which the eval sets never load: no scored item is in a prompt.
def examples(source_lang: str, target_lang: str, count: int) -> list[Example]:
    """The first `count` pairs of prompts/examples_<source>_<target>.jsonl ([] when there is no such file)."""
    path = prompts_dir() / f"examples_{source_lang}_{target_lang}.jsonl"
    if count <= 0 or not path.is_file():
        return []
    return list(_examples(path, path.stat().st_mtime_ns))[:count]


class ExampleSource(Protocol):
    """The few-shot pairs put before a segment to translate (`count` at most)."""

    def __call__(self, text: str, source_lang: str, target_lang: str, count: int) -> Sequence[Example]: ...


class FixedExamples:
    """The same pairs for every segment: the first `count` of the direction's examples file."""

    def __call__(self, text: str, source_lang: str, target_lang: str, count: int) -> list[Example]:
        return examples(source_lang, target_lang, count)


@lru_cache(maxsize=8)
def _examples(path: Path, mtime_ns: int) -> tuple[Example, ...]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return tuple(Example(str(r["id"]), r["source"], r["target"]) for r in rows)


def template_hash(name: str) -> str:
    """sha256 of the template file, for cache keys: editing a prompt invalidates cached outputs."""
    return load(name).sha256


def available() -> list[str]:
    return sorted(p.stem for p in prompts_dir().glob("*.txt"))


def translate_name(source_lang: str, target_lang: str) -> str:
    return f"translate_{source_lang}_{target_lang}"


def summarize_name(lang: str, target_lang: str | None = None) -> str:
    target = target_lang or lang
    return f"summarize_{lang}" if target == lang else f"summarize_{lang}_to_{target}"


def repair_name(source_lang: str, target_lang: str) -> str:
    return f"repair_{source_lang}_{target_lang}"
