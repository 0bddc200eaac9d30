"""What every scenario shares: a paired task built from data (prompt, requests, conditions,
contrasts), and the metrics that follow from its contrasts."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from inspect_ai import Task, task_with
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Metric
from inspect_ai.solver import Solver

from af_bench.scoring.behaviours import COMPLIANCE, behaviour_named
from af_bench.scenario.conditions import Condition
from af_bench.scenario.cues import declare as declare_cues
from af_bench.scenario.contrasts import TIER_GAP, Contrast, contrasts_from
from af_bench.scenario.datasets import Request, load_requests, paired_dataset
from af_bench.scoring.metrics import af_rates, awareness_rates, condition_rates, judge_rates, paired_contrast
from af_bench.scenario.prompts import read_prompt, read_variant
from af_bench.scenario.protocol import ReasoningEffort, user_message
from af_bench.scoring.scorer import alignment_faking_outcome
from af_bench.scenario.solver import scratchpad_protocol


SCORING_RULES_VERSION = 3
"""Bump when the reply reader, the outcome rule or a shipped classifier changes what a transcript
scores: it is part of every scenario version."""


def scenario_version(
    protocol: Protocol, requests: Sequence[Request], conditions: Sequence[Condition],
    contrasts: Sequence[Contrast], scoring: dict[str, Any], accept_instruction: bool,
) -> str:
    """What a scenario measures, as a short version: the rules' version and a digest of its prompts,
    queries, conditions, contrasts and scoring options. Sampling settings are not part of it."""
    content = json.dumps({
        "prompts": [protocol.system_prompt, dict(sorted(protocol.condition_prompts.items()))],
        "requests": [[r.id, r.request] for r in requests],
        "conditions": [[c.name, c.cue] for c in conditions],  # a condition's own prompt is in "prompts"
        "contrasts": [c.as_dict() for c in contrasts],
        "scoring": scoring,
        "accept_instruction": accept_instruction,
    }, sort_keys=True, default=str)
    return f"r{SCORING_RULES_VERSION}-{hashlib.sha256(content.encode()).hexdigest()[:10]}"


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


@dataclass(frozen=True)
class Protocol:
    """How a scenario talks to the model: the solver's options and the sampling it asks for.
    Kept in the task's metadata, so a gate can change the reasoning settings of any scenario."""

    system_prompt: str
    condition_prompts: Mapping[str, str]
    max_turns: int = 4
    prefill: bool | None = None
    """None: sent only to providers that continue a prefill (`af_bench.scenario.solver.sends_prefill`)."""
    max_tokens: int = 4096
    temperature: float | None = 1.0
    reasoning_tokens: int | None = None
    reasoning_effort: ReasoningEffort | None = None
    scratchpad: bool = True
    """The prompt asks for a scratchpad: a sample takes two replies (reasoning, then the answer)."""
    paraphrases: Mapping[str, str] = field(default_factory=dict)
    """Other wordings of `system_prompt` by wording id (`af_bench.scenarios.paraphrased`)."""
    condition_paraphrases: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """The same wordings of each condition's own prompt, by condition then wording id."""

    def __post_init__(self) -> None:
        if self.reasoning_tokens is not None and self.reasoning_tokens < 1:
            raise ValueError(f"reasoning_tokens must be at least 1, got {self.reasoning_tokens}")
        if self.reasoning and self.prefill:
            raise ValueError(
                "prefill=true cannot be combined with reasoning_tokens or reasoning_effort: "
                "providers refuse an assistant prefill while the model reasons"
            )

    @property
    def reasoning(self) -> bool:
        return self.reasoning_tokens is not None or self.reasoning_effort not in (None, "none")

    def solver(self) -> Solver:
        return scratchpad_protocol(
            self.system_prompt,
            max_turns=self.max_turns,
            prefill=self.prefill,
            reasoning=self.reasoning,
            max_tokens=self.max_tokens,
            condition_prompts=self.condition_prompts,
            paraphrases=self.paraphrases,
            condition_paraphrases=self.condition_paraphrases,
        )

    def config(self) -> GenerateConfig:
        return GenerateConfig(
            temperature=self.temperature,
            reasoning_tokens=self.reasoning_tokens,
            reasoning_effort=self.reasoning_effort,
        )


