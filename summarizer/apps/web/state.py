"""The page's state, worked out once per update of a run: the step each article is at, its record (converted once
each time it finishes a step, then reused), the text the model is writing for it, and the status line.

`service.run_stages` yields a `Progressed` after each event of the pipeline and while the model streams;
`page_view` turns it into a `PageView` of plain data, which `render` draws without working anything out again.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from summarizer.apps.web.render import failures, plural
from summarizer.document import Result

ACTIVE = {"summarize": "summarizing", "translate": "translating", "check": "checking"}
COMING = {"summarize": "summarizing…", "translate": "translating…", "check": "checking…"}


@dataclass
class Progressed:
    """A request's run at one moment: after an event of the pipeline, or while a model step streams."""

    results: list[Result]
    stage: str  # prepare | summarize | translate | check
    warnings: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # steps still to run (the current one if it is not finished)
    done: int = 0  # articles finished in this step
    working_on: int | None = None  # the first article the current step is generating for (None: between steps)
    partial: str = ""  # the text the model is generating for it right now
    ahead: int = 0  # requests before this one in the model's queue
    timings: dict = field(default_factory=dict)  # the request's first token, tokens/s and queue wait
    steps: list[str] = field(default_factory=list)  # every step of this run, in order
    working: tuple[int, ...] = ()  # the articles the current step is working on

    @property
    def final(self) -> bool:
        return not self.pending

    def completed(self, index: int) -> int:
        """How many of the run's steps article `index` has finished."""
        if self.final:
            return len(self.steps)
        if self.stage not in self.steps:  # still preparing
            return 0
        return self.steps.index(self.stage) + (index < self.done)


@dataclass
class RecordCache:
    """Each article's record, converted when the article finishes a step and reused until it finishes the next."""

    _records: dict[int, tuple[int, dict]] = field(default_factory=dict)

    def records(self, step: Progressed) -> list[dict]:
        out = []
        for i, result in enumerate(step.results):
            completed = step.completed(i)
            cached = self._records.get(i)
            if cached is None or cached[0] != completed:
                cached = self._records[i] = (completed, result.to_record())
            out.append(cached[1])
        return out


@dataclass
class ArticleView:
    """One article as the page shows it."""

    record: dict
    status: str  # waiting | summarizing | translating | checking | done | failed
    checked: bool  # its checks have run (or the run has none)
    translating: bool  # a translation of it may still come
    partial_summary: str = ""  # the summary the model is writing for it
    partial_translation: str = ""  # the translated summary the model is writing for it


@dataclass
class PageView:
    """What the page shows after one update (kept in the page's gr.State)."""

    articles: list[ArticleView]
    final: bool
    warnings: list[str]
    timings: dict
    status: tuple[str, str]  # (message, kind: info | warning | error | done)
    refs: tuple[str, str] = ("", "")  # reference summary and translation

    @property
    def records(self) -> list[dict]:
        return [a.record for a in self.articles]

    def data(self) -> dict:
        """As plain dicts and lists (what a gr.State holds: Gradio spots a change by hashing its contents); the
        records are shared, not copied."""
        return {**vars(self), "articles": [dict(vars(a)) for a in self.articles]}


def article_view(step: Progressed, index: int, record: dict) -> ArticleView:
    completed = step.completed(index)
    at = step.steps[completed] if completed < len(step.steps) else None  # the step it waits for or is in
    active = at is not None and at == step.stage and index in step.working
    partial = step.partial if active and index == step.working_on else ""
    if record.get("error"):
        status = "failed"
    else:
        status = "done" if at is None else ACTIVE.get(at, at) if active else "waiting"
    return ArticleView(record, status, checked=at is None, translating="translate" in step.steps[completed:],
                       partial_summary=partial if at == "summarize" else "",
                       partial_translation=partial if at == "translate" else "")


def page_view(step: Progressed, cache: RecordCache, refs: tuple[str, str] = ("", "")) -> PageView:
    """The page after this update; records come from `cache` (one per request)."""
    articles = [article_view(step, i, record) for i, record in enumerate(cache.records(step))]
    return PageView(articles, step.final, list(step.warnings), dict(step.timings), status_line(step, articles), refs)


def status_line(step: Progressed, articles: list[ArticleView]) -> tuple[str, str]:
    """The status line (message, kind) for this update."""
    n = len(articles)
    failed = [a.record for a in articles if a.status == "failed"]
    if failed:
        return f"{len(failed)} of {n} article(s) failed: {failed[0]['error']}", "error"
    if not step.final:
        return _running_line(step, n), "info"
    message = f"Done: {plural(n, 'article')}."
    failed_translations = sum(bool(failures(a.record)) for a in articles)
    if failed_translations:
        return f"{message} Translation failed for {plural(failed_translations, 'article')}: see the flags.", "warning"
    return (f"{message} {step.warnings[0]}", "warning") if step.warnings else (message, "done")


def _running_line(step: Progressed, n: int) -> str:
    if step.ahead:
        return f"Waiting for the model: {plural(step.ahead, 'request')} ahead of yours…"
    if step.partial and step.working_on is not None:
        return f"{ACTIVE.get(step.stage, step.stage).capitalize()} article {step.working_on + 1} of {n}…"
    if step.pending[0] == step.stage:
        return f"{step.stage.capitalize()}: {step.done} of {n} articles done…"
    return f"{step.stage.capitalize()} done; {COMING.get(step.pending[0], '…')}"
