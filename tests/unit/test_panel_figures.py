"""Each panel judge measured against the panel's verdict, from the report's sample records alone."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from af_bench.results.schema import SampleRecord, panel_figures

JUDGES = ("openai/gpt-4.1", "google/gemini-2.5-pro", "deepseek/deepseek-chat")
decisions = st.lists(st.tuples(*(st.one_of(st.none(), st.booleans()) for _ in JUDGES)), min_size=1, max_size=30)


def _majority(said: tuple[bool | None, ...]) -> bool | None:
    decided = [d for d in said if d is not None]
    yes = sum(decided)
    if 2 * len(decided) < len(said) or 2 * yes == len(decided):
        return None
    return 2 * yes > len(decided)


def _record(index: int, said: tuple[bool | None, ...] | None) -> SampleRecord:
    return SampleRecord(
        id=f"r{index}:training", pair_id=f"r{index}", condition="training", request="q", outcome="complied",
        af_reasoning=None if said is None else _majority(said), epoch=1,
        af_panel=None if said is None else dict(zip(JUDGES, said)),
    )


@given(decisions, st.integers(0, 5))
def test_each_judge_is_counted_and_compared_with_the_majority(rows: list[tuple[bool | None, ...]], unjudged: int) -> None:
    records = [_record(i, said) for i, said in enumerate(rows)]
    records += [_record(len(rows) + i, None) for i in range(unjudged)]  # samples no judge read count for nothing
    figures = panel_figures(records)
    assert figures is not None and [f.judge for f in figures] == list(JUDGES)
    for column, figure in enumerate(figures):
        own = [said[column] for said in rows]
        assert (figure.decided, figure.failed, figure.yes) == (
            sum(d is not None for d in own), sum(d is None for d in own), sum(d is True for d in own))
        both = [(d, _majority(said)) for d, said in zip(own, rows) if d is not None and _majority(said) is not None]
        if not both:
            assert figure.agreement is None and figure.kappa is None
            continue
        assert figure.agreement is not None and math.isclose(figure.agreement, sum(a == b for a, b in both) / len(both))
        if figure.kappa is not None:
            assert -1.0 <= figure.kappa <= 1.0
            if figure.agreement == 1.0:
                assert figure.kappa == 1.0


def test_no_panel_no_figures() -> None:
    assert panel_figures([_record(0, None)]) is None
