"""Chinese left in English output: flagged as errors, repaired by rule after the model, recorded."""
import pytest

from summarizer.checks import check_translation
from summarizer.checks.leftovers import fix_leftovers
from summarizer.document import Article, Result
from summarizer.checks import check_results, repair_results
from summarizer.terms import load_terms
from summarizer.terms.glossary import Glossary, Term

TERMS = load_terms()


def checked_and_repaired(summary: str, translated: str, source_lang: str, target_lang: str) -> Result:
    """A result whose summary and translated summary went through the check step and the rule repairs."""
    article = Article(id="a", source_file="a", title=None, text=summary, source_lang=source_lang)
    result = Result(article=article, summary=summary, target_lang=target_lang, summary_translated=translated)
    check_results([result], TERMS)
    repair_results([result], TERMS, repairer=None)
    return result


@pytest.mark.parametrize("bad, good", [
    ("京津冀 Copyright Infringement Monitoring Platform", "Beijing-Tianjin-Hebei Copyright Infringement Monitoring Platform"),
    ("network视听 users", "network audiovisual users"),
    ("快手 Technology", "Kuaishou Technology"),
    ("revenue占比 rose", "revenue share rose"),
    ("the 11号线 opened", "Line 11 opened"),
    ("the 中关村 Forum", "the Zhongguancun Forum"),
    ("港澳台 business", "Hong Kong, Macao and Taiwan business"),
    # common words are glossed (by their known parts, or a modifier character), not spelled in pinyin; names are
    ("usage time of 短视频 applications", "usage time of short video applications"),
    ("Beijing Intellectual Property 交易中心", "Beijing Intellectual Property deal center"),
    ("infringement 违法行为 evidence collection", "infringement illegal action evidence collection"),
    ("scholars such as 何小龙 attended", "scholars such as He Xiaolong attended"),
])
def test_leftovers_from_the_bundled_pages_are_rendered(bad, good):
    assert fix_leftovers("", bad, TERMS.glossary)[0] == good


def test_the_editors_glossary_wins_over_lexicon_and_pinyin():
    mine = Glossary((Term("中关村", "Zhongguancun Science Park"),)) + TERMS.glossary
    assert fix_leftovers("", "the 中关村 Forum", mine)[0] == "the Zhongguancun Science Park Forum"


def test_leftover_is_an_error_and_the_rule_repair_is_recorded():
    source = "京津冀将共建版权侵权监测平台。"
    bad = "京津冀 will jointly build a copyright infringement monitoring platform."
    assert any(c.type == "untranslated" and c.severity == "error" for c in check_translation(source, bad, "zh", "en", TERMS))
    result = checked_and_repaired(source, bad, "zh", "en")
    assert result.summary_translated == "Beijing-Tianjin-Hebei will jointly build a copyright infringement monitoring platform."
    (check,) = [c for c in result.checks if c.type == "untranslated"]
    assert check.repair["accepted"] and check.repair["method"].startswith("rule: '京津冀'")
    assert any(n.startswith("repaired summary_translated leftovers") for n in result.notes)


def test_a_chinese_name_rendered_wrongly_is_an_error():
    found = check_translation("汕尾市公安局破获一起案件。", "Shenzhen police solved a case.", "zh", "en", TERMS)
    assert any(c.type == "entity" and c.severity == "error" and "Shanwei" in c.message for c in found)
    assert not [c for c in check_translation("汕尾市公安局破获一起案件。", "Shanwei police solved a case.", "zh", "en", TERMS)
                if c.type == "entity"]


def test_a_name_swapped_for_another_real_place_is_put_back():
    from summarizer.checks.swaps import fix_swapped_names

    fixed, rewrites = fix_swapped_names("广东省流行音乐协会在汕尾举办颁奖典礼。",
                                        "The Guangdong Music Association held an awards ceremony in Shantou.", TERMS.glossary)
    assert fixed.endswith("in Shanwei.") and rewrites == ["'Shantou' -> 'Shanwei' (for '汕尾')"]
    same = "Shenzhen police solved a case."
    assert fix_swapped_names("深圳市公安局破获一起案件。", same, TERMS.glossary) == (same, [])


def test_english_left_in_chinese_output_is_rendered_from_the_lexicon():
    source = "The water is pouring over the levee."
    bad = "水正在从 levee上溢出。"
    result = checked_and_repaired(source, bad, "en", "zh")
    assert result.summary_translated == "水正在从海堤上溢出。"
    (check,) = [c for c in result.checks if c.type == "untranslated"]
    assert check.repair["accepted"] and "'levee' -> '海堤'" in check.repair["method"]
