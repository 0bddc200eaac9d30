"""Paired statistics for a gap between two conditions measured on the same requests.

Every request is asked in both conditions, so the two rates are not independent samples: intervals
and tests work on per-request pairs. With one epoch each pair is a pair of 0/1 outcomes and we use
Newcombe's hybrid score interval (method 10, Newcombe 1998) and the exact McNemar test; with several
epochs a pair holds two rates and we fall back to a t interval and a paired t-test over requests,
which keeps the epochs of one request together instead of pretending they are independent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from scipy import stats as _scipy_stats

from af_bench.stats.sequences import gap_sequence

Z_95 = 1.959963984540054

GapMethod = Literal["newcombe_mcnemar", "paired_t", "paired_betting", "wilson", "none"]


@dataclass(frozen=True)
class PairedGap:
    """A gap between two conditions on paired observations, with its 95% interval and p-value."""

    value: float
    ci_low: float
    ci_high: float
    p_value: float
    n_pairs: int
    method: GapMethod
    discordant_first: int = 0
    """Pairs where only the first condition shows the behaviour (binary data only)."""
    discordant_second: int = 0

    @classmethod
    def empty(cls) -> PairedGap:
        nan = float("nan")
        return cls(nan, nan, nan, nan, 0, "none")


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (95% by default); (nan, nan) when n is 0."""
    if n <= 0:
        return (float("nan"), float("nan"))
    level = float(2 * _scipy_stats.norm.cdf(z) - 1)
    ci = _scipy_stats.binomtest(successes, n).proportion_ci(confidence_level=level, method="wilson")
    # At 0 or n successes the bound is exactly 0 or 1; rounding would leave it just inside.
    low = 0.0 if successes == 0 else max(0.0, float(ci.low))
    high = 1.0 if successes == n else min(1.0, float(ci.high))
    return (low, high)


def single_rate(values: Sequence[float]) -> PairedGap:
    """One condition's rate with its Wilson interval, for contrasts that gate a rate rather than
    a difference (no test, so no p-value). Per-request means over epochs are rounded into counts."""
    n = len(values)
    if n == 0:
        return PairedGap.empty()
    low, high = wilson_interval(round(math.fsum(values)), n)
    return PairedGap(math.fsum(values) / n, low, high, float("nan"), n, "wilson")


def mcnemar_exact_p(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value from the two discordant counts."""
    n = b + c
    if n == 0:
        return 1.0
    return float(_scipy_stats.binomtest(min(b, c), n, 0.5, alternative="two-sided").pvalue)


def _is_binary(values: Sequence[float]) -> bool:
    return all(v in (0.0, 1.0) for v in values)


def paired_gap(first: Sequence[float], second: Sequence[float]) -> PairedGap:
    """Gap mean(first) - mean(second) over aligned pairs of rates in [0, 1].

    `first[i]` and `second[i]` are the same request under the two conditions. Returns
    `PairedGap.empty()` (NaN everywhere) when there is no pair, never raises on empty input.
    """
    if len(first) != len(second):
        raise ValueError(f"paired_gap needs aligned pairs, got {len(first)} and {len(second)}")
    n = len(first)
    if n == 0:
        return PairedGap.empty()
    if _is_binary(first) and _is_binary(second):
        return _binary_paired_gap(first, second)
    return _paired_t_gap(first, second)


def _binary_paired_gap(first: Sequence[float], second: Sequence[float]) -> PairedGap:
    n = len(first)
    a = sum(1 for x, y in zip(first, second) if x == 1 and y == 1)
    b = sum(1 for x, y in zip(first, second) if x == 1 and y == 0)
    c = sum(1 for x, y in zip(first, second) if x == 0 and y == 1)
    d = n - a - b - c
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_interval(a + b, n)
    l2, u2 = wilson_interval(a + c, n)
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    phi = (a * d - b * c) / math.sqrt(denom) if denom > 0 else 0.0
    delta = p1 - p2
    low = delta - math.sqrt(
        max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    )
    high = delta + math.sqrt(
        max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    )
    return PairedGap(
        value=delta,
        ci_low=max(-1.0, min(low, delta)),
        ci_high=min(1.0, max(high, delta)),
        p_value=mcnemar_exact_p(b, c),
        n_pairs=n,
        method="newcombe_mcnemar",
        discordant_first=b,
        discordant_second=c,
    )


def _paired_t_gap(first: Sequence[float], second: Sequence[float]) -> PairedGap:
    interval = mean_difference([x - y for x, y in zip(first, second)])
    return PairedGap(interval.mean, interval.low, interval.high, interval.p_value, interval.n, interval.method)


@dataclass(frozen=True)
class MeanDifference:
    """The mean of paired differences, with its 95% interval and two-sided p-value."""

    mean: float
    low: float
    high: float
    p_value: float
    n: int
    method: Literal["paired_t", "paired_betting"]


def mean_difference(differences: Sequence[float], bound: float = 1.0) -> MeanDifference:
    """The mean of paired differences that lie in [-bound, bound]: a t interval, clipped to the
    bounds, or a betting bound where every difference is alike (a t interval would then have zero
    width and claim a certainty it has not earned; the betting bound holds for any bounded data)."""
    n = len(differences)
    mean = math.fsum(differences) / n
    if n < 2:
        return MeanDifference(mean, -bound, bound, 1.0, n, "paired_t")
    if all(d == differences[0] for d in differences):
        scaled = gap_sequence([d / bound for d in differences], 0.05)[-1]
        return MeanDifference(mean, min(bound * scaled.low, mean), max(bound * scaled.high, mean),
                              sign_test_p(differences), n, "paired_betting")
    test = _scipy_stats.ttest_1samp(differences, 0.0)
    ci = test.confidence_interval(confidence_level=0.95)
    return MeanDifference(mean, max(-bound, float(ci.low)), min(bound, float(ci.high)),
                          min(1.0, float(test.pvalue)), n, "paired_t")


def sign_test_p(differences: Sequence[float]) -> float:
    """Two-sided exact sign test on paired differences (ties dropped), the test that goes with
    the betting interval when a t statistic is undefined (every difference alike). It is
    McNemar's test read on rates: for 0/1 pairs the two agree."""
    up = sum(1 for d in differences if d > 0)
    down = sum(1 for d in differences if d < 0)
    return mcnemar_exact_p(up, down)
