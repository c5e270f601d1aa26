"""Terms the translation must use: the editor's glossary, the default glossary, and names found in the source.

Renderings come in one order: the editor's glossary, then the default glossary, then the CC-CEDICT lexicon,
then pinyin by news conventions (see `names` and `romanize`). `TermSet` is what engines put into prompts as
required terms and what the checks hold the output to.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from summarizer.terms.glossary import Glossary, Term, load_glossary


@dataclass(frozen=True)
class TermSet:
    """The `Terms` protocol over a glossary plus the names found in each piece of source text."""

    glossary: Glossary

    def prompt_lines(self, text: str, source_lang: str) -> str:
        lines = self.glossary.prompt_lines(text, source_lang)
        if source_lang != "zh":
            return lines
        given = {line.split(" = ", 1)[0] for line in lines.splitlines()}
        names = [f"{zh} = {en}" for zh, en in _required_names(self.glossary, text).items()
                 if zh not in given and not any(zh in g for g in given)]
        return "\n".join([lines] * bool(lines) + names)


@lru_cache(maxsize=4096)
def _required_names(glossary: Glossary, text: str) -> dict[str, str]:
    from summarizer.terms.names import required_terms

    return required_terms(text, glossary)


def load_terms(glossary_path: str | None = None, use_default: bool = True) -> TermSet:
    """The default glossary, then the newsroom glossary over it, then the user's file (`--glossary`) over both."""
    glossary = load_glossary(None, use_default) + newsroom_glossary()
    return TermSet(glossary + load_glossary(glossary_path, False) if glossary_path else glossary)


def newsroom_glossary() -> Glossary:
    """The editors' glossary entries (`summarizer glossary add`, POST /glossary), read fresh on every call: an
    entry counts from the next pipeline built on. zh->en entries first where one term has both directions."""
    from summarizer.editor.db import existing_db
    from summarizer.editor.glossary import list_terms

    db = existing_db()
    if db is None:
        return Glossary()
    entries = sorted(list_terms(db), key=lambda e: e.source != "zh")
    terms = [Term(e.text, e.translation) if e.source == "zh" else Term(e.translation, e.text) for e in entries]
    seen: set[str] = set()
    return Glossary(tuple(t for t in terms if not (t.zh in seen or seen.add(t.zh))))
