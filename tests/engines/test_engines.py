"""Engines over tiny random models (real loading, batching and generation code), plus PromptedEngine logic."""
from __future__ import annotations

import pytest

from summarizer.config import Settings
from summarizer.engines import base
from summarizer.engines.backends.transformers import looping
from summarizer.generation import RepairRequest
from summarizer.engines.postprocess import clean_output, is_repetitive, output_problems, trim_repetition
from summarizer.engines.prompted import MAP_REDUCE_BUDGETS, Budget, PromptedEngine
from summarizer.errors import ConfigError, EngineUnavailable
from summarizer.terms.glossary import load_glossary
from summarizer.text.lang import han_letter_ratio
from fakes import ScriptedGenerator
from tiny_models import build_tiny_marian, build_tiny_qwen


@pytest.fixture(scope="module")
def tiny_qwen_dir(tmp_path_factory):
    return build_tiny_qwen(tmp_path_factory.mktemp("tiny_qwen"))


@pytest.fixture(scope="module")
def tiny_marian_pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny_marian")
    return build_tiny_marian(root / "zh-en", "zh", "en"), build_tiny_marian(root / "en-zh", "en", "zh")


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
    assert han_letter_ratio("中文 text") < 0.5
    assert is_repetitive("好的好的好的好的好的好的好的好的") and not is_repetitive("A normal sentence.")
    assert trim_repetition("Start. again and again and again and again and again.") .count("again") < 3


def test_looping_token_detector():
    assert looping([5] * 12) and not looping([5] * 11)
    assert looping([1, 2, 3, 4] * 3) and not looping(list(range(40)))


# ---------------------------------------------------------------- PromptedEngine with a scripted generator

def test_translate_keeps_paragraphs_segments_and_glossary():
    gen = ScriptedGenerator(lambda msg, n: "Translated." if "<source>" in msg else "?")
    engine = PromptedEngine(gen, "llm", Budget(segment_tokens=30))
    text = "国家知识产权局发布了指南。今年授权5.32万件专利。\n\n第二段。"
    [out] = [g.text for g in engine.translate([text], "zh", "en", load_glossary())]
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
    engine = PromptedEngine(gen, "llm")
    [out] = engine.translate(["你好，世界。"], "zh", "en")
    assert out.text == "Fixed." and out.notes == ["translate retried: not in English"] and not out.failed

    stuck = ScriptedGenerator(lambda msg, n: "")
    [out] = PromptedEngine(stuck, "llm").translate(["你好。"], "zh", "en")
    assert out.text == "" and out.failed and out.notes == ["translate flagged: empty output"]


def test_wrong_language_is_retried_sentence_by_sentence_then_failed():
    # the whole segment keeps coming back in Chinese; one sentence at a time works
    gen = ScriptedGenerator(lambda msg, n: "还是中文。" if "这是第一句话。这是第二句话。" in msg else "Sentence.")
    [out] = PromptedEngine(gen, "llm").translate(["这是第一句话。这是第二句话。"], "zh", "en")
    assert out.text == "Sentence. Sentence." and not out.failed
    assert "translate retried sentence by sentence" in out.notes
    # nothing works: failed, and the notes say so
    stuck = ScriptedGenerator(lambda msg, n: "还是中文。")
    [out] = PromptedEngine(stuck, "llm").translate(["这是第一句话。这是第二句话。"], "zh", "en")
    assert out.failed and any(n.startswith("translate failed: not in English") for n in out.notes)


def test_output_budget_is_bounded_by_input():
    gen = ScriptedGenerator(lambda msg, n: "ok text")
    engine = PromptedEngine(gen, "llm", Budget(min_new_tokens=10, max_new_tokens_ratio=2.0, segment_tokens=1000))
    engine.translate(["a" * 100], "en", "zh")
    assert gen.calls[0][1] == [200]


def test_map_reduce_summary_for_long_articles_when_reading_whole_articles():
    gen = ScriptedGenerator(lambda msg, n: "要点。" if n == 1 else "最终摘要。")
    engine = PromptedEngine(gen, "llm", Budget(map_reduce_chars=50, summary_input_tokens=0))
    article = "。".join(["今天发生了一件重要的事情，很多人关注"] * 12) + "。"
    assert [g.text for g in engine.summarize([article, "短文。"], "zh", 3)] == ["最终摘要。", "要点。"]
    assert len(gen.calls) == 2 and len(gen.calls[0][0]) > 3  # map over pieces, then one reduce
    assert "要点。要点。" in gen.calls[1][0][0][-1]["content"]


LONG_ARTICLE = "".join([
    "国家知识产权局1月15日发布数据，2024年全国授权发明专利104.5万件。",
    "海关总署表示，全年扣留侵权嫌疑货物4.13万批，涉及商品5000万件。",
    *[f"第{i}个省份的专利授权量同比增长，创新活力持续释放，企业研发投入不断加大。" for i in range(1, 40)],
    "专家认为，知识产权保护将进一步加强。",
])


