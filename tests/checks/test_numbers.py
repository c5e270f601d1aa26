"""Quantity extraction and comparison on real news phrasing (seed pages 000, 003, 004 and typical wire copy)."""
from __future__ import annotations

import pytest

from summarizer.checks.numbers import (
    compare_numbers,
    extract_quantities,
    number_checks,
    parse_en_number_words,
    parse_zh_numeral,
)

OK, BAD = True, False

# (source, translation, source_lang, target_lang, translation is faithful)
PAIRS = [
    # seed 000: customs
    ("全年共实施知识产权保护措施5.32万次", "Intellectual property protection measures were taken 53,200 times in the year", "zh", "en", OK),
    ("全年共实施知识产权保护措施5.32万次", "Intellectual property protection measures were taken 5,320 times in the year", "zh", "en", BAD),
    ("全年共实施知识产权保护措施5.32万次", "protection measures were taken 53.2 thousand times", "zh", "en", OK),
    ("实际扣留侵权嫌疑货物416万批", "4.16 million batches of suspected infringing goods were detained", "zh", "en", OK),
    ("实际扣留侵权嫌疑货物416万批", "416,000 batches of suspected infringing goods were detained", "zh", "en", BAD),
    ("实际扣留侵权嫌疑货物416万批，8160.51万件", "4.16 million batches, or 81.6 million items, were detained", "zh", "en", OK),
    ("实际扣留侵权嫌疑货物416万批，8160.51万件", "4.16 million batches, or 81.61 million items, were detained", "zh", "en", OK),
    ("实际扣留侵权嫌疑货物416万批，8160.51万件", "4.16 million batches, or 81,605,100 items, were detained", "zh", "en", OK),
    ("实际扣留侵权嫌疑货物416万批，8160.51万件", "4.16 million batches, or 8.16 million items, were detained", "zh", "en", BAD),
    ("共扣留涉嫌侵犯商标权货物4.13万批、7639.01万件", "41,300 batches and 76.39 million items suspected of infringing trademarks were detained", "zh", "en", OK),
    ("共扣留涉嫌侵犯商标权货物4.13万批、7639.01万件", "413,000 batches and 76.39 million items suspected of infringing trademarks", "zh", "en", BAD),
    ("分别占扣留侵权嫌疑货物批次、数量的99.5%和93.57%", "accounting for 99.5% and 93.57% of the batches and quantity", "zh", "en", OK),
    ("分别占扣留侵权嫌疑货物批次、数量的99.5%和93.57%", "accounting for 99.5 percent and 93.6 percent of the batches and quantity", "zh", "en", OK),
    ("分别占扣留侵权嫌疑货物批次、数量的99.5%和93.57%", "accounting for 99.5% and 95.37% of the batches and quantity", "zh", "en", BAD),
    ("共扣留涉嫌侵犯专利权、著作权货物24.9万件和499.59万件", "249,000 and 4.9959 million items suspected of infringing patents and copyrights", "zh", "en", OK),
    ("共扣留涉嫌侵犯专利权、著作权货物24.9万件和499.59万件", "249,000 and 4.996 million items suspected of infringing patents and copyrights", "zh", "en", OK),
    ("共扣留涉嫌侵犯专利权、著作权货物24.9万件和499.59万件", "24,900 and 4.996 million items suspected of infringing patents and copyrights", "zh", "en", BAD),
    ("分别同比增长71.33%和393.61%", "up 71.33 percent and 393.61 percent year on year", "zh", "en", OK),
    ("分别同比增长71.33%和393.61%", "up 71.33 percent and 39.361 percent year on year", "zh", "en", BAD),
    ("进口环节扣留侵权嫌疑货物345批，130.15万件", "345 batches and 1.3015 million items were detained at import", "zh", "en", OK),
    ("处理货运渠道查获侵权货物81批，1.33万件", "81 batches and 13,300 items of infringing goods were handled", "zh", "en", OK),
    ("征求修订意见、建议共343条", "a total of 343 comments and suggestions were solicited", "zh", "en", OK),
    # seed 000: AI industry
    ("中国生成式人工智能产品的用户规模达2.49亿人，占整体人口的17.7%", "generative AI products had 249 million users, 17.7% of the population", "zh", "en", OK),
    ("中国生成式人工智能产品的用户规模达2.49亿人，占整体人口的17.7%", "generative AI products had 24.9 million users, 17.7% of the population", "zh", "en", BAD),
    ("中国生成式人工智能产品的用户规模达2.49亿人，占整体人口的17.7%", "generative AI products had 249 million users, 71.7% of the population", "zh", "en", BAD),
    ("我国已累计培育400余家人工智能领域国家级专精特新“小巨人”企业", "China has fostered more than 400 national-level 'little giant' AI firms", "zh", "en", OK),
    ("我国已累计培育400余家人工智能领域国家级专精特新“小巨人”企业", "China has fostered nearly 400 national-level 'little giant' AI firms", "zh", "en", BAD),
    ("累计制定了40余项行业关键标准和10余项国际标准", "over 40 key industry standards and more than 10 international standards were drawn up", "zh", "en", OK),
    ("累计制定了40余项行业关键标准和10余项国际标准", "over 14 key industry standards and more than 10 international standards were drawn up", "zh", "en", BAD),
    ("2017年以来专利申请量增长了超过800%", "patent applications have grown by more than 800% since 2017", "zh", "en", OK),
    ("2017年以来专利申请量增长了超过800%", "patent applications have grown by more than 80% since 2017", "zh", "en", BAD),
    ("我国的创新指数总排名提升到了第11位", "China's overall innovation ranking rose to 11th", "zh", "en", OK),
    ("我国的创新指数总排名提升到了第11位", "China's overall innovation ranking rose to 12th", "zh", "en", BAD),
    ("拥有的全球百强科技集群数量达到了26个", "it is home to 26 of the world's top 100 science and technology clusters", "zh", "en", OK),
    ("共302款生成式人工智能服务完成备案，其中2024年新增238款备案", "302 generative AI services were registered, 238 of them in 2024", "zh", "en", OK),
    ("与此相关的63件商标注册申请全部被驳回", "all 63 related trademark registration applications were rejected", "zh", "en", OK),
    ("全国125家国家级知识产权保护中心", "125 national IP protection centers", "zh", "en", OK),
    # seed 000: music industry
    ("中国音乐产业规模从2014年的2851.5亿元攀升至2023年的4695.62亿元", "China's music industry grew from 285.15 billion yuan in 2014 to 469.562 billion yuan in 2023", "zh", "en", OK),
    ("中国音乐产业规模从2014年的2851.5亿元攀升至2023年的4695.62亿元", "China's music industry grew from 285.2 billion yuan in 2014 to 469.6 billion yuan in 2023", "zh", "en", OK),
    ("中国音乐产业规模从2014年的2851.5亿元攀升至2023年的4695.62亿元", "China's music industry grew from 2.85 billion yuan in 2014 to 4.7 billion yuan in 2023", "zh", "en", BAD),
    ("中国音乐产业规模从2014年的2851.5亿元攀升至2023年的4695.62亿元", "China's music industry grew from $285.15 billion in 2014 to $469.56 billion in 2023", "zh", "en", BAD),
    ("数字音乐用户规模约达9亿", "digital music has about 900 million users", "zh", "en", OK),
    ("数字音乐用户规模约达9亿", "digital music has about 90 million users", "zh", "en", BAD),
    ("盗版比例从99%骤降至4%", "the piracy rate plunged from 99% to 4%", "zh", "en", OK),
    ("盗版比例从99%骤降至4%", "the piracy rate plunged from 99% to 40%", "zh", "en", BAD),
    ("入驻音乐人总数已超58万，同比增长25.9%", "the platform has over 580,000 musicians, up 25.9% year on year", "zh", "en", OK),
    ("入驻音乐人总数已超58万，同比增长25.9%", "the platform has over 58,000 musicians, up 25.9% year on year", "zh", "en", BAD),
    ("国内在线音乐付费用户数达1.21亿，付费用户较2018年增长84.73%", "paying online music users reached 121 million, up 84.73% from 2018", "zh", "en", OK),
    ("国内在线音乐付费用户数达1.21亿，付费用户较2018年增长84.73%", "paying online music users reached 12.1 million, up 84.73% from 2018", "zh", "en", BAD),
    ("网易云音乐入驻音乐人数量也从2016年的2万增长至77.4万", "NetEase Cloud Music musicians grew from 20,000 in 2016 to 774,000", "zh", "en", OK),
    ("其中，00后创作者超17.6万，同比增长31.7%", "creators born after 2000 exceeded 176,000, up 31.7%", "zh", "en", OK),
    ("在线音乐服务收入达54.8亿元，同比增长20.4%", "online music revenue reached 5.48 billion yuan, up 20.4%", "zh", "en", OK),
    ("成功举办140多场云上Live Show", "held more than 140 cloud Live Shows", "zh", "en", OK),
    ("2024年在全球音乐市场排名方面，中国市场份额全球第五，2015年这一排名则为第十四", "In 2024 China ranked fifth in the global music market, up from 14th in 2015", "zh", "en", OK),
    ("2024年在全球音乐市场排名方面，中国市场份额全球第五，2015年这一排名则为第十四", "In 2024 China ranked fifth in the global music market, up from 40th in 2015", "zh", "en", BAD),
    ("涉嫌侵犯“MOLTEN”(摩腾)商标的足球3079个", "3,079 footballs suspected of infringing the MOLTEN trademark", "zh", "en", OK),
    ("涉嫌侵犯商标的足球三千零七十九个", "3,079 footballs suspected of infringing the trademark", "zh", "en", OK),
    ("涉嫌侵犯商标的足球三千零七十九个", "3,790 footballs suspected of infringing the trademark", "zh", "en", BAD),
    # seed 000: Xinjiang patents
    ("新疆维吾尔自治区14个地州市授权专利20495件，同比增长12.63%", "14 prefectures and cities in Xinjiang granted 20,495 patents, up 12.63%", "zh", "en", OK),
    ("新疆维吾尔自治区14个地州市授权专利20495件，同比增长12.63%", "14 prefectures and cities in Xinjiang granted 20,495 patents, up 12.36%", "zh", "en", BAD),
    ("投入1490万元支持44个专利实施项目", "14.9 million yuan was invested in 44 patent projects", "zh", "en", OK),
    ("投入1490万元支持44个专利实施项目", "149 million yuan was invested in 44 patent projects", "zh", "en", BAD),
    ("质押金额549万元", "the pledged amount was 5.49 million yuan", "zh", "en", OK),
    # seed 003: dates
    ("2024年4月10日，新一代人工智能知识产权赋能产业发展论坛在京召开", "On April 10, 2024, a forum on AI intellectual property was held in Beijing", "zh", "en", OK),
    ("2024年4月10日，新一代人工智能知识产权赋能产业发展论坛在京召开", "On 10 April 2024, a forum on AI intellectual property was held in Beijing", "zh", "en", OK),
    ("2024年4月10日，新一代人工智能知识产权赋能产业发展论坛在京召开", "On April 12, 2024, a forum on AI intellectual property was held in Beijing", "zh", "en", BAD),
    ("截至2024年12月31日", "as of December 31, 2024", "zh", "en", OK),
    ("2月24日，国家知识产权局发布了通告", "On February 24, the CNIPA issued a notice", "zh", "en", OK),
    ("2025年1月28日，深度探索DeepSeek发布", "DeepSeek was released on January 28, 2025", "zh", "en", OK),
    ("2025年1月28日，深度探索DeepSeek发布", "DeepSeek was released on January 18, 2025", "zh", "en", BAD),
    # seed 004 (English source)
    ("China granted more than 1.04 million invention patents", "中国授权发明专利超过104万件", "en", "zh", OK),
    ("China granted more than 1.04 million invention patents", "中国授权发明专利超过10.4万件", "en", "zh", BAD),
    ("a year-on-year increase of 13.5 percent", "同比增长13.5%", "en", "zh", OK),
    ("a year-on-year increase of 13.5 percent", "同比增长百分之十三点五", "en", "zh", OK),
    ("a year-on-year increase of 13.5 percent", "同比增长15.3%", "en", "zh", BAD),
    ("the registration of trademarks reached 4.78 million, up 9.1 percent", "商标注册量达478万件，增长9.1%", "en", "zh", OK),
    ("the registration of trademarks reached 4.78 million, up 9.1 percent", "商标注册量达47.8万件，增长9.1%", "en", "zh", BAD),
    ("China is home to 26 of the world's top 100 science and technology clusters", "中国拥有全球百强科技集群中的26个", "en", "zh", OK),
    ("China is home to 26 of the world's top 100 science and technology clusters", "中国拥有全球百强科技集群中的16个", "en", "zh", BAD),
    # generic news phrasing
    ("该公司计划投资30亿美元", "The company plans to invest $3 billion", "zh", "en", OK),
    ("该公司计划投资30亿美元", "The company plans to invest $300 million", "zh", "en", BAD),
    ("GDP同比增长5.2%，增速比上年加快2.2个百分点", "GDP grew 5.2%, 2.2 percentage points faster than the year before", "zh", "en", OK),
    ("三分之二的受访者表示支持", "Two-thirds of respondents said they were in favour", "zh", "en", OK),
    ("近十二名学生参加了比赛", "nearly a dozen students took part", "zh", "en", OK),
    ("事故造成十五人死亡", "Fifteen people were killed in the accident", "zh", "en", OK),
    ("事故造成十五人死亡", "Fifty people were killed in the accident", "zh", "en", BAD),
    ("会议于下午3点开始", "The meeting began at 3 p.m.", "zh", "en", OK),
    ("他在20世纪90年代移居美国", "He moved to the United States in the 1990s", "zh", "en", OK),
    ("这是该国第十四位总统", "He is the country's fourteenth president", "zh", "en", OK),
    ("约有1200人参加", "about 1,200 people attended", "zh", "en", OK),
    ("约有1200人参加", "more than 1,200 people attended", "zh", "en", OK),
    ("不到1200人参加", "more than 1,200 people attended", "zh", "en", BAD),
]


