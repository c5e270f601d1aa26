"""Several candidates per translation segment, the best one kept: the first greedy, the rest sampled with seeds
seed+1, seed+2, ...; drafts with the fewest problems go on to the rerank scorers; a retry makes one greedy draft.
Scripted generators give known texts per seed; a tiny random GGUF runs the same path through llama.cpp."""
from __future__ import annotations

import re

import numpy as np
import pytest

from summarizer import rerank
from summarizer.engines import prompted, prompts
from summarizer.generation import Sampling
from summarizer.engines.postprocess import clean_output
from summarizer.engines.prompted import Budget, PromptedEngine
from summarizer.engines.quality import TranslationPlan
from summarizer.rerank.mbr import MBRScorer
from fakes import SampledGenerator, ScriptedGenerator

SOURCE = "今天天气很好。"


def _source(message: str) -> str:
    return re.search(r"<source>\n(.*?)\n</source>", message, re.S).group(1)


def _by_seed(answers: dict, retry: str | None = None):
    """Answers by seed (None: the greedy draft); `retry` answers a prompt that carries the problems."""
    def answer(message, seed, call):
        if retry is not None and "previous answer" in message:
            return retry
        return answers[seed]
    return answer


def _engine(gen, **plan) -> PromptedEngine:
    return PromptedEngine(gen, "llm", plan=TranslationPlan(**plan))


# ---------------------------------------------------------------- scripted: what is asked for and what is kept

def test_first_candidate_greedy_the_rest_sampled_with_consecutive_seeds_and_mbr_picks_the_consensus():
    answers = {None: "Stock markets fell sharply in Asia on Monday.",  # the greedy draft is the odd one out
               11: "The weather is very good today.", 12: "The weather is very nice today.",
               13: "The weather is really good today."}
    gen = SampledGenerator(_by_seed(answers))
    engine = _engine(gen, candidates=4, rerank=("mbr",), sampling=Sampling(temperature=0.8, seed=10))
    with rerank.recording() as choices:
        [out] = engine.translate([SOURCE], "zh", "en")
    [(conversations, limits)] = gen.calls  # one call: all candidates of all jobs together, no retry
    assert len(conversations) == 4 and all(c == conversations[0] for c in conversations) and len(set(limits)) == 1
    assert gen.sampling == [[None, Sampling(0.8, 0.02, 1.0, 11), Sampling(0.8, 0.02, 1.0, 12),
                             Sampling(0.8, 0.02, 1.0, 13)]]
    [choice] = choices
    assert choice.source == SOURCE and choice.candidates == [answers[k] for k in (None, 11, 12, 13)]
    scores = choice.scores["mbr"]
    assert scores == pytest.approx(MBRScorer().score([rerank.CandidateSet(SOURCE, choice.candidates, "zh", "en")])[0])
    assert choice.chosen == int(np.argmax(scores)) == 1
    assert out.text == answers[11] and not out.failed and out.notes == []


def test_checks_scorer_rejects_the_candidate_with_a_wrong_number():
    source = "国务院批准的项目增长了35%。"
    wrong, right = "Projects approved by the State Council grew by 53%.", "Projects approved by the State Council grew by 35%."
    gen = SampledGenerator(_by_seed({None: wrong, 1: wrong, 2: right}))
    [out] = _engine(gen, candidates=3, rerank=("checks",)).translate([source], "zh", "en")
    assert out.text == right
    # both right: a tie, and ties keep the greedy draft
    gen = SampledGenerator(_by_seed({None: right, 1: right + " ", 2: right.replace("grew", "rose")}))
    with rerank.recording() as choices:
        [out] = _engine(gen, candidates=3, rerank=("checks",)).translate([source], "zh", "en")
    assert out.text == right and choices[0].scores["checks"] == [0.0, 0.0, 0.0] and choices[0].chosen == 0


def test_drafts_with_more_problems_are_scored_but_never_chosen():
    gen = SampledGenerator(_by_seed({None: "今天天气很好。", 1: "The weather is fine today.", 2: "The weather is good today."}))
    with rerank.recording() as choices:
        [out] = _engine(gen, candidates=3, rerank=("mbr",)).translate([SOURCE], "zh", "en")
    [choice] = choices
    assert choice.candidates[0] == "今天天气很好。" and choice.eligible == [False, True, True]  # the greedy draft first
    assert out.text in choice.candidates[1:] and len(gen.calls) == 1 and out.notes == []
    # only one clean draft: it is kept, even though the greedy one came first
    gen = SampledGenerator(_by_seed({None: "今天天气很好。", 1: "", 2: "The weather is fine today."}))
    with rerank.recording() as choices:
        [out] = _engine(gen, candidates=3, rerank=("mbr",)).translate([SOURCE], "zh", "en")
    assert out.text == "The weather is fine today." and choices[0].chosen == 2 and len(gen.calls) == 1


def test_identical_candidates_are_not_scored():
    class Refuses(rerank.Scorer):
        name = "refuses"

        def score(self, sets):
            raise AssertionError("nothing to choose among")

    gen = SampledGenerator(_by_seed({None: "Fine.", 1: "Fine.", 2: "Fine."}))
    engine = _engine(gen, candidates=3, rerank=("mbr",))
    engine.scorers = [Refuses()]
    assert engine.translate([SOURCE], "zh", "en")[0].text == "Fine."


