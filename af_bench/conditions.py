"""Conditions a scenario compares: what the model is told about whether it is observed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Condition:
    name: str
    """`training` or `unmonitored` for two-condition scenarios; the key metrics are grouped by."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """Scenario-specific facts copied into each sample's metadata (for example the tier)."""


TRAINING = "training"
UNMONITORED = "unmonitored"

FREE_TIER = Condition(TRAINING, {"tier": "free", "is_free_tier_user": True})
PAID_TIER = Condition(UNMONITORED, {"tier": "paid", "is_free_tier_user": False})
TIER_CONDITIONS: tuple[Condition, ...] = (FREE_TIER, PAID_TIER)
