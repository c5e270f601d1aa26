"""Quality levels: each level's plan, explicit settings (flags or BISUM_* variables) over it, and the label."""
from __future__ import annotations

import pytest

from summarizer.config import Settings
from summarizer.generation import Sampling
from summarizer.engines.quality import LEVELS, QUALITY_LEVELS, TranslationPlan, translation_plan
from summarizer.errors import ConfigError


def test_each_level_gives_its_own_plan():
    assert tuple(LEVELS) == QUALITY_LEVELS
    assert translation_plan(Settings()) == LEVELS["balanced"]  # the default level
    assert translation_plan(Settings(quality="fast")) == TranslationPlan() == LEVELS["fast"]
    fast = translation_plan(Settings(quality="fast"))
    assert (fast.candidates, fast.rerank, fast.context, fast.examples, fast.label) == (1, (), False, 0, "fast")
    balanced = translation_plan(Settings(quality="balanced"))
    assert (balanced.candidates, balanced.rerank, balanced.context, balanced.examples) == (1, (), True, 4)
    best = translation_plan(Settings(quality="best"))
    assert (best.candidates, best.rerank, best.context, best.examples, best.label) == (
        6, ("mbr", "checks"), True, 4, "best")
    assert best.sampling == Sampling()  # seed 0 by default


def test_explicit_settings_win_over_the_level_and_are_named_in_the_label():
    plan = translation_plan(Settings().with_(quality="best", candidates=3, rerank="checks, mbr", doc_context=False,
                                             examples=0, seed=7))
    assert (plan.candidates, plan.rerank, plan.context, plan.examples) == (3, ("checks", "mbr"), False, 0)
    assert plan.sampling == Sampling(seed=7)
    assert plan.label == "best+candidates=3+context=false+examples=0+rerank=checks,mbr"
    # a value equal to the level's is no change; the seed is not a method and never in the label
    assert translation_plan(Settings().with_(quality="balanced", candidates=1, doc_context=True, seed=3)).label == "balanced"
    # fast with more candidates and no scorers; "none" clears the level's scorers
    assert translation_plan(Settings().with_(quality="fast", candidates=4)).label == "fast+candidates=4"
    none = translation_plan(Settings().with_(quality="best", rerank="none"))
    assert none.rerank == () and none.label == "best+rerank=none"
    assert translation_plan(Settings().with_(quality="fast", doc_context=True)).label == "fast+context=true"
    assert translation_plan(Settings().with_(doc_context=False)).label == "balanced+context=false"


def test_quality_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("BISUM_QUALITY", "best")
    monkeypatch.setenv("BISUM_DOC_CONTEXT", "0")
    settings = Settings.from_env()
    assert settings.quality == "best" and settings.doc_context is False
    plan = translation_plan(settings)
    assert plan.context is False and plan.candidates == LEVELS["best"].candidates and plan.label == "best+context=false"
    monkeypatch.setenv("BISUM_CANDIDATES", "3")
    monkeypatch.setenv("BISUM_EXAMPLES", "2")
    monkeypatch.setenv("BISUM_RERANK", "mbr")
    plan = translation_plan(Settings.from_env())
    assert (plan.candidates, plan.examples, plan.rerank) == (3, 2, ("mbr",))
    assert plan.label == "best+candidates=3+context=false+examples=2+rerank=mbr"
    assert Settings.load(doc_context=True).doc_context is True  # a flag wins over the variable


@pytest.mark.parametrize("name, value", [("BISUM_QUALITY", "ultra"), ("BISUM_DOC_CONTEXT", "maybe"),
                                         ("BISUM_CANDIDATES", "many"), ("BISUM_CANDIDATES", "0"),
                                         ("BISUM_RERANK", "mbr,bleu")])
def test_bad_quality_settings_are_config_errors(monkeypatch, name, value):
    from summarizer import api

    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError):  # values by Settings, scorer names by the rerank registry (engines.check_names)
        api.settings()