def _user_prompts(gen: ScriptedGenerator) -> list[str]:
    return [conversation[-1]["content"] for call in gen.calls for conversation in call[0]]


def test_summary_reads_key_sentences_under_the_budget_in_one_prompt():
    gen = ScriptedGenerator(lambda msg, n: "摘要。")
    engine = PromptedEngine(gen, "llm", Budget(map_reduce_chars=200, summary_input_tokens=200))
    [summary] = engine.summarize([LONG_ARTICLE], "zh", 2)
    [prompt] = _user_prompts(gen)  # one prompt: the article is under MAP_REDUCE_BUDGETS budgets
    extract = engine.summary_input(LONG_ARTICLE, "zh")
    assert summary.text == "摘要。" and extract in prompt and LONG_ARTICLE not in prompt
    assert len(extract) <= 200 and extract.startswith("国家知识产权局1月15日发布数据")  # ScriptedGenerator: 1 char = 1 token


def test_an_article_of_many_budgets_is_read_in_pieces_each_through_its_key_sentences():
    gen = ScriptedGenerator(lambda msg, n: "要点。")
    engine = PromptedEngine(gen, "llm", Budget(map_reduce_chars=300, summary_input_tokens=40))
    assert len(LONG_ARTICLE) > MAP_REDUCE_BUDGETS * 40 and engine.map_reduces(LONG_ARTICLE)
    engine.summarize([LONG_ARTICLE], "zh", 2)
    pieces, merge = gen.calls[0][0], gen.calls[1][0]
    assert len(pieces) >= 4 and len(merge) == 1
    assert all(len(p[-1]["content"]) < 40 + 200 for p in pieces)  # each piece: its key sentences + instructions


def test_a_short_article_gets_the_same_prompt_with_or_without_a_budget():
    prompts = []
    for tokens in (0, 400):
        gen = ScriptedGenerator(lambda msg, n: "摘要。")
        PromptedEngine(gen, "llm", Budget(summary_input_tokens=tokens)).summarize(["短文一句。短文两句。"], "zh", 1)
        prompts.append(gen.calls[0][0])
    assert prompts[0] == prompts[1]


def test_budget_zero_reads_the_whole_article():
    gen = ScriptedGenerator(lambda msg, n: "摘要。")
    engine = PromptedEngine(gen, "llm", Budget(summary_input_tokens=0, map_reduce_chars=10_000))
    engine.summarize([LONG_ARTICLE], "zh", 2)
    assert engine.summary_input(LONG_ARTICLE, "zh") == LONG_ARTICLE and LONG_ARTICLE in _user_prompts(gen)[0]
    assert not engine.map_reduces(LONG_ARTICLE)
    assert PromptedEngine(gen, "llm", Budget(summary_input_tokens=0, map_reduce_chars=200)).map_reduces(LONG_ARTICLE)
    assert not PromptedEngine(gen, "llm", Budget(summary_input_tokens=200, map_reduce_chars=200)).map_reduces(LONG_ARTICLE)


def test_the_ranker_comes_from_the_settings():
    from summarizer.engines import _prompted

    engine = _prompted(ScriptedGenerator(lambda msg, n: ""), "llm", Settings(position_weight=0.2, mmr_lambda=0.9))
    assert (engine.ranker.position_weight, engine.ranker.mmr_lambda) == (0.2, 0.9)


def test_repair_uses_repair_prompt():
    gen = ScriptedGenerator(lambda msg, n: "53,200 patents." if "Problems:" in msg else "?")
    engine = PromptedEngine(gen, "llm")
    [fixed] = engine.repair([RepairRequest("5.32万件专利", "5,320 patents.", ("number 5.32万 rendered as 5,320",))], "zh", "en")
    assert fixed.text == "53,200 patents."
    assert "5,320 patents." in gen.calls[0][0][0][-1]["content"]


# ---------------------------------------------------------------- real loading paths with tiny models

def test_transformers_generator_on_tiny_qwen(tiny_qwen_dir):
    from summarizer.engines.backends.transformers import TransformersGenerator

    gen = TransformersGenerator(str(tiny_qwen_dir), batch_size=2, threads=1)
    assert isinstance(gen, base.Generator)
    assert gen.count_tokens("国家知识产权局") > 0
    convs = [[{"role": "system", "content": "s"}, {"role": "user", "content": "x" * k}] for k in (1, 30, 5)]
    outs = gen.generate(convs, [3, 5, 4])
    assert len(outs) == 3 and all(isinstance(o.text, str) and isinstance(o.truncated, bool) for o in outs)
    engine = PromptedEngine(gen, "llm", Budget(min_new_tokens=4, max_new_tokens_ratio=1.0))
    assert isinstance(engine, base.Engine) and isinstance(engine, base.Repairer)
    [translation] = engine.translate(["今天。\n明天。"], "zh", "en")
    assert translation.text.count("\n") == 1
    assert translation.notes  # random weights: outputs get flagged
    [summary] = engine.summarize(["短文。"], "zh", 1)
    assert isinstance(summary.text, str) and summary.notes  # random weights: flagged, never silently accepted
    assert TransformersGenerator(str(tiny_qwen_dir), threads=1)._model is gen._model  # loaded once per process


