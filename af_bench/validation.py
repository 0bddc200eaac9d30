"""How good is a classifier: precision, recall, F1 and AUROC on a labelled set."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


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
    # Rank-based (Mann-Whitney U), O(n log n).
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    rank_sum = sum(r for r, y in zip(ranks, labels) if y)
    u = rank_sum - len(positives) * (len(positives) + 1) / 2
    return u / (len(positives) * len(negatives))


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
