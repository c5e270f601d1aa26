"""Currencies: 元/万元/亿元 are yuan (never "$"), 美元 US dollars, 港元 HK dollars, 欧元 euros, 英镑 pounds, 日元 yen.

A changed currency is an error-level `number` check, and the rule repair puts the source's currency back in the
same pass that fixes 万/亿 scale errors.
"""
from __future__ import annotations

import pytest

from summarizer.checks import fix_numbers, number_checks

YUAN_TO_USD = "currency changed: yuan → US dollars"

# (source, translation, source_lang, target_lang, expected currency message or None when the currency is right)
CURRENCY_CASES = [
    ("该公司去年营收1269亿元。", "Its revenue last year was $126.9 billion.", "zh", "en", YUAN_TO_USD),
    ("政府投入200亿元。", "The government invested $200 billion.", "zh", "en", YUAN_TO_USD),
    ("政府投入200亿元。", "The government invested $20 billion.", "zh", "en", YUAN_TO_USD),
    ("设立500万元基金。", "They set up a $5 million fund.", "zh", "en", YUAN_TO_USD),
    ("投入1490万元支持专利项目。", "14.9 million yuan was invested in patent projects.", "zh", "en", None),
    ("投入1490万元支持专利项目。", "RMB 14.9 million was invested in patent projects.", "zh", "en", None),
    ("投入1490万元支持专利项目。", "14.9 million US dollars was invested in patent projects.", "zh", "en", YUAN_TO_USD),
    ("该公司计划投资30亿美元。", "The company plans to invest $3 billion.", "zh", "en", None),
    ("该公司计划投资30亿美元。", "The company plans to invest 3 billion US dollars.", "zh", "en", None),
    ("该公司计划投资30亿美元。", "The company plans to invest 3 billion yuan.", "zh", "en", "currency changed: US dollars → yuan"),
    ("票价为100港元。", "Tickets cost HK$100.", "zh", "en", None),
    ("票价为100港元。", "Tickets cost 100 Hong Kong dollars.", "zh", "en", None),
    ("票价为100港元。", "Tickets cost US$100.", "zh", "en", "currency changed: HK dollars → US dollars"),
    ("罚款50万欧元。", "a fine of 500,000 euros", "zh", "en", None),
    ("罚款50万欧元。", "a fine of $500,000", "zh", "en", "currency changed: euros → US dollars"),
    ("罚款50万英镑。", "a fine of £500,000", "zh", "en", None),
    ("罚款50万英镑。", "a fine of 500,000 yuan", "zh", "en", "currency changed: pounds → yuan"),
    ("售价1000日元。", "it sells for 1,000 yen", "zh", "en", None),
    ("售价1000日元。", "it sells for 1,000 yuan", "zh", "en", "currency changed: yen → yuan"),
    ("加拿大新版 5 元纸币", "the new Canadian $5 bill", "zh", "en", None),  # a local currency named 元
    ("The firm raised $5 million.", "该公司筹集了500万美元。", "en", "zh", None),
    ("The firm raised $5 million.", "该公司筹集了500万元。", "en", "zh", "currency changed: US dollars → yuan"),
    ("The firm raised 5 million US dollars.", "该公司筹集了500万元。", "en", "zh", "currency changed: US dollars → yuan"),
    ("The fund holds 2 billion yuan.", "该基金持有20亿元。", "en", "zh", None),
    ("The fund holds 2 billion yuan.", "该基金持有20亿美元。", "en", "zh", "currency changed: yuan → US dollars"),
]


@pytest.mark.parametrize("source,target,sl,tl,message", CURRENCY_CASES)
def test_currency_changes_are_errors(source, target, sl, tl, message):
    currency = [c for c in number_checks(source, target, sl, tl) if c.message.startswith("currency changed")]
    if message is None:
        assert currency == []
    else:
        assert currency and currency[0].severity == "error" and currency[0].type == "number"
        assert currency[0].message.startswith(message), currency[0].message
        assert currency[0].source_span and currency[0].target_span


# (source, wrong translation, source_lang, target_lang, fixed translation)
FIX_CASES = [
    # currency alone
    ("该公司去年营收1269亿元。", "Its revenue last year was $126.9 billion.", "zh", "en",
     "Its revenue last year was 126.9 billion yuan."),
    ("政府投入200亿元。", "The government invested $20 billion.", "zh", "en", "The government invested 20 billion yuan."),
    ("该公司计划投资30亿美元。", "The company plans to invest 3 billion yuan.", "zh", "en", "The company plans to invest $3 billion."),
    ("票价为100港元。", "Tickets cost US$100.", "zh", "en", "Tickets cost HK$100."),
    ("罚款50万欧元。", "a fine of $500,000", "zh", "en", "a fine of €500,000"),
    ("罚款50万英镑。", "a fine of 500,000 yuan", "zh", "en", "a fine of £500,000"),
    ("售价1000日元。", "it sells for 1,000 yuan", "zh", "en", "it sells for 1,000 yen"),
    ("投入1490万元支持专利项目。", "14.9 million US dollars was invested.", "zh", "en", "14.9 million yuan was invested."),
    # currency and scale together
    ("政府投入200亿元。", "The government invested $200 billion.", "zh", "en", "The government invested 20 billion yuan."),
    ("设立8000万元基金。", "They set up a $800 million fund.", "zh", "en", "They set up an 80 million yuan fund."),
    # the sentence keeps its grammar
    ("设立500万元基金。", "They set up a $5 million fund.", "zh", "en", "They set up a 5 million yuan fund."),
    ("设立500万元基金。", "A $5 million fund was set up.", "zh", "en", "A 5 million yuan fund was set up."),
    ("设立8000万元基金。", "They set up a $80 million fund.", "zh", "en", "They set up an 80 million yuan fund."),
    ("涉案金额152万余元。", "More than $1.52 million was involved.", "zh", "en", "More than 1.52 million yuan was involved."),
    # scale alone: 万/亿 read as the wrong power of ten
    ("涉案金额152万余元。", "The amount involved was 152,000 yuan.", "zh", "en", "The amount involved was 1.52 million yuan."),
    ("实际扣留侵权嫌疑货物416万批。", "416,000 batches were detained.", "zh", "en", "4.16 million batches were detained."),
    ("用户规模达2.49亿人。", "It had 24.9 million users.", "zh", "en", "It had 249 million users."),
    # English source, Chinese translation
    ("The firm raised $5 million.", "该公司筹集了500万元。", "en", "zh", "该公司筹集了500万美元。"),
    ("The fund holds 2 billion yuan.", "该基金持有20亿美元。", "en", "zh", "该基金持有20亿元。"),
    ("China granted more than 1.04 million invention patents.", "中国授权发明专利超过10.4万件。", "en", "zh",
     "中国授权发明专利超过104万件。"),
]


@pytest.mark.parametrize("source,target,sl,tl,fixed", FIX_CASES)
def test_rule_fix_restores_currency_and_scale(source, target, sl, tl, fixed):
    assert any(c.severity == "error" for c in number_checks(source, target, sl, tl))
    result, notes = fix_numbers(source, target, sl, tl)
    assert result == fixed and notes
    assert [c for c in number_checks(source, result, sl, tl) if c.severity == "error"] == []


@pytest.mark.parametrize("source,target,sl,tl,message", [c for c in CURRENCY_CASES if c[4] is None])
def test_rule_fix_leaves_right_currencies_alone(source, target, sl, tl, message):
    assert fix_numbers(source, target, sl, tl) == (target, [])
