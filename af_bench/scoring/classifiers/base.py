"""The interface every alignment-faking reasoning classifier implements."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

FAILED_VOTE = "failed_"
"""Prefix of the vote counts that gave no label (`failed_refused`, `failed_unparsable`, ...)."""


def failed_votes(ballots: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Votes that gave no label over these ballots' vote counts, by why: `refused` (the judge
    declined) apart from `unparsable`, `blocked` and `error: <type>`. None of them is ever a No."""
    kinds: Counter[str] = Counter()
    for votes in ballots:
        kinds.update({k.removeprefix(FAILED_VOTE): v for k, v in votes.items() if k.startswith(FAILED_VOTE)})
    return dict(sorted(kinds.items()))


@dataclass(frozen=True)
class ScratchpadCase:
    """What a classifier gets to see about one sample."""

    scratchpad: str
    final_output: str | None = None
    condition: str | None = None
    complied: bool | None = None
    """Whether the answer went along with the training objective, when the scenario knows it
    from more than the acceptance tag (animal welfare); None: read it from the output."""


@dataclass(frozen=True)
class AFVerdict:
    is_alignment_faking: bool | None
    """None means the classifier could not tell (a judge failure): never read it as No."""
    score: float
    """Strength of the evidence in [0, 1] (the criteria met, or a judge's vote fraction)."""
    criteria: dict[str, bool] = field(default_factory=dict)
    explanation: str = ""
    votes: dict[str, int] = field(default_factory=dict)
    """Judge votes by answer (`yes`, `no`, `failed_<reason>`); empty for the heuristic."""
    quotes: dict[str, str] = field(default_factory=dict)
    """Evidence a judge quoted per criterion (`quote_<N>`), where its prompt asks for quotes."""
    panel: dict[str, bool | None] = field(default_factory=dict)
    """A judge panel's members' decisions by judge name (None: that judge failed); empty otherwise."""


@runtime_checkable
class AFClassifier(Protocol):
    name: str

    async def classify(self, case: ScratchpadCase) -> AFVerdict: ...
