"""Engines over tiny random models (real loading, batching and generation code), plus PromptedEngine logic."""
from __future__ import annotations

import pytest

from summarizer.config import Settings
from summarizer.engines import base
from summarizer.engines.prompted import (
    PromptedEngine, clean_output, cjk_ratio, is_repetitive, output_problems, trim_repetition,
)
from summarizer.engines.transformers_llm import looping
from summarizer.errors import EngineUnavailable
from tests.tiny_models import build_tiny_marian, build_tiny_qwen


@pytest.fixture(scope="module")
def tiny_qwen_dir(tmp_path_factory):
    return build_tiny_qwen(tmp_path_factory.mktemp("tiny_qwen"))


@pytest.fixture(scope="module")
def tiny_marian_pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny_marian")
    return build_tiny_marian(root / "zh-en", "zh", "en"), build_tiny_marian(root / "en-zh", "en", "zh")


class ScriptedGenerator:
    """A Generator that answers from a function of the last user message; records calls."""

    name = "scripted"
    model_id = "scripted-model"
    model_sha256 = "ab" * 32

    def __init__(self, answer):
        self.answer = answer
        self.calls: list[tuple[list, list]] = []
        self.last_truncated: list[bool] = []

    def count_tokens(self, text: str) -> int:
        return len(text)

    def generate(self, conversations, max_new_tokens):
        self.calls.append((list(conversations), list(max_new_tokens)))
        outs = [self.answer(c[-1]["content"], len(self.calls)) for c in conversations]
        self.last_truncated = [False] * len(outs)
        return outs


# ---------------------------------------------------------------- output checks

def test_clean_output_strips_chatty_prefixes():
    assert clean_output("Here is the translation:\nThe court ruled.") == "The court ruled."
    assert clean_output("翻译：法院作出判决。") == "法院作出判决。"
    assert clean_output("<source>\nHello.\n</source>") == "Hello."
    assert clean_output("```\nHi.\n```") == "Hi."


def test_problem_detection():
    assert output_problems("你好世界", "", "en", False) == ["empty output"]
    assert "not in Chinese" in output_problems("Hello world.", "Hello world.", "zh", False)
    assert "not in English" in output_problems("你好世界。", "你好世界。", "en", False)
    assert "repetition loop" in output_problems("x", "the same the same the same the same the same", "en", False)
    assert "cut off at the token limit" in output_problems("a b c d", "A b c", "en", True)
    assert output_problems("2024", "2024", "zh", False) == []
    assert cjk_ratio("中文 text") < 0.5
    assert is_repetitive("好的好的好的好的好的好的好的好的") and not is_repetitive("A normal sentence.")
    assert trim_repetition("Start. again and again and again and again and again.") .count("again") < 3


def test_looping_token_detector():
    assert looping([5] * 12) and not looping([5] * 11)
    assert looping([1, 2, 3, 4] * 3) and not looping(list(range(40)))


# ---------------------------------------------------------------- PromptedEngine with a scripted generator

def test_translate_keeps_paragraphs_segments_and_glossary():
    gen = ScriptedGenerator(lambda msg, n: "Translated." if "<source>" in msg else "?")
    engine = PromptedEngine(gen, Settings(segment_tokens=30), name="llm")
    text = "国家知识产权局发布了指南。今年授权5.32万件专利。\n\n第二段。"
    [out] = engine.translate([text], "zh", "en")
    assert out.split("\n")[1] == ""  # the blank line stays
    assert out.split("\n")[0].startswith("Translated.")
    first_prompt = gen.calls[0][0][0]
    assert first_prompt[0]["role"] == "system"
    user = " ".join(c[-1]["content"] for c in gen.calls[0][0])
    assert "CNIPA" in user  # only the matching glossary terms are injected
    assert "World Intellectual Property Organization" not in user
    assert engine.model == "scripted-model@abababababab"