def test_seq2seq_engine_on_tiny_marian_pair(tiny_marian_pair):
    from summarizer.engines.seq2seq import Seq2SeqEngine

    zh_en, en_zh = tiny_marian_pair
    engine = Seq2SeqEngine(f"{zh_en},{en_zh}", batch_size=2, threads=1, min_new_tokens=4, max_new_tokens_ratio=1.0,
                           num_beams=2)
    assert isinstance(engine, base.Engine)
    assert [e.direction for e in engine.entries] == [("zh", "en"), ("en", "zh")]
    outs = engine.translate(["国家知识产权局发布了指南。今年授权5.32万件专利。\n第二段。", "人工智能。"], "zh", "en")
    assert len(outs) == 2 and outs[0].text.count("\n") == 1
    assert len(engine.translate(["The court ruled."], "en", "zh")) == 1
    with pytest.raises(EngineUnavailable, match="translate only"):
        engine.summarize(["x"], "zh", 2)


def test_seq2seq_missing_direction_and_unreachable_hub(tiny_marian_pair):
    from summarizer.engines.seq2seq import Seq2SeqEngine

    engine = Seq2SeqEngine(str(tiny_marian_pair[0]), num_beams=1)
    with pytest.raises(EngineUnavailable, match="en->zh"):
        engine.translate(["Hello."], "en", "zh")


def test_get_engine_names_and_fallback(tmp_path, monkeypatch):
    from summarizer import engines

    monkeypatch.setenv("BISUM_CACHE_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="unknown engine"):
        engines.get_engine("gpt9", Settings())
    assert engines.resolve_name("auto", Settings()) == "extractive"  # default model not pulled in this cache
    assert "llm" not in engines.available_engines(Settings())
    assert engines.get_engine("extractive", Settings()) is engines.get_engine("extractive", Settings())  # built once


@pytest.fixture(scope="module")
def tiny_gguf(tiny_qwen_dir, tmp_path_factory):
    from tiny_models import build_tiny_gguf

    return build_tiny_gguf(tiny_qwen_dir, tmp_path_factory.mktemp("gguf") / "tiny-qwen.gguf")


def test_gguf_file_through_transformers(tiny_gguf, tiny_qwen_dir):
    """The GGUF branch (dequantize + tokenizer + chat template from the file) that the default model uses."""
    from summarizer.engines.backends.transformers import TransformersGenerator

    gen = TransformersGenerator(str(tiny_gguf), threads=1)
    assert gen.spec.kind == "gguf-llm"
    reference = TransformersGenerator(str(tiny_qwen_dir), threads=1)
    assert gen.count_tokens("国家知识产权局 patents") == reference.count_tokens("国家知识产权局 patents")
    conv = [[{"role": "user", "content": "hello"}]]
    assert gen.generate(conv, [6]) == reference.generate(conv, [6])  # same weights, same greedy output


def test_gguf_file_through_llamacpp(tiny_gguf):
    pytest.importorskip("llama_cpp")
    from summarizer.llamacpp.generator import LlamaCppGenerator

    gen = LlamaCppGenerator(str(tiny_gguf), threads=1)
    assert gen.count_tokens("hello world") > 0
    outs = gen.generate([[{"role": "user", "content": "hello"}], [{"role": "user", "content": "你好"}]], [4, 4])
    assert len(outs) == 2 and all(isinstance(o.truncated, bool) for o in outs)


def test_llamacpp_batched_decoding_matches_one_by_one(tiny_gguf):
    pytest.importorskip("llama_cpp")
    from summarizer.llamacpp.generator import LlamaCppGenerator

    conversations = [[{"role": "user", "content": text}] for text in ("hello", "你好", "patents granted", "海关", "hello")]
    limits = [6, 3, 8, 5, 6]
    batched = LlamaCppGenerator(str(tiny_gguf), threads=1, parallel_sequences=2)
    outs = batched.generate(conversations, limits)  # 5 prompts through 2 streams: sequences are reused
    single = LlamaCppGenerator(str(tiny_gguf), threads=1, parallel_sequences=1)
    expected = [single.generate([c], [n])[0] for c, n in zip(conversations, limits)]
    assert outs == expected
    assert outs[0] == outs[4]


def test_clean_output_drops_an_echoed_problem_list():
    assert clean_output("Users reached 788 million.\nProblems:\n- number changed: '7.88亿人'") == "Users reached 788 million."