@pytest.mark.parametrize("source,target,sl,tl,faithful", PAIRS)
def test_number_pairs(source, target, sl, tl, faithful):
    alarms = [c for c in number_checks(source, target, sl, tl) if c.severity in ("error", "warning")]
    if faithful:
        assert alarms == [], [c.message for c in alarms]
    else:
        assert alarms, "a changed number was not flagged"
        assert all(c.source_span or c.target_span for c in alarms)


def test_enough_real_world_pairs():
    assert len(PAIRS) >= 60
    assert sum(1 for p in PAIRS if not p[4]) >= 25


@pytest.mark.parametrize(
    "text,lang,value,kind",
    [
        ("5.32万次", "zh", 53_200, "number"),
        ("8160.51万件", "zh", 81_605_100, "number"),
        ("2.49亿人", "zh", 249_000_000, "number"),
        ("三千零七十九", "zh", 3079, "number"),
        ("一百二十万", "zh", 1_200_000, "number"),
        ("1000多万", "zh", 10_000_000, "number"),
        ("2851.5亿元", "zh", 285_150_000_000, "money"),
        ("第十四位", "zh", 14, "ordinal"),
        ("3个百分点", "zh", 3, "percent_point"),
        ("百分之十三点五", "zh", 13.5, "percent"),
        ("1.04 million", "en", 1_040_000, "number"),
        ("$3 billion", "en", 3_000_000_000, "money"),
        ("13.5 percent", "en", 13.5, "percent"),
        ("twenty-one", "en", 21, "number"),
        ("14th", "en", 14, "ordinal"),
        ("2.2 percentage points", "en", 2.2, "percent_point"),
    ],
)
def test_extract_values(text, lang, value, kind):
    quantities = extract_quantities(text, lang)
    assert len(quantities) == 1, quantities
    assert quantities[0].value == pytest.approx(value)
    assert quantities[0].kind == kind


