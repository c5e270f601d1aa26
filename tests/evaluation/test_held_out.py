"""The held-out dev split of WMT19 (few-shot examples come from it, so no scored item is ever in a prompt), and
translation with document context in eval: consecutive FLORES items of one document go through as one text."""
from __future__ import annotations

import json

import pytest

from summarizer.config import Settings
from summarizer.engines import prompts
from summarizer.generation import Generation
from summarizer.engines.extractive import lead_engine
from summarizer.evaluation.datasets import HELD_OUT, EvalItem, load_eval_set
from summarizer.evaluation.predictions import PredictionCache, batches
from summarizer.evaluation.runner import document_rows, document_url, run_eval
from summarizer.pipeline import Pipeline

SCORED = {"flores-zh-en": ("zh", "en"), "flores-en-zh": ("en", "zh"),
          "wmt19-zh-en": ("zh", "en"), "wmt19-en-zh": ("en", "zh")}


@pytest.mark.parametrize("name", SCORED)
def test_no_example_is_in_a_scored_set(name):
    examples = prompts.examples(*SCORED[name], 100)
    assert examples
    items = load_eval_set(name).items  # the full set where it is shared, else the committed sample
    ids, sources = {i.id for i in items}, [i.source for i in items]
    for example in examples:
        assert example.id not in ids
        assert not any(example.source in s or s in example.source for s in sources), example.id


@pytest.mark.parametrize("pair", ["zh-en", "en-zh"])
def test_examples_are_from_the_dev_split_which_the_test_split_never_holds(pair):
    test, dev = load_eval_set(f"wmt19-{pair}"), load_eval_set(f"wmt19-{pair}-dev")
    if test.sample:
        pytest.skip("the full WMT19 sets are not shared here")
    assert len(dev.items) == HELD_OUT and len(test.items) == {"zh-en": 1800, "en-zh": 1797}[pair]
    assert not {i.id for i in test.items} & {i.id for i in dev.items}
    numbers = [int(i.id.rsplit("-", 1)[1]) for i in dev.items]
    assert min(numbers) > max(int(i.id.rsplit("-", 1)[1]) for i in test.items)  # the last items of the file
    source, target = pair.split("-")
    dev_by_id = {i.id: i for i in dev.items}
    for example in prompts.examples(source, target, 100):
        assert example.id in dev_by_id and dev_by_id[example.id].source == example.source
    assert load_eval_set(f"wmt19-{pair}", limit=5).items == test.items[:5]


# ---------------------------------------------------------------- document context in eval

class LineTranslator:
    """Translates line by line (`ENGLISH`, else "EN: <line>"), keeping line breaks; records the texts it gets."""

    name, model, can_translate = "lines", "lines@0123456789ab", True

    def __init__(self):
        self.texts: list[str] = []

    def translate(self, texts, source_lang, target_lang, terms=None):
        self.texts.extend(texts)
        return [Generation("\n".join(ENGLISH.get(line, f"EN: {line}") for line in t.split("\n"))) for t in texts]

    def summarize(self, texts, lang, sentences, target_lang=None, terms=None):
        return [Generation(t) for t in texts]


ENGLISH = {"国务院批准的项目增长了35%。": "Projects approved by the State Council grew by 53%.",  # a wrong number
           "今天天气很好。": "The weather is fine today.", "明天会下雨。": "It will rain tomorrow.",
           "他们去了公园。": "They went to the park.", "孩子们很开心。": "The children were happy.",
           "比赛结束了。": "The match is over."}
ROWS = [("a1", "今天天气很好。", "A"), ("a2", "国务院批准的项目增长了35%。", "A"), ("a3", "明天会下雨。", "A"),
        ("b1", "他们去了公园。", "B"), ("n1", "孩子们很开心。", None), ("a4", "比赛结束了。", "A")]


def _items() -> list[EvalItem]:
    return [EvalItem(i, s, ENGLISH[s], {"url": url} if url else {}) for i, s, url in ROWS]


def _pipeline(**changes) -> tuple[Pipeline, LineTranslator]:
    mt = LineTranslator()
    settings = Settings(batch_size=8, cache=False, doc_context=True, repair=False, to="en", translate="full",
                        engine="lead", summary_sentences=1).with_(**changes)
    return Pipeline(settings, lead_engine(), mt), mt


def test_document_rows_translate_consecutive_items_of_one_url_as_one_text():
    pipeline, mt = _pipeline()
    rows = document_rows(_items(), pipeline, "zh")
    # a1-a3 together; b1 and the item without a url alone; a4 alone again (not next to the others)
    assert [t for t in mt.texts if "\n" in t] == ["今天天气很好。\n国务院批准的项目增长了35%。\n明天会下雨。"]
    assert {"他们去了公园。", "孩子们很开心。", "比赛结束了。"} <= set(mt.texts)
    assert [r["prediction"] for r in rows] == [ENGLISH[s] for _, s, _ in ROWS]  # one row per item, its own line
    # the number check found in the group lands on the item it concerns only
    assert [bool([c for c in r["checks"] if c["type"] == "number"]) for r in rows] == [
        False, True, False, False, False, False]
    assert all(r["seconds"] >= 0 and r["engine"] for r in rows)


