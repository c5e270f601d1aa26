"""The editors' tables: corrections (normalized lookup, newest wins, similar ones), the newsroom glossary (and its
merge into every TermSet), the history with CJK search, TSV/JSONL/TMX round trips, and no lost rows when 20
writers (threads, and separate connections) write at once."""
from __future__ import annotations

import threading
import xml.etree.ElementTree as ET

import pytest

from summarizer.editor import corrections, formats, glossary, history
from summarizer.editor.db import EditorDB, open_db
from summarizer.editor.pairs import Pair, TooLarge
from summarizer.errors import InputError

ZH = "国务院批准了这个项目。"
EN = "The State Council approved the project."


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("BISUM_MEMORY", str(tmp_path / "memory.sqlite3"))
    return open_db()


def test_a_correction_is_found_with_other_spacing_and_the_newest_wins(db):
    corrections.add_correction(db, Pair(ZH, "old", "zh", "en"), who="ann")
    corrections.add_correction(db, Pair(ZH, EN, "zh-CN", "en-US"), who="bob")
    assert corrections.lookup(db, [f"  {ZH} "], "zh", "en") == {ZH: EN}
    assert corrections.lookup(db, [ZH], "en", "zh") == {}
    (kept,) = corrections.list_corrections(db)
    assert (kept.translation, kept.who, kept.source, kept.target) == (EN, "bob", "zh", "en") and kept.when
    assert corrections.lookup(db, ["The  State Council approved   the project."], "en", "zh") == {}
    assert corrections.remove_correction(db, ZH, "zh", "en") and not corrections.has_corrections(db, "zh", "en")


@pytest.mark.parametrize("pair, error", [
    (Pair("", EN, "zh", "en"), "empty"), (Pair(ZH, " ", "zh", "en"), "empty"),
    (Pair("The project.", EN, "zh", "en"), "not Chinese"), (Pair(ZH, ZH, "zh", "en"), "not English"),
    (Pair(ZH, EN, "zh", "zh"), "both zh"), (Pair(ZH, EN, "fr", "en"), "not supported"),
])
def test_bad_pairs_are_refused(db, pair, error):
    with pytest.raises(InputError, match=error):
        corrections.add_correction(db, pair)
    assert corrections.list_corrections(db) == []


def test_oversized_pairs_are_refused(db):
    with pytest.raises(TooLarge):
        corrections.add_correction(db, Pair("国" * 2001, EN, "zh", "en"))
    with pytest.raises(TooLarge):
        glossary.add_term(db, Pair("国" * 201, "x", "zh", "en"))


def test_similar_corrections_rank_by_shared_trigrams(db):
    corrections.add_corrections(db, [Pair(ZH, EN, "zh", "en"), Pair("今天天气很好。", "The weather is fine.", "zh", "en"),
                                     Pair("国务院批准了那个计划。", "The State Council approved that plan.", "zh", "en")])
    found = corrections.similar(db, "国务院批准了新的项目。", "zh", "en", 2)
    assert [p.text for p in found] == [ZH, "国务院批准了那个计划。"]
    assert corrections.similar(db, ZH, "zh", "en", 3)[0].text != ZH  # its own correction is not an example
    assert corrections.similar(db, "完全不同的句子", "zh", "en", 3) == []


def test_glossary_entries_outrank_the_default_glossary_in_every_termset(db):
    from summarizer.terms import load_terms

    default = {t.zh: t.en for t in load_terms().glossary.terms}
    term = next(iter(default))
    glossary.add_term(db, Pair(term, "Editor Choice", "zh", "en"), who="ann")
    glossary.add_term(db, Pair("Acme Corp", "艾克美公司", "en", "zh"))
    merged = {t.zh: t.en for t in load_terms().glossary.terms}
    assert merged[term] == "Editor Choice" and merged["艾克美公司"] == "Acme Corp"
    assert "Editor Choice" in load_terms().prompt_lines(f"他说{term}很重要。", "zh")
    assert glossary.remove_term(db, term, "zh", "en") == 1
    assert {t.zh: t.en for t in load_terms().glossary.terms}[term] == default[term]


