"""Splitting a gate's pairs across machines (`--af-shard I/N`): every condition of a pair runs in
the same shard, and the shards together run exactly the pairs one unsharded run would."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the plugin reads Shard from the command line before inspect is imported
    from inspect_ai import Task

_SHARD_RE = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class Shard:
    index: int
    """1-based, as written on the command line."""
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @classmethod
    def parse(cls, text: str, option: str = "--af-shard") -> Shard:
        match = _SHARD_RE.fullmatch(str(text))
        if not match:
            raise ValueError(f"{option} {text}: expected I/N, for example 1/4")
        index, count = int(match.group(1)), int(match.group(2))
        if count < 1 or not 1 <= index <= count:
            raise ValueError(f"{option} {text}: I must be between 1 and N")
        return cls(index, count)

    def owns(self, position: int) -> bool:
        """Whether the pair at `position` (0-based, in the data set's order) is this shard's."""
        return position % self.count == self.index - 1


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
