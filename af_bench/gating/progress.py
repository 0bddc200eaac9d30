"""Progress lines for running gates ("samples done of total"), fed by inspect's hooks.

inspect instantiates hook classes once per process and calls them for every eval, so the set of
watched runs has to live at module level; `watch()` is the only way in and always cleans up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from inspect_ai.hooks import Hooks, SampleEnd, TaskEnd, TaskStart, hooks

LineSink = Callable[[str], None]


@dataclass
class _Run:
    label: str
    total: int
    sink: LineSink
    done: int = 0
    started: float = field(default_factory=time.monotonic)
    last_step: int = 0

    def advance(self) -> None:
        self.done += 1
        step = (self.done * 10) // max(1, self.total)
        if step > self.last_step and self.done < self.total:
            self.last_step = step
            self.sink(f"af-bench: {self.label}: {self.done}/{self.total} samples")

    def finish(self) -> None:
        elapsed = time.monotonic() - self.started
        self.sink(f"af-bench: {self.label}: {self.done}/{self.total} samples done in {elapsed:.1f}s")


@dataclass
class _Board:
    sinks: dict[str, LineSink] = field(default_factory=dict)
    """By model: a pytest process runs one gate at a time."""
    runs: dict[str, _Run] = field(default_factory=dict)


_BOARD = _Board()


@contextmanager
def watch(model: str, sink: LineSink) -> Iterator[None]:
    """Report progress of the evals of `model` run inside this block to `sink`."""
    _BOARD.sinks[model] = sink
    try:
        yield
    finally:
        _BOARD.sinks.pop(model, None)


@hooks(name="af_bench_progress", description="Progress lines for af-bench gates run under pytest")
class GateProgress(Hooks):
    def enabled(self) -> bool:
        return bool(_BOARD.sinks or _BOARD.runs)

    async def on_task_start(self, data: TaskStart) -> None:
        sink = _BOARD.sinks.get(data.spec.model)
        if sink is None:
            return
        total = len(data.spec.dataset.sample_ids or []) * (data.spec.config.epochs or 1)
        run = _Run(label=f"{data.spec.task} on {data.spec.model}", total=total, sink=sink)
        _BOARD.runs[data.eval_id] = run
        sink(f"af-bench: {run.label}: starting, {total} samples")

    async def on_sample_end(self, data: SampleEnd) -> None:
        run = _BOARD.runs.get(data.eval_id)
        if run is not None:
            run.advance()

    async def on_task_end(self, data: TaskEnd) -> None:
        run = _BOARD.runs.pop(data.eval_id, None)
        if run is not None:
            run.finish()
