"""The checks benchmark: each corruption does what it says, runs are deterministic, the splits are disjoint, and
thresholds and reports work (summarizer.evaluation.corruption, summarizer.evaluation.checks_benchmark)."""
from __future__ import annotations

import json
import random
import re

import pytest

from summarizer.evaluation.checks_benchmark import (
    ChecksBenchmark, Rate, SetResult, failed_thresholds, format_table, markdown, run_set, write_reports,
)
from summarizer.evaluation.corruption import (
    CORRUPTIONS, ORGANISATIONS, change_figure, change_month, corrupt_item, drop_second_half, invent_organisation,
    leave_word, swap_place,
)
from summarizer.evaluation.datasets import CHECK_SPLITS, EvalItem, EvalSet, load_eval_set
from summarizer.terms.places import load_places

ZH = "法国总统马克龙3月5日在北京表示，两国去年贸易额达到1200亿美元，增长了4.5%。"
EN = "French President Emmanuel Macron said in Beijing on March 5 that trade between the two countries reached $120 billion last year, up 4.5 percent."


def rng(seed: int = 1) -> random.Random:
    return random.Random(seed)


def test_figure_changes_one_figure_in_its_last_nonzero_digit():
    out = change_figure(ZH, EN, "zh", "en", rng())
    before, after = re.findall(r"\d+(?:\.\d+)?", EN), re.findall(r"\d+(?:\.\d+)?", out)
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(changed) == 1 and len(before) == len(after)
    a, b = changed[0]
    assert abs(float(a) - float(b)) in (1, 0.1) or abs(float(a) - float(b)) >= 1
    assert change_figure(ZH, "No figures here.", "zh", "en", rng()) is None
    assert change_figure("2019", "2019年", "en", "zh", rng()) == "2018年"


def test_month_is_zh_to_en_only_and_needs_a_month_in_the_source():
    out = change_month(ZH, EN, "zh", "en", rng())
    assert "March" not in out and re.search(r"\b(January|February|April|May|June|July|August|September|October|"
                                            r"November|December) 5\b", out)
    assert change_month("两国贸易额增长。", EN, "zh", "en", rng()) is None
    assert CORRUPTIONS["month"].directions == ("zh-en",)


def test_place_swap_puts_another_real_place_of_the_same_kind_that_neither_side_names():
    places = {p.en: p for p in load_places()}
    out = swap_place(ZH, EN, "zh", "en", rng(3))
    assert out != EN and "Beijing" not in out
    new = next(p for p in places.values() if p.kind == "city" and re.search(rf"\b{re.escape(p.en)}\b", out))
    assert new.en not in EN and new.zh not in ZH
    zh_out = swap_place(EN, ZH, "en", "zh", rng(3))
    assert zh_out != ZH and ("法国" not in zh_out or "北京" not in zh_out)
    assert swap_place("No place.", "No place at all.", "en", "en", rng()) is None


def test_invented_organisation_is_real_and_absent_from_the_source():
    out = invent_organisation(ZH, EN, "zh", "en", rng())
    org = next(o for o in ORGANISATIONS if o[1] in out)
    assert org[1] not in EN and org[2] not in ZH
    assert out.endswith(f", according to {org[0]}.")
    zh_out = invent_organisation(EN, ZH, "en", "zh", rng())
    assert zh_out.startswith("据") and zh_out.endswith(ZH)
    named = invent_organisation("联合国表示", "The United Nations said so.", "zh", "en", rng())
    assert "United Nations" not in named and named.endswith("said so.")


def test_leftovers_put_a_source_word_into_the_target():
    out = leave_word(ZH, EN, "zh", "en", rng())
    han = re.findall(r"[\u4e00-\u9fff]+", out)
    assert len(han) == 1 and han[0] in ZH
    zh_out = leave_word(EN, ZH, "en", "zh", rng())
    latin = re.findall(r"[a-z]{4,}", zh_out)
    assert len(latin) == 1 and latin[0] in EN


def test_second_half_dropped_keeps_the_first_half_as_a_complete_text():
    out = drop_second_half(ZH, EN, "zh", "en", rng())
    assert out.endswith(".") and EN.startswith(out[:-1]) and 0.3 < len(out) / len(EN) < 0.7
    zh_out = drop_second_half(EN, ZH, "en", "zh", rng())
    assert zh_out.endswith("。") and ZH.startswith(zh_out[:-1]) and len(zh_out) < len(ZH)
    two = "First sentence here. Second one there. Third one too. Fourth is last."
    assert drop_second_half("", two, "zh", "en", rng()) == "First sentence here. Second one there."


