"""Quality levels: how much decoding a translation may spend to beat the model's first (greedy) guess.

Each method is its own setting; `--quality fast|balanced|best` only chooses their defaults, and a setting given
explicitly (flag or BISUM_* variable) wins over the level. The plan's `label` names the level and any setting
changed from it, and goes into every record and eval signature.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from summarizer.generation import Sampling

if TYPE_CHECKING:
    from summarizer.config import Settings

QUALITY_LEVELS = ("fast", "balanced", "best")


@dataclass(frozen=True)
class TranslationPlan:
    """candidates: translations made per segment (the first greedy, the rest sampled); rerank: the scorers that
    choose among them (see `summarizer.rerank`); context: each segment sees the text's title and the previous
    segment with its translation; examples: few-shot pairs from the held-out split put before each segment."""

    candidates: int = 1
    rerank: tuple[str, ...] = ()
    context: bool = False
    examples: int = 0
    sampling: Sampling = Sampling()
    label: str = "fast"


# Measured on FLORES-200 devtest and WMT19 (benchmarks/RESULTS.md, "Translation quality levels"): MBR gained in all
# four directions; e5 similarity and back-translation alone picked worse candidates than greedy, so no level uses
# them. balanced is the default: it gains in all four at <= 1.8x greedy and keeps the page's 20 s target.
LEVELS: dict[str, TranslationPlan] = {
    "fast": TranslationPlan(label="fast"),
    "balanced": TranslationPlan(context=True, examples=4, label="balanced"),
    "best": TranslationPlan(candidates=6, rerank=("mbr", "checks"), context=True, examples=4, label="best"),
}


def describe(level: str) -> str:
    """One line on what a level does, from its plan."""
    plan = LEVELS[level]
    made = "one greedy translation" if plan.candidates == 1 else (
        f"{plan.candidates} candidates chosen by {'+'.join(plan.rerank)}")
    extras = [f"{plan.examples} few-shot examples"] * bool(plan.examples) + ["document context"] * plan.context
    return f"{level} = {made}" + (f", {', '.join(extras)}" if extras else "")


def translation_plan(settings: Settings) -> TranslationPlan:
    """The level's plan with the settings given explicitly on top (None = the level's value)."""
    plan = LEVELS[settings.quality]
    given = {
        "candidates": settings.candidates,
        "rerank": _scorers(settings.rerank) if settings.rerank is not None else None,
        "context": settings.doc_context,
        "examples": settings.examples,
    }
    changed = {k: v for k, v in given.items() if v is not None and v != getattr(plan, k)}
    sampling = replace(plan.sampling, seed=settings.seed)
    label = plan.label + "".join(f"+{k}={_show(v)}" for k, v in sorted(changed.items()))
    return replace(plan, **changed, sampling=sampling, label=label)


def _scorers(value: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in value.split(",") if n.strip() and n.strip() != "none")


def _show(value) -> str:
    if isinstance(value, tuple):
        return ",".join(value) or "none"
    return str(value).lower() if isinstance(value, bool) else str(value)
