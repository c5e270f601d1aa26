"""Document context and few-shot examples in translation prompts.

With context, a text's segments are translated in order, in waves (the k-th segment of every text together), and
each later segment's prompt carries a <context> block: the text's first segment and the previous one, each with
its translation. Few-shot examples come from the held-out split and go before the user turn as user/assistant
turns."""
from __future__ import annotations

import re

import pytest

from summarizer.engines import prompts
from summarizer.engines.prompted import CONTEXT_CHARS, Budget, PromptedEngine
from summarizer.engines.quality import TranslationPlan
from summarizer.errors import ModelError
from fakes import ScriptedGenerator

PARAGRAPHS = ["王小明今天访问了北京。", "王小明随后会见了记者。", "王小明明天将返回上海。"]
ENGLISH = {"王小明今天访问了北京。": "visited Beijing today.", "王小明随后会见了记者。": "then met reporters.",
           "王小明明天将返回上海。": "will return to Shanghai tomorrow.",
           "李华是一名教师。": "Li Hua is a teacher.", "她住在广州。": "She lives in Guangzhou."}
RENDERINGS = ["Wang Xiaoming", "Xiaoming Wang", "Wang Hsiao-ming"]  # what the model might write for 王小明
OTHER = ["李华是一名教师。", "她住在广州。"]


def _source(message: str) -> str:
    return re.search(r"<source>\n(.*?)\n</source>", message, re.S).group(1)


def _context(message: str) -> str | None:
    found = re.search(r"<context>\n(.*?)\n</context>", message, re.S)
    return found.group(1) if found else None


def answer(message: str, call: int) -> str:
    """王小明 as rendered in the context block if it is there, else a rendering that depends on the paragraph."""
    source = _source(message)
    if source not in PARAGRAPHS:
        return ENGLISH[source]
    context = _context(message) or ""
    name = next((r for r in RENDERINGS if r in context), RENDERINGS[PARAGRAPHS.index(source)])
    return f"{name} {ENGLISH[source]}"


def _prompts_of(gen: ScriptedGenerator) -> dict[str, str]:
    """Each source segment's user prompt (the last one sent for it)."""
    return {_source(c[-1]["content"]): c[-1]["content"] for call in gen.calls for c in call[0]}


def _engine(gen, **plan) -> PromptedEngine:
    return PromptedEngine(gen, "llm", plan=TranslationPlan(**plan))


def test_context_blocks_carry_the_first_and_previous_segments_with_their_translations():
    gen = ScriptedGenerator(answer)
    outs = _engine(gen, context=True).translate(["\n".join(PARAGRAPHS), "\n".join(OTHER)], "zh", "en")
    # waves: the first segments of both texts together, then the second ones, then the third (one text left)
    assert [[_source(c[-1]["content"]) for c in call[0]] for call in gen.calls] == [
        [PARAGRAPHS[0], OTHER[0]], [PARAGRAPHS[1], OTHER[1]], [PARAGRAPHS[2]]]
    sent = _prompts_of(gen)
    first, second = (f"{RENDERINGS[0]} {ENGLISH[p]}" for p in PARAGRAPHS[:2])
    assert "<context>" not in sent[PARAGRAPHS[0]] and "<context>" not in sent[OTHER[0]]
    assert _context(sent[PARAGRAPHS[1]]) == f"Previous: {PARAGRAPHS[0]} => {first}"  # no separate start line yet
    assert _context(sent[PARAGRAPHS[2]]) == (f"Start of the article: {PARAGRAPHS[0]} => {first}\n"
                                              f"Previous: {PARAGRAPHS[1]} => {second}")
    assert _context(sent[OTHER[1]]) == f"Previous: {OTHER[0]} => {ENGLISH[OTHER[0]]}"  # its own text only
    assert sent[PARAGRAPHS[1]].index("<context>") < sent[PARAGRAPHS[1]].index("<source>")
    assert sent[PARAGRAPHS[1]].startswith("Context: earlier text of the same article")
    assert [o.text.split("\n") for o in outs] == [[f"{RENDERINGS[0]} {ENGLISH[p]}" for p in PARAGRAPHS],
                                                  [ENGLISH[p] for p in OTHER]]


def test_without_context_every_segment_goes_in_one_call_with_an_empty_block():
    gen = ScriptedGenerator(answer)
    _engine(gen).translate(["\n".join(PARAGRAPHS), "\n".join(OTHER)], "zh", "en")
    [(conversations, _)] = gen.calls
    assert len(conversations) == 5 and not any("<context>" in c[-1]["content"] for c in conversations)
    assert all(c[-1]["content"].startswith("<source>") for c in conversations)