def test_corruptions_are_deterministic_per_seed_and_item():
    first = corrupt_item("x-1", ZH, EN, "zh", "en", 12345)
    assert first == corrupt_item("x-1", ZH, EN, "zh", "en", 12345)
    assert set(first) == {"clean", "figure", "month", "place", "org", "leftover", "second_half"}
    assert first["clean"] == EN and all(v != EN for k, v in first.items() if k != "clean")
    assert "month" not in corrupt_item("x-1", EN, ZH, "en", "zh", 12345)
    seeds = {corrupt_item("x-1", ZH, EN, "zh", "en", seed)["org"] for seed in range(8)}
    assert len(seeds) > 1


def _ids(name: str) -> set[str]:
    return {i.id for i in load_eval_set(name).items}


@pytest.mark.parametrize("pair", ["zh-en", "en-zh"])
def test_splits_are_disjoint_and_named(pair):
    dev, held = load_eval_set(f"flores-{pair}-checks-dev"), load_eval_set(f"flores-{pair}-checks-heldout")
    if dev.sample:
        pytest.skip("the full FLORES sets are not shared here")
    assert len(dev.items) == 759 and len(held.items) == 253
    assert not _ids(f"flores-{pair}-checks-dev") & _ids(f"flores-{pair}-checks-heldout")
    assert _ids(f"flores-{pair}-checks-dev") | _ids(f"flores-{pair}-checks-heldout") == _ids(f"flores-{pair}")
    assert not _ids(f"wmt19-{pair}-checks-heldout") & _ids(f"wmt19-{pair}-dev")
    assert _ids(f"wmt19-{pair}-checks-heldout") <= _ids(f"wmt19-{pair}")
    for split in ("checks-flores-dev", "checks-flores-heldout", "checks-wmt19-dev", "checks-wmt19-heldout"):
        assert len(CHECK_SPLITS[split]) == 2
    dev_sets, held_sets = set(CHECK_SPLITS["checks-dev"]), set(CHECK_SPLITS["checks-heldout"])
    assert not dev_sets & held_sets


def _result(false_alarms: float, figure: float) -> ChecksBenchmark:
    rates = {"false_alarms": Rate(100, int(false_alarms), false_alarms, (0, 0)), "figure": Rate(50, 0, figure, (0, 0))}
    return ChecksBenchmark("x", 1, None, [SetResult("s-zh-en", "zh-en", 100, rates),
                                          SetResult("s-en-zh", "en-zh", 100, dict(rates))])


def test_thresholds_fail_on_false_alarms_above_and_catches_below():
    result = _result(8.0, 70.0)
    result.thresholds = {"false_alarms": 10, "figure": 60}
    assert failed_thresholds(result) == []
    result.thresholds = {"false_alarms": 5, "zh-en.figure": 80}
    assert failed_thresholds(result) == ["s-zh-en: false_alarms 8.0 vs 5", "s-en-zh: false_alarms 8.0 vs 5",
                                         "s-zh-en: figure 70.0 vs 80"]
    result.thresholds = {"nonsense": 1}
    with pytest.raises(Exception):
        failed_thresholds(result)


def test_run_set_reports_false_alarms_and_catches(tmp_path):
    items = [EvalItem("t-1", "研究人员现在有 4 只老鼠。", "The researchers now have 4 mice."),
             EvalItem("t-2", "会议于2018年在北京举行。", "The meeting was held in Beijing in 2018.")]
    eval_set = EvalSet("tiny-zh-en", tmp_path, "translation", "zh", "en", items)
    result = run_set(eval_set, seed=7)
    assert result.rates["false_alarms"].n == 2 and result.rates["false_alarms"].percent == 0
    assert result.rates["figure"].n == 2 and result.rates["figure"].percent == 100
    assert result.rates["leftover"].percent == 100
    assert run_set(eval_set, seed=7).rates == result.rates  # deterministic
    bench = ChecksBenchmark("tiny", 7, None, [result])
    paths = write_reports(bench, tmp_path / "report")
    assert json.loads(paths[0].read_text())["sets"][0]["name"] == "tiny-zh-en"
    assert "| false alarms" in markdown(bench) and "caught: figure" in format_table(bench)