def test_approximation_markers():
    (q,) = extract_quantities("超58万", "zh")
    assert q.approx == "over" and q.value == 580_000 and q.span == "超58万"
    (q,) = extract_quantities("约达9亿", "zh")
    assert q.approx == "about" and q.value == 900_000_000
    (q,) = extract_quantities("400余家", "zh")
    assert q.approx == "over" and q.value == 400
    (q,) = extract_quantities("nearly 3,000", "en")
    assert q.approx == "under" and q.value == 3000


def test_dates_split_into_year_and_day():
    zh = extract_quantities("2024年4月10日", "zh")
    en = extract_quantities("April 10, 2024", "en")
    assert sorted((q.kind, q.value) for q in zh) == sorted((q.kind, q.value) for q in en) == [("date", 410), ("year", 2024)]
    assert compare_numbers("2024年4月10日", "April 10, 2024", "zh", "en") == []
    assert compare_numbers("April 10, 2024", "2024年4月10日", "en", "zh") == []


def test_required_equivalences():
    assert compare_numbers("第十四位", "14th", "zh", "en") == []
    assert compare_numbers("1.04 million", "104万", "en", "zh") == []
    assert compare_numbers("8160.51万件", "81.6 million items", "zh", "en") == []
    issues = compare_numbers("5.32万次", "5,320 times", "zh", "en")
    assert [i.kind for i in issues] == ["changed"]
    assert issues[0].source.span == "5.32万次" and issues[0].target.span == "5,320"


