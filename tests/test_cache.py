"""Translation memory: hits on reruns, dedup within a call, keys change with settings, safe across processes."""
import multiprocessing

from summarizer.cache import CachedEngine, TranslationMemory
from summarizer.config import Settings


class CountingEngine:
    name = "fake"
    model = "fake-model@123"
    can_translate = True

    def __init__(self):
        self.calls: list[list[str]] = []

    def translate(self, texts, source_lang, target_lang):
        self.calls.append(list(texts))
        return [f"EN({t})" for t in texts]

    def summarize(self, texts, lang, sentences, target_lang=None):
        self.calls.append(list(texts))
        return [t[:5] for t in texts]


def test_rerun_costs_nothing_and_duplicates_are_computed_once(tmp_path):
    memory = TranslationMemory(tmp_path / "tm.sqlite3")
    inner = CountingEngine()
    engine = CachedEngine(inner, memory, Settings())
    texts = ["本报讯 记者刘欣", "全年共实施知识产权保护措施5.32万次。", "本报讯 记者刘欣"]
    assert engine.translate(texts, "zh", "en") == [f"EN({t})" for t in texts]
    assert inner.calls == [["本报讯 记者刘欣", "全年共实施知识产权保护措施5.32万次。"]]
    assert engine.translate(texts + ["新句子。"], "zh", "en")[-1] == "EN(新句子。)"
    assert inner.calls[-1] == ["新句子。"]
    assert memory.stats()["entries"] == 3


def test_keys_depend_on_direction_and_settings(tmp_path):
    memory = TranslationMemory(tmp_path / "tm.sqlite3")
    inner = CountingEngine()
    CachedEngine(inner, memory, Settings()).translate(["同一段。"], "zh", "en")
    CachedEngine(inner, memory, Settings(segment_tokens=64)).translate(["同一段。"], "zh", "en")
    CachedEngine(inner, memory, Settings()).summarize(["同一段。"], "zh", 3)
    assert len(inner.calls) == 3
    assert memory.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert memory.clear() == 3 and memory.stats()["entries"] == 0


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
