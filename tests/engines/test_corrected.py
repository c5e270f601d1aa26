"""Corrections outrank model output (engines/corrected.py): the corrected sentences of a text take the correction
exactly, the rest goes to the engine, line breaks are kept; the pipeline (CLI, page, eval, API) reuses them even
when the translation memory already holds the model's output; and, as few-shot examples, the most similar
corrections go into the prompt (and into the memory's key)."""
from __future__ import annotations

import pytest
from fakes import ScriptedGenerator

from summarizer import api, engines
from summarizer.editor import corrections
from summarizer.editor.db import open_db
from summarizer.editor.pairs import Pair
from summarizer.engines.cache import CachedEngine, TranslationMemory
from summarizer.engines.corrected import CORRECTED_NOTE, CorrectedEngine, CorrectionExamples
from summarizer.engines.prompted import PromptedEngine
from summarizer.engines.quality import TranslationPlan
from summarizer.generation import Generation

A1, A2, B1 = "甲公司今天发布了报告。", "报告说销量增长了。", "乙公司没有回应。"
FIXED = "Sales grew, the report says."


class LineEngine:
    """Translates each line to EN(line); records what it was asked; can fail or join lines on request."""

    name, model, can_translate = "line", "line@1", True

    def __init__(self, fail: str | None = None, join: bool = False):
        self.calls: list[list[str]] = []
        self.fail, self.join = fail, join

    def translate(self, texts, source_lang, target_lang, terms=None):
        self.calls.append(list(texts))
        outs = []
        for t in texts:
            lines = ["" if not ln.strip() else f"EN({ln.strip()})" for ln in t.split("\n")]
            failed = [i for i, ln in enumerate(t.split("\n")) if self.fail and self.fail in ln]
            for i in failed:
                lines[i] = ""
            outs.append(Generation(" ".join(lines) if self.join else "\n".join(lines), failed=bool(failed),
                                   failed_lines=failed))
        return outs

    def summarize(self, texts, lang, sentences, target_lang=None, terms=None):
        return [Generation(t) for t in texts]


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("BISUM_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("BISUM_MEMORY", raising=False)
    return open_db()


def test_without_corrections_the_engine_gets_the_texts_as_they_are(db):
    inner = LineEngine()
    texts = [f"{A1}{A2}\n\n{B1}"]
    assert CorrectedEngine(inner).translate(texts, "zh", "en")[0].text == f"EN({A1}{A2})\n\nEN({B1})"
    assert inner.calls == [texts]


def test_corrected_sentences_take_the_correction_and_the_rest_goes_to_the_engine(db):
    corrections.add_correction(db, Pair(A2, FIXED, "zh", "en"))
    inner = LineEngine()
    texts = [f"{A1}  {A2}\n\n{B1}", B1, A2]
    out = CorrectedEngine(inner).translate(texts, "zh", "en")
    assert [o.text for o in out] == [f"EN({A1}) {FIXED}\n\nEN({B1})", f"EN({B1})", FIXED]
    assert inner.calls == [[f"{A1}\n{B1}", B1]]  # one call; the fully corrected text never reaches the engine
    assert out[0].notes == [f"{CORRECTED_NOTE}: 1 sentence"] and out[1].notes == []


def test_a_whole_corrected_line_and_failures_keep_their_lines(db):
    corrections.add_correction(db, Pair(f"{A1}{A2}", "Company A released a report; sales grew.", "zh", "en"))
    corrections.add_correction(db, Pair(A2, FIXED, "zh", "en"))
    out = CorrectedEngine(LineEngine(fail=B1)).translate([f"{A1}{A2}\n{A2}{B1}"], "zh", "en")[0]
    assert out.text == "Company A released a report; sales grew.\n" and out.failed and out.failed_lines == [1]


def test_an_engine_that_joins_lines_is_asked_run_by_run(db):
    corrections.add_correction(db, Pair(A2, FIXED, "zh", "en"))
    inner = LineEngine(join=True)
    out = CorrectedEngine(inner).translate([f"{A1}{A2}{B1}\n{B1}"], "zh", "en")[0]
    assert out.text == f"EN({A1}) {FIXED} EN({B1})\nEN({B1})"
    assert inner.calls[-1] == [A1, B1, B1]


class FakeMT(LineEngine):
    name, model = "fake-corr", "fake-corr@0123456789ab"

    def repair(self, requests, source_lang, target_lang, terms=None):
        return [Generation(r.translation) for r in requests]


@pytest.fixture
def fake_registry(monkeypatch):
    fake = FakeMT()
    monkeypatch.setitem(engines.REGISTRY, "fake-corr", engines.EngineEntry("fake-corr", "test", lambda s: fake))
    monkeypatch.setattr(engines, "ENGINE_NAMES", (*engines.ENGINE_NAMES, "fake-corr"))
    monkeypatch.setattr(engines, "_BUILT", {})
    return fake


def test_the_pipeline_reuses_a_correction_over_the_memory_everywhere(db, fake_registry):
    config = api.settings(engine="fake-corr")
    (before,) = api.translate_texts([f"{A1}{A2}"], "zh", "en", config)
    assert before.translation == f"EN({A1}{A2})"  # now in the translation memory
    corrections.add_correction(db, Pair(A2, FIXED, "zh", "en"))
    (after,) = api.translate_texts([f"{A1}{A2}"], "zh", "en", config)
    assert after.translation == f"EN({A1}) {FIXED}" and f"{CORRECTED_NOTE}: 1 sentence" in after.notes
    (page,) = api.process(f"标题\n\n{A1}{A2}\n\n{B1}", config.with_(translate="full", to="en"))
    assert (A1 + A2, f"EN({A1}) {FIXED}") in page.translation_pairs
    (off,) = api.translate_texts([f"{A1}{A2}"], "zh", "en", config.with_(corrections=False))
    assert off.translation == f"EN({A1}{A2})"


def test_similar_corrections_become_the_prompt_examples_and_key_the_memory(db):
    corrections.add_corrections(db, [Pair(A1, "Company A released a report today.", "zh", "en"),
                                     Pair("丙公司今天发布了计划。", "Company C released a plan today.", "zh", "en")])
    source = CorrectionExamples()
    picked = source("丁公司今天发布了报告。", "zh", "en", 4)
    assert len(picked) == 4 and picked[-1].source == A1  # the most similar last, after fixed examples
    generator = ScriptedGenerator(lambda prompt, n: "Company D released a report today.")
    engine = PromptedEngine(generator, plan=TranslationPlan(examples=2), example_source=source)
    engine.translate(["丁公司今天发布了报告。"], "zh", "en")
    messages = generator.calls[0][0][0]
    assert any(m["role"] == "assistant" and m["content"] == "Company A released a report today." for m in messages)
    memory = TranslationMemory(db.path)
    cached = CachedEngine(engine, memory, api.settings(engine="extractive"))
    first = cached._examples_version("zh", "en")
    corrections.add_correction(db, Pair(B1, "Company B did not respond.", "zh", "en"))
    assert first and cached._examples_version("zh", "en") != first
    assert CachedEngine(LineEngine(), memory, api.settings(engine="extractive"))._examples_version("zh", "en") == ""
