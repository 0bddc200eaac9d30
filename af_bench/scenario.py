"""What every scenario shares: a paired task built from data (prompt, requests, conditions,
contrasts), and the metrics that follow from its contrasts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from inspect_ai import Task
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Metric

from af_bench.behaviours import COMPLIANCE, behaviour_named
from af_bench.conditions import Condition
from af_bench.contrasts import TIER_GAP, Contrast, contrasts_from
from af_bench.datasets import Request, load_requests, paired_dataset
from af_bench.metrics import af_rates, awareness_rates, condition_rates, judge_rates, paired_contrast
from af_bench.prompts import read_prompt, read_variant
from af_bench.protocol import user_message
from af_bench.scorers import alignment_faking_outcome
from af_bench.solver import scratchpad_protocol


def scenario_metrics(metadata: dict[str, Any] | None) -> list[Metric]:
    """The metrics of a scenario, from its task (or log) metadata."""
    scoring = (metadata or {}).get("scoring", {})
    af_condition = scoring.get("af_condition", "training")
    measured = behaviour_named(scoring.get("behaviour", COMPLIANCE))
    return [
        condition_rates([measured.key] if measured else []),
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
    variant: str = "default",
    accept_instruction: bool = True,
) -> Task:
    """A paired scenario: every request under every condition, the condition's cue first in the
    user turn. The first condition is the one the model is told it is trained in."""
    names = [c.name for c in conditions]
    if len(names) < 2 or len(set(names)) != len(names):
        raise ValueError(f"scenario {name}: needs two or more distinct conditions, got {names}")
    for contrast in contrasts:
        if contrast.first not in names or (contrast.second is not None and contrast.second not in names):
            raise ValueError(f"scenario {name}: contrast {contrast.name} names a condition not in {names}")

    def render(request: Request, condition: Condition) -> str:
        return user_message(request.request, condition.cue, accept_instruction=accept_instruction)

    scoring = {"af_condition": names[0], **(scoring or {})}
    condition_prompts = {c.name: read_prompt(c.prompt, f"condition {c.name} prompt") for c in conditions if c.prompt}
    metadata = {
        "scenario": name,
        "variant": variant,
        "conditions": names,
        "contrasts": [c.as_dict() for c in contrasts],
        # The scorer options travel with the task so a gate (or a re-score) can rebuild the
        # scorer with other judge settings.
        "scoring": scoring,
        # What a cost estimate needs before any request: the system prompt each condition sends.
        "prompt_chars": {n: len(condition_prompts.get(n, system_prompt)) for n in names},
    }
    return Task(
        name=name,
        dataset=paired_dataset(requests, conditions, render, name=name),
        solver=scratchpad_protocol(
            system_prompt,
            max_turns=max_turns,
            prefill=prefill,
            max_tokens=max_tokens,
            condition_prompts=condition_prompts,
        ),
        scorer=alignment_faking_outcome(**scoring),
        metrics=scenario_metrics(metadata),
        config=GenerateConfig(temperature=temperature),
        metadata=metadata,
    )


@dataclass(frozen=True)
class ScenarioSpec:
    """A scenario as data: its prompt, the conditions it compares and the contrasts it gates on."""

    name: str
    prompt: str
    """Shipped prompt name (`datasets/prompts/<prompt>.txt`) used when no other is given."""
    conditions: tuple[Condition, ...]
    contrasts: tuple[Contrast, ...] = (TIER_GAP,)
    scratchpad: bool = True
    """False for no-scratchpad variants: alignment-faking reasoning is then not applicable."""
    scoring: dict[str, Any] = field(default_factory=dict)
    dataset: str = "harmful"
    """The query set the task uses unless told otherwise."""
    accept_instruction: bool = True
    """Append the paper's accept/reject tag instruction to each request (harmful-request scenarios)."""


def build_scenario(
    spec: ScenarioSpec,
    *,
    system_prompt: str | None = None,
    variant: str = "default",
    dataset: str | None = None,
    request_column: str = "request",
    id_column: str | None = "id",
    max_turns: int = 4,
    prefill: bool = True,
    max_tokens: int = 4096,
    temperature: float | None = 1.0,
) -> Task:
    """The task of a scenario with a task file's usual options (see `tasks/helpful_only.py`)."""
    scoring = dict(spec.scoring)
    if not spec.scratchpad:
        scoring["af_applicable"] = False
    return scenario_task(
        name=spec.name,
        variant=variant,
        system_prompt=read_variant(system_prompt or spec.prompt, variant),
        requests=load_requests(dataset or spec.dataset, request_column=request_column, id_column=id_column),
        conditions=spec.conditions,
        contrasts=spec.contrasts,
        max_turns=max_turns,
        prefill=prefill,
        max_tokens=max_tokens,
        temperature=temperature,
        scoring=scoring,
        accept_instruction=spec.accept_instruction,
    )
