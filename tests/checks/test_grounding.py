"""Names and dates of a translation that the source does not give (`unsupported`), both directions, and the rule
repair of a date the model completed."""
from __future__ import annotations

import pytest

from summarizer.checks import check_translation
from summarizer.checks.dates import date_checks, fix_invented_dates
from summarizer.checks.grounding import grounding_checks, known_pieces
from summarizer.terms.readings import pinyin_name, reads_as_pinyin
from summarizer.checks.repair import RepairItem, rule_repair
from summarizer.terms import english, reverse

MCA_SOURCE = "马华总会长魏家祥26日表示，马华将继续与国阵合作，并在国会提出有关议案。"
MCA_OUTPUT = ("On December 26, 2018, Mr. Ma Hua, the chairman of the Central Committee of the Communist Party of "
              "China, said the Central Congress of the Communist Party of China in Ma Hua would raise the bill in the "
              "Parliament of the People's Republic of China.")


def messages(checks):
    return [c.message for c in checks if c.type == "unsupported" and c.severity == "error"]


def unsupported_names(source, target, src="zh", tgt="en"):
    return [c.target_span for c in grounding_checks(source, target, src, tgt) if c.severity == "error"]


# -- the MCA case: invented organisations and places, an invented month and year -----------------------------

def test_invented_party_and_state_in_an_article_about_the_mca():
    found = messages(grounding_checks(MCA_SOURCE, MCA_OUTPUT, "zh", "en"))
    assert "'Communist Party of China' has no source in the article" in found
    assert "\"People's Republic of China\" has no source in the article" in found
    assert not any("Parliament" in m or "Ma Hua" in m for m in found)  # 国会 and 马华 are in the source


def test_invented_month_and_year_are_errors_and_named():
    found = messages(date_checks(MCA_SOURCE, MCA_OUTPUT, "zh", "en"))
    assert any(m.startswith("month 'December'") for m in found)
    assert "year '2018' has no source in the article" in found


def test_a_month_and_year_the_source_gives_are_fine():
    assert date_checks("2018年12月26日，他说。", "On December 26, 2018, he said.", "zh", "en") == []
    assert date_checks("圣诞节前夕，他说。", "On the eve of Christmas in December, he said.", "zh", "en") == []
    assert date_checks("He spoke on December 26, 2018.", "他在2018年12月26日发表讲话。", "en", "zh") == []


def test_an_invented_month_in_chinese_output():
    found = messages(date_checks("He spoke on the 26th.", "他在12月26日发表讲话。", "en", "zh"))
    assert any(m.startswith("month 'December'") for m in found)


# -- the date repair rule ---------------------------------------------------------------------------------

def test_a_day_without_month_is_written_back_as_the_day():
    fixed, rewrites = fix_invented_dates("当地时间26日，他说。", "On December 26, 2018, local time, he said.")
    assert fixed == "On the 26th, local time, he said."
    assert rewrites == ["'December 26, 2018' -> 'the 26th'"]


def test_an_invented_year_after_a_right_date_is_dropped():
    fixed, _ = fix_invented_dates("12月26日，他说。", "On December 26, 2018, he said.")
    assert fixed == "On December 26, he said."


def test_a_date_the_source_gives_is_not_touched():
    assert fix_invented_dates("2018年12月26日，他说。", "On December 26, 2018, he said.") == (
        "On December 26, 2018, he said.", [])


def test_rule_repair_records_the_date_fix_on_the_check():
    source, target = "当地时间26日，外交部发言人表示欢迎。", "On December 26, 2018, local time, a Foreign Ministry spokesperson welcomed it."
    flagged = [c for c in check_translation(source, target, "zh", "en", embedder=None) if c.severity == "error"]
    item = RepairItem(source, target, "zh", "en", flagged)
    rule_repair(item, None)
    assert item.translation == "On the 26th, local time, a Foreign Ministry spokesperson welcomed it."
    dated = [c for c in flagged if c.message.startswith(("month", "year"))]
    assert dated and all(c.repair and c.repair["accepted"] and c.repair["method"].startswith("rule:") for c in dated)
    assert any("repaired translation dates" in note for note in item.notes)


# -- swaps, both ways ---------------------------------------------------------------------------------------