def test_context_keeps_a_name_rendered_the_same_way_in_every_paragraph():
    def renderings(outs) -> list[str]:
        return [next(r for r in RENDERINGS if line.startswith(r)) for line in outs[0].text.split("\n")]

    with_context = _engine(ScriptedGenerator(answer), context=True).translate(["\n".join(PARAGRAPHS)], "zh", "en")
    assert renderings(with_context) == [RENDERINGS[0]] * 3
    without = _engine(ScriptedGenerator(answer)).translate(["\n".join(PARAGRAPHS)], "zh", "en")
    assert renderings(without) == RENDERINGS  # each paragraph on its own: three spellings


def test_context_is_clipped_and_skips_segments_that_went_wrong():
    long_first = "据报道，" + "这是一句很长的开头。" * 40  # over CONTEXT_CHARS characters
    gen = ScriptedGenerator(lambda message, call: "Long English start." if _source(message) == long_first
                            else "The end.")
    engine = PromptedEngine(gen, "llm", Budget(segment_tokens=1000), plan=TranslationPlan(context=True))
    engine.translate([f"{long_first}\n第二段。\n第三段。"], "zh", "en")
    block = _context(_prompts_of(gen)["第三段。"])
    start, previous = block.split("\n")
    assert start == f"Start of the article: {long_first[:CONTEXT_CHARS]} => Long English start."
    assert previous == "Previous: 第二段。 => The end."
    # a first segment that stayed in the wrong language gives no context
    gen = ScriptedGenerator(lambda message, call: "这还是中文。" if _source(message).startswith("第一") else "Fine.")
    [out] = _engine(gen, context=True).translate(["第一段的内容。\n第二段的内容。"], "zh", "en")
    assert out.failed and out.failed_lines == [0] and out.text == "\nFine."  # the failed line is left blank
    assert "<context>" not in _prompts_of(gen)["第二段的内容。"]


def test_en_to_zh_context_uses_chinese_labels():
    gen = ScriptedGenerator(lambda message, call: {"First line.": "第一行。", "Second line.": "第二行。"}[_source(message)])
    _engine(gen, context=True).translate(["First line.\nSecond line."], "en", "zh")
    sent = _prompts_of(gen)["Second line."]
    assert sent.startswith("上下文：") and _context(sent) == "上文: First line. => 第一行。"


# ---------------------------------------------------------------- few-shot examples

def test_examples_come_from_the_held_out_files():
    four = prompts.examples("zh", "en", 4)
    assert len(four) == 4 and all(e.id.startswith("newstest2019.zh-en-") and e.source and e.target for e in four)
    assert prompts.examples("zh", "en", 2) == four[:2]
    assert prompts.examples("zh", "en", 0) == [] and prompts.examples("zh", "fr", 4) == []
    assert len(prompts.examples("zh", "en", 100)) == len(four)  # no more than the file holds
    assert [e.id.split("-")[0] for e in prompts.examples("en", "zh", 4)] == ["newstest2019.en"] * 4


def test_examples_are_rendered_as_turns_before_the_user_turn():
    gen = ScriptedGenerator(lambda message, call: "Translated.")
    _engine(gen, examples=4, context=True).translate(["第一段。\n第二段。"], "zh", "en")
    four = prompts.examples("zh", "en", 4)
    for call in gen.calls:
        [messages] = call[0]
        assert [m["role"] for m in messages] == ["system"] + ["user", "assistant"] * 4 + ["user"]
        for example, (user, assistant) in zip(four, zip(messages[1:-1:2], messages[2:-1:2])):
            assert user["content"] == f"<source>\n{example.source}\n</source>"  # no context, no glossary, no braces
            assert assistant["content"] == example.target
    assert "<context>" in gen.calls[1][0][0][-1]["content"]  # the segment's own turn still has its context


def test_an_answer_copied_from_a_prompt_example_is_retried_without_the_examples():
    """Seen on FLORES en->zh: a long first sentence answered with the first example's translation."""
    first = prompts.examples("en", "zh", 4)[0]

    def answer(message, call):
        return first.target if call == 1 else "诺贝尔委员会放弃了联系鲍勃·迪伦的努力。"

    gen = ScriptedGenerator(answer)
    [out] = _engine(gen, examples=4).translate(["The Nobel committee abandoned its efforts to reach Bob Dylan."],
                                               "en", "zh")
    assert out.text == "诺贝尔委员会放弃了联系鲍勃·迪伦的努力。"
    assert len(gen.calls) == 2 and len(gen.calls[1][0][0]) == 2  # the retry: system and user turns only
    assert any("copied a prompt example" in n for n in out.notes)


def test_template_render_with_examples_and_a_missing_value():
    template = prompts.load("translate_en_zh")
    examples = prompts.examples("en", "zh", 1)
    messages = template.render(examples, text="Hello.", glossary="", context="")
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"].endswith(f"{examples[0].source}\n</source>") and messages[-1]["content"].endswith(
        "Hello.\n</source>")
    assert template.render((), text="Hello.", glossary="", context="") == [messages[0], messages[-1]]
    with pytest.raises(ModelError, match="no value for context"):
        template.render(examples, text="Hello.", glossary="")
