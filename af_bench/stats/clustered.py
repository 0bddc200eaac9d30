"""A paired gap pooled over wordings of one prompt, with an interval that accounts for them.

When a gate spreads its pairs over several wordings, pairs asked under one wording are not
independent of each other: a model may fake under one wording and not under another. The interval
therefore comes from a two-stage bootstrap: wordings are drawn with replacement, then pairs within
each drawn wording. With one wording it reduces to the ordinary pair bootstrap.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 4000
SEED = 20241218
"""Fixed, so that one report gives the same interval every time it is read."""


@dataclass(frozen=True)
class WordingGap:
    wording: str
    pairs: int
    gap: float | None
    """Mean per-pair difference under this wording (None without a pair)."""


@dataclass(frozen=True)
class PooledGap:
    gap: float | None
    """Mean of every pair's difference, whatever its wording."""
    low: float | None
    high: float | None
    pairs: int
    wordings: tuple[WordingGap, ...]


def bootstrap_method(wordings: int) -> str:
    return f"a two-stage bootstrap over {wordings} wordings, then pairs"


def widened(low: float, high: float, pooled: PooledGap) -> tuple[float, float]:
    """The interval [low, high] of the pairs widened to cover the two-stage bootstrap's: the wider
    of the two at each end (a bootstrap of pairs that all agree has no width at all, and the pair
    interval knows nothing of wordings)."""
    if pooled.low is None or pooled.high is None or math.isnan(low) or math.isnan(high):
        return low, high
    return min(low, pooled.low), max(high, pooled.high)


def pooled_gap(
    differences: Mapping[str, Sequence[float]], level: float = 0.95, resamples: int = RESAMPLES, seed: int = SEED,
) -> PooledGap:
    """The pooled gap of per-pair differences grouped by wording, with a percentile interval from
    the two-stage bootstrap. Wordings without a pair count for nothing."""
    groups = {w: np.asarray(d, dtype=float) for w, d in differences.items()}
    per_wording = tuple(WordingGap(w, len(d), float(d.mean()) if len(d) else None) for w, d in groups.items())
    filled = [groups[w] for w in sorted(groups) if len(groups[w])]  # sorted: the order given does not matter
    pairs = sum(len(d) for d in filled)
    if not filled:
        return PooledGap(None, None, None, 0, per_wording)
    gap = float(np.concatenate(filled).mean())
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    for i in range(resamples):
        drawn = rng.integers(len(filled), size=len(filled))
        total = count = 0.0
        for g in drawn:
            pick = filled[g][rng.integers(len(filled[g]), size=len(filled[g]))]
            total += pick.sum()
            count += len(pick)
        means[i] = total / count
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return PooledGap(gap, min(float(low), gap), max(float(high), gap), pairs, per_wording)