def test_bad_segments_are_retried_then_flagged():
    gen = ScriptedGenerator(lambda msg, n: "这是中文。" if n == 1 else ("Fixed." if "previous answer" in msg else "?"))
    engine = PromptedEngine(gen, Settings(), name="llm")
    assert engine.translate(["你好，世界。"], "zh", "en") == ["Fixed."]
    assert engine.last_notes[0]["action"] == "retried" and "not in English" in engine.last_notes[0]["problems"]

    stuck = ScriptedGenerator(lambda msg, n: "")
    engine = PromptedEngine(stuck, Settings(), name="llm")
    assert engine.translate(["你好。"], "zh", "en") == [""]
    assert engine.last_notes[0]["action"] == "flagged"


def test_output_budget_is_bounded_by_input():
    gen = ScriptedGenerator(lambda msg, n: "ok text")
    engine = PromptedEngine(gen, Settings(min_new_tokens=10, max_new_tokens_ratio=2.0, segment_tokens=1000), name="llm")
    engine.translate(["a" * 100], "en", "zh")
    assert gen.calls[0][1] == [200]


def test_map_reduce_summary_for_long_articles():
    gen = ScriptedGenerator(lambda msg, n: "要点。" if n == 1 else "最终摘要。")
    engine = PromptedEngine(gen, Settings(map_reduce_chars=50), name="llm")
    article = "。".join(["今天发生了一件重要的事情，很多人关注"] * 12) + "。"
    assert engine.summarize([article, "短文。"], "zh", 3) == ["最终摘要。", "要点。"]
    assert len(gen.calls) == 2 and len(gen.calls[0][0]) > 3  # map over pieces, then one reduce
    assert "要点。要点。" in gen.calls[1][0][0][-1]["content"]


def test_repair_uses_repair_prompt():
    gen = ScriptedGenerator(lambda msg, n: "53,200 patents." if "Problems:" in msg else "?")
    engine = PromptedEngine(gen, Settings(), name="llm")
    fixed = engine.repair("5.32万件专利", "5,320 patents.", ["number 5.32万 rendered as 5,320"], "zh", "en")
    assert fixed == "53,200 patents."
    assert "5,320 patents." in gen.calls[0][0][0][-1]["content"]


# ---------------------------------------------------------------- real loading paths with tiny models

def test_transformers_generator_on_tiny_qwen(tiny_qwen_dir):
    from summarizer.engines.transformers_llm import TransformersGenerator

    settings = Settings(model=str(tiny_qwen_dir), batch_size=2, threads=1, min_new_tokens=4, max_new_tokens_ratio=1.0)
    gen = TransformersGenerator(settings)
    assert isinstance(gen, base.Generator)
    assert gen.count_tokens("国家知识产权局") > 0
    convs = [[{"role": "system", "content": "s"}, {"role": "user", "content": "x" * k}] for k in (1, 30, 5)]
    outs = gen.generate(convs, [3, 5, 4])
    assert len(outs) == 3 and all(isinstance(o, str) for o in outs)
    assert len(gen.last_truncated) == 3
    engine = PromptedEngine(gen, settings, name="llm")
    assert isinstance(engine, base.Engine)
    [translation] = engine.translate(["今天。\n明天。"], "zh", "en")
    assert translation.count("\n") == 1
    assert engine.last_notes  # random weights: outputs get flagged
    assert engine.summarize(["短文。"], "zh", 1) and True
    assert TransformersGenerator(settings)._model is gen._model  # loaded once per process


def test_seq2seq_engine_on_tiny_marian_pair(tiny_marian_pair):
    from summarizer.engines.seq2seq import Seq2SeqEngine

    zh_en, en_zh = tiny_marian_pair
    settings = Settings(model=f"{zh_en},{en_zh}", batch_size=2, threads=1, min_new_tokens=4, max_new_tokens_ratio=1.0)
    engine = Seq2SeqEngine(settings, num_beams=2)
    assert isinstance(engine, base.Engine)
    assert [e.direction for e in engine.entries] == [("zh", "en"), ("en", "zh")]
    outs = engine.translate(["国家知识产权局发布了指南。今年授权5.32万件专利。\n第二段。", "人工智能。"], "zh", "en")
    assert len(outs) == 2 and outs[0].count("\n") == 1
    assert len(engine.translate(["The court ruled."], "en", "zh")) == 1
    with pytest.raises(EngineUnavailable, match="translate only"):
        engine.summarize(["x"], "zh", 2)


