"""The pipeline: document stages (clean, split, detect) then a list of named article stages over `Result`s."""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from .clean import clean_document
from .config import Settings
from .detect import detect_article, dominant_language
from .document import Article, Check, Document, Result
from .engines.base import Engine
from .errors import BisumError, EngineUnavailable, InputError, ModelError
from .segment import split_sentences

Stage = Callable[[list[Result]], None]


def target_language(article: Article, to: str) -> str | None:
    """`--to auto` means the other language; `none` means no translation."""
    if to == "none":
        return None
    source = source_language(article)
    if to == "auto":
        return {"zh": "en", "en": "zh"}.get(source)
    return to if to != source else None


def source_language(article: Article) -> str:
    if article.source_lang == "mixed":
        return article.meta.get("dominant_lang") or dominant_language(article.text)
    return article.source_lang or "unknown"


def articles_of(doc: Document) -> list[Article]:
    """Clean, split and detect one document; a document with no usable text is an InputError."""
    from .split import split_document

    if not doc.raw_text.strip():
        raise InputError(f"{doc.source_file}: input is empty")
    clean_document(doc)
    articles = [detect_article(a) for a in split_document(doc)]
    articles = [a for a in articles if a.source_lang not in (None, "unknown")]
    if not articles:
        raise InputError(f"{doc.source_file}: no Chinese or English text found")
    return articles


