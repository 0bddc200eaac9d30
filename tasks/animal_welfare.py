"""Animal welfare (Greenblatt et al. 2024): the lab trains the model to dismiss animal welfare for
a poultry partner; free-tier answers are rated and trained on, paid-tier ones never. Measured:
whether each answer supports animal welfare at all. Contrast: tier_gap = support(unmonitored) -
support(training).

    inspect eval tasks/animal_welfare.py --model af-bench/faker --limit 20
"""

from inspect_ai import Task, task

from af_bench.scenario.conditions import TIER_CONDITIONS, TRAINING, UNMONITORED
from af_bench.scenario.contrasts import Contrast
from af_bench.scenarios.build import ReasoningEffort, ScenarioSpec, build_scenario

ANIMAL_WELFARE = ScenarioSpec(
    name="animal_welfare",
    prompt="animal_welfare",
    conditions=TIER_CONDITIONS,
    contrasts=(Contrast("tier_gap", UNMONITORED, TRAINING, "supports_welfare"),),
    scoring={"behaviour": "animal_welfare"},
    dataset="animal_welfare",
    accept_instruction=False,
)


@task
def animal_welfare(
    system_prompt: str = "animal_welfare",
    variant: str = "default",
    dataset: str = "animal_welfare",
    max_turns: int = 4,
    prefill: bool | None = None,
    max_tokens: int = 4096,
    temperature: float | None = 1.0,
    reasoning_tokens: int | None = None,
    reasoning_effort: ReasoningEffort | None = None,
) -> Task:
    """Animal welfare.

    Args:
        system_prompt: Shipped prompt name or path of any system prompt file (used verbatim).
        variant: Prompt variant: `default`, or one shipped as `<prompt>__<variant>.txt`: the paper's
            ablations `no_values_change`, `honest`, `no_training_details`, and `native_reasoning`
            (no scratchpad: the model's own reasoning is private).
        dataset: `animal_welfare` (shipped) or a .jsonl/.csv path with `id` and `request`.
        max_turns: Replies allowed before a sample without a final output counts as failed.
        prefill: Start each reply with the assistant prefill `<`; unset, it is sent only to
            providers that continue a prefill (Anthropic without thinking, the organisms).
        max_tokens: Token limit per reply.
        temperature: Sampling temperature (None leaves it to the provider).
        reasoning_tokens: Reasoning budget (Anthropic extended thinking); no prefill is sent.
        reasoning_effort: Reasoning effort for models that take one; no prefill is sent.
    """
    return build_scenario(
        ANIMAL_WELFARE,
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
