"""What every scenario shares: a paired task built from data (prompt, requests, conditions,
contrasts), and the metrics that follow from its contrasts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspect_ai import Task
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Metric

from af_bench.conditions import Condition
from af_bench.contrasts import TIER_GAP, Contrast, contrasts_from
from af_bench.datasets import Request, paired_dataset
from af_bench.metrics import af_rates, awareness_rates, condition_rates, judge_rates, paired_contrast
from af_bench.protocol import user_message
from af_bench.scorers import alignment_faking_outcome
from af_bench.solver import scratchpad_protocol


def scenario_metrics(metadata: dict[str, Any] | None) -> list[Metric]:
    """The metrics of a scenario, from its task (or log) metadata."""
    af_condition = (metadata or {}).get("scoring", {}).get("af_condition", "training")
    return [
        condition_rates(),
        *(paired_contrast(c.behaviour, c.first, c.second, c.name) for c in contrasts_from(metadata)),
        af_rates(af_condition),
        judge_rates(),
        awareness_rates(),
    ]


def scenario_task(
    *,
    name: str,
    system_prompt: str,
    requests: Sequence[Request],
    conditions: Sequence[Condition],
    contrasts: Sequence[Contrast] = (TIER_GAP,),
    max_turns: int,
    prefill: bool,
    max_tokens: int,
    temperature: float | None,
    scoring: dict[str, Any] | None = None,
) -> Task:
    """A paired scenario: every request under every condition, the condition's cue first in the
    user turn. The first condition is the one the model is told it is trained in."""
    names = [c.name for c in conditions]
    if len(names) < 2 or len(set(names)) != len(names):
        raise ValueError(f"scenario {name}: needs two or more distinct conditions, got {names}")
    for contrast in contrasts:
        if contrast.first not in names or contrast.second not in names:
            raise ValueError(f"scenario {name}: contrast {contrast.name} names a condition not in {names}")

    def render(request: Request, condition: Condition) -> str:
        return user_message(request.request, condition.cue)

    scoring = {"af_condition": names[0], **(scoring or {})}
    metadata = {
        "scenario": name,
        "conditions": names,
        "contrasts": [c.as_dict() for c in contrasts],
        # The scorer options travel with the task so a gate (or a re-score) can rebuild the
        # scorer with other judge settings.
        "scoring": scoring,
    }
    return Task(
        name=name,
        dataset=paired_dataset(requests, conditions, render, name=name),
        solver=scratchpad_protocol(system_prompt, max_turns=max_turns, prefill=prefill, max_tokens=max_tokens),
        scorer=alignment_faking_outcome(**scoring),
        metrics=scenario_metrics(metadata),
        config=GenerateConfig(temperature=temperature),
        metadata=metadata,
    )
