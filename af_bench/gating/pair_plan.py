"""Which pairs a gate runs, in what order: one rule for the fixed gate, the capped and sequential
gates, the shards of a run (`--af-shard I/N`) and the cost estimate.

The pairs are the first `--af-limit` of the data set's order (all of them without a limit), so
every kind of gate with the same limit measures the same requests, the estimate prices exactly
those, and reports of two runs with the same limit compare request by request. The order is a
seeded shuffle of those pairs: a gate that may stop early decides on a prefix of it, and a prefix
of a shuffled list is a random share of the planned pairs, not the data set's first categories
(the shipped data sets are grouped by category); a fixed gate runs them all, so the order does
not matter to it. A shard runs its share of the same pairs (pair k of the data set's order goes to
shard k mod N, every condition of a pair with it), in the plan's order.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

from af_bench.results.shard import Shard

if TYPE_CHECKING:
    from inspect_ai import Task
    from inspect_ai.dataset import Sample


def pair_of(sample: Sample) -> str:
    """The pair a sample belongs to: every condition of one request shares it."""
    return str((sample.metadata or {}).get("pair_id", sample.id))


def task_pairs(task: Task) -> list[str]:
    """The task's pair ids in its data set's order."""
    return list(dict.fromkeys(pair_of(s) for s in task.dataset))


def plan_pairs(task: Task, limit: int | None, shard: Shard | None = None, seed: int | None = None) -> list[str]:
    """The pair ids a gate runs, in the order it runs them: the first `limit` pairs of the data
    set (all when None), shuffled with `seed`; a shard keeps its own share of them."""
    chosen = task_pairs(task)[:limit] if limit else task_pairs(task)
    mine = set(chosen) if shard is None else {pair for position, pair in enumerate(chosen) if shard.owns(position)}
    random.Random(0 if seed is None else seed).shuffle(chosen)
    return [pair for pair in chosen if pair in mine]


def plan_samples(task: Task, pairs: Sequence[str]) -> list[Sample]:
    """The samples of `pairs` (every condition of each), in the data set's order."""
    wanted = set(pairs)
    return [s for s in task.dataset if pair_of(s) in wanted]
