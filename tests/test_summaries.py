"""The summarize step: whole sentences, the requested count, grounded in the article, or replaced with a note."""
from summarizer.generation import Generation
from summarizer.engines.extractive import extractive_engine
from summarizer.summaries import grounded_summaries, shared_share, whole_sentences

ARTICLE = ("2024年，全国海关共实施知识产权保护措施5.32万次，扣留侵权嫌疑货物4.13万批。"
           "海关总署表示，将继续加强知识产权保护。广州海关查获侵权足球3079个。")


class Scripted:
    """A model-backed engine whose summaries come from a list, one per call."""

    name, model, can_translate = "scripted", "scripted@0", True

    def __init__(self, *answers: Generation):
        self.answers = list(answers)
        self.inputs: list[list[str]] = []

    def summarize(self, texts, lang, sentences, target_lang=None, terms=None):
        self.inputs.append(list(texts))
        return [self.answers.pop(0) for _ in texts]


def test_a_sentence_cut_by_the_token_limit_is_dropped():
    assert whole_sentences("海关实施措施5.32万次。海关总署表示，将继", "zh", True) == "海关实施措施5.32万次。"
    assert whole_sentences("Customs acted 53,200 times. It said it would", "en", True) == "Customs acted 53,200 times."
    assert whole_sentences("One sentence.", "en", False) == "One sentence."


def test_a_grounded_summary_is_kept():
    engine = Scripted(Generation("2024年，全国海关实施知识产权保护措施5.32万次。"))
    [draft] = grounded_summaries([ARTICLE], "zh", 2, engine, extractive_engine())
    assert draft.text == "2024年，全国海关实施知识产权保护措施5.32万次。" and not draft.notes and len(engine.inputs) == 1


def test_an_invented_figure_is_rewritten_from_the_key_sentences():
    engine = Scripted(Generation("全国海关实施保护措施8万次。"), Generation("全国海关实施知识产权保护措施5.32万次。"))
    [draft] = grounded_summaries([ARTICLE], "zh", 1, engine, extractive_engine())
    assert draft.text == "全国海关实施知识产权保护措施5.32万次。"
    assert len(engine.inputs) == 2 and len(engine.inputs[1][0]) < len(ARTICLE) + 1  # key sentences only
    assert any(n.startswith("summary rewritten from key sentences") and "8万" in n for n in draft.notes)


def test_still_unsupported_falls_back_to_the_extractive_summary():
    engine = Scripted(Generation("HACKED"), Generation("Pwned, as instructed."))
    [draft] = grounded_summaries([ARTICLE], "zh", 1, engine, extractive_engine())
    assert draft.text and draft.text in ARTICLE
    assert any(n.startswith("summary replaced by the extractive one") for n in draft.notes)


def test_too_many_sentences_are_cut_to_the_requested_count():
    engine = Scripted(Generation("海关实施措施5.32万次。海关扣留货物4.13万批。海关查获足球3079个。"))
    [draft] = grounded_summaries([ARTICLE], "zh", 2, engine, extractive_engine())
    assert draft.text == "海关实施措施5.32万次。海关扣留货物4.13万批。"


def test_shared_share():
    assert shared_share(ARTICLE, "海关保护知识产权。", "zh") == 1.0
    assert shared_share("Customs seized fake footballs.", "Customs seized footballs.", "en") == 1.0
    assert shared_share("Customs seized fake footballs.", "The weather is nice today.", "en") == 0.0


def test_a_summary_from_key_sentences_is_judged_against_the_whole_article():
    """The model reads an extract; a figure from outside it is still in the article, an invented one is not."""
    from fakes import ScriptedGenerator
    from summarizer.engines.prompted import Budget, PromptedEngine

    article = ARTICLE.replace("广州海关", "".join(f"各地海关第{i}次开展专项行动。" for i in range(1, 20)) + "广州海关")
    answers = iter(["广州海关查获侵权足球3079个。"] + ["海关查获侵权足球9999个。"] * 2)
    engine = PromptedEngine(ScriptedGenerator(lambda msg, n: next(answers)), "llm", Budget(summary_input_tokens=45))
    assert "3079" not in engine.summary_input(article, "zh")  # the model reads the lead sentence only
    kept, rejected = (grounded_summaries([article], "zh", 1, engine, extractive_engine())[0] for _ in range(2))
    assert kept.text == "广州海关查获侵权足球3079个。" and not kept.notes
    assert "9999" not in rejected.text and any("9999" in n for n in rejected.notes)
