"""Translation memory: hits on reruns, dedup within a call, keys change with settings, safe across processes."""
import multiprocessing

from summarizer.engines.cache import CachedEngine, TranslationMemory
from summarizer.config import Settings
from summarizer.terms.glossary import Glossary, Term
from fakes import CountingEngine


def test_rerun_costs_nothing_and_duplicates_are_computed_once(tmp_path):
    memory = TranslationMemory(tmp_path / "tm.sqlite3")
    inner = CountingEngine()
    engine = CachedEngine(inner, memory, Settings())
    texts = ["本报讯 记者刘欣", "全年共实施知识产权保护措施5.32万次。", "本报讯 记者刘欣"]
    assert [g.text for g in engine.translate(texts, "zh", "en")] == [f"EN({t})" for t in texts]
    assert inner.calls == [["本报讯 记者刘欣", "全年共实施知识产权保护措施5.32万次。"]]
    assert engine.translate(texts + ["新句子。"], "zh", "en")[-1].text == "EN(新句子。)"
    assert inner.calls[-1] == ["新句子。"]
    assert memory.stats()["entries"] == 3


def test_keys_depend_on_direction_and_settings(tmp_path):
    memory = TranslationMemory(tmp_path / "tm.sqlite3")
    inner = CountingEngine()
    CachedEngine(inner, memory, Settings()).translate(["同一段。"], "zh", "en")
    CachedEngine(inner, memory, Settings(segment_tokens=64)).translate(["同一段。"], "zh", "en")
    CachedEngine(inner, memory, Settings()).summarize(["同一段。"], "zh", 3)
    terms = Glossary((Term("同一段", "the same paragraph"),))
    CachedEngine(inner, memory, Settings()).translate(["同一段。"], "zh", "en", terms)  # required terms change the key
    assert len(inner.calls) == 4
    CachedEngine(inner, memory, Settings(check=False, web_queue=3)).translate(["同一段。"], "zh", "en")  # not output
    assert len(inner.calls) == 4
    assert memory.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert memory.clear() == 4 and memory.stats()["entries"] == 0


def _writer(path, worker):
    memory = TranslationMemory(path)
    engine = CachedEngine(CountingEngine(), memory, Settings())
    for i in range(50):
        engine.translate([f"段落{worker}-{i}", "共享段落。"], "zh", "en")


def test_concurrent_processes(tmp_path):
    path = tmp_path / "tm.sqlite3"
    TranslationMemory(path)
    procs = [multiprocessing.get_context("spawn").Process(target=_writer, args=(path, w)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert all(p.exitcode == 0 for p in procs)
    assert TranslationMemory(path).stats()["entries"] == 101


def test_hits_carry_no_stale_notes_and_failures_are_not_stored(tmp_path):
    from summarizer.generation import Generation

    class Flaky(CountingEngine):
        def translate(self, texts, source_lang, target_lang, terms=None):
            self.calls.append(list(texts))
            return [Generation("中文", notes=["translate flagged: not in English"], failed=(t == "坏")) for t in texts]

    memory = TranslationMemory(tmp_path / "tm.sqlite3")
    engine = CachedEngine(Flaky(), memory, Settings())
    first = engine.translate(["好", "坏"], "zh", "en")
    assert first[0].notes and first[1].failed
    again = engine.translate(["好", "坏"], "zh", "en")
    assert again[0].notes == [] and again[1].failed  # a hit has no notes; the failure was computed again
    assert engine.inner.calls == [["好", "坏"], ["坏"]]
