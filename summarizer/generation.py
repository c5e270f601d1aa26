"""The values that pass between the engines and the stages around them (checks, rerank, summaries): what a model
generated, how a candidate is sampled, what a repair asks for, and the terms a prompt requires. The bottom floor:
it imports nothing of bisum."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, Sequence, runtime_checkable

Message = dict  # {"role": "system"|"user"|"assistant", "content": str}


@dataclass
class Generation:
    """One generated text and what happened while making it."""

    text: str
    truncated: bool = False  # stopped by the token limit
    notes: list[str] = field(default_factory=list)  # retries and flags, e.g. "translate flagged: not in English"
    failed: bool = False  # still empty or in the wrong language after retries: never shown as output
    failed_lines: list[int] = field(default_factory=list)  # of a multi-line translation, the lines left blank


@dataclass(frozen=True)
class Sampling:
    """How one candidate is sampled instead of decoded greedily (seeded: a run can be reproduced).

    temperature: logits are divided by it; epsilon: tokens with probability below it are never drawn (epsilon
    sampling, the usual choice for MBR candidates); top_p: nucleus mass kept (1.0 = all); seed: the candidate's
    random stream."""

    temperature: float = 1.0
    epsilon: float = 0.02
    top_p: float = 1.0
    seed: int = 0


@dataclass(frozen=True)
class RepairRequest:
    """A translation that the checks flagged, with what they found."""

    source: str
    translation: str
    problems: tuple[str, ...]


class Terms(Protocol):
    """Required renderings for a prompt: glossary entries (and names) that occur in a piece of text."""

    def prompt_lines(self, text: str, source_lang: str) -> str:
        """`source = target` lines for the terms found in `text`, or ""."""
        ...


@runtime_checkable
class Repairer(Protocol):
    """An engine that can re-translate given the problems the checks found."""

    def repair(self, requests: Sequence[RepairRequest], source_lang: str, target_lang: str,
               terms: Terms | None = None) -> list[Generation]: ...
