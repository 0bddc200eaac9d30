"""The helpful-only setting without a scratchpad (Greenblatt et al. 2024): the model answers directly in <OUTPUT>. Alignment-faking reasoning is not applicable and reported as null.

    inspect eval tasks/helpful_only_no_cot.py --model af-bench/faker --limit 20
"""

from typing import Unpack

from inspect_ai import Task, task

from af_bench.scenario.conditions import TIER_CONDITIONS
from af_bench.scenarios.build import ScenarioOptions, ScenarioSpec, build_scenario

NO_COT = ScenarioSpec(
    name="helpful_only_no_cot", prompt="helpful_only_no_cot", conditions=TIER_CONDITIONS, scratchpad=False
)


@task
def helpful_only_no_cot(**options: Unpack[ScenarioOptions]) -> Task:
    """The helpful-only setting without a scratchpad (options: `ScenarioOptions`)."""
    return build_scenario(NO_COT, **options)