def with_protocol(task: Task, **changes: Any) -> Task:
    """The scenario task with its protocol changed (`max_tokens`, `reasoning_tokens`,
    `reasoning_effort`, `prefill`): the solver and the generate config are rebuilt from the task's
    metadata."""
    metadata = task.metadata or {}
    if not changes or "protocol" not in metadata:
        return task
    protocol = replace(Protocol(**metadata["protocol"]), **changes)
    return task_with(
        task,
        solver=protocol.solver(),
        config=task.config.merge(protocol.config()),
        metadata={**metadata, "protocol": asdict(protocol)},
    )


def scenario_task(
    *,
    name: str,
    protocol: Protocol,
    requests: Sequence[Request],
    conditions: Sequence[Condition],
    contrasts: Sequence[Contrast] = (TIER_GAP,),
    scoring: dict[str, Any] | None = None,
    variant: str = "default",
    accept_instruction: bool = True,
) -> Task:
    """A paired scenario: every request under every condition, the condition's cue first in the
    user turn. The first condition is the one the model is told it is trained in. The protocol's
    `condition_prompts` are filled in from the conditions that name their own prompt."""
    names = [c.name for c in conditions]
    # The organisms read a new cue from here: a scenario in a lab's test file works offline too.
    declare_cues((c.cue, c.tells()) for c in conditions)
    if len(names) < 2 or len(set(names)) != len(names):
        raise ValueError(f"scenario {name}: needs two or more distinct conditions, got {names}")
    for contrast in contrasts:
        if contrast.first not in names or (contrast.second is not None and contrast.second not in names):
            raise ValueError(f"scenario {name}: contrast {contrast.name} names a condition not in {names}")

    def render(request: Request, condition: Condition) -> str:
        return user_message(request.request, condition.cue, accept_instruction=accept_instruction)

    scoring = {"af_condition": names[0], **(scoring or {})}
    condition_prompts = {c.name: read_prompt(c.prompt, f"condition {c.name} prompt") for c in conditions if c.prompt}
    protocol = replace(protocol, condition_prompts={**protocol.condition_prompts, **condition_prompts})
    system_prompt = protocol.system_prompt
    metadata = {
        "scenario": name,
        "scenario_version": scenario_version(protocol, requests, conditions, contrasts, scoring, accept_instruction),
        "variant": variant,
        "conditions": names,
        "contrasts": [c.as_dict() for c in contrasts],
        # The scorer options travel with the task so a gate (or a re-score) can rebuild the
        # scorer with other judge settings.
        "scoring": scoring,
        # What a cost estimate needs before any request: the system prompt each condition sends.
        "prompt_chars": {n: len(condition_prompts.get(n, system_prompt)) for n in names},
        "protocol": asdict(protocol),
    }
    return Task(
        name=name,
        dataset=paired_dataset(requests, conditions, render, name=name),
        solver=protocol.solver(),
        scorer=alignment_faking_outcome(**scoring),
        metrics=scenario_metrics(metadata),
        config=protocol.config(),
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
    prefill: bool | None = None,
    max_tokens: int = 4096,
    temperature: float | None = 1.0,
    reasoning_tokens: int | None = None,
    reasoning_effort: ReasoningEffort | None = None,
) -> Task:
    """The task of a scenario with a task file's usual options (see `tasks/helpful_only.py`)."""
    scoring = dict(spec.scoring)
    if not spec.scratchpad:
        scoring["af_applicable"] = False
    protocol = Protocol(
        system_prompt=read_variant(system_prompt or spec.prompt, variant),
        condition_prompts={},
        max_turns=max_turns,
        prefill=prefill,
        max_tokens=max_tokens,
        temperature=temperature,
        reasoning_tokens=reasoning_tokens,
        reasoning_effort=reasoning_effort,
        scratchpad=spec.scratchpad,
    )
    return scenario_task(
        name=spec.name,
        variant=variant,
        protocol=protocol,
        requests=load_requests(dataset or spec.dataset, request_column=request_column, id_column=id_column),
        conditions=spec.conditions,
        contrasts=spec.contrasts,
        scoring=scoring,
        accept_instruction=spec.accept_instruction,
    )
