"""Match the quantities of a source and its translation, and name what differs."""
from __future__ import annotations

from dataclasses import dataclass

from summarizer.checks.numbers.currency import currencies_compatible, currency_name
from summarizer.checks.numbers.quantity import Quantity


@dataclass
class NumberIssue:
    """A difference between the quantities of a source and its translation."""

    kind: str  # missing | extra | changed | approx | currency | percent_point
    source: Quantity | None
    target: Quantity | None
    message: str


def quantities_match(a: Quantity, b: Quantity) -> bool:
    return _match_cost(a, b) is not None


def _match_cost(a: Quantity, b: Quantity) -> float | None:
    """How far apart two quantities are, or None when no reading of one agrees with the other within rounding."""
    best = None
    tol = max(a.precision, b.precision) / 2
    for ga, va in a.keys():
        for gb, vb in b.keys():
            if ga != gb:
                continue
            diff = abs(va - vb)
            if diff <= tol * (1 + 1e-9) + 1e-9 * max(abs(va), abs(vb), 1):
                cost = diff / max(abs(va), abs(vb), 1e-9) + (0 if a.kind == b.kind else 0.01)
                best = cost if best is None else min(best, cost)
    if best is not None and a.soft != b.soft:
        best += 0.05
    return best


def _pair_up(source: list[Quantity], target: list[Quantity]) -> dict[int, int]:
    """Source index -> target index, cheapest matches first, ties broken by position."""
    pairs = []
    for i, s in enumerate(source):
        for j, t in enumerate(target):
            cost = _match_cost(s, t)
            if cost is not None:
                order = abs(i / max(len(source), 1) - j / max(len(target), 1)) * 0.001
                pairs.append((cost + order, i, j))
    matched: dict[int, int] = {}
    taken: set[int] = set()
    for _, i, j in sorted(pairs):
        if i not in matched and j not in taken:
            matched[i] = j
            taken.add(j)
    return matched


def _pair_issues(s: Quantity, t: Quantity) -> list[NumberIssue]:
    """What differs between a source quantity and the target quantity it matched."""
    issues = []
    if {s.approx, t.approx} == {"over", "under"}:
        issues.append(NumberIssue("approx", s, t, f"approximation changed: {s.span!r} ({s.approx}) vs {t.span!r} ({t.approx})"))
    issues += _currency_issue(s, t)
    if {s.kind, t.kind} == {"percent", "percent_point"}:
        issues.append(NumberIssue("percent_point", s, t, f"percent vs percentage points: {s.span!r} vs {t.span!r}"))
    return issues


def _currency_issue(s: Quantity, t: Quantity) -> list[NumberIssue]:
    """An amount in another currency than its source: 1269亿元 -> "$126.9 billion" is yuan -> US dollars."""
    if currencies_compatible(s.currency, t.currency):
        return []
    change = f"{currency_name(s.currency)} → {currency_name(t.currency)}"
    return [NumberIssue("currency", s, t, f"currency changed: {change} ({s.span!r} became {t.span!r})")]


def compare_quantities(source: list[Quantity], target: list[Quantity]) -> list[NumberIssue]:
    """Quantities missing from, added to or changed in the target, plus approximation and currency conflicts."""
    matched = _pair_up(source, target)
    _drop_idiom_matches(source, target, matched)
    issues: list[NumberIssue] = []
    for i, j in sorted(matched.items()):
        issues += _pair_issues(source[i], target[j])
    matched_sources = [source[i] for i in matched]
    taken = set(matched.values())
    matched_targets = [target[j] for j in taken]
    lost = [s for i, s in enumerate(source) if i not in matched and not s.soft and not _seen(s, matched_targets)]
    added = [t for j, t in enumerate(target) if j not in taken and not t.soft and not _seen(t, matched_sources)]
    # words for small numbers ("three people") are never reported alone, but one left over beside a figure the
    # source lacks ("4 人") is that figure, changed
    worded = [s for i, s in enumerate(source) if i not in matched and s.soft and s.kind == "number" and s.value >= 2
              and s.span[:1].isascii() and s.span[:1].isalpha()]  # English words; Chinese 六七, 二三 are vague
    # an unmatched source and an unmatched target of the same group, in order: one number changed into another
    for s in sorted(lost + worded, key=lambda q: q.start):
        t = next((t for t in added if t.group == s.group and (not s.soft or t.kind == "number" and t.value <= 100)), None)
        if t is None:
            continue
        if s in lost:
            lost.remove(s)
        added.remove(t)
        issues.append(NumberIssue("changed", s, t, f"number changed: {s.describe()} became {t.describe()}"))
        issues += _currency_issue(s, t)
    issues += [NumberIssue("missing", s, None, f"number missing from the translation: {s.describe()}") for s in lost]
    issues += [NumberIssue("extra", None, t, f"number not in the source: {t.describe()}") for t in added]
    return issues


def _drop_idiom_matches(source: list[Quantity], target: list[Quantity], matched: dict[int, int]) -> None:
    """Undo a figure's match with a small number word (1 with 一些's 一, 4 with "four years") when a figure of its group
    is left unmatched on that side: the word was an idiom, and the figure changed into the one left over."""
    taken = set(matched.values())
    for i, j in sorted(matched.items()):
        s, t = source[i], target[j]
        if s.soft == t.soft:
            continue
        if not s.soft:
            spare = any(k not in taken and not q.soft and q.group == s.group for k, q in enumerate(target))
        else:
            spare = any(k not in matched and not q.soft and q.group == t.group for k, q in enumerate(source))
        if spare:
            del matched[i]
            taken.discard(j)


def _seen(q: Quantity, others: list[Quantity]) -> bool:
    """Another mention of a quantity matched elsewhere (2019 twice in the source, once in the translation); a figure
    is not another mention of a number word ("4" beside "fourth")."""
    return any(quantities_match(q, o) and (q.soft or not o.soft) for o in others)
