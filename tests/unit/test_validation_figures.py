import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from af_bench.validation import auroc, classifier_figures


def test_known_figures() -> None:
    predictions = [True, True, False, False, True, None]
    scores = [0.9, 0.8, 0.3, 0.1, 0.6, float("nan")]
    labels = [True, True, True, False, False, True]
    figures = classifier_figures(predictions, scores, labels)
    assert (figures.true_positives, figures.false_positives, figures.false_negatives, figures.true_negatives) == (2, 1, 1, 1)
    assert figures.failures == 1 and figures.n == 5
    assert figures.precision == pytest.approx(2 / 3) and figures.recall == pytest.approx(2 / 3)
    assert figures.f1 == pytest.approx(2 / 3)
    # Positives 0.9, 0.8, 0.3 against negatives 0.1, 0.6: 5 of 6 pairs ordered correctly.
    assert figures.auroc == pytest.approx(5 / 6)


def test_auroc_extremes_and_ties() -> None:
    assert auroc([0.1, 0.2, 0.8, 0.9], [False, False, True, True]) == 1.0
    assert auroc([0.9, 0.8, 0.2, 0.1], [False, False, True, True]) == 0.0
    assert auroc([0.5, 0.5, 0.5, 0.5], [False, True, False, True]) == 0.5
    assert math.isnan(auroc([0.1, 0.2], [True, True]))


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=2, max_size=60))
def test_auroc_is_a_probability_and_flips_with_the_scores(items: list[tuple[float, bool]]) -> None:
    scores, labels = [s for s, _ in items], [y for _, y in items]
    value = auroc(scores, labels)
    if all(labels) or not any(labels):
        assert math.isnan(value)
        return
    assert 0.0 <= value <= 1.0
    assert auroc([-s for s in scores], labels) == pytest.approx(1 - value)
