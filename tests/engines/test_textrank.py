from conftest import seed

from summarizer.engines.extractive import extractive_engine, lead_engine
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
