"""The pipeline: prepared articles through named steps (summarize → translate → check and repair).

Each step runs over a batch of `Result`s so that engines batch segments across articles. `build_pipeline` is the
one place where settings become engines; the CLI, the page, eval and the benchmarks all go through it (via
`summarizer.api`).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Sequence

from summarizer import progress
from summarizer.config import Settings
from summarizer.document import Check, Document, Result
from summarizer.engines.base import Engine
from summarizer.generation import Generation, Repairer
from summarizer.engines.quality import translation_plan
from summarizer.errors import BisumError, EngineUnavailable, ModelError
from summarizer.prepare import prepare_articles
from summarizer.prepare.detect import source_language, target_language
from summarizer.summaries import grounded_summaries, guard_translated_summary, instruction_removals
from summarizer.terms import TermSet

log = logging.getLogger(__name__)
Step = Callable[[list[Result]], None]
STEP_NAMES = ("summarize", "translate", "check")  # in pipeline order; translate and check only where they apply


@dataclass
class Pipeline:
    """Named steps over explicit engines. `repairer` re-translates what the checks flag (None: rules only)."""

    settings: Settings
    summarizer: Engine
    translator: Engine | None = None
    repairer: Repairer | None = None
    terms: TermSet | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def steps(self) -> list[tuple[str, Step]]:
        steps: list[tuple[str, Step]] = [("summarize", self.summarize)]
        if self.translator is not None or self.settings.translate != "none":
            steps.append(("translate", self.translate))
        return steps + ([("check", self.check)] if self.settings.check else [])

    # --- steps -----------------------------------------------------------------------------------
    def summarize(self, results: list[Result]) -> None:
        from summarizer.engines import get_engine

        extractive = get_engine("extractive", self.settings)
        for lang, group in _group(results, lambda r: source_language(r.article)):
            drafts = grounded_summaries([r.article.text for r in group], lang, self.settings.summary_sentences,
                                        self.summarizer, extractive, self.terms,
                                        removed=[instruction_removals(r.article) for r in group])
            for r, draft in zip(group, drafts):
                r.summary = draft.text
                r.engine, r.model = self.summarizer.name, self.summarizer.model
                r.notes.extend(n for n in draft.notes if n not in r.notes)

    def translate(self, results: list[Result]) -> None:
        mode = self.settings.translate
        for r in results:
            r.target_lang = target_language(r.article, self.settings.to)
        todo = [r for r in results if r.target_lang and mode != "none"]
        if not todo:
            return
        if self.translator is None:
            raise EngineUnavailable("translation needs a model: run `summarizer models pull`, or use --to none")
        label = translation_plan(self.settings).label
        for (lang, target), group in _group(todo, lambda r: (source_language(r.article), r.target_lang)):
            articles = ["\n".join(_titled(r.article)) for r in group] if mode == "full" else []
            outs = iter(self.translator.translate([r.summary or "" for r in group] + articles, lang, target, self.terms))
            for r in group:
                r.summary_translated = _accepted(r, next(outs), "summary_translated")
                guard_translated_summary(r)
            for r in group if mode == "full" else []:
                _full_translation(r, next(outs))
            for r in group:
                r.quality = label
                if self.translator is not self.summarizer:
                    r.engine = f"{r.engine}+{self.translator.name}"
                    r.model = r.model or self.translator.model

    def check(self, results: list[Result]) -> None:
        from summarizer.checks import check_results
        from summarizer.checks.repair import repair_results

        check_results(results, self.terms)
        if self.settings.repair:
            repair_results(results, self.terms, self.repairer)

    # --- running ---------------------------------------------------------------------------------
    def run(self, results: list[Result], steps: Sequence[str] | None = None,
            on_progress: Callable[[StepEvent], None] | None = None, per_article: bool = False) -> list[Result]:
        """The one loop over the steps: every caller (CLI, eval, page, HTTP API) runs the pipeline through here.

        steps: the names to run, in pipeline order (None: all). on_progress hears a StepEvent before each chunk and
        when a step ends. per_article: run each step one article at a time (the page shows each result as soon as it
        is ready); otherwise a step takes the whole batch so that engines batch segments across articles. The job's
        `progress.current()` tracker, if any, hears the run, its steps and (from the model worker) its segments."""
        chosen = [(name, step) for name, step in self.steps if steps is None or name in steps]
        unknown = set(steps or ()) - set(STEP_NAMES)
        if unknown:
            raise ValueError(f"unknown pipeline steps: {', '.join(sorted(unknown))}")
        notify = on_progress or (lambda event: None)
        tracker = progress.current()
        if tracker is not None:
            tracker.begin_run(self.workload([name for name, _ in chosen]), [self.size(r) for r in results])
        chunks = [[r] for r in results] if per_article else [results]
        for name, step in chosen:
            done = 0
            for chunk in chunks:
                notify(StepEvent(name, done, len(results), chunk))
                if tracker is not None:
                    tracker.begin_step(name, [id(r) for r in chunk])
                run_step(name, step, chunk)
                done += len(chunk)
                if tracker is not None:
                    tracker.end_step(name, [self.size(r) for r in chunk])
            notify(StepEvent(name, done, len(results), []))
        if tracker is not None:
            tracker.end_run([id(r) for r in results])
        return results

    def workload(self, steps: Sequence[str] | None = None) -> progress.Workload:
        """What these steps (default: all) do to an article, for the progress estimate."""
        s, plan = self.settings, translation_plan(self.settings)
        names = tuple(steps if steps is not None else (name for name, _ in self.steps))
        engines = {"summarize": self.summarizer, "translate": self.translator,
                   "check": self.repairer if s.repair else None}
        model = frozenset(n for n in names if engines.get(n) is not None and getattr(engines[n], "model", "") is not None)
        return progress.Workload(names, model, s.summary_sentences, s.summary_input_tokens, s.map_reduce_chars,
                                 s.translate, s.segment_tokens, plan.candidates, plan.context)

    def size(self, r: Result) -> progress.ArticleSize:
        """The article as the progress estimate sees it, keyed by its Result."""
        a = r.article
        return progress.ArticleSize(id(r), len(a.text), source_language(a),
                                    r.target_lang or target_language(a, self.settings.to), len(a.paragraphs),
                                    len(r.summary) if r.summary else None, r.error is not None)

    def process(self, docs: Iterable[Document]) -> list[Result]:
        return self.run([r for doc in docs for r in prepared_results(doc)])


@dataclass(frozen=True)
class StepEvent:
    """What `Pipeline.run` tells its listener: step `step` has finished `done` of `total` articles and is now working
    on `working` (empty: the step is over)."""

    step: str
    done: int
    total: int
    working: list[Result]


def prepared_results(doc: Document) -> list[Result]:
    """The articles of one document as fresh Results, with the time spent preparing them."""
    start = time.perf_counter()
    articles = prepare_articles(doc)
    share = (time.perf_counter() - start) / len(articles)
    return [Result(article=a, timings={"prepare": share}) for a in articles]


def run_step(name: str, step: Step, results: list[Result]) -> None:
    """One step over the results still alive, timed; a step that fails for the batch is retried article by article."""
    live = [r for r in results if r.error is None]
    if not live:
        return
    start = time.perf_counter()
    before = [(len(r.checks), len(r.notes)) for r in live]
    try:
        step(live)
    except BisumError:
        raise
    except Exception:  # isolate the failing article; the others go on
        log.debug("step %s failed for the batch; retrying article by article", name, exc_info=True)
        for r, (checks, notes) in zip(live, before):
            del r.checks[checks:], r.notes[notes:]  # what the failed attempt added is not kept twice
            run_step_alone(name, step, r)
    share = (time.perf_counter() - start) / len(live)
    for r in live:
        r.timings[name] = r.timings.get(name, 0.0) + share


def run_step_alone(name: str, step: Step, r: Result) -> None:
    try:
        step([r])
    except BisumError:
        raise
    except Exception as exc:
        r.error = f"{name}: {exc.__class__.__name__}: {exc}"


def _add_notes(r: Result, out: Generation) -> None:
    for note in out.notes:
        if note not in r.notes:
            r.notes.append(note)


def _accepted(r: Result, out: Generation, field_name: str) -> str | None:
    """The translated text, or None (with an error check) when it failed: a failure is never shown as a translation."""
    _add_notes(r, out)
    if not out.failed:
        return out.text
    r.checks.append(Check(type="failed", severity="error", field=field_name, target_span=out.text[:200] or None,
                          message=f"translation failed ({'; '.join(out.notes) or 'wrong language'}); not shown"))
    return None


def _titled(article) -> list[str]:
    """What a full translation translates: the title (when the article has one) and then its paragraphs, one text
    so that each paragraph sees the title and the one before it."""
    return ([article.title] if article.title else []) + article.paragraphs


def _full_translation(r: Result, out: Generation) -> None:
    """Title, paragraph pairs and whole translation of one article from the translation of its `_titled` lines."""
    lines = out.text.split("\n")
    if r.article.title and len(lines) == len(r.article.paragraphs) + 1:
        r.title_translated = None if 0 in out.failed_lines else (lines[0].strip() or None)
        if r.title_translated is None:
            r.checks.append(Check(type="failed", severity="error", field="title_translated",
                                  source_span=r.article.title[:200], message="translation of the title failed; not shown"))
        out = Generation("\n".join(lines[1:]), out.truncated, out.notes, out.failed,
                         [i - 1 for i in out.failed_lines if i > 0])
    r.translation_pairs = _paragraph_pairs(r, out)
    r.translation = "\n\n".join(t for _, t in r.translation_pairs)


def _paragraph_pairs(r: Result, out: Generation) -> list[tuple[str, str]]:
    """(paragraph, translation) pairs from the translation of the article's paragraphs, one per line (translated
    together so each sees the one before it); a failed line is blank, with an error check."""
    _add_notes(r, out)
    lines = out.text.split("\n")
    paragraphs = r.article.paragraphs
    if len(lines) != len(paragraphs):  # an engine that does not keep line breaks: the whole text as one pair
        lines = ["" if out.failed else out.text.replace("\n", " ")] + [""] * (len(paragraphs) - 1)
    for i in out.failed_lines or (range(len(paragraphs)) if out.failed else []):
        r.checks.append(Check(type="failed", severity="error", field="translation", source_span=paragraphs[i][:200],
                              paragraph=i, message=f"translation of paragraph {i + 1} failed "
                                                   f"({'; '.join(out.notes) or 'wrong language'}); not shown"))
        lines[i] = ""
    return list(zip(paragraphs, lines))


def _group(results: list[Result], key: Callable[[Result], object]) -> Iterator[tuple[object, list[Result]]]:
    groups: dict[object, list[Result]] = {}
    for r in results:
        groups.setdefault(key(r), []).append(r)
    yield from groups.items()


# --- building ------------------------------------------------------------------------------------
def choose_engines(settings: Settings) -> tuple[Engine, Engine | None, str | None]:
    """(summarizer, translator, why there is no translator)."""
    from summarizer.engines import get_engine

    summarizer = get_engine(settings.engine, settings)
    if settings.to == "none" or settings.translate == "none":
        return summarizer, None, None
    if summarizer.can_translate and settings.translator == "auto":
        return summarizer, summarizer, None
    try:
        translator = get_engine(settings.translator, settings)
    except ModelError as exc:  # not installed, not pulled, or refused by its hash check
        return summarizer, None, str(exc)
    if not translator.can_translate:
        return summarizer, None, "translation needs a model: run `summarizer models pull` (or pick --translator), or use --to none"
    return summarizer, translator, None


def build_pipeline(settings: Settings, require_translator: bool = True) -> Pipeline:
    """The one place settings become engines. Without a translator: an error, or (require_translator=False)
    a summaries-only pipeline whose `warnings` say why."""
    from summarizer.terms import load_terms

    summarizer, translator, missing = choose_engines(settings)
    warnings = []
    if missing:
        if require_translator:
            raise EngineUnavailable(missing)
        warnings.append(missing)
        settings = settings.with_(translate="none")
    repairer = translator if isinstance(translator, Repairer) else None
    if settings.cache:
        summarizer, translator = with_memory(summarizer, translator, settings)
    if settings.corrections:  # editors' corrections outrank the memory and the model (engines/corrected.py)
        from summarizer.engines.corrected import with_corrections

        summarizer, translator = with_corrections(summarizer, translator)
    log.info("engine %s%s", summarizer.name, f" ({summarizer.model})" if summarizer.model else "")
    if translator is not None and translator.name != summarizer.name:
        log.info("translator %s%s", translator.name, f" ({translator.model})" if translator.model else "")
    terms = load_terms(settings.glossary, settings.use_default_glossary)
    return Pipeline(settings, summarizer, translator, repairer, terms, warnings)


def with_memory(summarizer: Engine, translator: Engine | None, settings: Settings) -> tuple[Engine, Engine | None]:
    """Wrap model-backed engines in the translation memory (weight-free engines are faster than a lookup)."""
    from summarizer.engines.cache import CachedEngine, TranslationMemory

    memory = None
    wrapped: dict[int, Engine] = {}
    for engine in (summarizer, translator):
        if engine is None or engine.model is None or id(engine) in wrapped:
            continue
        memory = memory or TranslationMemory.open_default()
        wrapped[id(engine)] = CachedEngine(engine, memory, settings)
    return wrapped.get(id(summarizer), summarizer), (wrapped.get(id(translator), translator) if translator else None)
