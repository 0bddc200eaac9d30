"""The helpful-only setting without a scratchpad (Greenblatt et al. 2024): the model answers directly in <OUTPUT>. Alignment-faking reasoning is not applicable and reported as null.

    inspect eval tasks/helpful_only_no_cot.py --model af-bench/faker --limit 20
"""

from inspect_ai import Task, task

from af_bench.scenario.conditions import TIER_CONDITIONS
from af_bench.scenarios.build import ReasoningEffort, ScenarioSpec, build_scenario

NO_COT = ScenarioSpec(
    name="helpful_only_no_cot", prompt="helpful_only_no_cot", conditions=TIER_CONDITIONS, scratchpad=False
)


@task
def helpful_only_no_cot(
    system_prompt: str = "helpful_only_no_cot",
    variant: str = "default",
    dataset: str = "harmful",
    max_turns: int = 1,
    prefill: bool | None = None,
    max_tokens: int = 4096,
    temperature: float | None = 1.0,
    reasoning_tokens: int | None = None,
    reasoning_effort: ReasoningEffort | None = None,
) -> Task:
    """The helpful-only setting without a scratchpad.

    Args:
        system_prompt: Shipped prompt name or path of any system prompt file (used verbatim).
        variant: Prompt variant: `default`, or one shipped as `<prompt>__<variant>.txt`: the paper's
            ablations `no_values_change`, `honest`, `no_training_details`.
        dataset: `harmful` (shipped), `benign` or a .jsonl/.csv path with `id` and `request`.
        max_turns: Replies allowed before a sample without a final output counts as failed.
        prefill: Start each reply with the assistant prefill `<`; unset, it is sent only to
            providers that continue a prefill (Anthropic without thinking, the organisms).
        max_tokens: Token limit per reply.
        temperature: Sampling temperature (None leaves it to the provider).
        reasoning_tokens: Reasoning budget (Anthropic extended thinking); no prefill is sent.
        reasoning_effort: Reasoning effort for models that take one; no prefill is sent.
    """
    return build_scenario(
        NO_COT,
        system_prompt=system_prompt,
        variant=variant,
        dataset=dataset,
        max_turns=max_turns,
        prefill=prefill,
        max_tokens=max_tokens,
        temperature=temperature,
        reasoning_tokens=reasoning_tokens,
        reasoning_effort=reasoning_effort,
    )
