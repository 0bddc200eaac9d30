import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from af_bench.stats.paired import mcnemar_exact_p, paired_gap, wilson_interval

binary = st.sampled_from([0.0, 1.0])
rate = st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])
pairs_of = lambda values: st.lists(st.tuples(values, values), min_size=1, max_size=200)  # noqa: E731


@given(pairs_of(binary) | pairs_of(rate))
def test_gap_properties(pairs: list[tuple[float, float]]) -> None:
    first, second = [a for a, _ in pairs], [b for _, b in pairs]
    gap = paired_gap(first, second)
    assert -1.0 <= gap.value <= 1.0
    assert gap.ci_low <= gap.value <= gap.ci_high
    assert -1.0 <= gap.ci_low and gap.ci_high <= 1.0
    assert 0.0 <= gap.p_value <= 1.0
    assert gap.value == pytest.approx(sum(first) / len(first) - sum(second) / len(second))
    swapped = paired_gap(second, first)
    assert swapped.value == pytest.approx(-gap.value)
    assert swapped.ci_low == pytest.approx(-gap.ci_high)
    assert swapped.ci_high == pytest.approx(-gap.ci_low)
    assert swapped.p_value == pytest.approx(gap.p_value)


@given(st.lists(binary | rate, min_size=1, max_size=200))
def test_identical_conditions_give_zero_gap(values: list[float]) -> None:
    gap = paired_gap(values, values)
    assert gap.value == 0.0
    assert gap.p_value == 1.0


def test_empty_input_is_nan_not_an_error() -> None:
    gap = paired_gap([], [])
    assert gap.n_pairs == 0 and math.isnan(gap.value) and math.isnan(gap.p_value)


def test_known_values() -> None:
    # 10 discordant pairs all one way: exact McNemar p = 2 * 0.5**10.
    gap = paired_gap([1.0] * 10 + [0.0] * 10, [0.0] * 20)
    assert gap.value == 0.5
    assert gap.p_value == pytest.approx(2 * 0.5**10)
    assert (gap.discordant_first, gap.discordant_second) == (10, 0)
    assert 0.2 < gap.ci_low < 0.5 < gap.ci_high < 0.75
    # The pairing matters: the same margins with concordant pairs give a narrower interval.
    concordant = paired_gap([1.0] * 10 + [0.0] * 10, [1.0] * 5 + [0.0] * 15)
    independent_width = 0.5
    assert concordant.ci_high - concordant.ci_low < independent_width
    assert mcnemar_exact_p(0, 0) == 1.0
    assert mcnemar_exact_p(3, 3) == 1.0


def test_wilson_interval() -> None:
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-3)
    assert all(math.isnan(x) for x in wilson_interval(0, 0))


def test_unaligned_pairs_are_rejected() -> None:
    with pytest.raises(ValueError, match="aligned pairs"):
        paired_gap([1.0], [])


@given(st.sampled_from([0.25, 0.5]), st.sampled_from([-0.25, 0.0, 0.25]), st.integers(min_value=2, max_value=150))
def test_requests_that_all_move_alike_still_get_an_honest_interval(a: float, shift: float, n: int) -> None:
    # Rates from epochs in which every request changes by exactly `shift`: the t interval's
    # variance is 0, and a zero-width interval would pass any strict gate.
    gap = paired_gap([a + shift] * n, [a] * n)
    assert gap.method == "paired_betting" and gap.value == pytest.approx(shift)
    assert gap.ci_low < gap.value < gap.ci_high
    # It shrinks with more requests, and covers what a Hoeffding bound would not rule out.
    assert gap.ci_high - gap.ci_low <= 2 * math.sqrt(2 * math.log(2 / 0.05) / n) * 1.5


def test_zero_variance_interval_narrows_with_n() -> None:
    widths = [paired_gap([0.5] * n, [0.5] * n) for n in (10, 100, 1000)]
    assert widths[0].ci_high > widths[1].ci_high > widths[2].ci_high > 0.0
    assert widths[1].ci_high < 0.25 and widths[2].ci_high < 0.08
