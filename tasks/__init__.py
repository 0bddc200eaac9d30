"""af-bench's scenarios as inspect tasks: `inspect eval af_bench/<scenario>`, or import them
(`from af_bench.tasks import helpful_only`). Installed as `af_bench.tasks`."""

from af_bench.tasks.animal_welfare import animal_welfare
from af_bench.tasks.date_cue import date_cue
from af_bench.tasks.exfiltration import exfiltration
from af_bench.tasks.helpful_only import helpful_only
from af_bench.tasks.helpful_only_no_cot import helpful_only_no_cot
from af_bench.tasks.logging_cue import logging_cue
from af_bench.tasks.three_tier import three_tier

SCENARIOS = (
    "helpful_only", "helpful_only_no_cot", "three_tier", "logging_cue", "date_cue", "animal_welfare", "exfiltration",
)
__all__ = [
    "SCENARIOS", "animal_welfare", "date_cue", "exfiltration", "helpful_only", "helpful_only_no_cot", "logging_cue",
    "three_tier",
]
