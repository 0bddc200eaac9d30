"""Judge votes in waves: stopping once the votes still to come cannot change the decision gives the
decision of every vote, exactly, whatever the votes turn out to be."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from af_bench.scoring.classifiers.judge import Decision

verdicts = st.sampled_from(["yes", "no", None])


def waves(decision: Decision, sequence: list[str | None]) -> int:
    """How many of `sequence` the wave rule asks before it stops (votes are taken in order)."""
    total, cast = len(sequence), 0
    while cast < total:
        counts = Counter(v for v in sequence[:cast] if v is not None)
        if cast and decision.settled(counts, cast, total):
            break
        cast += decision.next_wave(counts, cast, total)
    return cast


def outcome(decision: Decision, sequence: list[str | None], total: int) -> tuple[bool, object]:
    return decision.of(Counter(v for v in sequence if v is not None), total)


@settings(max_examples=300, deadline=None)
@given(st.lists(verdicts, min_size=1, max_size=20), st.sampled_from([0.2, 0.4, 0.5, 0.75, 1.0]))
def test_threshold_decisions_equal_all_votes(sequence: list[str | None], threshold: float) -> None:
    decision = Decision(("yes", "no"), 0.5, threshold_choice="yes", threshold=threshold)
    asked = waves(decision, sequence)
    assert 1 <= asked <= len(sequence)
    assert outcome(decision, sequence[:asked], len(sequence)) == outcome(decision, sequence, len(sequence))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["none", "scheming", "compromise", "avoidance", None]), min_size=1, max_size=6))
def test_plurality_decisions_equal_all_votes(sequence: list[str | None]) -> None:
    decision = Decision(("none", "scheming", "compromise", "avoidance"), 0.5)
    asked = waves(decision, sequence)
    assert outcome(decision, sequence[:asked], len(sequence)) == outcome(decision, sequence, len(sequence))


def test_unanimous_votes_stop_early_and_a_close_call_asks_them_all() -> None:
    rule = Decision(("yes", "no"), 0.5, threshold_choice="yes", threshold=0.4)
    # 20 votes at 0.4: ten valid yes votes settle a Yes (a judge failure needs 11 without a verdict);
    # thirteen no votes settle a No (seven yes could not reach 8 of 20).
    assert waves(rule, ["yes"] * 20) == 10
    assert waves(rule, ["no"] * 20) == 13
    # Alternating votes: after 15 (8 yes), even five more no votes leave 8 of 20, a Yes.
    assert waves(rule, ["yes", "no"] * 10) == 15
    assert waves(rule, ["no", "yes"] * 10) == 16
    assert rule.next_wave(Counter(), 0, 20) == 10


def test_failures_still_to_come_keep_a_ballot_open() -> None:
    rule = Decision(("yes", "no"), 0.5, threshold_choice="yes", threshold=0.4)
    # Two yes of five: three failures would leave two valid votes, a judge failure, not a Yes.
    assert not rule.settled(Counter(yes=2), 2, 5)
    assert rule.settled(Counter(yes=2, no=1), 3, 5)
