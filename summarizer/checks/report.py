"""Checks as JSON, and how often each type fires over many items."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from summarizer.document import Check

CHECK_TYPES = ("number", "term", "entity", "omission", "addition", "untranslated", "repetition", "truncated", "unsupported")


def checks_to_json(checks: Iterable[Check]) -> dict:
    """{"checks": [{"type", "severity", "message", "source_span", "target_span"}, ...]}"""
    keys = ("type", "severity", "message", "source_span", "target_span")
    out = []
    for c in checks:
        item = {k: getattr(c, k) for k in keys}
        if c.field:
            item["field"] = c.field
        if c.repair:
            item["repair"] = c.repair
        out.append(item)
    return {"checks": out}


def check_lines(found: Iterable[Check]) -> list[str]:
    """One line per check (severity, type, message, spans), or "no problems found"."""
    lines = []
    for c in found:
        spans = " | ".join(s for s in (c.source_span and f"source: {c.source_span}", c.target_span and f"target: {c.target_span}") if s)
        lines.append(f"{c.severity:7} {c.type:12} {c.message}" + (f"  [{spans}]" if spans else ""))
    return lines or ["no problems found"]


def check_rates(check_lists: Sequence[Sequence[Check]], severities: Iterable[str] = ("error", "warning", "info")) -> dict[str, float]:
    """Share of items with at least one check of each type (only checks of the given severities count)."""
    wanted = set(severities)
    n = len(check_lists)

    def share(hit) -> float:
        return sum(1 for checks in check_lists if any(hit(c) for c in checks)) / n if n else 0.0

    rates = {kind: share(lambda c, kind=kind: c.type == kind and c.severity in wanted) for kind in CHECK_TYPES}
    rates["any"] = share(lambda c: c.severity in wanted)
    return rates
