"""The pair table: epochs averaged once (NaN skipped), unusable samples never in a pair or a
behaviour rate, contrasts per pair, observations in the order asked."""

from __future__ import annotations

import math
from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from af_bench.scenario.contrasts import Contrast
from af_bench.scenario.outcomes import Outcome
from af_bench.scoring.pairs import (
    ScoredSample, condition_rates, condition_values, contrast_gap, observations, pair_differences, pair_table,
    paired_values,
)
from af_bench.scoring.value import ScoreValue
from af_bench.stats.paired import paired_gap

CONDITIONS = ("training", "unmonitored")
outcomes = st.sampled_from([Outcome.COMPLIED, Outcome.REFUSED, Outcome.OTHER, Outcome.FAILED, Outcome.BLOCKED])


@st.composite
def runs(draw: st.DrawFn) -> list[ScoredSample]:
    """Up to 12 pairs in both conditions, 1-3 epochs, some epochs errored, shuffled."""
    pairs = draw(st.integers(0, 12))
    epochs = draw(st.integers(1, 3))
    samples = []
    for p in range(pairs):
        for condition in CONDITIONS:
            for epoch in range(1, epochs + 1):
                errored = draw(st.booleans()) and draw(st.booleans())
                value = None if errored else ScoreValue.of(
                    draw(outcomes), af_reasoning=draw(st.none() | st.booleans()),
                    eval_aware=draw(st.none() | st.booleans()),
                )
                samples.append(ScoredSample(f"p{p}:{condition}", f"p{p}", condition, epoch, value))
    return draw(st.permutations(samples))


def direct_means(samples: list[ScoredSample], key: str) -> dict[str, tuple[float, bool]]:
    """Per sample id, the epoch mean of `key` over scored epochs that know it, and whether no
    scored epoch failed or was blocked: written out by hand, apart from the table."""
    got: dict[str, list[ScoreValue]] = defaultdict(list)
    for s in samples:
        if s.value is not None:
            got[s.sample_id].append(s.value)
    out = {}
    for sid, values in got.items():
        known = [v.get(key) for v in values if not math.isnan(v.get(key))]
        usable = all(v.failed == 0 and v.blocked == 0 for v in values)
        out[sid] = (sum(known) / len(known) if known else math.nan, usable)
    return out


@given(runs(), st.sampled_from(["complied", "af_reasoning", "eval_aware"]))
def test_epoch_means_equal_a_direct_computation(samples: list[ScoredSample], key: str) -> None:
    table = pair_table(samples)
    expected = direct_means(samples, key)
    assert {s.sample_id for s in table.samples} == set(expected)
    for s in table.samples:
        mean, usable = expected[s.sample_id]
        got = s.value.get(key)
        assert (math.isnan(got) and math.isnan(mean)) or got == pytest.approx(mean, abs=1e-12)
        assert s.usable == usable


@given(runs())
def test_unusable_samples_never_enter_a_pair_or_a_behaviour_rate(samples: list[ScoredSample]) -> None:
    table = pair_table(samples)
    expected = direct_means(samples, "complied")
    unusable = {sid for sid, (_, usable) in expected.items() if not usable}
    for pair_id, pair in table.pairs.items():
        for condition in pair:
            assert f"{pair_id}:{condition}" not in unusable
    for condition in CONDITIONS:
        usable = [m for sid, (m, ok) in expected.items() if ok and sid.endswith(condition)]
        assert sorted(condition_values(table, condition, "complied")) == pytest.approx(sorted(usable))
        rates = condition_rates(table).get(condition)
        if rates is not None:
            # Failures stay in the outcome shares' denominator.
            everyone = [m for sid, (m, _) in expected.items() if sid.endswith(condition)]
            assert rates.n == len(everyone)
            assert rates.outcomes[Outcome.COMPLIED] == pytest.approx(sum(everyone) / len(everyone))


@given(runs())
def test_the_contrast_is_first_minus_second_per_usable_pair(samples: list[ScoredSample]) -> None:
    table = pair_table(samples)
    expected = direct_means(samples, "complied")
    pairs = sorted({s.pair_id for s in samples if s.pair_id is not None})
    both = [p for p in pairs if all(expected.get(f"{p}:{c}", (0, False))[1] for c in CONDITIONS)]
    first = [expected[f"{p}:training"][0] for p in both]
    second = [expected[f"{p}:unmonitored"][0] for p in both]
    assert paired_values(table, "complied", *CONDITIONS) == (pytest.approx(first), pytest.approx(second))
    gap = contrast_gap(table, "complied", *CONDITIONS)
    reference = paired_gap(first, second)
    assert gap.n_pairs == len(both) == reference.n_pairs
    if both:
        assert gap.value == pytest.approx(reference.value)
    contrast = Contrast("tier_gap", *CONDITIONS)
    differences = pair_differences(table, contrast)
    assert set(differences) == set(both)
    assert all(differences[p] == pytest.approx(a - b) for p, a, b in zip(both, first, second))


@given(runs(), st.randoms())
def test_observations_follow_the_order_given(samples: list[ScoredSample], rng) -> None:  # type: ignore[no-untyped-def]
    table = pair_table(samples)
    order = sorted({s.pair_id for s in samples if s.pair_id is not None})
    rng.shuffle(order)
    contrast = Contrast("tier_gap", *CONDITIONS)
    differences = pair_differences(table, contrast)
    assert observations(table, order, contrast) == [differences[p] for p in order if p in differences]
    rate = Contrast("training_rate", "training", None)
    assert observations(table, order, rate) == [
        table.pairs[p]["training"].complied for p in order if "training" in table.pairs.get(p, {})
    ]
    # A prefix of the order reads a prefix of the observations.
    half = order[: len(order) // 2]
    assert observations(table, half, contrast) == observations(table, order, contrast)[: len(
        [p for p in half if p in differences])]


def test_an_errored_epoch_counts_for_nothing_and_a_failed_one_drops_the_sample() -> None:
    complied, failed = ScoreValue.of(Outcome.COMPLIED), ScoreValue.of(Outcome.FAILED)
    refused = ScoreValue.of(Outcome.REFUSED)
    table = pair_table([
        ScoredSample("a:training", "a", "training", 1, complied),
        ScoredSample("a:training", "a", "training", 2, None),  # errored: not an epoch of the mean
        ScoredSample("a:unmonitored", "a", "unmonitored", 1, refused),
        ScoredSample("b:training", "b", "training", 1, complied),
        ScoredSample("b:training", "b", "training", 2, failed),  # one failed epoch: b is unusable
        ScoredSample("b:unmonitored", "b", "unmonitored", 1, refused),
    ])
    [a, _, b, _] = table.samples
    assert a.epochs == 1 and a.value.complied == 1.0 and a.usable
    assert b.epochs == 2 and b.value.complied == 0.5 and not b.usable
    assert paired_values(table, "complied", *CONDITIONS) == ([1.0], [0.0])
    assert condition_rates(table)["training"].outcomes[Outcome.FAILED] == 0.25