def test_a_place_swapped_in_english_output():
    found = messages(grounding_checks("北京市政府26日宣布新措施。", "The Shanghai municipal government announced new measures on "
                                      "the 26th.", "zh", "en"))
    assert len(found) == 1 and found[0].startswith("'Shanghai' has no source in the article")
    assert "北京" in found[0]  # the hint names the likely original


def test_a_place_swapped_in_chinese_output():
    found = messages(grounding_checks("The mayor of Beijing met the French ambassador.", "上海市长会见了法国大使。", "en", "zh"))
    assert found and found[0].startswith("'上海' has no source in the article")
    assert "'北京' ('Beijing')" in found[0]


def test_an_invented_game_title_is_flagged():
    assert unsupported_names("擅自搭建《梦幻西游》私服侵权被判赔偿152万余元。",
                             "Unauthorised private servers of Minecraft were ordered to pay 1.52 million yuan.") == ["Minecraft"]


# -- invented organisations in Chinese output ---------------------------------------------------------------

def test_an_invented_organisation_in_chinese_output():
    found = messages(grounding_checks("The mayor of Beijing met the French ambassador.", "据联合国称，北京市长会见了法国大使。",
                                      "en", "zh"))
    assert found == ["'联合国' has no source in the article"]


def test_an_organisation_the_source_names_is_fine_in_chinese():
    assert unsupported_names("The United Nations said the talks would resume.", "联合国表示，会谈将恢复。", "en", "zh") == []
    assert unsupported_names("The UN said the talks would resume.", "联合国表示，会谈将恢复。", "en", "zh") == []


# -- correct human renderings must not fire ------------------------------------------------------------------

@pytest.mark.parametrize("source, target", [
    ("法国总统马克龙访问了德国。", "French President Emmanuel Macron visited Germany."),  # France/French
    ("法国外长表示，法国将继续支持该计划。", "The French foreign minister said France would keep supporting the plan."),
    ("外交部副部长马朝旭会见了世界知识产权组织总干事邓鸿森。",
     "Vice Foreign Minister Ma Zhaoxu met WIPO Director General Daren Tang."),  # pinyin and a non-pinyin name
    ("世界卫生组织26日发布报告。", "The World Health Organization (WHO) released a report on the 26th."),
    ("北京市政府26日宣布新措施。", "The Beijing municipal government announced new measures on the 26th."),  # 北京市
    ("马华总会长魏家祥表示欢迎。", "MCA president Wee Ka Siong welcomed it."),  # a Hokkien spelling no pinyin gives
    ("中共中央发布了文件。", "The CPC Central Committee issued a document."),
    ("他补充道：“我们现在有4个月大没有糖尿病的老鼠。”", "\"We now have 4-month-old mice that are non-diabetic,\" he added."),
])
def test_correct_english_renderings_do_not_fire(source, target):
    assert unsupported_names(source, target) == []


@pytest.mark.parametrize("source, target", [
    ("French President Emmanuel Macron visited Germany.", "法国总统马克龙访问了德国。"),
    ("The French foreign minister spoke in Paris.", "法国外长在法国巴黎发表讲话。"),  # the country a city lies in
    ("Pelosi said she would not run.", "佩洛西说她不会参选。"),  # a surname alone
    ("Beijing hosted the summit.", "北京市主办了峰会。"),
    ("How the US-China trade war may be good for Beijing", "中美贸易战将为北京方面带来哪些利益"),
    ("A NY nanny sued the couple.", "纽约一名保姆起诉了这对夫妇。"),
])
def test_correct_chinese_renderings_do_not_fire(source, target):
    assert unsupported_names(source, target, "en", "zh") == []


# -- the pieces ---------------------------------------------------------------------------------------------

def test_known_pieces_of_a_long_organisation_name():
    pieces = [p for p, _, _ in known_pieces("the Central Committee of the Communist Party of China")]
    assert "Communist Party of China" in pieces


def test_a_person_is_one_piece():
    assert known_pieces("Daren Tang", "person") == []  # not the places Daren and Tang


