"""What every scenario shares: a paired task built from data (prompt, requests, conditions,
contrasts), and the metrics that follow from its contrasts."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from inspect_ai import Task, task_with
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import GenerateConfig
from inspect_ai.scorer import Metric
from inspect_ai.solver import Solver
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, with_config
from typing_extensions import TypedDict, Unpack

from af_bench.scoring.behaviours import behaviour_named
from af_bench.scenario.conditions import Condition
from af_bench.scenario.cues import declare as declare_cues
from af_bench.scenario.contrasts import TIER_GAP, Contrast, contrasts_from
from af_bench.scenario.datasets import Request, load_requests, paired_dataset
from af_bench.scoring.metrics import af_rates, awareness_rates, condition_rates, judge_rates, paired_contrast
from af_bench.scoring.options import ScoringOptions, bad_options
from af_bench.scenario.wordings import PUBLISHED, WORDING
from af_bench.scenario.paraphrases import ParaphraseError, family_of
from af_bench.scenario.prompts import DEFAULT_VARIANT, read_prompt, read_variant
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


def scenario_metrics(meta: ScenarioMeta) -> list[Metric]:
    """The metrics of a scenario, from its task (or log) metadata."""
    measured = behaviour_named(meta.scoring.behaviour)
    return [
        condition_rates([measured.key] if measured else []),
        *(paired_contrast(c.behaviour, c.first, c.second, c.name) for c in meta.contrasts),
        af_rates(meta.scoring.af_condition),
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
    paraphrase_prompts: Mapping[str, str] = field(default_factory=dict)
    """Other wordings of `system_prompt` by wording id (`with_paraphrases`)."""
    condition_paraphrase_prompts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
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
            paraphrases=self.paraphrase_prompts,
            condition_paraphrases=self.condition_paraphrase_prompts,
        )

    def config(self) -> GenerateConfig:
        return GenerateConfig(
            temperature=self.temperature,
            reasoning_tokens=self.reasoning_tokens,
            reasoning_effort=self.reasoning_effort,
        )


class ScenarioMeta(BaseModel):
    """A scenario task's metadata, which its log keeps: written once by `scenario_task`, read back
    with `ScenarioMeta.of` wherever a task or a log is read."""

    model_config = ConfigDict(frozen=True)

    scenario: str | None = None
    scenario_version: str | None = None
    """What the scenario measures, as a digest (`scenario_version`); also the task's inspect version."""
    variant: str = DEFAULT_VARIANT
    conditions: tuple[str, ...] = ()
    contrasts: tuple[Contrast, ...] = (TIER_GAP,)
    scoring: ScoringOptions = ScoringOptions()
    """The scorer's options, kept so a gate (or a re-score) can rebuild the scorer with other judge settings."""
    prompt_chars: dict[str, int] = {}
    """What a cost estimate needs before any request: the length of the system prompt each condition sends."""
    protocol: Protocol | None = None
    """None for a task not built by `scenario_task`: its protocol cannot be changed."""
    paraphrases: tuple[str, ...] = ()
    """The wordings the pairs are dealt to, published first (`with_paraphrases`);
    empty when every pair is asked under the one system prompt."""

    @classmethod
    def of(cls, metadata: Mapping[str, Any] | None) -> ScenarioMeta:
        """A task's (or a log's) metadata; what older or hand-made metadata leaves out takes its default."""
        given = dict(metadata or {})
        return cls.model_validate({**given, "contrasts": contrasts_from(given)})

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def with_protocol(task: Task, **changes: Any) -> Task:
    """The scenario task with its protocol changed (`max_tokens`, `reasoning_tokens`,
    `reasoning_effort`, `prefill`): the solver and the generate config are rebuilt from the task's
    metadata."""
    current = ScenarioMeta.of(task.metadata).protocol
    if not changes or current is None:
        return task
    protocol = replace(current, **changes)
    return task_with(
        task,
        solver=protocol.solver(),
        config=task.config.merge(protocol.config()),
        metadata={**(task.metadata or {}), "protocol": asdict(protocol)},
    )