def test_missing_and_extra_are_named():
    issues = compare_numbers("增长了71.33%和393.61%", "grew by 71.33%", "zh", "en")
    assert [(i.kind, i.source.span) for i in issues] == [("missing", "393.61%")]
    issues = compare_numbers("grew by 71.33%", "增长了71.33%和12%", "en", "zh")
    assert [(i.kind, i.target.span) for i in issues] == [("extra", "12%")]


def test_small_number_words_are_not_reported_alone():
    # 一 in 一些 / 一起 and "one" in "no one" are idioms, not quantities to account for
    assert compare_numbers("他们一起工作了一些时间", "No one knows how long they worked together", "zh", "en") == []


def test_names_with_digits_are_not_quantities():
    assert extract_quantities("COVID-19 and the A380 use 5G", "en") == []


def test_parsers():
    assert parse_zh_numeral("三千零七十九") == (3079, 1)
    assert parse_zh_numeral("十四")[0] == 14
    assert parse_zh_numeral("二〇二四")[0] == 2024
    assert parse_zh_numeral("一万五千")[0] == 15000
    assert parse_en_number_words("two hundred and fifty thousand")[0] == 250_000
    assert parse_en_number_words("a dozen")[0] == 12


def test_currency_conflict_flagged_but_local_yuan_is_not():
    assert any(i.kind == "currency" for i in compare_numbers("投资30亿元", "invested $3 billion", "zh", "en"))
    assert compare_numbers("加拿大新版 5 元纸币", "the new Canadian $5 bill", "zh", "en") == []