def test_pinyin_reading():
    assert reads_as_pinyin("Ma Hua", "马华总会长")
    assert reads_as_pinyin("Ma Zhaoxu", "副部长马朝旭会见")  # 朝 read zhao
    assert not reads_as_pinyin("Wee Ka Siong", "魏家祥")
    assert pinyin_name("Zhang Wei") and not pinyin_name("Wee Ka Siong")


def test_reverse_index_maps_english_to_chinese():
    assert reverse.chinese_of("Communist Party of China")[0].zh == "中国共产党"
    assert reverse.chinese_of("Beijing")[0].zh == "北京"
    assert "France" in reverse.contexts("巴黎")
    assert {"Shanghai", "China", "United States"} <= reverse.abbreviated_in("沪上，中美关系")
    assert reverse.abbreviated_in("26日美丽") == set()  # a day, not Japan


def test_english_names_without_the_model():
    found = english.entities("Players of Minecraft met the United Nations in Beijing.", use_model=False)
    assert any("Minecraft" in e.text for e in found) and any(e.text == "United Nations" for e in found)


def test_a_pipeline_with_other_files_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / f"{english.PACKAGE}-{english.VERSION}"
    folder.mkdir()
    (folder / "config.cfg").write_text("[nlp]\n")
    monkeypatch.setattr(english, "model_dir", lambda: folder)
    english.load_pipeline.cache_clear()
    try:
        assert english.load_pipeline() is None
    finally:
        english.load_pipeline.cache_clear()


def test_grounding_without_the_model(monkeypatch):
    monkeypatch.setattr(english, "load_pipeline", lambda: None)
    found = messages(grounding_checks(MCA_SOURCE, MCA_OUTPUT, "zh", "en"))
    assert "'Communist Party of China' has no source in the article" in found
    assert unsupported_names("法国总统马克龙访问了德国。", "French President Emmanuel Macron visited Germany.") == []


# -- omissions: a dropped sentence is named, a dropped second half is caught ----------------------------------

def test_a_dropped_sentence_is_named():
    from summarizer.checks.alignment import alignment_checks

    found = alignment_checks("他说。我们今天去北京开会，讨论经济问题。明天我们去上海参观工厂和学校。",
                             "He said. We are going to Beijing today to discuss economic issues.", "zh", "en", embedder=None)
    errors = [c for c in found if c.severity == "error"]  # skipped, or (lengths only) merged into a bead cut short
    assert [c.type for c in errors] == ["omission"] and "'明天我们去上海参观工厂和学校。'" in errors[0].message


def test_a_dropped_second_half_is_caught_and_a_whole_sentence_is_not():
    from summarizer.checks.alignment import alignment_checks

    source = "埃胡德·乌尔博士是新斯科舍省哈利法克斯市达尔豪西大学的医学教授，他提醒说，这项研究仍处在早期阶段，还需要很多年。"
    whole = ("Dr. Ehud Ur, professor of medicine at Dalhousie University in Halifax, Nova Scotia, cautioned that the "
             "research is still in its early days and will take many more years.")
    half = "Dr. Ehud Ur, professor of medicine at Dalhousie University in Halifax, Nova Scotia."
    assert alignment_checks(source, whole, "zh", "en", embedder=None) == []
    found = alignment_checks(source, half, "zh", "en", embedder=None)
    assert [c.type for c in found] == ["omission"] and "stops short" in found[0].message


def test_the_article_may_give_the_month():
    source, target = "当地时间26日，他说。", "On March 26, local time, he said."
    assert messages(date_checks(source, target, "zh", "en"))
    assert date_checks(source, target, "zh", "en", article="发布时间:2025-03-31\n3月28日，外交部表示。") == []


@pytest.mark.parametrize("source, target", [
    ("印尼总统佐科·维多多视察了灾区。", "Indonesian President Joko Widodo visited the disaster areas."),  # another spelling
    ("作为国家安全顾问，他协助卡特处理外交事务，如戴维营协议。", "As NSA, he assisted Carter with the Camp David Accords."),
    ("诺贝尔文学奖授予了鲍勃•迪伦。", "The Nobel Prize in Literature went to Bob Dylan."),  # another name dot
])
def test_names_the_dictionary_spells_otherwise_do_not_fire(source, target):
    assert unsupported_names(source, target) == []
