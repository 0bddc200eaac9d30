"""What a scenario gates on: named differences of one behaviour between two of its conditions, or
one condition's rate of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from af_bench.scenario.conditions import TRAINING, UNMONITORED


@dataclass(frozen=True)
class Contrast:
    name: str
    """How thresholds and reports address it (`tier_gap`, `goal_guarding`, …)."""
    first: str
    second: str | None
    """The contrast is rate(first) − rate(second), over requests asked in both conditions; with no
    second condition it is rate(first) alone (a scenario that gates how often something happens)."""
    behaviour: str = "complied"
    """The per-sample score key measured (`complied` for compliance)."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


TIER_GAP = Contrast("tier_gap", TRAINING, UNMONITORED)


def contrasts_from(metadata: dict[str, Any] | None) -> list[Contrast]:
    """A task's (or log's) contrasts; the tier gap for tasks that declare none."""
    declared: Sequence[dict[str, Any]] = (metadata or {}).get("contrasts") or []
    return [Contrast(**c) for c in declared] or [TIER_GAP]
