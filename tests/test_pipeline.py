"""The pipeline with a fake translating engine: stages, checks on translations, and the repair loop."""
from summarizer.config import Settings
from summarizer.document import Document
from summarizer.engines.extractive import extractive_engine
from summarizer.pipeline import Pipeline
from summarizer.prepare import prepare_articles
from summarizer.terms import load_terms
from fakes import FakeTranslator, RepairingTranslator

PAGE = "去年全国海关实施知识产权保护措施5.32万次\n\n本报讯 记者刘欣 2024年，全国海关共实施知识产权保护措施5.32万次。海关保护成效显著。"
WRONG = "In 2024, customs nationwide took IP protection measures 5,320 times. Customs protection was effective."
MISSING = "In 2024, customs nationwide took IP protection measures many times. Customs protection was effective."
RIGHT = "In 2024, customs nationwide took IP protection measures 53,200 times. Customs protection was effective."


def run(settings: Settings, output=WRONG):
    translator = RepairingTranslator(output, fixed=RIGHT)
    pipeline = Pipeline(settings, extractive_engine(), translator, repairer=translator, terms=load_terms())
    results = pipeline.process([Document(id="p", source_file="p", raw_text=PAGE)])
    return results, translator


def test_flagged_number_is_repaired_by_the_model_and_recorded():
    (result,), translator = run(Settings(to="auto", translate="full", summary_sentences=1), output=MISSING)
    assert result.target_lang == "en" and result.article.title == "去年全国海关实施知识产权保护措施5.32万次"
    assert len(translator.repairs) == 1  # summary and full translation repaired in one batched call
    flagged = [c for c in result.checks if c.type == "number"]
    assert flagged and all(c.repair and c.repair["accepted"] and c.repair["original"] == MISSING for c in flagged)
    assert result.summary_translated == RIGHT and result.translation == RIGHT
    assert any(n.startswith("repaired") for n in result.notes)
    record = result.to_record()
    assert record["checks"][0]["repair"]["fixed"] == RIGHT and record["engine"] == "extractive+fake"


def test_without_repair_the_flag_stays_and_nothing_is_replaced():
    (result,), translator = run(Settings(to="auto", translate="summary", repair=False))
    assert not translator.repairs and result.summary_translated == WRONG
    assert any(c.type == "number" and c.severity == "error" and c.target_span == "5,320" for c in result.checks)


def test_to_none_skips_translation():
    (result,), _ = run(Settings(to="none"))
    assert result.target_lang is None and result.summary_translated is None and result.translation is None


def test_prepare_keeps_traditional_script():
    (article,) = prepare_articles(Document(id="t", source_file="t", raw_text="海關總署發佈報告。全年實施保護措施5.32萬次。"))
    assert article.script == "Hant"


def test_summaries_are_limited_to_the_requested_sentences():
    from summarizer.summaries import limit_sentences

    assert limit_sentences("第一句。第二句。第三句。第四句。", "zh", 2) == "第一句。第二句。"
    assert limit_sentences("One. Two. Three.", "en", 3) == "One. Two. Three."


def test_changed_numbers_are_rewritten_by_rule_without_a_model_repair():
    settings = Settings(to="auto", translate="summary", summary_sentences=1)

    pipeline = Pipeline(settings, extractive_engine(), FakeTranslator(WRONG), repairer=None, terms=load_terms())
    (result,) = pipeline.process([Document(id="p", source_file="p", raw_text=PAGE)])
    assert "53,200 times" in result.summary_translated
    (check,) = [c for c in result.checks if c.type == "number"]
    assert check.repair["accepted"] and check.repair["method"].startswith("rule") and check.repair["original"] == WRONG


def test_rule_fix_numbers():
    from summarizer.checks.repair import fix_numbers

    fixed, notes = fix_numbers("实际扣留侵权嫌疑货物416万批，8160.51万件。", "They detained 416 million batches and 816,051 pieces.", "zh", "en")
    assert fixed == "They detained 4.16 million batches and 81.61 million pieces." and len(notes) == 2


def test_a_failed_translation_is_never_shown_as_one():
    pipeline = Pipeline(Settings(to="auto", translate="summary", summary_sentences=1), extractive_engine(),
                        FakeTranslator("仍然是中文。", failed=True), terms=load_terms())
    (result,) = pipeline.process([Document(id="p", source_file="p", raw_text=PAGE)])
    assert result.summary_translated is None
    (failed,) = [c for c in result.checks if c.type == "failed"]
    assert failed.severity == "error" and failed.field == "summary_translated" and "not in English" in failed.message
    assert result.to_record()["summary_translated"] is None


def test_the_editors_glossary_overrides_lexicon_and_pinyin_in_prompts(tmp_path):
    """Where the lexicon or pinyin is wrong (石围塘 → Shiweitang), the editor's glossary wins, in the prompt and the check."""
    from summarizer.engines.prompted import PromptedEngine
    from fakes import ScriptedGenerator

    glossary = tmp_path / "mine.tsv"
    glossary.write_text("石围塘\tShiwaitong\n", encoding="utf-8")
    page = "荔湾区启动版权列车\n\n本报讯 3月24日，广州市荔湾区在地铁11号线石围塘站举行启动仪式。活动吸引了很多市民。"
    generator = ScriptedGenerator(lambda msg, n: "On March 24, Liwan District of Guangzhou held a ceremony at Shiwaitong station on Line 11.")
    engine = PromptedEngine(generator, "llm")
    settings = Settings(to="auto", translate="summary", summary_sentences=1, glossary=str(glossary))
    pipeline = Pipeline(settings, extractive_engine(), engine, repairer=engine, terms=load_terms(str(glossary)))
    (result,) = pipeline.process([Document(id="p", source_file="p", raw_text=page)])
    prompt = generator.calls[0][0][0][-1]["content"]
    assert "石围塘 = Shiwaitong" in prompt and "Shiweitang" not in prompt
    assert not [c for c in result.checks if c.type == "entity"]
