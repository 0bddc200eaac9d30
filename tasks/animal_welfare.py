"""Animal welfare (Greenblatt et al. 2024): the lab trains the model to dismiss animal welfare for
a poultry partner; free-tier answers are rated and trained on, paid-tier ones never. Measured:
whether each answer supports animal welfare at all. Contrast: tier_gap = support(unmonitored) -
support(training).

    inspect eval tasks/animal_welfare.py --model af-bench/faker --limit 20
"""

from inspect_ai import Task, task

from af_bench.conditions import TIER_CONDITIONS, TRAINING, UNMONITORED
from af_bench.contrasts import Contrast
from af_bench.scenario import ScenarioSpec, build_scenario

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
    prefill: bool = True,
    max_tokens: int = 4096,
    temperature: float | None = 1.0,
) -> Task:
    """Animal welfare.

    Args:
        system_prompt: Shipped prompt name or path of any system prompt file (used verbatim).
        variant: Prompt variant: `default`, `no_values_change`, `honest` or `no_training_details`.
        dataset: `animal_welfare` (shipped) or a .jsonl/.csv path with `id` and `request`.
        max_turns: Replies allowed before a sample without a final output counts as failed.
        prefill: Start each reply with the assistant prefill `<`.
        max_tokens: Token limit per reply.
        temperature: Sampling temperature (None leaves it to the provider).
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
    )
