import re

from conftest import seed

from summarizer.engines.extractive import extractive_engine, lead_engine
from summarizer.engines.key_sentences import key_sentences, units_and_lead
from summarizer.engines.textrank import LeadSummarizer, TextRankSummarizer
from summarizer.text.sentences import split_sentences

ARTICLE = seed("000").split("去年全国海关实施知识产权保护措施5.32万次")[1].split("2024年新疆授权专利超2万件")[0].split("\n\n", 1)[1]


def test_lead_takes_the_first_sentences():
    first = split_sentences(ARTICLE, "zh")[:2]
    assert LeadSummarizer().summarize(ARTICLE, "zh", 2) == "".join(first)


def test_textrank_returns_sentences_of_the_article_in_order():
    summary = TextRankSummarizer().summarize(ARTICLE, "zh", 3)
    sentences = split_sentences(summary, "zh")
    assert len(sentences) == 3
    positions = [ARTICLE.index(s) for s in sentences]
    assert positions == sorted(positions)


def test_mmr_avoids_duplicate_sentences():
    text = "海关扣留侵权货物416万批。海关扣留侵权货物416万批。新疆授权专利20495件，同比增长12.63%。音乐产业规模攀升至4695.62亿元。"
    summary = TextRankSummarizer().summarize(text, "zh", 2)
    assert summary.count("416万批") == 1


def test_character_budget():
    summary = TextRankSummarizer().summarize(ARTICLE, "zh", 10, max_chars=200)
    assert 0 < len(summary) <= 200 or len(split_sentences(summary, "zh")) == 1


def test_english_summary():
    text = seed("004")
    from summarizer.prepare.clean import clean_text

    body, _ = clean_text(text)
    summary = TextRankSummarizer().summarize(body, "en", 2)
    assert len(split_sentences(summary, "en")) == 2


def test_engines_follow_the_protocol():
    from summarizer.engines.base import Engine

    for engine in (extractive_engine(), lead_engine()):
        assert isinstance(engine, Engine) and not engine.can_translate
        assert engine.summarize([ARTICLE], "zh", 1)[0].text


# ---------------------------------------------------------------- key sentences (what the LLM reads)

def _units_in_order(extract: str, text: str, lang: str) -> bool:
    """The extract is whole units (sentences) of the text, in the text's order, joined as the language joins."""
    units, rest, joiner = units_and_lead(text, lang)[0], extract, "" if lang == "zh" else " "
    for unit in units:
        if rest.startswith(unit):
            rest = rest[len(unit):].removeprefix(joiner)
    return rest == ""


def test_key_sentences_respect_the_budget_in_article_order():
    extract = key_sentences(ARTICLE, "zh", 200, len)
    assert 0 < len(extract) <= 200 < len(ARTICLE)
    assert _units_in_order(extract, ARTICLE, "zh")


def test_key_sentences_keep_the_lead_sentence():
    lead = TextRankSummarizer().candidates(ARTICLE, "zh")[0]
    for weight in (0.0, 0.5):  # even without the position prior
        assert key_sentences(ARTICLE, "zh", 200, len, TextRankSummarizer(position_weight=weight)).startswith(lead)


def test_key_sentences_are_whole_even_when_one_is_over_the_budget():
    lead = TextRankSummarizer().candidates(ARTICLE, "zh")[0]
    assert key_sentences("本报记者 张三\n" + ARTICLE, "zh", 5, len) == lead  # the lead, not the byline, never cut


def test_a_run_on_sentence_is_read_in_clauses_with_its_numbers_whole():
    run_on = "，".join(f"第{i}批货物共计{1000 + i * 37}.5万件" for i in range(40)) + "。"
    article = "本报讯\n" + run_on + "海关表示将继续加强保护。"
    extract = key_sentences(article, "zh", 400, len)
    assert "第0批货物共计1000.5万件，" in extract  # the lead sentence's first clauses
    assert 0 < len(extract) <= 400 and _units_in_order(extract, article, "zh")
    assert all(f"{n}" in run_on for n in re.findall(r"\d+(?:\.\d+)?万", extract))


def test_an_article_that_fits_or_a_zero_budget_is_read_whole():
    assert key_sentences(ARTICLE, "zh", len(ARTICLE), len) == ARTICLE
    assert key_sentences(ARTICLE, "zh", 0, len) == ARTICLE


def test_key_sentences_in_english_count_tokens_not_characters():
    from summarizer.prepare.clean import clean_text

    body, _ = clean_text(seed("004"))

    def words(text: str) -> int:  # a token counter for the test
        return len(text.split())

    extract = key_sentences(body, "en", 60, words)
    assert 0 < words(extract) <= 60 and _units_in_order(extract, body, "en")


def test_pick_fills_a_budget_with_shorter_sentences_after_a_long_one_is_skipped():
    sentences = ["海关扣留侵权货物416万批，涉及多个口岸。", "新疆授权专利20495件，同比增长12.63%，创下历史新高，各地齐头并进。", "音乐产业规模4695亿元。"]
    picked = TextRankSummarizer(position_weight=1.0).pick(sentences, "zh", len, len(sentences[0]) + len(sentences[2]))
    assert sorted(picked) == [0, 2]