def test_history_saves_records_and_searches_chinese(db):
    record = {"id": "a1", "title": "华为发布新手机", "text": "华为今天在深圳发布了新手机。", "source_lang": "zh",
              "checks": [{"severity": "error", "type": "number", "message": "x"},
                         {"severity": "warning", "type": "term", "message": "y", "repair": {"accepted": True}}]}
    other = {"id": "b2", "title": "Weather", "text": "The weather is fine today.", "source_lang": "en", "checks": []}
    (first, second) = history.save_records(db, [record, other, {"id": "c", "error": "unreadable"}], "api", "ann")
    corrections.add_correction(db, Pair("华为今天在深圳发布了新手机。", "Huawei launched a phone.", "zh", "en", article=first))
    assert [e.id for e in history.search_history(db)] == [second, first]
    (hit,) = history.search_history(db, "深圳发布")
    assert hit.id == first and hit.flags == 1 and hit.edits[0].translation == "Huawei launched a phone."
    assert [e.id for e in history.search_history(db, "华为")] == [first]  # two characters: substring search
    assert [e.id for e in history.search_history(db, "weather fine")] == [second]
    assert history.search_history(db, "nothing like this") == []
    assert history.history_entry(db, first).record["title"] == "华为发布新手机"


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_pairs_round_trip_through_every_format(fmt):
    pairs = [Pair(ZH, EN, "zh", "en", "ann", 1_700_000_000.0), Pair("Acme\tCorp", "艾克美", "en", "zh", None, None)]
    back = formats.load(formats.dump(pairs, fmt), fmt)
    assert [(p.text, p.translation, p.source, p.target, p.who, p.when) for p in back] == [
        (ZH, EN, "zh", "en", "ann", 1_700_000_000.0),
        ("Acme Corp" if fmt == "tsv" else "Acme\tCorp", "艾克美", "en", "zh", None, None)]  # a TSV cell has no tab


def test_tmx_is_tmx_1_4_and_cat_tool_files_are_read():
    root = ET.fromstring(formats.dump([Pair(ZH, EN, "zh", "en", "ann", 0.0)], "tmx").encode())
    assert root.tag == "tmx" and root.get("version") == "1.4" and root.find("header").get("srclang") == "zh"
    tuvs = root.findall("body/tu/tuv")
    assert [t.get("{http://www.w3.org/XML/1998/namespace}lang") for t in tuvs] == ["zh", "en"]
    cat = """<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header srclang="en-US" segtype="sentence"
    o-tmf="x" adminlang="en" datatype="plaintext" creationtool="x" creationtoolversion="1"/><body>
    <tu creationid="ANN" creationdate="20240131T120000Z"><tuv xml:lang="en-US"><seg>Hello <bpt i="1">&lt;b&gt;</bpt>
    world</seg></tuv><tuv xml:lang="zh-CN"><seg>你好世界</seg></tuv></tu>
    <tu><tuv xml:lang="en-US"><seg>Only French</seg></tuv><tuv xml:lang="fr-FR"><seg>Seulement</seg></tuv></tu>
    </body></tmx>"""
    (pair,) = formats.load(cat, "tmx")
    assert (pair.source, pair.target, pair.translation, pair.who) == ("en", "zh", "你好世界", "ANN")
    assert pair.text.startswith("Hello") and pair.when == 1706702400.0


def test_twenty_writers_at_once_lose_nothing(db, tmp_path):
    """Ten threads on the shared connection and ten on connections of their own, all writing at once."""
    start = threading.Barrier(20)

    def write(k: int, own: bool) -> None:
        target = EditorDB(db.path) if own else db
        start.wait()
        for i in range(10):
            corrections.add_correction(target, Pair(f"第{k}号作者的第{i}句话。", f"Writer {k}, sentence {i}.", "zh", "en"))
            glossary.add_term(target, Pair(f"术语{k}-{i}", f"Term {k}-{i}", "zh", "en"))
        history.save_records(target, [{"id": str(k), "text": f"文章{k}"}], "api")

    threads = [threading.Thread(target=write, args=(k, k % 2 == 1)) for k in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(corrections.list_corrections(db)) == 200 and len(glossary.list_terms(db)) == 200
    assert len(history.search_history(db, limit=100)) == 20
