"""How many request pairs a gate needs: the fixed-size design from the normal approximation to the
paired difference, and the sequential design's expected use by simulation.

Each pair gives d = first − second in {−1, 0, 1}: P(d = 1) = (ψ + Δ)/2 and P(d = −1) = (ψ − Δ)/2
for a gap Δ and a discordant-pair rate ψ, so Var(d) = ψ − Δ². A fixed gate that must put its 95%
interval on the right side of the threshold τ with probability `power` needs
n = (z_{1−α/2} + z_{power})² (ψ − Δ²) / (τ − Δ)² pairs.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from scipy.optimize import brentq
from scipy.stats import norm

from af_bench.stats.sequences import Limit, decide, gap_sequence


@dataclass(frozen=True)
class Design:
    threshold: float
    gap: float
    discordant: float
    alpha: float = 0.05
    power: float = 0.8

    def __post_init__(self) -> None:
        if not 0.0 <= self.discordant <= 1.0:
            raise ValueError(f"discordant rate must be in [0, 1], got {self.discordant}")
        if abs(self.gap) > self.discordant:
            raise ValueError(
                f"a gap of {self.gap} needs a discordant-pair rate of at least {abs(self.gap)}, got {self.discordant}"
            )
        if not 0.0 < self.alpha < 1.0 or not 0.0 < self.power < 1.0:
            raise ValueError("alpha and power must be in (0, 1)")

    @property
    def z(self) -> float:
        return float(norm.ppf(1 - self.alpha / 2) + norm.ppf(self.power))


def fixed_pairs(design: Design) -> int | None:
    """Pairs a fixed-size gate needs; None when the gap equals the threshold (no size suffices)."""
    distance = abs(design.threshold - design.gap)
    if distance == 0:
        return None
    variance = design.discordant - design.gap**2
    return max(1, math.ceil(design.z**2 * variance / distance**2))


def detectable_gap(pairs: int, threshold: float, discordant: float, alpha: float = 0.05, power: float = 0.8) -> float | None:
    """The smallest gap above `threshold` that `pairs` pairs show as a breach with `power`; None
    when no gap up to the discordant rate is detectable."""
    z = float(norm.ppf(1 - alpha / 2) + norm.ppf(power))

    def margin(gap: float) -> float:
        return gap - threshold - z * math.sqrt(max(discordant - gap**2, 0.0) / pairs)

    low, high = threshold, min(discordant, 1.0)
    if high <= low or margin(high) < 0:
        return None
    if margin(low) >= 0:
        return low
    return float(brentq(margin, low, high, xtol=1e-12))


@dataclass(frozen=True)
class SequentialOutcome:
    expected_pairs: float
    stopped: dict[str, float]
    """Share of runs ending `pass`, `fail` or `budget`."""


def simulate_sequential(
    design: Design, *, budget: int, round_pairs: int, runs: int = 400, seed: int = 0
) -> SequentialOutcome:
    """Monte Carlo of the sequential gate on a single `max` threshold at `design.threshold`."""
    rng = random.Random(seed)
    up, down = (design.discordant + design.gap) / 2, (design.discordant - design.gap) / 2
    limits = [Limit("gap", "max", design.threshold)]
    used, counts = 0, {"pass": 0, "fail": 0, "budget": 0}
    for _ in range(runs):
        diffs = []
        for _ in range(budget):
            u = rng.random()
            diffs.append(1.0 if u < up else -1.0 if u < up + down else 0.0)
        sequence = gap_sequence(diffs, design.alpha)
        stop, n = "budget", budget
        for end in range(round_pairs, budget + round_pairs, round_pairs):
            n = min(end, budget)
            decided = decide({"gap": sequence[n - 1]}, limits)
            if decided is not None:
                stop = decided
                break
        used += n
        counts[stop] += 1
    return SequentialOutcome(used / runs, {k: v / runs for k, v in counts.items()})