def test_run_eval_uses_documents_only_with_context(tmp_path):
    data = tmp_path / "docs.jsonl"
    data.write_text("".join(json.dumps({"id": i, "source": s, "reference": ENGLISH[s], "lang_pair": "zh-en",
                                        **({"url": url} if url else {})}, ensure_ascii=False) + "\n"
                            for i, s, url in ROWS), encoding="utf-8")
    for context in (True, False):
        pipeline, mt = _pipeline(quality="fast", doc_context=context, check=False)
        result = run_eval("translation", str(data), pipeline, settings=pipeline.settings, out_dir=tmp_path / str(context))
        rows = PredictionCache(result.predictions_path).rows
        assert [rows[i]["prediction"] for i, _, _ in ROWS] == [ENGLISH[s] for _, s, _ in ROWS]
        joined = "今天天气很好。\n国务院批准的项目增长了35%。\n明天会下雨。" in mt.texts
        assert joined is context
        assert ("quality:fast+context=true" in result.config["system_signature"]) is context


def test_a_batch_boundary_never_splits_a_document(tmp_path):
    data = tmp_path / "docs.jsonl"
    data.write_text("".join(json.dumps({"id": i, "source": s, "reference": ENGLISH[s], "lang_pair": "zh-en",
                                        **({"url": url} if url else {})}, ensure_ascii=False) + "\n"
                            for i, s, url in ROWS), encoding="utf-8")
    pipeline, mt = _pipeline(check=False, batch_size=2)
    run_eval("translation", str(data), pipeline, settings=pipeline.settings, out_dir=tmp_path / "out")
    assert "今天天气很好。\n国务院批准的项目增长了35%。\n明天会下雨。" in mt.texts
    assert [len(run) for run in batches(_items(), 2, document_url)] == [3, 2, 1]  # a1-a3 | b1 n1 | a4
    assert [len(run) for run in batches(_items(), 2)] == [2, 2, 2]


def test_document_rows_keep_the_failed_check_on_the_item_whose_line_failed():
    """Without context each item is its own result and keeps its "failed" check; with context it must too."""

    class FailsSecondLine(LineTranslator):
        def translate(self, texts, source_lang, target_lang, terms=None):
            outs = super().translate(texts, source_lang, target_lang, terms)
            for out in outs:
                lines = out.text.split("\n")
                if len(lines) == 3:  # the a1-a3 document: its second line stays in the wrong language
                    lines[1] = ""
                    out.text, out.failed, out.failed_lines = "\n".join(lines), True, [1]
                    out.notes = ["translate failed: not in English"]
            return outs

    pipeline, _ = _pipeline()
    pipeline.translator = FailsSecondLine()
    rows = document_rows(_items(), pipeline, "zh")
    assert [r["prediction"] for r in rows][:3] == [ENGLISH["今天天气很好。"], "", ENGLISH["明天会下雨。"]]
    assert [any(c["type"] == "failed" for c in r["checks"]) for r in rows] == [False, True, False, False, False, False]


def test_document_rows_give_one_row_per_item_even_for_a_blank_source():
    items = [EvalItem("a1", "今天天气很好。", "", {"url": "A"}), EvalItem("a2", " ", "", {"url": "A"}),
             EvalItem("a3", "明天会下雨。", "", {"url": "A"})]
    rows = document_rows(items, _pipeline(check=False)[0], "zh")
    assert [r["prediction"] for r in rows] == [ENGLISH["今天天气很好。"], "", ENGLISH["明天会下雨。"]]


def test_document_rows_do_not_pass_a_check_on_to_another_item_that_shares_its_span():
    """a1 changes 35% into 53%; a2 has 35% too and translates it right: only a1's row has the number check (as
    when each item is translated on its own)."""
    ENGLISH_A2 = {**ENGLISH, "这个数字是35%。": "The figure is 35%."}

    class Translator(LineTranslator):
        def translate(self, texts, source_lang, target_lang, terms=None):
            return [Generation("\n".join(ENGLISH_A2[line] for line in t.split("\n"))) for t in texts]

    items = [EvalItem("a1", "国务院批准的项目增长了35%。", "", {"url": "A"}), EvalItem("a2", "这个数字是35%。", "", {"url": "A"})]
    pipeline, _ = _pipeline()
    pipeline.translator = Translator()
    rows = document_rows(items, pipeline, "zh")
    assert [r["prediction"] for r in rows] == [ENGLISH_A2[i.source] for i in items]
    assert [[c["type"] for c in r["checks"] if c["type"] == "number"] for r in rows] == [["number"], []]
