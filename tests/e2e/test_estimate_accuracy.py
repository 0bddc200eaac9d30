"""The cost estimate admits or refuses capped runs, so per scenario it must be close to what the
run then uses: within 25% of the input tokens the organisms are sent (their replies are short, so
output tokens are only bounded: never more than estimated)."""

from __future__ import annotations

from pathlib import Path

import pytest

import af_bench.tasks as shipped
from af_bench.gating.runner import RunOptions, run_gate
from af_bench.gating.settings import Settings
from af_bench.results.thresholds import Thresholds
from af_bench.pytest_plugin.gate import GateSpec


@pytest.mark.parametrize("scenario", shipped.SCENARIOS)
def test_the_estimate_is_within_a_quarter_of_the_input_tokens_used(scenario: str, tmp_path: Path) -> None:
    spec = GateSpec(scenario, getattr(shipped, scenario), Thresholds.of(min_pairs=1))
    record = run_gate(spec, "af-bench/faker", scenario, RunOptions(Settings(limit=5), max_connections=8, log_dir=tmp_path))
    assert record.usage is not None and record.usage.estimate is not None
    used, estimated = record.usage.input_tokens or 0, record.usage.estimate.input_tokens or 0
    assert used > 0 and abs(estimated - used) <= 0.25 * used, (used, estimated)
    assert (record.usage.output_tokens or 0) <= (record.usage.estimate.output_tokens or 0)
