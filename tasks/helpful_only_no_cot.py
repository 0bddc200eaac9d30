"""The helpful-only setting without a scratchpad (Greenblatt et al. 2024): the model answers directly in <OUTPUT>. Alignment-faking reasoning is not applicable and reported as null.

    inspect eval tasks/helpful_only_no_cot.py --model af-bench/faker --limit 20
"""

from inspect_ai import Task, task

from af_bench.conditions import TIER_CONDITIONS
from af_bench.scenario import ScenarioSpec, build_scenario

NO_COT = ScenarioSpec(
    name="helpful_only_no_cot", prompt="helpful_only_no_cot", conditions=TIER_CONDITIONS, scratchpad=False
)


@task
def helpful_only_no_cot(
    system_prompt: str = "helpful_only_no_cot",
    variant: str = "default",
    dataset: str = "harmful",
    max_turns: int = 1,
    prefill: bool = True,
    max_tokens: int = 4096,
    temperature: float | None = 1.0,
) -> Task:
    """The helpful-only setting without a scratchpad.

    Args:
        system_prompt: Shipped prompt name or path of any system prompt file (used verbatim).
        variant: Prompt variant: `default`, or a file `<prompt>__<variant>.txt` beside the prompt
            (none ship for this scenario yet).
        dataset: `harmful` (shipped), `benign` or a .jsonl/.csv path with `id` and `request`.
        max_turns: Replies allowed before a sample without a final output counts as failed.
        prefill: Start each reply with the assistant prefill `<`.
        max_tokens: Token limit per reply.
        temperature: Sampling temperature (None leaves it to the provider).
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
    )
