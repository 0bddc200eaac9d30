"""Splitting a gate's pairs across machines (`--af-shard I/N`): every condition of a pair runs in
the same shard, and the shards together run exactly the pairs one unsharded run would."""

from __future__ import annotations

from typing import TYPE_CHECKING

from af_bench.results.shard import Shard

if TYPE_CHECKING:
    from inspect_ai import Task

def task_pairs(task: Task) -> list[str]:
    """The task's pair ids in its data set's order."""
    return list(dict.fromkeys(str((s.metadata or {}).get("pair_id", s.id)) for s in task.dataset))


def shard_pairs(task: Task, shard: Shard, limit: int | None) -> list[str]:
    """The pair ids this shard runs: its share of the first `limit` pairs."""
    pairs = task_pairs(task)[:limit] if limit else task_pairs(task)
    return [pair for position, pair in enumerate(pairs) if shard.owns(position)]


def shard_sample_ids(task: Task, shard: Shard, limit: int | None) -> list[str]:
    """The sample ids this shard runs: every condition of its pairs."""
    mine = set(shard_pairs(task, shard, limit))
    return [str(s.id) for s in task.dataset if str((s.metadata or {}).get("pair_id", s.id)) in mine]