# ---------------------------------------------------------------- precision fixes measured by `eval --task checks`

def test_composite_wan_and_yi_figures_are_one_number():
    assert [(q.value, q.span) for q in extract_quantities("销量达11万7015辆", "zh")] == [(117015, "11万7015辆")]
    assert [q.value for q in extract_quantities("共1亿2000万人", "zh")] == [120_000_000]
    assert number_checks("销量达11万7015辆", "sales reached 117,015 vehicles", "zh", "en") == []
    assert any(c.severity == "error" for c in number_checks("销量达11万7015辆", "sales reached 117,016 vehicles", "zh", "en"))


def test_roman_numerals_only_where_context_says_so():
    assert [q.value for q in extract_quantities("the Mazda CX-4 and the CX-5; Washington DC", "en")] == []
    assert [q.value for q in extract_quantities("Louis XIV, World War II, Part III, Super Bowl LIII", "en")] == [14, 2, 3, 53]
    assert not [c for c in number_checks("马自达CX-4", "the Mazda CX-4", "zh", "en") if c.severity == "error"]


def test_five_year_plan_names_are_not_figures():
    quantity, = extract_quantities("“十四五”时期", "zh")
    assert (quantity.kind, quantity.value, quantity.soft) == ("ordinal", 14, True)
    assert number_checks("“十四五”时期经济增长", "growth during the 14th Five-Year Plan period", "zh", "en") == []
    assert number_checks("十四五规划纲要", "the outline of the next five-year plan", "zh", "en") == []
    assert extract_quantities("十四五岁的孩子", "zh")[0].soft  # "14 or 15 years old": vague