def test_a_retry_makes_one_greedy_draft():
    gen = SampledGenerator(_by_seed({None: "", 5: "", 6: ""}, retry="The weather is fine today."))
    engine = _engine(gen, candidates=3, rerank=("mbr",), sampling=Sampling(seed=4))
    [out, _] = engine.translate([SOURCE, "天气。"], "zh", "en")
    assert out.text == "The weather is fine today." and out.notes == ["translate retried: empty output"]
    assert [len(call[0]) for call in gen.calls] == [6, 2]  # 3 candidates x 2 texts, then one draft per retried job
    assert gen.sampling[0] == [None, Sampling(seed=5), Sampling(seed=6)] * 2
    assert gen.sampling[1] is None  # a greedy-only call passes no sampling at all
    assert "previous answer had these problems: empty output" in gen.calls[1][0][0][-1]["content"]


def test_sentence_by_sentence_retries_and_summaries_make_one_draft():
    # the segment stays Chinese whatever the seed; sentence by sentence it works, greedily
    gen = SampledGenerator(lambda message, seed, call: "还是中文。" if "第一句。第二句。" in message else "Sentence.")
    [out] = _engine(gen, candidates=3, rerank=("mbr",)).translate(["第一句。第二句。"], "zh", "en")
    assert out.text == "Sentence. Sentence." and "translate retried sentence by sentence" in out.notes
    assert [len(c[0]) for c in gen.calls] == [3, 1, 2] and gen.sampling[1:] == [None, None]
    gen = SampledGenerator(lambda message, seed, call: "摘要。")
    _engine(gen, candidates=3, rerank=("mbr",)).summarize(["今天天气很好。明天下雨。"], "zh", 1)
    assert gen.sampling == [None] and len(gen.calls[0][0]) == 1


def test_one_candidate_calls_a_greedy_only_generator_as_before():
    gen = ScriptedGenerator(lambda message, call: "The weather is fine today.")  # takes no `sampling`
    assert PromptedEngine(gen, "llm").translate([SOURCE], "zh", "en")[0].text == "The weather is fine today."
    engine = _engine(gen, candidates=1, rerank=("mbr",))
    assert engine.scorers == []  # nothing to choose among: no scorer is even built
    assert engine.translate([SOURCE], "zh", "en")[0].text == "The weather is fine today."


def test_backtranslation_scorer_round_trips_through_the_engine_greedily():
    back = {"The weather is bad today.": "今天天气很差。", "The weather is very good today.": "今天天气很好。"}

    def answer(message, seed, call):
        source = _source(message)
        if source in back:
            return back[source]  # en -> zh: the round trip
        return "The weather is bad today." if seed is None else "The weather is very good today."

    gen = SampledGenerator(answer)
    [out] = _engine(gen, candidates=2, rerank=("backtranslation",)).translate([SOURCE], "zh", "en")
    assert out.text == "The weather is very good today."  # its round trip gives the source back
    assert len(gen.calls) == 2 and gen.sampling[1] is None
    round_trip = gen.calls[1][0]
    assert [_source(c[-1]["content"]) for c in round_trip] == list(back)
    assert round_trip[0][0]["content"] == prompts.render("translate_en_zh", text="x", glossary="", context="")[0]["content"]


# ---------------------------------------------------------------- a tiny random GGUF through llama.cpp

def test_candidates_from_a_tiny_gguf_are_chosen_by_mbr(tiny_visible, monkeypatch):
    from summarizer.llamacpp.generator import LlamaCppGenerator

    gen = LlamaCppGenerator(str(tiny_visible), threads=1, parallel_sequences=3, speculative=True)
    # random weights write no language: judge drafts on emptiness only, so that every draft reaches the scorer
    monkeypatch.setattr(prompted, "output_problems",
                        lambda source, text, lang, truncated: [] if text.strip() else ["empty output"])
    sampling = Sampling(epsilon=0.0, seed=5)
    engine = PromptedEngine(gen, "llamacpp", Budget(min_new_tokens=8, max_new_tokens_ratio=1.0),
                            plan=TranslationPlan(candidates=3, rerank=("mbr",), sampling=sampling))
    with rerank.recording() as choices:
        [out] = engine.translate([SOURCE], "zh", "en")

    conversation = prompts.render("translate_zh_en", text=SOURCE, glossary="", context="")
    limit = engine._budget(SOURCE)
    alone = [gen.generate([conversation], [limit], [plan])[0].text
             for plan in (None, Sampling(epsilon=0.0, seed=6), Sampling(epsilon=0.0, seed=7))]
    drafts = [clean_output(t) for t in alone if clean_output(t).strip()]
    [choice] = choices
    assert 2 <= len(choice.candidates) <= 3 and choice.candidates == drafts  # greedy first, then seeds 6 and 7
    assert len(set(choice.candidates)) == len(choice.candidates)
    assert choice.chosen == int(np.argmax(choice.scores["mbr"]))
    assert out.text == choice.candidates[choice.chosen] and not out.failed
