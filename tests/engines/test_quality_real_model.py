"""Quality levels on the real offline default model: `python -m pytest -m model tests/engines/test_quality_real_model.py`."""
from __future__ import annotations

import re

import numpy as np
import pytest

from summarizer import rerank
from summarizer.config import Settings
from summarizer import models

pytestmark = [pytest.mark.model, pytest.mark.timeout(1800)]

# A transliterated name the model renders differently sentence by sentence (Ehud Ullah, Ehud Ull, Ehud Ullrich, …).
ARTICLE = "\n".join([
    "埃胡德·乌尔博士是达尔豪西大学的医学教授，也是加拿大糖尿病协会临床与科学部门的主席。",
    "埃胡德·乌尔提醒，这项研究仍处在早期阶段，其他专家对糖尿病能否治愈也持怀疑态度。",
    "埃胡德·乌尔指出，这些发现与已经患有1型糖尿病的人无关。",
])


def engine(**flags):
    if not models.is_present(models.REGISTRY[models.DEFAULT_MODEL]):
        pytest.skip("the default model is not pulled (summarizer models pull)")
    from summarizer.engines import get_engine

    return get_engine("llamacpp", Settings(cache=False).with_(**flags))


def test_best_keeps_the_candidate_its_scorers_prefer():
    with rerank.recording() as choices:
        out = engine(quality="best").translate(["这项研究仍处在早期阶段。\n其他专家也持怀疑态度。"], "zh", "en")[0]
    assert not out.failed and "research" in out.text.lower()
    assert choices, "six sampled candidates always differ somewhere"
    for choice in choices:
        assert 1 < len(choice.candidates) <= 6
        assert choice.chosen == int(np.argmax(rerank.combined(list(choice.scores.values()))))
        assert choice.candidates[choice.chosen] in out.text


def test_document_context_keeps_one_rendering_of_a_name_through_the_article():
    out = engine(quality="fast", examples=4, doc_context=True).translate([ARTICLE], "zh", "en")[0]
    lines = out.text.split("\n")
    assert len(lines) == 3
    names = [re.search(r"\bEhud\s+([A-Z][\w'-]+)", line) for line in lines]
    assert all(names), lines
    assert len({m.group(1) for m in names}) == 1, lines