def test_a_bare_day_matches_a_date_that_names_the_month():
    assert number_checks("30日下午举行", "held on the afternoon of September 30", "zh", "en") == []
    assert number_checks("30日下午举行", "held on the afternoon of the 30th", "zh", "en") == []
    assert [c.severity for c in number_checks("30日下午举行", "held on the afternoon of the 31st", "zh", "en")] == ["error"]


def test_a_score_is_two_numbers_not_a_clock_time():
    assert number_checks("以12：10拿下第三局", "won the third set 12-10", "zh", "en") == []


def test_a_figure_is_not_matched_by_a_number_word_when_it_changed():
    # 一 in 一些 and "four years" must not stand in for the figure that the translation changed
    found = number_checks("Like some experts, he notes people who have Type 1 diabetes.",
                          "和其他一些专家一样，他指出已患有 2 型糖尿病的人。", "en", "zh")
    assert [(c.severity, c.source_span, c.target_span) for c in found] == [("error", "1", "2")]
    found = number_checks("第四局，朱雨玲开局取得4：2领先。", "In the fourth set, Zhu was 5-2 ahead.", "zh", "en")
    assert [(c.severity, c.source_span, c.target_span) for c in found] == [("error", "4", "5")]
    found = number_checks("a crash killed three people and wounded three more.", "事件造成 4 人死亡，3 人受伤。", "en", "zh")
    assert [c.severity for c in found] == ["error"]
    assert number_checks("a crash killed three people and wounded three more.", "事件造成 3 人死亡，3 人受伤。", "en", "zh") == []


def test_codes_with_digits_changed_into_another_are_errors():
    found = number_checks("802.11n 标准可运行。", "The 803.11n standard operates.", "zh", "en")
    assert [(c.severity, c.source_span, c.target_span) for c in found] == [("error", "802.11n", "803.11n")]
    assert number_checks("802.11n 标准可运行。", "The 802.11n standard operates.", "zh", "en") == []
    assert [c.target_span for c in number_checks("以 4:41.30 的成绩", "in 4:41.40", "zh", "en")] == ["4:41.40"]


def test_year_ranges_and_holiday_names():
    assert number_checks("比2009-11年平均的60%为高", "higher than the 2009-2011 average of 60%", "zh", "en") == []
    assert number_checks("“十一”小长假已经开始", "The National Day holiday has begun", "zh", "en") == []
    # Chinese ranges (六七级, 二三级) are vague: no figure is "changed" into them
    found = number_checks("阵风六七级，夜间北风二三级", "gusts of force 6-7, north wind 2-3 at night", "zh", "en")
    assert not [c for c in found if c.severity == "error"]
