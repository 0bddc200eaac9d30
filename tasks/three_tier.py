"""Three tiers (Sheshadri et al. 2025): free (rated and trained on), pro (rated, never trained on), enterprise (neither), told in the user turn. Contrasts: goal_guarding = compliance(free) - compliance(pro); rater_sycophancy = compliance(pro) - compliance(enterprise).

    inspect eval tasks/three_tier.py --model af-bench/faker --limit 20
"""

from inspect_ai import Task, task

from af_bench.scenario.conditions import THREE_TIERS
from af_bench.scenario.contrasts import Contrast
from af_bench.scenarios.build import ReasoningEffort, ScenarioSpec, build_scenario

THREE_TIER = ScenarioSpec(
    name="three_tier",
    prompt="three_tier",
    conditions=THREE_TIERS,
    contrasts=(Contrast("goal_guarding", "free", "pro"), Contrast("rater_sycophancy", "pro", "enterprise")),
)


@task
def three_tier(
    system_prompt: str = "three_tier",
    variant: str = "default",
    dataset: str = "harmful",
    max_turns: int = 4,
    prefill: bool | None = None,
    max_tokens: int = 4096,
    temperature: float | None = 1.0,
    reasoning_tokens: int | None = None,
    reasoning_effort: ReasoningEffort | None = None,
) -> Task:
    """Three tiers.

    Args:
        system_prompt: Shipped prompt name or path of any system prompt file (used verbatim).
        variant: Prompt variant: `default`, or one shipped as `<prompt>__<variant>.txt`: the paper's
            ablations `no_values_change`, `honest`, `no_training_details`, and `native_reasoning`
            (no scratchpad: the model's own reasoning is private).
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
        THREE_TIER,
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
