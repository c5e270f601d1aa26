"""check_results + repair_results: rule fixes verified by re-checking, one batched model repair, everything recorded."""
from __future__ import annotations

from summarizer.checks import check_results, repair_results
from summarizer.document import Article, Result
from summarizer.generation import Generation
from summarizer.terms import load_terms

SOURCE = "2024年，全国海关共实施知识产权保护措施5.32万次。"
RIGHT = "In 2024, customs nationwide took IP protection measures 53,200 times."
SCALE_WRONG = "In 2024, customs nationwide took IP protection measures 5,320 times."
MISSING = "In 2024, customs nationwide took IP protection measures many times."
MONEY_SOURCE = "该公司去年在研发上投入1269亿元。"
MONEY_WRONG = "Last year the company spent $126.9 billion on research and development."
MONEY_RIGHT = "Last year the company spent 126.9 billion yuan on research and development."


class FakeRepairer:
    """Answers every request with `answer` (a function of the request); records each batch."""

    def __init__(self, answer, truncated: bool = False, failed: bool = False):
        self.answer, self.truncated, self.failed = answer, truncated, failed
        self.batches: list[tuple[list, str, str, object]] = []

    def repair(self, requests, source_lang, target_lang, terms=None):
        self.batches.append((list(requests), source_lang, target_lang, terms))
        return [Generation(self.answer(r), self.truncated, failed=self.failed) for r in requests]


def result(source: str, translation: str, summary_translation: str | None = None) -> Result:
    article = Article(id="a", source_file="a", title=None, text=source, paragraphs=[source], source_lang="zh")
    return Result(article=article, summary=source, target_lang="en", summary_translated=summary_translation,
                  translation_pairs=[(source, translation)], translation=translation)


def checked(*results: Result) -> list[Result]:
    check_results(list(results), load_terms())
    return list(results)


def number_checks_of(r: Result, field: str = "translation"):
    return [c for c in r.checks if c.type == "number" and c.field == field]


def test_checks_are_tagged_with_their_field():
    (r,) = checked(result(SOURCE, SCALE_WRONG, SCALE_WRONG))
    assert {c.field for c in r.checks if c.type == "number"} == {"translation", "summary_translated"}
    assert all(c.severity == "error" and c.target_span == "5,320" for c in number_checks_of(r))


def test_rule_fix_is_applied_verified_and_recorded_without_a_model():
    (r,) = checked(result(MONEY_SOURCE, MONEY_WRONG))
    repair_results([r], load_terms(), None)
    assert r.translation == MONEY_RIGHT and r.translation_pairs == [(MONEY_SOURCE, MONEY_RIGHT)]
    (check,) = number_checks_of(r)
    assert check.message.startswith("currency changed: yuan → US dollars")
    assert check.repair["accepted"] and check.repair["method"].startswith("rule: '$126.9 billion' -> '126.9 billion yuan'")
    assert check.repair["original"] == MONEY_WRONG and check.repair["fixed"] == MONEY_RIGHT
    assert check.repair["reason"] == check.message
    assert any(n.startswith("repaired translation numbers") for n in r.notes)


def test_rule_fix_comes_first_and_the_model_is_not_asked_when_it_clears_the_errors():
    repairer = FakeRepairer(lambda request: RIGHT)
    (r,) = checked(result(SOURCE, SCALE_WRONG, SCALE_WRONG))
    repair_results([r], load_terms(), repairer)
    assert repairer.batches == []
    assert r.translation == RIGHT and r.summary_translated == RIGHT
    assert all(c.repair["method"].startswith("rule") for c in number_checks_of(r) + number_checks_of(r, "summary_translated"))


def test_model_repair_is_one_batch_and_kept_only_when_it_lowers_the_errors():
    repairer = FakeRepairer(lambda request: RIGHT)
    a, b = checked(result(SOURCE, MISSING, MISSING), result(SOURCE, MISSING))
    repair_results([a, b], load_terms(), repairer)
    ((requests, source_lang, target_lang, terms),) = repairer.batches
    assert len(requests) == 3 and (source_lang, target_lang) == ("zh", "en") and terms is not None
    assert all(req.translation == MISSING and any("5.32万次" in p for p in req.problems) for req in requests)
    assert a.translation == a.summary_translated == b.translation == RIGHT
    for check in number_checks_of(a) + number_checks_of(b):
        assert check.repair == {"original": MISSING, "fixed": RIGHT, "reason": check.message, "accepted": True,
                                "method": "model"}
    assert any(n.startswith("repaired translation:") for n in b.notes)


def test_model_fix_that_does_not_help_is_recorded_but_not_used():
    worse = "Customs did things."
    (r,) = checked(result(SOURCE, MISSING))
    repair_results([r], load_terms(), FakeRepairer(lambda request: worse))
    assert r.translation == MISSING and not any(n.startswith("repaired") for n in r.notes)
    (check,) = number_checks_of(r)
    assert check.repair["accepted"] is False and check.repair["fixed"] == worse


def test_truncated_or_failed_model_output_is_never_used():
    for repairer in (FakeRepairer(lambda request: RIGHT, truncated=True), FakeRepairer(lambda request: RIGHT, failed=True)):
        (r,) = checked(result(SOURCE, MISSING))
        repair_results([r], load_terms(), repairer)
        assert r.translation == MISSING and number_checks_of(r)[0].repair["accepted"] is False


def test_summary_checks_and_warnings_are_not_repaired():
    repairer = FakeRepairer(lambda request: RIGHT)
    r = result(SOURCE, RIGHT)
    r.summary = "2024年海关实施保护措施6.32万次。"  # unsupported by the article: a summary problem, not a translation one
    checked(r)
    assert any(c.type == "unsupported" for c in r.checks)
    repair_results([r], load_terms(), repairer)
    assert repairer.batches == [] and all(c.repair is None for c in r.checks)


def test_a_figure_the_rule_did_not_rewrite_is_not_recorded_as_repaired():
    """Pop Mart on the bundled page: three 亿元 figures are rescaled; 50.7亿元 (read without a currency after 港澳台)
    is not, so its check must stay unrepaired and visible, not be marked fixed with the others."""
    from summarizer.document import Article, Result
    from summarizer.checks import check_results, repair_results
    from summarizer.terms import load_terms

    source = ("泡泡玛特2024年营收130.4亿元，同比增长106.9%，经调整净利润34.0亿元，同比增长185.9%。"
              "中国内地营收79.7亿元，同比增长52.3%;海外及港澳台业务营收50.7亿元，同比增长375.2%。")
    english = ("Pop Mart reported a 130.4 billion yuan in revenue for the year 2024, an increase of 106.9%, and adjusted "
               "net profit of 34.0 billion yuan, an increase of 185.9%. China's revenue was 79.7 billion yuan, an increase "
               "of 52.3%; overseas and Hong Kong, Macao, and Taiwan business revenue was 50.7 billion yuan, an increase "
               "of 375.2%.")
    terms = load_terms()
    result = Result(article=Article(id="a", source_file="a", title=None, text=source, source_lang="zh"),
                    summary=source, target_lang="en", summary_translated=english)
    check_results([result], terms)
    repair_results([result], terms, repairer=None)
    assert "13.04 billion yuan" in result.summary_translated and "7.97 billion yuan" in result.summary_translated
    by_figure = {c.source_span: c for c in result.checks if c.type == "number" and c.severity == "error"}
    assert by_figure["130.4亿元"].repair["accepted"]
    assert by_figure["50.7亿元"].repair is None
