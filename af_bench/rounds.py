"""Running a gate's pairs in rounds, each an ordinary inspect eval, then replaying the pairs used
into one complete log from the run's response cache.

Sequential gates stop once their verdict is settled; any gate stops once the run's cost cap is
passed. The final log is evaluated from the cache, so no request is repeated, and it is a whole
inspect log (metrics and all) that `inspect view` opens and the verdict is read from.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from inspect_ai import Task
from inspect_ai.log import EvalLog, EvalSample
from inspect_ai.model import CachePolicy

from af_bench.costs import Budget, add_usage, usage_by_model
from af_bench.prices import TokenUsage
from af_bench.runner import RunOptions, run_eval
from af_bench.shards import Shard, shard_pairs, task_pairs

AfterRound = Callable[[list[EvalSample], int], "str | None"]
"""Called with every sample so far and the pairs used; returns why to stop now, or None."""


def pair_order(task: Task, seed: int | None, shard: Shard | None = None, limit: int | None = None) -> list[str]:
    """The task's pair ids in the order rounds sample them: seeded random, so the first rounds
    are not all one category of requests. A shard's rounds draw from its own pairs only."""
    pairs = task_pairs(task) if shard is None else shard_pairs(task, shard, limit)
    random.Random(0 if seed is None else seed).shuffle(pairs)
    return pairs


@dataclass
class Rounds:
    order: list[str]
    budget: int
    used: int = 0
    stopped: str | None = None
    """Why the rounds ended before the budget (`pass`, `fail`, `cost`, `error`); None at the budget."""
    failure: str | None = None
    logs: list[EvalLog] = field(default_factory=list)
    usage: dict[str, TokenUsage] = field(default_factory=dict)
    """What the rounds' requests used (the final replay is served from the cache)."""
    spent_total: float | None = None
    """The run's spend after the last round, when a budget was charged."""


def run_rounds(
    task: Task,
    model: str,
    options: RunOptions,
    cache: CachePolicy | None,
    after_round: AfterRound,
    budget: Budget | None = None,
) -> tuple[EvalLog, Rounds]:
    settings = options.settings
    conditions = [str(c) for c in (task.metadata or {}).get("conditions") or []]
    order = pair_order(task, settings.seed, settings.shard, settings.limit)
    pairs = len(order) if settings.shard else min(settings.limit or len(order), len(order))
    rounds = Rounds(order=order, budget=pairs)
    samples: list[EvalSample] = []
    while rounds.used < rounds.budget:
        batch = order[rounds.used:min(rounds.used + settings.round_pairs, rounds.budget)]
        rounds.used += len(batch)
        log = run_eval(task, model, options, cache, [f"{p}:{c}" for p in batch for c in conditions])
        rounds.logs.append(log)
        used = usage_by_model(log)
        rounds.usage = add_usage(rounds.usage, used)
        if budget is not None:
            rounds.spent_total = budget.charge(used)
        if log.status != "success":
            rounds.stopped, rounds.failure = "error", f"round {len(rounds.logs)} ended with status {log.status}"
            return log, rounds
        samples.extend(log.samples or [])
        rounds.stopped = after_round(samples, rounds.used)
        if rounds.stopped is not None:
            break
        if budget is not None and rounds.spent_total is not None and budget.exceeded(rounds.spent_total):
            if rounds.used < rounds.budget:
                rounds.stopped = "cost"
            break
    final = rounds.logs[-1]
    if len(rounds.logs) > 1:
        used_ids = [f"{p}:{c}" for p in order[:rounds.used] for c in conditions]
        final = run_eval(task, model, options, cache, used_ids)
        if final.status == "success":
            for log in rounds.logs:
                _remove(log.location)
    return final, rounds


def _remove(location: str) -> None:
    path = Path(location)
    if path.is_file():
        path.unlink()
