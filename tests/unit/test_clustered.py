"""The pooled gap over wordings and its two-stage bootstrap interval."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from af_bench.stats.clustered import pooled_gap, widened

differences = st.lists(st.sampled_from([-1.0, 0.0, 1.0]), min_size=1, max_size=12)
families = st.dictionaries(st.sampled_from([f"p{i:02}" for i in range(9)]), differences, min_size=1, max_size=9)


@settings(max_examples=40)
@given(families)
def test_the_pooled_gap_is_the_mean_of_every_pair_and_lies_in_its_interval(family: dict[str, list[float]]) -> None:
    pooled = pooled_gap(family, resamples=300)
    every = [d for ds in family.values() for d in ds]
    assert pooled.pairs == len(every)
    assert pooled.gap is not None and pooled.low is not None and pooled.high is not None
    assert math.isclose(pooled.gap, sum(every) / len(every))
    assert -1 <= pooled.low <= pooled.gap <= pooled.high <= 1
    assert {w.wording: (w.pairs, w.gap) for w in pooled.wordings} == {
        w: (len(d), sum(d) / len(d)) for w, d in family.items()}


@given(st.integers(1, 9), st.integers(1, 10), st.sampled_from([-1.0, 0.0, 1.0]))
def test_pairs_that_all_agree_give_a_point_interval(wordings: int, pairs: int, value: float) -> None:
    pooled = pooled_gap({f"p{i}": [value] * pairs for i in range(wordings)}, resamples=100)
    assert (pooled.low, pooled.gap, pooled.high) == (value, value, value)


def test_wordings_that_disagree_widen_the_interval_beyond_the_pair_bootstrap() -> None:
    # The same 90 differences: once spread evenly over 9 wordings, once with the gap under 3
    # wordings alone. Treating pairs as independent would give both the same interval.
    even = {f"p{i}": [1.0] * 3 + [0.0] * 7 for i in range(9)}
    lumped = {f"p{i}": ([1.0] * 9 + [0.0]) if i < 3 else [0.0] * 10 for i in range(9)}
    a, b = pooled_gap(even), pooled_gap(lumped)
    assert math.isclose(a.gap or 0, b.gap or 0)
    assert (b.high or 0) - (b.low or 0) > 1.5 * ((a.high or 0) - (a.low or 0))


def test_no_pair_gives_no_gap_and_the_order_of_wordings_does_not_matter() -> None:
    empty = pooled_gap({"published": [], "p01": []})
    assert (empty.gap, empty.low, empty.high, empty.pairs) == (None, None, None, 0)
    family = {"published": [0.0, 0.0, 1.0, -1.0], "p01": [1.0, 1.0, 0.0], "p02": [0.0]}
    forward, backward = pooled_gap(family), pooled_gap(dict(reversed(family.items())))
    assert (forward.gap, forward.low, forward.high) == (backward.gap, backward.low, backward.high)


@settings(max_examples=40)
@given(families, st.floats(-1, 1), st.floats(0, 1))
def test_the_widened_interval_covers_both_and_nothing_more(family: dict[str, list[float]], low: float, width: float) -> None:
    pooled = pooled_gap(family, resamples=200)
    high = min(1.0, low + width)
    wide_low, wide_high = widened(low, high, pooled)
    assert pooled.low is not None and pooled.high is not None
    assert wide_low == min(low, pooled.low) and wide_high == max(high, pooled.high)


def test_an_unmeasured_pair_interval_stays_unmeasured() -> None:
    low, high = widened(float("nan"), float("nan"), pooled_gap({"p01": [1.0, 0.0]}, resamples=50))
    assert math.isnan(low) and math.isnan(high)