def test_seq2seq_missing_direction_and_unreachable_hub(tiny_marian_pair):
    from summarizer.engines.seq2seq import Seq2SeqEngine

    engine = Seq2SeqEngine(Settings(model=str(tiny_marian_pair[0])), num_beams=1)
    with pytest.raises(EngineUnavailable, match="en->zh"):
        engine.translate(["Hello."], "en", "zh")


def test_get_engine_names_and_fallback(tmp_path, monkeypatch):
    from summarizer import engines

    monkeypatch.setenv("BISUM_CACHE_DIR", str(tmp_path))
    with pytest.raises(EngineUnavailable, match="unknown engine"):
        engines.get_engine("gpt9", Settings())
    assert engines._choose_auto(Settings()) == "extractive"  # default model not pulled in this cache
    assert "llm" not in engines.available_engines(Settings())


@pytest.fixture(scope="module")
def tiny_gguf(tiny_qwen_dir, tmp_path_factory):
    from tests.tiny_models import build_tiny_gguf

    return build_tiny_gguf(tiny_qwen_dir, tmp_path_factory.mktemp("gguf") / "tiny-qwen.gguf")


def test_gguf_file_through_transformers(tiny_gguf, tiny_qwen_dir):
    """The GGUF branch (dequantize + tokenizer + chat template from the file) that the default model uses."""
    from summarizer.engines.transformers_llm import TransformersGenerator

    gen = TransformersGenerator(Settings(model=str(tiny_gguf), threads=1), )
    assert gen.spec.kind == "gguf-llm"
    reference = TransformersGenerator(Settings(model=str(tiny_qwen_dir), threads=1))
    assert gen.count_tokens("国家知识产权局 patents") == reference.count_tokens("国家知识产权局 patents")
    conv = [[{"role": "user", "content": "hello"}]]
    assert gen.generate(conv, [6]) == reference.generate(conv, [6])  # same weights, same greedy output


def test_gguf_file_through_llamacpp(tiny_gguf):
    pytest.importorskip("llama_cpp")
    from summarizer.engines.llamacpp import LlamaCppGenerator

    gen = LlamaCppGenerator(Settings(model=str(tiny_gguf), threads=1))
    assert gen.count_tokens("hello world") > 0
    outs = gen.generate([[{"role": "user", "content": "hello"}], [{"role": "user", "content": "你好"}]], [4, 4])
    assert len(outs) == 2 and len(gen.last_truncated) == 2


def test_llamacpp_batched_decoding_matches_one_by_one(tiny_gguf):
    pytest.importorskip("llama_cpp")
    from summarizer.engines.llamacpp import LlamaCppGenerator

    conversations = [[{"role": "user", "content": text}] for text in ("hello", "你好", "patents granted", "海关", "hello")]
    limits = [6, 3, 8, 5, 6]
    batched = LlamaCppGenerator(Settings(model=str(tiny_gguf), threads=1, parallel_sequences=2))
    outs = batched.generate(conversations, limits)  # 5 prompts through 2 streams: sequences are reused
    single = LlamaCppGenerator(Settings(model=str(tiny_gguf), threads=1, parallel_sequences=1))
    expected = [single.generate([c], [n])[0] for c, n in zip(conversations, limits)]
    assert outs == expected
    assert outs[0] == outs[4]
    assert len(batched.last_truncated) == 5


def test_clean_output_drops_an_echoed_problem_list():
    from summarizer.engines.prompted import clean_output

    assert clean_output("Users reached 788 million.\nProblems:\n- number changed: '7.88亿人'") == "Users reached 788 million."
