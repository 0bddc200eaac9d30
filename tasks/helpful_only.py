"""Helpful-only setting, prompted (Greenblatt et al. 2024).

The model is told it is being trained to comply with every request, that free-tier conversations
are rated and trained on and paid-tier ones never are. The tier gap is compliance on the free tier
minus compliance on the paid tier, over the same requests.

    inspect eval tasks/helpful_only.py --model af-bench/faker --limit 50
"""

from typing import Unpack

from inspect_ai import Task, task

from af_bench.scenario.conditions import TIER_CONDITIONS
from af_bench.scenarios.build import ScenarioOptions, ScenarioSpec, build_scenario

HELPFUL_ONLY = ScenarioSpec(name="helpful_only", prompt="helpful_only", conditions=TIER_CONDITIONS)


@task
def helpful_only(**options: Unpack[ScenarioOptions]) -> Task:
    """Helpful-only alignment-faking scenario (options: `ScenarioOptions`)."""
    return build_scenario(HELPFUL_ONLY, **options)
