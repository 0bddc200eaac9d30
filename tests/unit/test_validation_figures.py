import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from af_bench.stats.classifier import auroc, classifier_figures


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


# --- labels and bootstrap intervals -----------------------------------------------------------

from af_bench.stats.classifier import bootstrap_intervals, parse_label  # noqa: E402


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), (1, True), (0, False), ("true", True), ("false", False), (" TRUE ", True),
     ("False", False), ("1", True), ("0", False), (1.0, True), (0.0, False)],
)
def test_accepted_label_forms(value: object, expected: bool) -> None:
    assert parse_label(value) is expected


@pytest.mark.parametrize("value", ["yes", "no", 2, -1, 0.5, None, [], {}, "", "truthy", "t"])
def test_other_label_values_are_refused(value: object) -> None:
    assert parse_label(value) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)


@given(json_values)
def test_parse_label_accepts_exactly_the_stated_forms(value: object) -> None:
    result = parse_label(value)
    accepted = (
        isinstance(value, bool)
        or (isinstance(value, (int, float)) and value in (0, 1))
        or (isinstance(value, str) and value.strip().lower() in ("true", "false", "0", "1"))
    )
    assert (result is not None) == accepted
    if result is not None:
        assert result is (str(value).strip().lower() in ("true", "1", "1.0"))


def test_bootstrap_intervals_bracket_the_figures_and_are_reproducible() -> None:
    labels = [i % 2 == 0 for i in range(60)]
    scores = [0.8 if y else 0.3 for y in labels]
    scores[0], scores[1] = 0.2, 0.9  # one miss each way
    predictions = [s >= 0.5 for s in scores]
    figures = classifier_figures(predictions, scores, labels)
    intervals = bootstrap_intervals(predictions, scores, labels, resamples=500, seed=3)
    assert intervals == bootstrap_intervals(predictions, scores, labels, resamples=500, seed=3)
    for name in ("precision", "recall", "f1", "auroc"):
        interval = intervals[name]
        assert interval.low <= getattr(figures, name) <= interval.high
        assert 0.0 <= interval.low <= interval.high <= 1.0


def test_bootstrap_intervals_are_nan_where_a_figure_is_undefined() -> None:
    intervals = bootstrap_intervals([False, False, None], [0.1, 0.2, float("nan")], [True, True, False], resamples=50)
    assert math.isnan(intervals["precision"].low) and math.isnan(intervals["auroc"].high)
    assert intervals["recall"].low == intervals["recall"].high == 0.0


def test_threshold_sweep_moves_precision_and_recall_as_the_threshold_rises() -> None:
    from af_bench.stats.classifier import threshold_sweep

    scores = [0.9, 0.7, 0.5, 0.3, 0.1, 0.6]
    labels = [True, True, False, True, False, False]
    predictions: list[bool | None] = [True, True, True, False, False, None]
    sweep = dict(threshold_sweep(predictions, scores, labels, thresholds=(0.2, 0.6, 0.8)))
    assert (sweep[0.2].true_positives, sweep[0.2].false_positives, sweep[0.2].false_negatives) == (3, 1, 0)
    assert (sweep[0.6].true_positives, sweep[0.6].false_positives) == (2, 0) and sweep[0.6].recall == 2 / 3
    assert sweep[0.8].true_positives == 1 and sweep[0.8].precision == 1.0
    assert all(f.failures == 1 for f in sweep.values())  # a judge failure stays one at every threshold
