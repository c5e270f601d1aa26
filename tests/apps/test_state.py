"""The page's state, worked out once per update: each article's status, its record converted once per step it
finishes, the streamed text in the right box, the status line."""
from __future__ import annotations

import json

import pytest

pytest.importorskip("gradio")  # summarizer.apps.web brings the page

from summarizer.apps.web import state  # noqa: E402
from summarizer.apps.web.state import Progressed, RecordCache  # noqa: E402
from summarizer.document import Article, Check, Result  # noqa: E402

STEPS = ["summarize", "translate", "check"]


def results(n: int = 3) -> list[Result]:
    return [Result(Article(str(i), "<t>", f"标题{i}", f"正文{i}。", [f"正文{i}。"], source_lang="zh")) for i in range(n)]


def at(stage: str, done: int = 0, working: tuple[int, ...] = (), partial: str = "", items=None, **kw) -> Progressed:
    """The run of three articles at one moment (the pending steps follow from the stage)."""
    rest = STEPS[STEPS.index(stage):] if stage in STEPS else list(STEPS)
    items = results() if items is None else items
    pending = rest[1:] if stage in STEPS and done == len(items) and not working else rest
    return Progressed(items, stage, [], pending, done, working[0] if working else None, partial, steps=list(STEPS),
                      working=working, **kw)


def test_completed_steps_of_each_article():
    assert [at("prepare").completed(i) for i in range(3)] == [0, 0, 0]
    assert [at("summarize", 1, (1,)).completed(i) for i in range(3)] == [1, 0, 0]
    assert [at("translate", 3).completed(i) for i in range(3)] == [2, 2, 2]
    assert [at("check", 3).completed(i) for i in range(3)] == [3, 3, 3] and at("check", 3).final


def test_records_are_converted_once_per_step_an_article_finishes(monkeypatch):
    converted = []
    to_record = Result.to_record
    monkeypatch.setattr(Result, "to_record", lambda self: converted.append(self.article.id) or to_record(self))
    items, cache = results(), RecordCache()
    first = cache.records(at("prepare", items=items))
    for _ in range(3):  # polls while article 0 is summarized: nothing to convert again
        assert cache.records(at("summarize", 0, (0,), "部分", items=items)) == first
    items[0].summary = "摘要。"
    assert cache.records(at("summarize", 1, (1,), items=items))[0]["summary"] == "摘要。"
    assert converted == ["0", "1", "2", "0"]
    cache.records(at("summarize", 3, items=items))  # the step's end: the other two finished it
    cache.records(at("check", 3, items=items))  # the run's end: every article converted a last time
    assert converted == ["0", "1", "2", "0", "1", "2", "0", "1", "2"]


def test_each_article_has_its_status_and_its_streamed_text():
    view = state.page_view(at("summarize", 1, (1,), "模型正在写"), RecordCache())
    first, second, third = view.articles
    assert (first.status, second.status, third.status) == ("waiting", "summarizing", "waiting")
    assert second.partial_summary == "模型正在写" and not first.partial_summary and not second.partial_translation
    assert all(a.translating and not a.checked for a in view.articles)
    assert view.status == ("Summarizing article 2 of 3…", "info")

    view = state.page_view(at("translate", 2, (2,), "writing"), RecordCache())
    assert [a.status for a in view.articles] == ["waiting", "waiting", "translating"]
    assert view.articles[2].partial_translation == "writing" and not view.articles[2].partial_summary
    assert [a.translating for a in view.articles] == [False, False, True]  # the first two are translated

    view = state.page_view(at("check", 3), RecordCache())
    assert [(a.status, a.checked, a.translating) for a in view.articles] == [("done", True, False)] * 3


def test_batched_steps_work_on_every_article():
    view = state.page_view(at("summarize", 0, (0, 1, 2)), RecordCache())
    assert [a.status for a in view.articles] == ["summarizing"] * 3
    assert view.status == ("Summarize: 0 of 3 articles done…", "info")
    assert state.page_view(at("summarize", 3), RecordCache()).status == ("Summarize done; translating…", "info")


def test_status_line():
    assert state.page_view(at("summarize", 0, (0,), ahead=2), RecordCache()).status[0] == \
        "Waiting for the model: 2 requests ahead of yours…"
    items = results()
    items[1].error = "summarize: RuntimeError: boom"
    assert state.page_view(at("summarize", 2, (2,), items=items), RecordCache()).status == \
        ("1 of 3 article(s) failed: summarize: RuntimeError: boom", "error")
    assert state.page_view(at("check", 3), RecordCache()).status == ("Done: 3 articles.", "done")
    done = at("check", 3)
    done.warnings.append("Translation is not available here.")
    assert state.page_view(done, RecordCache()).status == ("Done: 3 articles. Translation is not available here.", "warning")
    items = results()
    items[0].checks.append(Check(type="failed", severity="error", field="summary_translated", message="failed"))
    assert state.page_view(at("check", 3, items=items), RecordCache()).status == \
        ("Done: 3 articles. Translation failed for 1 article: see the flags.", "warning")


def test_the_page_keeps_plain_data_and_shares_the_records():
    cache, step = RecordCache(), at("summarize", 1, (1,), "部分")
    view = state.page_view(step, cache)
    data = view.data()
    json.dumps(data, ensure_ascii=False)  # plain data only
    assert data["articles"][1]["partial_summary"] == "部分" and data["status"] == view.status
    assert all(a["record"] is r for a, r in zip(data["articles"], cache.records(step)))  # not copied
