"""A gate that samples request pairs in rounds (`af_bench.rounds`) and stops as soon as its
verdict is settled: after each round the confidence sequence of every thresholded contrast is
checked (`af_bench.sequential`)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from inspect_ai import Task
from inspect_ai.log import EvalLog, EvalSample
from inspect_ai.model import CachePolicy

from af_bench.contrasts import Contrast, contrasts_from
from af_bench.costs import Budget
from af_bench.planning import Design, fixed_pairs
from af_bench.results import SCORER_NAME
from af_bench.rounds import Rounds, pair_order, run_rounds
from af_bench.runner import RunOptions
from af_bench.sequential import Interval, Limit, betting_confidence_sequence, decide, gap_sequence
from af_bench.stats import wilson_interval
from af_bench.thresholds import Thresholds

PLANNED_POWER = 0.8


def limits_of(thresholds: Thresholds, contrasts: Sequence[Contrast]) -> list[Limit]:
    names = {c.name for c in contrasts}
    return [
        Limit(name, kind, value)
        for kind, table in (("max", thresholds.contrast_max), ("min", thresholds.contrast_min))
        for name, value in sorted(table.items())
        if value is not None and name in names
    ]


def _usable(sample: EvalSample, key: str) -> float | None:
    score = (sample.scores or {}).get(SCORER_NAME)
    value = score.value if score is not None and isinstance(score.value, dict) else None
    if sample.error is not None or value is None or float(value.get("failed", 1.0)) > 0 or float(value.get("blocked", 0.0)) > 0:
        return None
    raw = value.get(key)
    return None if raw is None or math.isnan(float(raw)) else float(raw)


def observations(samples: Sequence[EvalSample], order: Sequence[str], contrast: Contrast) -> list[float]:
    """Per completed pair, in sampling order: first − second (or the first condition's value for a
    rate), averaged over epochs."""
    values: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for sample in samples:
        meta = sample.metadata or {}
        value = _usable(sample, contrast.behaviour)
        if value is not None:
            values[str(meta.get("pair_id"))][str(meta.get("condition"))].append(value)
    out: list[float] = []
    for pair in order:
        got = values.get(pair, {})
        first = got.get(contrast.first)
        if not first:
            continue
        if contrast.second is None:
            out.append(sum(first) / len(first))
        elif got.get(contrast.second):
            second = got[contrast.second]
            out.append(sum(first) / len(first) - sum(second) / len(second))
    return out


def confidence(observed: list[float], contrast: Contrast, alpha: float) -> Interval:
    if not observed:
        return Interval(-1.0 if contrast.second else 0.0, 1.0)
    if contrast.second is None:
        return betting_confidence_sequence(observed, alpha)[-1]
    return gap_sequence(observed, alpha)[-1]


def _fixed_design_pairs(observed: list[float], limit: Limit | None, alpha: float) -> int | None:
    """Pairs a fixed-size gate with the same α and 80% power needs, planned on the observed gap
    and the upper 95% bound of the observed discordant-pair rate (what a planner with this run as
    a pilot would assume; the point rate is 0 for a model that never changes its answer)."""
    if limit is None or not observed:
        return None
    gap = sum(observed) / len(observed)
    discordant = wilson_interval(sum(1 for d in observed if d != 0), len(observed))[1]
    try:
        return fixed_pairs(Design(limit.value, gap, max(discordant, abs(gap)), alpha, PLANNED_POWER))
    except ValueError:
        return None


def run_sequential(
    task: Task, model: str, options: RunOptions, cache: CachePolicy | None, thresholds: Thresholds,
    budget: Budget | None = None,
) -> tuple[EvalLog, Rounds, dict[str, Any]]:
    settings = options.settings
    contrasts = contrasts_from(task.metadata)
    limits = limits_of(thresholds, contrasts)
    order = pair_order(task, settings.seed)
    intervals: dict[str, Interval] = {}
    series: dict[str, list[float]] = {}

    def settle(samples: list[EvalSample], used: int) -> str | None:
        nonlocal intervals, series
        series = {c.name: observations(samples, order[:used], c) for c in contrasts}
        intervals = {c.name: confidence(series[c.name], c, settings.alpha) for c in contrasts}
        completed = min((len(v) for v in series.values()), default=0)
        return decide(intervals, limits) if completed >= thresholds.min_pairs else None

    final, rounds = run_rounds(task, model, options, cache, settle, budget)
    first_limit = next(iter(limits), None)
    observed = series.get(first_limit.contrast, []) if first_limit else []
    fixed = _fixed_design_pairs(observed, first_limit, settings.alpha) if rounds.stopped != "error" else None
    return final, rounds, _summary(rounds, intervals, limits, settings, fixed)


def _summary(rounds: Rounds, intervals: dict[str, Interval], limits: list[Limit], settings: Any,
             fixed: int | None) -> dict[str, Any]:
    shown = {name: [round(i.low, 4), round(i.high, 4)] for name, i in intervals.items()}
    stopped = rounds.stopped or "budget"
    if rounds.failure:
        reason = rounds.failure
    elif stopped == "cost":
        reason = "stopped by the run's cost cap before the verdict was settled"
    elif not limits:
        reason = "sequential gate inconclusive: no contrast threshold to decide on"
    else:
        detail = ", ".join(f"{name} [{lo:.3f}, {hi:.3f}]" for name, (lo, hi) in shown.items())
        reason = (
            f"sequential gate inconclusive at its budget of {rounds.budget} pairs: the {1 - settings.alpha:.0%} "
            f"confidence sequences ({detail}) still straddle their thresholds; raise --af-limit"
        )
    return {
        "pairs_used": rounds.used,
        "pairs_budget": rounds.budget,
        "stopped": "budget" if stopped == "error" else stopped,
        "fixed_pairs": fixed,
        "alpha": settings.alpha,
        "round_pairs": settings.round_pairs,
        "rounds": len(rounds.logs),
        "intervals": shown,
        "reason": reason if stopped in ("budget", "error", "cost") else None,
    }
