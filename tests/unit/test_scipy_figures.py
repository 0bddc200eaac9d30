"""Wilson, the paired t and AUROC now come from scipy: the same numbers as the closed forms
af-bench computed by hand before (kept here as the reference)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from af_bench.stats.paired import Z_95, paired_gap, sign_test_p, wilson_interval
from af_bench.stats.classifier import auroc


def wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    z = Z_95
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (0.0 if k == 0 else max(0.0, centre - half), 1.0 if k == n else min(1.0, centre + half))


@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_matches_the_closed_form(kn: tuple[int, int]) -> None:
    k, n = kn
    low, high = wilson_interval(k, n)
    ref_low, ref_high = wilson_by_hand(k, n)
    assert low == pytest.approx(ref_low, abs=1e-12) and high == pytest.approx(ref_high, abs=1e-12)
    assert (low == 0.0) == (k == 0) and (high == 1.0) == (k == n)  # exact at the edges


rates = st.sampled_from([0.0, 1 / 3, 0.5, 2 / 3, 1.0])


@given(st.lists(st.tuples(rates, rates), min_size=2, max_size=80))
def test_paired_t_matches_the_closed_form(pairs: list[tuple[float, float]]) -> None:
    first, second = [a for a, _ in pairs], [b for _, b in pairs]
    gap = paired_gap(first, second)
    if gap.method != "paired_t":
        return
    n = len(pairs)
    diffs = [a - b for a, b in pairs]
    mean = math.fsum(diffs) / n
    se = math.sqrt(math.fsum((d - mean) ** 2 for d in diffs) / (n - 1) / n)
    t_crit = float(scipy_stats.t.ppf(0.975, n - 1))
    p = min(1.0, float(2 * scipy_stats.t.sf(abs(mean / se), n - 1)))
    assert gap.ci_low == pytest.approx(max(-1.0, mean - t_crit * se), abs=1e-12)
    assert gap.ci_high == pytest.approx(min(1.0, mean + t_crit * se), abs=1e-12)
    assert gap.p_value == pytest.approx(p, abs=1e-12)


def test_the_betting_branch_reports_a_sign_test_not_a_zero() -> None:
    # Ten requests all moved by +0.5: no t statistic, and a p-value of exactly 0 would claim
    # what no test showed. The sign test gives 2 * 0.5**10.
    gap = paired_gap([0.5] * 10, [0.0] * 10)
    assert gap.method == "paired_betting"
    assert gap.p_value == pytest.approx(2 * 0.5**10) and gap.p_value > 0
    assert sign_test_p([0.0, 0.0]) == 1.0


def auroc_by_hand(scores: list[float], labels: list[bool]) -> float:
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    wins = sum(1.0 if p > q else 0.5 if p == q else 0.0 for p in pos for q in neg)
    return wins / (len(pos) * len(neg))


@given(st.lists(st.tuples(st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]) | st.floats(0, 1), st.booleans()),
                min_size=2, max_size=60))
def test_auroc_matches_pairwise_counting(items: list[tuple[float, bool]]) -> None:
    scores, labels = [s for s, _ in items], [y for _, y in items]
    if all(labels) or not any(labels):
        return
    assert auroc(scores, labels) == pytest.approx(auroc_by_hand(scores, labels), abs=1e-12)


def mean_interval_by_hand(changes: list[float], bound: float) -> tuple[float, float, float]:
    """The t interval the baseline comparison computed by hand before it shared the paired gap's."""
    n = len(changes)
    mean = math.fsum(changes) / n
    se = math.sqrt(math.fsum((c - mean) ** 2 for c in changes) / (n - 1) / n)
    half = float(scipy_stats.t.ppf(0.975, n - 1)) * se
    return mean, max(-bound, mean - half), min(bound, mean + half)


changes = st.lists(st.integers(-4, 4).map(lambda k: k / 2), min_size=2, max_size=60)


@given(changes)
def test_the_mean_difference_of_baseline_changes_matches_the_closed_form(values: list[float]) -> None:
    from af_bench.stats.paired import mean_difference

    found = mean_difference(values, bound=2.0)
    assert found.n == len(values)
    if len(set(values)) == 1:
        # No spread: the betting bound, never a zero-width interval.
        assert found.method == "paired_betting"
        assert -2.0 <= found.low <= found.mean <= found.high <= 2.0 and found.high - found.low > 0.1
        return
    mean, low, high = mean_interval_by_hand(values, 2.0)
    assert found.method == "paired_t"
    assert found.mean == pytest.approx(mean, abs=1e-12)
    assert found.low == pytest.approx(low, abs=1e-9) and found.high == pytest.approx(high, abs=1e-9)


@given(changes)
def test_the_mean_difference_scales_with_its_bound(values: list[float]) -> None:
    from af_bench.stats.paired import mean_difference

    halved = mean_difference([v / 2 for v in values], bound=1.0)
    whole = mean_difference(values, bound=2.0)
    assert whole.method == halved.method and whole.p_value == pytest.approx(halved.p_value, abs=1e-12)
    for a, b in ((whole.mean, halved.mean), (whole.low, halved.low), (whole.high, halved.high)):
        assert a == pytest.approx(2 * b, abs=1e-9)
