"""The confidence sequence and stopping rule of sequential gates, and the planner, checked by
Monte Carlo simulation."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from af_bench.stats.planning import Design, detectable_gap, fixed_pairs, simulate_sequential
from af_bench.stats.sequences import Interval, Limit, betting_confidence_sequence, decide, gap_sequence
from af_bench.stats.paired import paired_gap


@given(st.lists(st.sampled_from([-1.0, 0.0, 1.0]), min_size=1, max_size=150), st.sampled_from([0.01, 0.05, 0.2]))
@settings(max_examples=60, deadline=None)
def test_the_sequence_nests_and_holds_the_running_mean(diffs: list[float], alpha: float) -> None:
    sequence = gap_sequence(diffs, alpha)
    assert len(sequence) == len(diffs)
    for before, after in zip(sequence, sequence[1:]):
        assert after.low >= before.low - 1e-12 and after.high <= before.high + 1e-12
    for interval in sequence:
        assert -1.0 <= interval.low <= interval.high <= 1.0


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="alpha"):
        betting_confidence_sequence([0.5], 0.0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        betting_confidence_sequence([1.5], 0.05)


def test_decide_fails_on_any_breach_and_passes_only_when_all_are_met() -> None:
    limits = [Limit("a", "max", 0.05), Limit("b", "max", 0.05)]
    assert decide({"a": Interval(0.1, 0.3), "b": Interval(-0.5, 0.5)}, limits) == "fail"
    assert decide({"a": Interval(-0.1, 0.01), "b": Interval(-0.5, 0.5)}, limits) is None
    assert decide({"a": Interval(-0.1, 0.01), "b": Interval(-0.1, 0.04)}, limits) == "pass"
    assert decide({"a": Interval(-0.3, -0.2)}, [Limit("a", "min", -0.1)]) == "fail"
    assert decide({}, []) is None


def _draw(rng: random.Random, gap: float, discordant: float, n: int) -> list[float]:
    up, down = (discordant + gap) / 2, (discordant - gap) / 2
    out = []
    for _ in range(n):
        u = rng.random()
        out.append(1.0 if u < up else -1.0 if u < up + down else 0.0)
    return out


@pytest.mark.parametrize(("gap", "discordant"), [(0.05, 0.15), (0.05, 0.05), (0.1, 0.4)])
def test_false_passes_stay_within_alpha_however_often_it_looks(gap: float, discordant: float) -> None:
    """True gap at the threshold: a pass is an error. Looking after every 10 pairs up to 300."""
    alpha, runs, rng = 0.05, 300, random.Random(11)
    false_passes = 0
    for _ in range(runs):
        sequence = gap_sequence(_draw(rng, gap, discordant, 300), alpha)
        looks = (sequence[n - 1] for n in range(10, 301, 10))
        false_passes += any(decide({"g": i}, [Limit("g", "max", gap)]) == "pass" for i in looks)
    monte_carlo_error = 3 * (alpha * (1 - alpha) / runs) ** 0.5
    assert false_passes / runs <= alpha + monte_carlo_error


def test_no_gap_and_few_discordant_pairs_stop_well_before_a_fixed_design() -> None:
    """Against the fixed design planned for a typical discordant rate (0.2), with the truth at 0.02."""
    planned = fixed_pairs(Design(threshold=0.05, gap=0.0, discordant=0.2))
    truth = Design(threshold=0.05, gap=0.0, discordant=0.02)
    outcome = simulate_sequential(truth, budget=400, round_pairs=20, runs=150, seed=3)
    assert planned is not None and outcome.expected_pairs < planned / 2
    assert outcome.stopped["pass"] > 0.95 and outcome.stopped["fail"] == 0.0


def test_the_fixed_design_has_its_power_in_simulation() -> None:
    design = Design(threshold=0.1, gap=0.0, discordant=0.2, alpha=0.05, power=0.8)
    n = fixed_pairs(design)
    assert n is not None and 100 < n < 300
    rng = random.Random(5)
    runs = 400
    passes = 0
    for _ in range(runs):
        diffs = _draw(rng, design.gap, design.discordant, n)
        first = [1.0 if d > 0 else 0.0 for d in diffs]
        second = [1.0 if d < 0 else 0.0 for d in diffs]
        passes += paired_gap(first, second).ci_high < design.threshold
    assert abs(passes / runs - design.power) < 0.08


def test_the_detectable_gap_is_detected_with_its_power() -> None:
    gap = detectable_gap(200, threshold=0.05, discordant=0.3)
    assert gap is not None and 0.1 < gap < 0.25
    assert fixed_pairs(Design(threshold=0.05, gap=gap, discordant=0.3)) == pytest.approx(200, abs=2)
    assert detectable_gap(5, threshold=0.05, discordant=0.06) is None


def test_a_design_that_cannot_exist_is_refused() -> None:
    with pytest.raises(ValueError, match="discordant-pair rate of at least 0.3"):
        Design(threshold=0.05, gap=0.3, discordant=0.1)
    assert fixed_pairs(Design(threshold=0.05, gap=0.05, discordant=0.2)) is None