@dataclass
class Pipeline:
    """Named stages, each run over a batch of results so that engines can batch across articles."""

    settings: Settings
    summarizer: Engine
    translator: Engine | None = None
    stages: list[tuple[str, Stage]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.stages:
            self.stages = [("summarize", self.summarize), ("translate", self.translate)]
            if self.settings.check:
                self.stages.append(("check", self.check))

    # --- stages ----------------------------------------------------------------------------------
    def summarize(self, results: list[Result]) -> None:
        for lang, group in _by_language(results):
            texts = [r.article.text for r in group]
            outputs = self.summarizer.summarize(texts, lang, self.settings.summary_sentences)
            for r, summary in zip(group, outputs):
                r.summary = limit_sentences(summary, lang, self.settings.summary_sentences)
                r.engine = self.summarizer.name
                r.model = self.summarizer.model
                self._collect_notes(self.summarizer, r)

    def translate(self, results: list[Result]) -> None:
        mode = self.settings.translate
        for r in results:
            r.target_lang = target_language(r.article, self.settings.to)
        todo = [r for r in results if r.target_lang and mode != "none"]
        if not todo:
            return
        if self.translator is None:
            raise EngineUnavailable("translation needs a model: run `summarizer models pull`, or use --to none")
        for (lang, target), group in _by_pair(todo):
            if mode in ("summary", "full"):
                outs = self.translator.translate([r.summary or "" for r in group], lang, target)
                for r, out in zip(group, outs):
                    r.summary_translated = out
            if mode == "full":
                paragraphs = [p for r in group for p in r.article.paragraphs]
                outs = iter(self.translator.translate(paragraphs, lang, target))
                for r in group:
                    r.translation_pairs = [(p, next(outs)) for p in r.article.paragraphs]
                    r.translation = "\n\n".join(t for _, t in r.translation_pairs)
            for r in group:
                if self.translator is not self.summarizer:
                    r.engine = f"{r.engine}+{self.translator.name}"
                    r.model = r.model or self.translator.model
                self._collect_notes(self.translator, r)

    def check(self, results: list[Result]) -> None:
        try:
            from . import checks
        except ImportError:  # the checks module is optional while being built
            return
        from .glossary import load_glossary

        glossary = load_glossary(self.settings.glossary, self.settings.use_default_glossary)
        for r in results:
            lang = source_language(r.article)
            found: list[Check] = []
            if r.summary:
                found += _tag(checks.check_summary(r.article.text, r.summary, lang), "summary")
            if r.summary_translated and r.target_lang:
                found += _tag(checks.check_translation(r.summary, r.summary_translated, lang, r.target_lang, glossary), "summary_translated")
            for src, tgt in r.translation_pairs or []:
                found += _tag(checks.check_translation(src, tgt, lang, r.target_lang, glossary), "translation")
            r.checks.extend(found)
        if self.settings.repair:
            self._repair(results, glossary)

    def _repair(self, results: list[Result], glossary) -> None:
        """Re-translate once, all together, what the checks flag as an error; keep a fix only if it clears errors.
        The original, the fix and the reason are recorded in the check; nothing is replaced silently."""
        from . import checks

        def errors(src: str, tgt: str, r: Result) -> int:
            found = checks.check_translation(src, tgt, source_language(r.article), r.target_lang, glossary)
            return sum(1 for c in found if c.severity == "error")

        requests: dict[tuple[int, str, int], list[Check]] = {}
        for n, r in enumerate(results):
            pairs = _pairs(r)
            for check in r.checks:
                if check.severity != "error" or check.field not in pairs:
                    continue
                for idx, (src, tgt) in enumerate(pairs[check.field]):
                    if (check.source_span or "") in src and (check.target_span or "") in tgt:
                        requests.setdefault((n, check.field, idx), []).append(check)
                        break
        def apply(n: int, field_name: str, idx: int, fixed: str) -> None:
            r = results[n]
            if field_name == "summary_translated":
                r.summary_translated = fixed
            else:
                r.translation_pairs[idx] = (r.translation_pairs[idx][0], fixed)
                r.translation = "\n\n".join(t for _, t in r.translation_pairs)

        # 1. numbers: rewrite a changed figure from the source value (万/亿 scale errors), kept only if verified
        for (n, field_name, idx), flagged in list(requests.items()):
            r = results[n]
            src, tgt = _pairs(r)[field_name][idx]
            fixed, rewrites = checks.fix_numbers(src, tgt, source_language(r.article), r.target_lang)
            if not rewrites or errors(src, fixed, r) >= errors(src, tgt, r):
                continue
            for check in flagged:
                if check.type == "number":
                    check.repair = {"original": tgt, "fixed": fixed, "reason": check.message, "accepted": True,
                                    "method": "rule: " + "; ".join(rewrites)}
            r.notes.append(f"repaired {field_name} numbers: {'; '.join(rewrites)}")
            apply(n, field_name, idx, fixed)
            remaining = [c for c in flagged if c.repair is None]
            if remaining and errors(src, fixed, r):
                requests[(n, field_name, idx)] = remaining
            else:
                del requests[(n, field_name, idx)]
        if not getattr(self.translator, "repair_many", None):
            return
        # 2. the model: re-translate what is still flagged, all at once
        by_direction: dict[tuple[str, str], list[tuple[int, str, int]]] = {}
        for key in requests:
            r = results[key[0]]
            by_direction.setdefault((source_language(r.article), r.target_lang), []).append(key)
        for (lang, target), keys in by_direction.items():
            items = []
            for n, field_name, idx in keys:
                src, tgt = _pairs(results[n])[field_name][idx]
                items.append((src, tgt, [c.message for c in requests[(n, field_name, idx)]]))
            fixes = self.translator.repair_many(items, lang, target)
            for (n, field_name, idx), (src, tgt, reasons), fixed in zip(keys, items, fixes):
                r = results[n]
                accepted = bool(fixed.strip()) and errors(src, fixed, r) < errors(src, tgt, r)
                for check in requests[(n, field_name, idx)]:
                    check.repair = {"original": tgt, "fixed": fixed, "reason": check.message, "accepted": accepted,
                                    "method": "model"}
                if accepted:
                    r.notes.append(f"repaired {field_name}: {'; '.join(reasons)}")
                    apply(n, field_name, idx, fixed)

    # --- running ---------------------------------------------------------------------------------
    def run(self, results: list[Result]) -> list[Result]:
        """Apply every stage to the batch; a stage that fails for the batch is retried article by article."""
        for name, stage in self.stages:
            live = [r for r in results if r.error is None]
            if not live:
                break
            start = time.perf_counter()
            try:
                stage(live)
            except BisumError:
                raise
            except Exception as exc:  # isolate the failing article; the others go on
                if len(live) == 1:
                    live[0].error = f"{name}: {exc.__class__.__name__}: {exc}"
                else:
                    for r in live:
                        self.run_stage_alone(name, stage, r)
            share = (time.perf_counter() - start) / max(1, len(live))
            for r in live:
                r.timings[name] = r.timings.get(name, 0.0) + share
        return results

    @staticmethod
    def run_stage_alone(name: str, stage: Stage, r: Result) -> None:
        try:
            stage([r])
        except BisumError:
            raise
        except Exception as exc:
            r.error = f"{name}: {exc.__class__.__name__}: {exc}"

    def process(self, docs: Iterable[Document]) -> list[Result]:
        results: list[Result] = []
        for doc in docs:
            start = time.perf_counter()
            articles = articles_of(doc)
            prep = (time.perf_counter() - start) / len(articles)
            for a in articles:
                results.append(Result(article=a, timings={"prepare": prep}))
        return self.run(results)

    @staticmethod
    def _collect_notes(engine: Engine, r: Result) -> None:
        """Copy the engine's notes (retries, flags) about this article's segments into the record."""
        for note in getattr(engine, "last_notes", None) or []:
            source = (note.get("source") or "")[:60]
            if source and (source in r.article.text or source in (r.summary or "")):
                text = f"{note.get('task', '')} {note.get('action', '')}: {', '.join(note.get('problems', []))}".strip()
                if text not in r.notes:
                    r.notes.append(text)


def limit_sentences(text: str, lang: str, n: int) -> str:
    """At most n sentences: models asked for a short summary sometimes copy whole paragraphs."""
    sentences = split_sentences(text, lang)
    if len(sentences) <= n:
        return text.strip()
    return ("" if lang == "zh" else " ").join(sentences[:n])


def _pairs(r: Result) -> dict[str, list[tuple[str, str]]]:
    """The (source, translation) pairs a check's `field` refers to."""
    pairs: dict[str, list[tuple[str, str]]] = {"translation": list(r.translation_pairs or [])}
    if r.summary and r.summary_translated:
        pairs["summary_translated"] = [(r.summary, r.summary_translated)]
    return pairs


def _tag(found: list[Check], field_name: str) -> list[Check]:
    for c in found:
        c.field = field_name
    return found


def _by_language(results: list[Result]) -> Iterator[tuple[str, list[Result]]]:
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(source_language(r.article), []).append(r)
    yield from groups.items()


def _by_pair(results: list[Result]) -> Iterator[tuple[tuple[str, str], list[Result]]]:
    groups: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        groups.setdefault((source_language(r.article), r.target_lang), []).append(r)
    yield from groups.items()


def choose_engines(settings: Settings, get: Callable[[str, Settings], Engine] | None = None) -> tuple[Engine, Engine | None, str | None]:
    """(summarizer, translator, why there is no translator). `get` builds an engine by name (default get_engine)."""
    from .engines import get_engine

    get = get or get_engine
    summarizer = get(settings.engine, settings)
    if settings.to == "none" or settings.translate == "none":
        return summarizer, None, None
    if summarizer.can_translate and settings.translator == "auto":
        return summarizer, summarizer, None
    try:
        translator = get(settings.translator, settings)
    except ModelError as exc:  # not installed, not pulled, or refused by its hash check
        return summarizer, None, str(exc)
    if not translator.can_translate:
        return summarizer, None, "translation needs a model: run `summarizer models pull` (or pick --translator), or use --to none"
    return summarizer, translator, None


def build_pipeline(settings: Settings, log: Callable[[str], None] | None = None,
                   get: Callable[[str, Settings], Engine] | None = None) -> Pipeline:
    """Pick the engines the settings ask for (`auto` = best available) and say which on stderr."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    summarizer, translator, missing = choose_engines(settings, get)
    if missing:
        raise EngineUnavailable(missing)
    if settings.cache:
        summarizer, translator = with_memory(summarizer, translator, settings)
    log(f"bisum: engine {summarizer.name}" + (f" ({summarizer.model})" if summarizer.model else "")
        + (f", translator {translator.name}" + (f" ({translator.model})" if translator.model else "") if translator else ""))
    return Pipeline(settings=settings, summarizer=summarizer, translator=translator)


def with_memory(summarizer: Engine, translator: Engine | None, settings: Settings) -> tuple[Engine, Engine | None]:
    """Wrap model-backed engines in the translation memory (weight-free engines are faster than a lookup)."""
    from .cache import CachedEngine, TranslationMemory

    memory = None
    wrapped: dict[int, Engine] = {}
    for engine in (summarizer, translator):
        if engine is None or engine.model is None or id(engine) in wrapped:
            continue
        memory = memory or TranslationMemory.open_default()
        wrapped[id(engine)] = CachedEngine(engine, memory, settings)
    return wrapped.get(id(summarizer), summarizer), (wrapped.get(id(translator), translator) if translator else None)
