"""Agreement and Cohen's kappa between two raters' yes/no labels."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from af_bench.stats.classifier import agreement

labels = st.lists(st.tuples(st.one_of(st.none(), st.booleans()), st.one_of(st.none(), st.booleans())), max_size=40)


def _kappa_by_table(pairs: list[tuple[bool, bool]]) -> float:
    """Kappa from the 2x2 table's cells, as textbooks write it."""
    n = len(pairs)
    yy = sum(a and b for a, b in pairs); nn = sum(not a and not b for a, b in pairs)
    yn = sum(a and not b for a, b in pairs); ny = sum(not a and b for a, b in pairs)
    po = (yy + nn) / n
    pe = ((yy + yn) * (yy + ny) + (nn + ny) * (nn + yn)) / n**2
    return float("nan") if pe == 1 else (po - pe) / (1 - pe)


@given(labels)
def test_kappa_matches_the_two_by_two_table_and_is_symmetric(rows: list[tuple[bool | None, bool | None]]) -> None:
    first, second = [a for a, _ in rows], [b for _, b in rows]
    decided = [(a, b) for a, b in rows if a is not None and b is not None]
    result = agreement(first, second)
    assert result.compared == len(decided)
    if not decided:
        assert math.isnan(result.agreement) and math.isnan(result.kappa)
        return
    expected = _kappa_by_table(decided)  # type: ignore[arg-type]
    assert (math.isnan(result.kappa) and math.isnan(expected)) or math.isclose(result.kappa, expected, abs_tol=1e-12)
    swapped = agreement(second, first)
    assert (math.isnan(swapped.kappa) and math.isnan(result.kappa)) or math.isclose(swapped.kappa, result.kappa)
    assert -1 <= result.kappa <= 1 or math.isnan(result.kappa)


def test_known_values() -> None:
    assert agreement([True, False, True, False], [True, False, True, False]).kappa == 1.0
    assert agreement([True, False, True, False], [False, True, False, True]).kappa == -1.0
    # 20 items, agreement 0.7, both say yes half the time: chance 0.5, kappa 0.4.
    first = [True] * 10 + [False] * 10
    second = [True] * 7 + [False] * 3 + [True] * 3 + [False] * 7
    result = agreement(first, second)
    assert (result.agreement, round(result.kappa, 10)) == (0.7, 0.4)
    assert agreement([True, None], [None, False]).compared == 0
