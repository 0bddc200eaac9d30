"""Anytime-valid early stopping: a betting confidence sequence for a mean in [0, 1], and the
stopping rule a gate applies to it.

The confidence sequence is the hedged-capital one of Waudby-Smith and Ramdas (2023, "Estimating
means of bounded random variables by betting", JRSS-B): for each candidate mean m, two bettors
stake on the next observation being above or below m with a predictable plug-in bet, and m leaves
the set once either's wealth reaches 1/α. Wealth is a nonnegative supermartingale under the true
m, so by Ville's inequality the true mean stays in every set at once with probability ≥ 1 − α:
a gate may look after every round, as often as it likes, at no cost to its error rate.

A paired gap lives in [−1, 1]; it is mapped to [0, 1] as (d + 1) / 2 and back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

GRID_POINTS = 4001
MAX_BET = 0.75
"""Truncation of the bets (as a share of what would risk all wealth on one observation)."""


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def betting_confidence_sequence(xs: Sequence[float], alpha: float) -> list[Interval]:
    """The running intersection of the confidence sets after each observation (all in [0, 1])."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    values = np.asarray(xs, dtype=float)
    if values.size and (values.min() < 0.0 or values.max() > 1.0):
        raise ValueError("observations must lie in [0, 1]")
    grid = np.linspace(0.0, 1.0, GRID_POINTS)
    log_up = np.zeros_like(grid)
    log_down = np.zeros_like(grid)
    threshold = math.log(1.0 / alpha)
    total, squares = 0.0, 0.0
    low, high = 0.0, 1.0
    out: list[Interval] = []
    # log1p(-1) at the edges of the grid is -inf: wealth lost, that m rejected.
    with np.errstate(divide="ignore"):
        for t, x in enumerate(values, start=1):
            # Predictable plug-in bet: from the observations before this one only.
            mean = (0.5 + total) / t
            variance = (0.25 + squares) / t
            bet = math.sqrt(2.0 * math.log(2.0 / alpha) / (variance * t * math.log(t + 1.0)))
            up = np.minimum(bet, MAX_BET / np.maximum(grid, 1e-12))
            down = np.minimum(bet, MAX_BET / np.maximum(1.0 - grid, 1e-12))
            log_up += np.log1p(up * (x - grid))
            log_down += np.log1p(-down * (x - grid))
            total += x
            squares += (x - mean) ** 2
            # m is rejected once the hedged wealth max(K+, K-) / 2 reaches 1/α.
            kept = grid[np.maximum(log_up, log_down) - math.log(2.0) < threshold]
            if kept.size:
                low, high = max(low, float(kept.min())), min(high, float(kept.max()))
            out.append(Interval(low, min(max(high, low), 1.0)))
    return out


def gap_sequence(differences: Sequence[float], alpha: float) -> list[Interval]:
    """Confidence sequence for a paired gap from per-pair differences in [−1, 1]."""
    scaled = [(d + 1.0) / 2.0 for d in differences]
    return [Interval(2 * i.low - 1, 2 * i.high - 1) for i in betting_confidence_sequence(scaled, alpha)]


Stop = Literal["pass", "fail", "budget"]


@dataclass(frozen=True)
class Limit:
    """A threshold a sequential gate decides: the contrast must stay ≤ (`max`) or ≥ (`min`)."""

    contrast: str
    kind: Literal["max", "min"]
    value: float


def decide(intervals: dict[str, Interval], limits: Sequence[Limit]) -> Stop | None:
    """`fail` once some limit is breached with confidence, `pass` once every one is met with
    confidence, None while undecided."""
    met = 0
    for limit in limits:
        interval = intervals.get(limit.contrast)
        if interval is None:
            continue
        if limit.kind == "max":
            if interval.low > limit.value:
                return "fail"
            met += interval.high < limit.value
        else:
            if interval.high < limit.value:
                return "fail"
            met += interval.low > limit.value
    return "pass" if limits and met == len(limits) else None
