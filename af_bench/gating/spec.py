"""What a gate is, apart from how pytest collects it: the task builder and its thresholds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspect_ai import Task

    from af_bench.results.thresholds import Thresholds


@dataclass(frozen=True)
class GateSpec:
    name: str
    build: Callable[..., Task]
    thresholds: Thresholds
    variants: tuple[str, ...] = ()
    """Prompt variants to run, each its own item; the builder then takes `variant`."""

    def task(self, variant: str | None = None) -> Task:
        return self.build(variant=variant) if variant is not None else self.build()


@dataclass(frozen=True)
class CollectedGate:
    """One collected gate item: its spec, the model it runs on and its prompt variant."""

    spec: GateSpec
    model: str
    variant: str | None = None
