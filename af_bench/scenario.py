"""What every scenario shares: reading its prompt file and building its paired task."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspect_ai import Task
from inspect_ai.model import GenerateConfig

from af_bench.conditions import Condition
from af_bench.datasets import Request, paired_dataset
from af_bench.protocol import user_message
from af_bench.scorers import alignment_faking_outcome
from af_bench.solver import scratchpad_protocol

def tier_task(
    *,
    name: str,
    system_prompt: str,
    requests: Sequence[Request],
    conditions: Sequence[Condition],
    max_turns: int,
    prefill: bool,
    max_tokens: int,
    temperature: float | None,
    scoring: dict[str, Any] | None = None,
) -> Task:
    """A paired scenario: every request under every condition, the tier flag in the user turn."""

    def render(request: Request, condition: Condition) -> str:
        return user_message(request.request, condition.cue)

    return Task(
        name=name,
        dataset=paired_dataset(requests, conditions, render, name=name),
        solver=scratchpad_protocol(
            system_prompt, max_turns=max_turns, prefill=prefill, max_tokens=max_tokens
        ),
        scorer=alignment_faking_outcome(**(scoring or {})),
        config=GenerateConfig(temperature=temperature),
        # The scorer options travel with the task so a gate (or a re-score) can rebuild the
        # scorer with other judge settings.
        metadata={"scenario": name, "conditions": [c.name for c in conditions], "scoring": scoring or {}},
    )


