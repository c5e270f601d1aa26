"""`--translate full`: each article goes to the translator as one text (paragraphs as lines, so that with document
context each paragraph sees the ones before it) and comes back split into (paragraph, translation) pairs; a failed
line is blank, with an error check, and never shown."""
from __future__ import annotations

import re

from summarizer.api import text_results
from summarizer.config import Settings
from summarizer.document import Article, Result
from summarizer.generation import Generation
from summarizer.engines.prompted import PromptedEngine
from summarizer.engines.quality import TranslationPlan
from summarizer.pipeline import Pipeline, _paragraph_pairs
from fakes import ScriptedGenerator

PARAGRAPHS = ["第一段的内容。", "第二段的内容。", "第三段的内容。"]


def _result(paragraphs=PARAGRAPHS) -> Result:
    return Result(article=Article(id="a", source_file="t", title=None, text="\n\n".join(paragraphs),
                                  paragraphs=list(paragraphs)))


def test_pairs_follow_the_lines():
    r = _result()
    assert _paragraph_pairs(r, Generation("One.\nTwo.\nThree.")) == list(zip(PARAGRAPHS, ["One.", "Two.", "Three."]))
    assert r.checks == [] and r.notes == []


def test_failed_lines_are_blank_with_an_error_check_each():
    r = _result()
    out = Generation("One.\n\nThree.", failed=True, failed_lines=[1], notes=["translate failed: not in English"])
    assert _paragraph_pairs(r, out) == list(zip(PARAGRAPHS, ["One.", "", "Three."]))
    [check] = r.checks
    assert (check.type, check.severity, check.field) == ("failed", "error", "translation")
    assert "paragraph 2" in check.message and "not in English" in check.message
    assert r.notes == ["translate failed: not in English"]
    # a failed line that still has text is blanked all the same
    r = _result()
    assert [t for _, t in _paragraph_pairs(r, Generation("One.\n还是中文。\nThree.", failed=True, failed_lines=[1]))] == [
        "One.", "", "Three."]
    # failed with no line named (an engine that does not say which): every paragraph blank, one check each
    r = _result()
    assert [t for _, t in _paragraph_pairs(r, Generation("One.\nTwo.\nThree.", failed=True))] == ["", "", ""]
    assert [c.message.split(" failed")[0] for c in r.checks] == [f"translation of paragraph {i}" for i in (1, 2, 3)]


def test_an_engine_that_drops_line_breaks_gives_one_pair_for_the_whole_text():
    r = _result()
    assert _paragraph_pairs(r, Generation("One. Two. Three.")) == list(zip(PARAGRAPHS, ["One. Two. Three.", "", ""]))
    assert _paragraph_pairs(_result(), Generation("One.\nTwo.")) == list(zip(PARAGRAPHS, ["One. Two.", "", ""]))


def test_full_mode_sends_one_text_per_article_and_keeps_paragraphs_aligned():
    english = {"第一段的内容。": "The first part.", "第三段的内容。": "The third part.", "另一篇文章。": "Another article."}

    def answer(message, call):
        source = re.search(r"<source>\n(.*?)\n</source>", message, re.S).group(1)
        return english.get(source, "这还是中文。")  # the second paragraph never comes out in English

    gen = ScriptedGenerator(answer)
    translator = PromptedEngine(gen, "llm", plan=TranslationPlan(context=True))
    settings = Settings(to="en", translate="full", check=False, quality="balanced", candidates=1)
    pipeline = Pipeline(settings, summarizer=translator, translator=translator)
    results = text_results(["\n".join(PARAGRAPHS), "另一篇文章。"], "zh", "<t>")
    pipeline.translate(results)
    first, second = results
    assert first.translation_pairs == list(zip(PARAGRAPHS, ["The first part.", "", "The third part."]))
    assert first.translation == "The first part.\n\n\n\nThe third part."
    assert [c.message.split(" failed")[0] for c in first.checks] == ["translation of paragraph 2"]
    assert second.translation_pairs == [("另一篇文章。", "Another article.")] and second.checks == []
    # the first wave holds the first paragraph of each article: one text per article, not one per paragraph
    sources = [[re.search(r"<source>\n(.*?)\n</source>", c[-1]["content"], re.S).group(1) for c in call[0]]
               for call in gen.calls]
    assert sources[0] == ["第一段的内容。", "另一篇文章。"]
    third = next(c[-1]["content"] for call in gen.calls for c in call[0] if "<source>\n第三段的内容。" in c[-1]["content"])
    assert "Start of the article: 第一段的内容。 => The first part." in third  # context across paragraphs
    assert first.quality == "balanced"  # candidates=1 is the level's own


def test_full_translations_translate_the_title_first():
    from summarizer.pipeline import _full_translation

    r = _result()
    r.article.title = "标题"
    _full_translation(r, Generation("The title\nOne.\nTwo.\nThree."))
    assert r.title_translated == "The title"
    assert [t for _, t in r.translation_pairs] == ["One.", "Two.", "Three."] and r.checks == []
    # a failed title is never shown, and says so; the paragraphs' failed lines keep their places
    r = _result()
    r.article.title = "标题"
    _full_translation(r, Generation("\nOne.\n\nThree.", failed=True, failed_lines=[0, 2]))
    assert r.title_translated is None and [t for _, t in r.translation_pairs] == ["One.", "", "Three."]
    assert [(c.field, c.type) for c in r.checks] == [("title_translated", "failed"), ("translation", "failed")]
