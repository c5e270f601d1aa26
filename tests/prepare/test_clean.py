"""Cleaning on excerpts of the real seed pages."""
from conftest import seed

from summarizer.prepare.clean import clean_text, normalize_characters, spam_or_link_list


def reasons(removed):
    return {r.reason for r in removed}


def test_broken_wraps_of_seed_000_are_joined():
    text, removed = clean_text(seed("000"))
    for joined in ("打击商标恶意注册行为", "带来全方位积极影响", "《2024年全球创新指数报告》显示", "分别同比增长71.33%",
                   "实施《中华人民共和国海关行政处罚裁量基准(三)》", "发布3批4大类109项"):
        assert joined in text, joined
    assert "line-break-repaired" in reasons(removed)


def test_titles_and_bylines_are_not_joined_to_body():
    text, _ = clean_text(seed("000"))
    paragraphs = text.split("\n\n")
    assert "京津冀将共建版权侵权监测平台" in paragraphs
    assert "去年全国海关实施知识产权保护措施5.32万次" in paragraphs
    assert any(p.startswith("本报讯 记者刘欣") for p in paragraphs)


def test_pull_quote_box_is_removed_once():
    text, removed = clean_text(seed("000"))
    assert "核心阅读" not in text
    assert text.count("40年来，专利法等") == 1
    assert "pull-quote" in reasons(removed)


def test_page_chrome_of_seed_003_is_removed():
    text, removed = clean_text(seed("003"))
    for chrome in ("点击右上角", "朋友圈", "正在阅读", "首页>", "阅读剩余全文", "相关阅读", "您此时的心情", "开心", "视觉焦点",
                   "推荐阅读", "2025-12-19 09:51", "加载更多", "冰雪节"):
        assert chrome not in text, chrome
    assert {"share-widget", "navigation", "related-list"} <= reasons(removed)
    assert "新一代人工智能知识产权赋能产业发展论坛在京召开" in text


def test_teasers_after_related_reports_are_removed():
    text, removed = clean_text(seed("002"))
    assert "相关报告" not in text and "人工智能为知识产权保护注入新动能" not in text
    assert "互联网+" not in text
    assert any(r.reason == "related-list" and "注入新动能" in r.text for r in removed)


def test_spam_and_footer_of_seed_004_are_removed_but_content_kept():
    text, removed = clean_text(seed("004"))
    for chrome in ("无码", "AV", "Copyright 1995", "BACK TO THE TOP", "Next", "License for publishing", "FOLLOW US", "Share - WeChat"):
        assert chrome not in text, chrome
    assert "copyrights and trade secrets" in text  # a sentence about copyrights is content, not a footer
    assert "spam-links" in reasons(removed)
    assert "1.04 million invention patents" in text


def test_spam_detector_ignores_prose_with_pipes():
    assert spam_or_link_list("亚洲AV无码乱码| 人妻无码| 毛片一区二区| 中文字幕无码| 午夜视频| 成人免费视频") == "spam-links"
    assert spam_or_link_list("By CAO YIN | chinadaily.com.cn | Updated: 2025-04-23 00:05") is None


def test_character_normalization():
    removed = []
    text = normalize_characters("\x1b[31m国家\u200b知识\u202e产权\x00局\ufeff：ＡＢＣ１２３，第１季度", removed)
    assert text == "国家知识产权局：ABC123，第1季度"
    assert {"ansi-escape", "invisible-character", "control-character"} <= reasons(removed)


def test_injected_instructions_are_removed_and_listed():
    import json
    from pathlib import Path

    from summarizer.prepare.clean import clean_text

    cases = [json.loads(line) for line in (Path(__file__).parents[1] / "fixtures" / "injections.jsonl").read_text("utf-8").splitlines()]
    assert len(cases) >= 20
    for case in cases:
        text, removed = clean_text(case["text"])
        instructions = [r for r in removed if r.reason == "instruction"]
        assert instructions, case["id"]
        assert case["payload"] not in text, case["id"]
        assert all(r.line and r.text for r in instructions)
