"""Editors' corrections outrank model output: `CorrectedEngine` wraps the translator that `build_pipeline` makes, so
the CLI, the page, eval and the HTTP API all reuse a correction wherever its sentence comes again.

Per line of a text, a line that is itself a corrected source, or the line's sentences that are, take the correction
exactly; the rest of the line (its runs of other sentences) goes to the wrapped engine, all in one call, in order,
one run a line, so the engine batches them with the other texts and still sees them in their article's order. Line
breaks are kept; each text that used corrections gets the note "from your corrections: N sentence(s)". Summaries
and repairs go straight to the wrapped engine (the pipeline's repairer is the unwrapped translator).

Why a wrapper outside the translation memory rather than inside CachedEngine: a correction must win even with
--no-cache and for engines the memory does not wrap, it must take effect at once for text the memory already holds
(no key to invalidate), and the memory keeps model output only. `CorrectionExamples` is the other use of
corrections: few-shot pairs for the prompted engines (Settings.correction_examples).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from summarizer.editor import corrections
from summarizer.editor.db import existing_db, normalize
from summarizer.engines import prompts
from summarizer.engines.base import Engine
from summarizer.generation import Generation, Terms
from summarizer.text.sentences import split_sentences

log = logging.getLogger(__name__)
JOINER = {"zh": "", "en": " "}
CORRECTED_NOTE = "from your corrections"


@dataclass
class _Line:
    """One line of a text: blank, or pieces in order, each a correction (fixed) or a run for the engine."""

    pieces: list[tuple[bool, str]] = field(default_factory=list)  # (is_correction, correction or source run)

    @property
    def runs(self) -> list[str]:
        return [text for fixed, text in self.pieces if not fixed]


def corrected_note(count: int) -> str:
    return f"{CORRECTED_NOTE}: {count} sentence{'s' if count != 1 else ''}"


class CorrectedEngine:
    """An Engine over `inner` whose translations reuse the corrections in the editors' database at `path`
    (default: the translation memory's file; nothing is read while that file does not exist)."""

    def __init__(self, inner: Engine, path: str | Path | None = None):
        self.inner = inner
        self.path = path
        self.name: str = inner.name
        self.model: str | None = inner.model
        self.can_translate: bool = inner.can_translate

    def __getattr__(self, name: str):
        """What the wrapped engine offers beyond the contract (its generator, for benchmarks and progress)."""
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def summarize(self, texts: Sequence[str], lang: str, sentences: int, target_lang: str | None = None,
                  terms: Terms | None = None) -> list[Generation]:
        return self.inner.summarize(texts, lang, sentences, target_lang, terms)

    def translate(self, texts: Sequence[str], source_lang: str, target_lang: str,
                  terms: Terms | None = None) -> list[Generation]:
        db = existing_db(self.path)
        if db is None or source_lang == target_lang or not corrections.has_corrections(db, source_lang, target_lang):
            return self.inner.translate(texts, source_lang, target_lang, terms)
        plans = [self._plan(t, db, source_lang, target_lang) for t in texts]
        used = [sum(fixed for line in plan if line for fixed, _ in line.pieces) for plan in plans]
        if not any(used):
            return self.inner.translate(texts, source_lang, target_lang, terms)
        asks = [t if not n else "\n".join(run for line in plan if line for run in line.runs)
                for t, plan, n in zip(texts, plans, used)]
        todo = [i for i, (ask, n) in enumerate(zip(asks, used)) if not n or ask.strip()]
        outs = dict(zip(todo, self._inner_translate([asks[i] for i in todo], source_lang, target_lang, terms)))
        results = []
        for i, (plan, n) in enumerate(zip(plans, used)):
            out = outs.get(i, Generation(""))
            results.append(out if not n else self._assemble(plan, out, target_lang, n))
        log.debug("corrections reused in %d of %d text(s)", sum(map(bool, used)), len(texts))
        return results

    def _inner_translate(self, asks: list[str], source_lang: str, target_lang: str,
                         terms: Terms | None) -> list[Generation]:
        """The engine's translations; one that did not keep its line count is made again run by run."""
        outs = self.inner.translate(asks, source_lang, target_lang, terms) if asks else []
        for k, (ask, out) in enumerate(zip(asks, outs)):
            runs = ask.split("\n")
            if len(out.text.split("\n")) != len(runs) and len(runs) > 1:
                parts = self.inner.translate(runs, source_lang, target_lang, terms)
                outs[k] = Generation("\n".join("" if p.failed else p.text.replace("\n", " ") for p in parts),
                                     any(p.truncated for p in parts), [n for p in parts for n in p.notes],
                                     any(p.failed for p in parts), [j for j, p in enumerate(parts) if p.failed])
        return outs

    @staticmethod
    def _plan(text: str, db, source_lang: str, target_lang: str) -> list[_Line | None]:
        """Per line: None when blank, else its pieces (a whole corrected line is one fixed piece)."""
        lines = text.split("\n")
        sentences = [split_sentences(line, source_lang) if line.strip() else [] for line in lines]
        found = corrections.lookup(db, [*lines, *(s for group in sentences for s in group)], source_lang, target_lang)
        plan: list[_Line | None] = []
        joiner = JOINER.get(source_lang, " ")
        for line, group in zip(lines, sentences):
            if not line.strip():
                plan.append(None)
            elif normalize(line) in found:
                plan.append(_Line([(True, found[normalize(line)])]))
            elif not any(normalize(s) in found for s in group):
                plan.append(_Line([(False, line)]))
            else:
                pieces: list[tuple[bool, str]] = []
                for sentence in group:
                    fixed = found.get(normalize(sentence))
                    if fixed is not None:
                        pieces.append((True, fixed))
                    elif pieces and not pieces[-1][0]:
                        pieces[-1] = (False, pieces[-1][1] + joiner + sentence)
                    else:
                        pieces.append((False, sentence))
                plan.append(_Line(pieces))
        return plan

    @staticmethod
    def _assemble(plan: list[_Line | None], out: Generation, target_lang: str, used: int) -> Generation:
        """The text's translation: corrections and the engine's lines put back in place, line breaks kept."""
        engine_lines = iter(enumerate(out.text.split("\n")))
        failed_runs = set(out.failed_lines) if out.failed_lines or not out.failed else None
        lines, failed_lines = [], []
        for index, line in enumerate(plan):
            if line is None:
                lines.append("")
                continue
            pieces, failed = [], False
            for fixed, text in line.pieces:
                if fixed:
                    pieces.append(text)
                    continue
                k, translated = next(engine_lines, (-1, ""))
                failed = failed or (k in failed_runs if failed_runs is not None else True) or k < 0
                pieces.append(translated.strip())
            lines.append("" if failed else JOINER.get(target_lang, " ").join(p for p in pieces if p))
            if failed:
                failed_lines.append(index)
        notes = list(dict.fromkeys([*out.notes, corrected_note(used)]))
        return Generation("\n".join(lines), out.truncated, notes, bool(failed_lines), failed_lines)


class CorrectionExamples:
    """Few-shot pairs for a segment: the editors' corrections most like it (trigram bm25, `corrections.similar`),
    the most alike last (nearest the segment), after the first of the fixed examples to make up `count`.
    `version` changes with the direction's corrections: the translation memory keys on it (engines/cache.py)."""

    def __init__(self, path: str | Path | None = None):
        self.path = path

    def __call__(self, text: str, source_lang: str, target_lang: str, count: int) -> list[prompts.Example]:
        fixed = prompts.examples(source_lang, target_lang, count)
        db = existing_db(self.path)
        if count <= 0 or db is None:
            return fixed
        found = corrections.similar(db, text, source_lang, target_lang, count)
        mine = [prompts.Example(f"correction:{normalize(p.text)[:40]}", p.text, p.translation) for p in found]
        return fixed[: count - len(mine)] + mine[::-1]

    def version(self, source_lang: str, target_lang: str) -> str:
        db = existing_db(self.path)
        return corrections.version(db, source_lang, target_lang) if db is not None else "none"


def with_corrections(summarizer: Engine, translator: Engine | None,
                     path: str | Path | None = None) -> tuple[Engine, Engine | None]:
    """The translator (and the summarizer, when it is the same engine) wrapped in CorrectedEngine."""
    if translator is None:
        return summarizer, None
    wrapped = CorrectedEngine(translator, path)
    return (wrapped if summarizer is translator else summarizer), wrapped
