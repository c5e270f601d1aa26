"""Splitting real pages into articles, with titles and metadata."""
from conftest import seed

from summarizer.prepare.clean import clean_document
from summarizer.prepare.detect import detect_article
from summarizer.document import Document
from summarizer.prepare.split import split_document


def articles(prefix: str):
    doc = clean_document(Document(id=prefix, source_file=prefix, raw_text=seed(prefix)))
    return [detect_article(a) for a in split_document(doc)]


def test_seed_000_holds_six_items():
    arts = articles("000")
    titles = [a.title for a in arts]
    assert titles == [
        "国家知识产权局助推人工智能技术应用与发展",
        "十年蝶变：知识产权赋能音乐产业的全球进阶",
        None,  # the photo caption item
        "京津冀将共建版权侵权监测平台",
        "去年全国海关实施知识产权保护措施5.32万次",
        "2024年新疆授权专利超2万件",
    ]
    main, column, photo, *reports = arts
    assert main.meta["kicker"] == "聚焦4·26世界知识产权日" and main.meta["bylines"] == ["本报记者 张维"]
    assert column.meta["column"] == "慧眼观察"
    assert photo.meta["kind"] == "photo" and "3079个" in photo.text and "摄" not in photo.text
    assert all(a.meta.get("dateline") == "本报讯" for a in reports)
    assert not any(a.text.startswith("本报讯") for a in reports)
    assert "□" not in "".join(a.text for a in arts)


def test_seed_001_briefs_are_separate_articles():
    arts = articles("001")
    assert len(arts) == 16
    assert arts[0].title == "外交部副部长马朝旭会见世界知识产权组织总干事邓鸿森"
    assert arts[0].meta["source"] == "经济参考报" and arts[0].meta["section"] == "关注·动向"
    assert arts[-1].title == "Anthropic取得AI版权官司初步胜利" and arts[-1].meta["section"] == "海外传真"
    assert not any("(来源:" in a.text or "【" in a.text for a in arts)
    assert all(a.meta.get("date") == "2025-03-31" for a in arts)


def test_seed_002_is_one_article_without_teasers():
    arts = articles("002")
    assert len(arts) == 1
    art = arts[0]
    assert art.title == "DeepSeek来了!人工智能知识产权法律保护须强化"
    assert art.meta["compiler"] == "高楠" and art.meta["date"] == "2025-02-28"
    assert "编译者" not in art.text and "原文来源" not in art.text
    assert art.text.startswith("2025年1月28日")


def test_seed_003_title_source_and_captions():
    (art,) = articles("003")
    assert art.title == "国家工信安全中心、工信部电子知识产权中心发布《新一代人工智能专利技术分析报告》"
    assert art.meta["date"] == "2024-04-12 13:36"
    assert len(art.meta["captions"]) == 3 and "图1" not in art.text


def test_seed_004_english_article():
    (art,) = articles("004")
    assert art.title == "IP protection enhanced to promote tech innovation"
    assert art.meta["bylines"][0].startswith("By CAO YIN")
    assert art.source_lang == "en" and art.script == "Latn"
    assert "Stronger support" in art.text  # a subhead stays inside its article