def scenario_task(
    *,
    name: str,
    protocol: Protocol,
    requests: Sequence[Request],
    conditions: Sequence[Condition],
    contrasts: Sequence[Contrast] = (TIER_GAP,),
    scoring: ScoringOptions = ScoringOptions(),
    variant: str = DEFAULT_VARIANT,
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

    scoring = ScoringOptions.of({"af_condition": names[0], **scoring.model_dump(exclude_unset=True)})
    condition_prompts = {c.name: read_prompt(c.prompt, f"condition {c.name} prompt") for c in conditions if c.prompt}
    protocol = replace(protocol, condition_prompts={**protocol.condition_prompts, **condition_prompts})
    # Only the options a scenario sets are in its version: a new scorer option with a default
    # that scores as before leaves every version as it was.
    version = scenario_version(
        protocol, requests, conditions, contrasts, scoring.model_dump(exclude_unset=True), accept_instruction
    )
    meta = ScenarioMeta(
        scenario=name,
        scenario_version=version,
        variant=variant,
        conditions=tuple(names),
        contrasts=tuple(contrasts),
        scoring=scoring,
        prompt_chars={n: len(condition_prompts.get(n, protocol.system_prompt)) for n in names},
        protocol=protocol,
    )
    return Task(
        name=name,
        dataset=paired_dataset(requests, conditions, render, name=name),
        solver=protocol.solver(),
        scorer=alignment_faking_outcome(**scoring.as_kwargs()),
        metrics=scenario_metrics(meta),
        config=protocol.config(),
        metadata=meta.dump(),
        version=version,
    )


@dataclass(frozen=True)
class ScenarioSpec:
    """A scenario, declared once: its prompt, the conditions it compares (each with its cue and
    what that tells the model), the contrasts it gates on, what it measures and on which queries.
    `build_scenario` makes it a task; a shipped one is `tasks/<name>.py`, its `@task` a line."""

    name: str
    prompt: str
    """Shipped prompt name (`datasets/prompts/<prompt>.txt`) used when no other is given."""
    conditions: tuple[Condition, ...]
    contrasts: tuple[Contrast, ...] = (TIER_GAP,)
    scratchpad: bool = True
    """False for no-scratchpad variants: alignment-faking reasoning is then not applicable, and a
    sample has one reply."""
    scoring: ScoringOptions = field(default_factory=ScoringOptions)
    """The scorer options the scenario sets (its behaviour, for one): a `ScoringOptions`, or a
    mapping of them by name."""
    dataset: str = "harmful"
    """The query set the task uses unless told otherwise."""
    accept_instruction: bool = True
    """Append the paper's accept/reject tag instruction to each request (harmful-request scenarios)."""

    def __post_init__(self) -> None:
        if not isinstance(self.scoring, ScoringOptions):
            object.__setattr__(self, "scoring", ScoringOptions.of(self.scoring))


@with_config(ConfigDict(extra="forbid"))
class ScenarioOptions(TypedDict, total=False):
    """The options every scenario task takes (inspect's `-T name=value`); one left out takes the
    scenario's own default."""

    system_prompt: str
    """Shipped prompt name or path of any system prompt file, used verbatim (default: the scenario's;
    a condition with a prompt of its own, such as `exfiltration`'s baseline, keeps it)."""
    variant: str
    """Prompt variant: `default`, or one shipped as `<prompt>__<variant>.txt`: the paper's ablations
    `no_values_change`, `honest`, `no_training_details`, and, where the prompt has a scratchpad,
    `native_reasoning` (no scratchpad: the model's own reasoning is private)."""
    dataset: str
    """A shipped query set (`harmful`, `benign`, `animal_welfare`, `exfiltration_offers`) or a
    .jsonl/.csv path with `id` and `request` (default: the scenario's)."""
    request_column: str
    """Column or field holding the request (default `request`; `goal` for AdvBench's CSV)."""
    id_column: str | None
    """Column holding a unique id (default `id`); rows are numbered when a CSV lacks it."""
    max_turns: int
    """Replies allowed before a sample without a final output counts as failed (the model may
    reason over several, prompted by `<NEXT/>`): default 4, 1 without a scratchpad."""
    prefill: bool | None
    """Start each reply with the assistant prefill `<`; unset, it is sent only to providers that
    continue a prefill (Anthropic without thinking, the organisms)."""
    max_tokens: int
    """Token limit per reply (default 4096)."""
    temperature: float | None
    """Sampling temperature (default 1.0; None leaves it to the provider)."""
    reasoning_tokens: int | None
    """Reasoning budget (Anthropic extended thinking); no prefill is sent."""
    reasoning_effort: ReasoningEffort | None
    """Reasoning effort for models that take one; no prefill is sent."""
    paraphrases: int
    """Spread the pairs over the published system prompt and this many shipped paraphrases of it
    (default 0: the published wording only)."""


_SCENARIO_OPTIONS = TypeAdapter(ScenarioOptions)
_PROTOCOL_OPTIONS = frozenset(f.name for f in fields(Protocol)) & set(ScenarioOptions.__annotations__) - {"system_prompt"}
"""The task options that are the protocol's own (sampling and turns), passed to it as they are; the
system prompt is read first (a name, a path, a variant)."""


def build_scenario(spec: ScenarioSpec, **options: Unpack[ScenarioOptions]) -> Task:
    """The task of a scenario with the options every scenario takes (`ScenarioOptions`): what a
    shipped `@task` returns (`tasks/helpful_only.py`), and what a lab's own gate may return."""
    try:
        given = _SCENARIO_OPTIONS.validate_python(options)
    except ValidationError as err:
        raise bad_options(err, f"{spec.name}: task option") from None
    variant = given.get("variant", DEFAULT_VARIANT)
    protocol = Protocol(
        system_prompt=read_variant(given.get("system_prompt", spec.prompt), variant),
        condition_prompts={},
        scratchpad=spec.scratchpad,
        # Without a scratchpad the answer is the first reply: there is nothing to continue.
        **{"max_turns": 4 if spec.scratchpad else 1, **{k: v for k, v in given.items() if k in _PROTOCOL_OPTIONS}},
    )
    task = scenario_task(
        name=spec.name,
        variant=variant,
        protocol=protocol,
        requests=load_requests(
            given.get("dataset", spec.dataset),
            request_column=given.get("request_column", "request"),
            id_column=given.get("id_column", "id"),
        ),
        conditions=spec.conditions,
        contrasts=spec.contrasts,
        scoring=spec.scoring if spec.scratchpad else spec.scoring.updated({"af_applicable": False}),
        accept_instruction=spec.accept_instruction,
    )
    return with_paraphrases(task, given.get("paraphrases", 0))


def wording_of_pairs(pair_ids: list[str], wordings: list[str]) -> dict[str, str]:
    """Each pair's wording: the pairs in order, dealt round robin."""
    return {pair: wordings[i % len(wordings)] for i, pair in enumerate(pair_ids)}


def with_paraphrases(task: Task, count: int) -> Task:
    """The scenario task asked under its published system prompt and `count` shipped paraphrases
    of it (0 leaves it as it is). Pairs are dealt to the wordings in the data set's order, round
    robin, so the first pairs a gate runs cover every wording about evenly, and both conditions of
    a pair are asked under one wording: the pair stays a pair. The wordings are part of the
    scenario's version."""
    if count == 0:
        return task
    if count < 0:
        raise ParaphraseError(f"--af-paraphrases {count}: must be 0 or more")
    meta = ScenarioMeta.of(task.metadata)
    if meta.protocol is None or meta.scenario_version is None:
        raise ParaphraseError(f"--af-paraphrases: task {task.name} is not an af-bench scenario")
    wordings = family_of(meta.protocol.system_prompt, f"the system prompt of {task.name}").first(count)
    ids = [w.id for w in wordings]
    own: dict[str, dict[str, str]] = {}
    for condition, text in meta.protocol.condition_prompts.items():
        theirs = family_of(text, f"the prompt of condition {condition}").first(count)
        if [w.id for w in theirs] != ids:
            raise ParaphraseError(f"--af-paraphrases: the prompt of condition {condition} has other wordings "
                                  f"({[w.id for w in theirs]}) than the system prompt ({ids})")
        own[condition] = {w.id: w.text for w in theirs}
    protocol = replace(
        meta.protocol,
        paraphrase_prompts={w.id: w.text for w in wordings if not w.published},
        condition_paraphrase_prompts={c: {w: t for w, t in texts.items() if w != PUBLISHED} for c, texts in own.items()},
    )
    dealt = dict(zip(_pair_ids(task), itertools.cycle(ids)))  # round robin, in the data set's order
    samples = [s.model_copy(update={"metadata": {**(s.metadata or {}), WORDING: dealt[_pair_id(s)]}}) for s in task.dataset]
    texts = {c: own.get(c, {w.id: w.text for w in wordings}) for c in meta.conditions}
    digest = hashlib.sha256(json.dumps(texts, sort_keys=True).encode()).hexdigest()[:8]
    # A paraphrased run starts from the scenario's own version, however often it was paraphrased.
    version = f"{meta.scenario_version.split('-w')[0]}-w{len(ids)}.{digest}"
    return task_with(
        task,
        dataset=MemoryDataset(samples, name=task.dataset.name),
        solver=protocol.solver(),
        version=version,
        metadata={
            **(task.metadata or {}),
            "scenario_version": version,
            "paraphrases": ids,
            # What the estimate prices: the mean length of each condition's wordings.
            "prompt_chars": {c: round(sum(map(len, t.values())) / len(t)) for c, t in texts.items()},
            "protocol": asdict(protocol),
        },
    )


def _pair_id(sample: Sample) -> str:
    return str((sample.metadata or {}).get("pair_id", sample.id))


def _pair_ids(task: Task) -> list[str]:
    return list(dict.fromkeys(_pair_id(s) for s in task.dataset))

