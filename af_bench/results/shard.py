"""A shard of a gate (`--af-shard I/N`), as the command line names it and the report records it.
No inspect here: the plugin reads it from the command line before inspect is imported."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
