from summarizer.prepare.detect import detect_language, detect_script
from summarizer.text.sentences import pack_segments, split_long, split_sentences


def test_chinese_sentences_keep_quotes_titles_and_decimals():
    text = "全年共实施知识产权保护措施5.32万次。他说：“这是第一步。我们还会继续。”《关于开展2025年全国知识产权宣传周活动的通知》发布！真的吗？"
    assert split_sentences(text, "zh") == [
        "全年共实施知识产权保护措施5.32万次。",
        "他说：“这是第一步。我们还会继续。”",
        "《关于开展2025年全国知识产权宣传周活动的通知》发布！",
        "真的吗？",
    ]


def test_chinese_title_with_exclamation_is_not_split():
    assert split_sentences("《DeepSeek来了!人工智能知识产权法律保护须强化》一文发表。", "zh") == [
        "《DeepSeek来了!人工智能知识产权法律保护须强化》一文发表。"
    ]


def test_english_abbreviations_and_decimals():
    text = 'Dr. Shen said the U.S. figure rose 13.5 percent. "It is urgent," he said. Sales hit $1.04 million.'
    assert split_sentences(text, "en") == [
        "Dr. Shen said the U.S. figure rose 13.5 percent.",
        '"It is urgent," he said.',
        "Sales hit $1.04 million.",
    ]


def test_paragraph_boundaries_are_sentence_boundaries():
    assert split_sentences("标题没有句号\n\n正文第一句。第二句。", "zh") == ["标题没有句号", "正文第一句。", "第二句。"]


def test_split_long_cuts_at_clause_marks():
    sentence = "知识产权保护，" * 100
    pieces = split_long(sentence, 50)
    assert "".join(pieces) == sentence and all(len(p) <= 50 for p in pieces)
    assert pack_segments(["一二三。", "四五六。", "七八九。"], budget=8) == ["一二三。四五六。", "七八九。"]


def test_language_and_script():
    assert detect_language("国家知识产权局发布通知，DeepSeek商标被驳回。") == "zh"
    assert detect_language("China granted more than 1.04 million invention patents.") == "en"
    assert detect_language("DeepSeek released R1 in January. 国家知识产权局随后驳回了抢注申请。The move was welcomed.") == "mixed"
    assert detect_script("海關總署近日發佈的保護狀況顯示") == "Hant"
    assert detect_script("海关总署近日发布的保护状况显示") == "Hans"
    assert detect_script("Plain English") == "Latn"


def test_split_long_terminates_when_the_sentence_ends_with_a_mark():
    pieces = split_long("x" * 50 + ", ", 20)
    assert "".join(pieces) == "x" * 50 + ", " and all(len(p) <= 20 for p in pieces)


def test_list_numbering_is_not_a_sentence_end():
    assert split_sentences("要点如下：1.为人们服务。2.推动发展。", "zh") == ["要点如下：1.为人们服务。", "2.推动发展。"]
