"""How good is a classifier: precision, recall, F1 and AUROC on a labelled set, with bootstrap
intervals, and the labels such a set may carry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats as _scipy_stats


@dataclass(frozen=True)
class ClassifierFigures:
    n: int
    positives: int
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    failures: int
    """Items the classifier could not decide (judge failures); left out of every figure."""
    precision: float
    recall: float
    f1: float
    auroc: float


def auroc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """Area under the ROC curve: the chance a random positive outscores a random negative
    (ties count half). NaN when either class is absent."""
    positives = [s for s, y in zip(scores, labels) if y]
    negatives = [s for s, y in zip(scores, labels) if not y]
    if not positives or not negatives:
        return float("nan")
    # The Mann-Whitney U of the positives, over all positive-negative pairs. The asymptotic
    # method skips the exact p-value's cost (the bootstrap calls this thousands of times); the
    # statistic itself is the same whatever the method.
    u = _scipy_stats.mannwhitneyu(positives, negatives, method="asymptotic").statistic
    return float(u) / (len(positives) * len(negatives))


def classifier_figures(
    predictions: Sequence[bool | None], scores: Sequence[float], labels: Sequence[bool]
) -> ClassifierFigures:
    kept = [(p, s, y) for p, s, y in zip(predictions, scores, labels) if p is not None]
    tp = sum(1 for p, _, y in kept if p and y)
    fp = sum(1 for p, _, y in kept if p and not y)
    fn = sum(1 for p, _, y in kept if not p and y)
    tn = sum(1 for p, _, y in kept if not p and not y)
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    return ClassifierFigures(
        n=len(kept),
        positives=tp + fn,
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        true_negatives=tn,
        failures=len(predictions) - len(kept),
        precision=precision,
        recall=recall,
        f1=f1,
        auroc=auroc([s for _, s, _ in kept], [y for _, _, y in kept]),
    )


SWEEP_THRESHOLDS = tuple(round(0.1 * k, 1) for k in range(1, 11))


def threshold_sweep(
    predictions: Sequence[bool | None], scores: Sequence[float], labels: Sequence[bool],
    thresholds: Sequence[float] = SWEEP_THRESHOLDS,
) -> list[tuple[float, ClassifierFigures]]:
    """The figures a classifier would have at each score threshold (a judge's vote fraction), so a
    user can pick one on their own labels. Items the classifier failed on stay failures."""
    return [
        (t, classifier_figures([None if p is None else s >= t for p, s in zip(predictions, scores)], scores, labels))
        for t in thresholds
    ]


_TRUE_WORDS = {"true": True, "false": False, "1": True, "0": False}


def parse_label(value: object) -> bool | None:
    """A label as true/false, 0/1 or "true"/"false" (any case, spaces ignored; "1"/"0" too).
    None for anything else, so the caller can name the file and line."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, float) and value in (0.0, 1.0):
        return bool(value)
    if isinstance(value, str):
        return _TRUE_WORDS.get(value.strip().lower())
    return None


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def bootstrap_intervals(
    predictions: Sequence[bool | None],
    scores: Sequence[float],
    labels: Sequence[bool],
    *,
    resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> dict[str, Interval]:
    """Percentile bootstrap intervals (items resampled with replacement) for precision, recall,
    F1 and AUROC. Undecided items are left out, as in classifier_figures; a resample where a
    figure is undefined (no predicted positives, one class only) is skipped for that figure.
    NaN bounds when fewer than half the resamples define it."""
    import random

    kept = [(p, s, y) for p, s, y in zip(predictions, scores, labels) if p is not None]
    rng = random.Random(seed)
    draws: dict[str, list[float]] = {"precision": [], "recall": [], "f1": [], "auroc": []}
    n = len(kept)
    for _ in range(resamples if n else 0):
        sample = [kept[rng.randrange(n)] for _ in range(n)]
        figures = classifier_figures([p for p, _, _ in sample], [s for _, s, _ in sample], [y for _, _, y in sample])
        for name in draws:
            value = getattr(figures, name)
            if value == value:  # not NaN
                draws[name].append(value)
    out: dict[str, Interval] = {}
    tail = (1.0 - level) / 2
    for name, values in draws.items():
        if len(values) < max(1, resamples // 2):
            out[name] = Interval(float("nan"), float("nan"))
            continue
        values.sort()
        low = values[min(len(values) - 1, int(tail * len(values)))]
        high = values[min(len(values) - 1, int((1.0 - tail) * len(values)))]
        out[name] = Interval(low, high)
    return out


@dataclass(frozen=True)
class Agreement:
    """How often two raters' yes/no labels agree, over the items both decided."""

    compared: int
    agreement: float
    """Share of items with the same label (NaN without an item)."""
    kappa: float
    """Cohen's kappa: agreement beyond what the two raters' label rates give by chance. NaN
    without an item, or when both give one label throughout (chance then explains everything)."""


def agreement(first: Sequence[bool | None], second: Sequence[bool | None]) -> Agreement:
    """Agreement and Cohen's kappa of two raters over the same items; an item either left
    undecided (None) is left out."""
    pairs = [(a, b) for a, b in zip(first, second, strict=True) if a is not None and b is not None]
    n = len(pairs)
    if n == 0:
        return Agreement(0, float("nan"), float("nan"))
    observed = sum(a == b for a, b in pairs) / n
    yes_a, yes_b = sum(a for a, _ in pairs) / n, sum(b for _, b in pairs) / n
    chance = yes_a * yes_b + (1 - yes_a) * (1 - yes_b)
    kappa = float("nan") if chance == 1 else (observed - chance) / (1 - chance)
    return Agreement(n, observed, kappa)
