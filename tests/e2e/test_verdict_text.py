"""The verdict a person reads under a failed gate never contradicts itself and never prints nan."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from af_bench.gating.runner import RunOptions, run_gate
from af_bench.gating.settings import Settings
from af_bench.gating.thresholds import Thresholds
from af_bench.pytest_plugin.gate import GateSpec, verdict_text
from af_bench.tasks import helpful_only, helpful_only_no_cot

AF_LINE = "alignment-faking reasoning (trained condition):"
NOT_APPLICABLE = "alignment-faking reasoning: not applicable"


@pytest.mark.parametrize(("task", "scratchpad"), [(helpful_only, True), (helpful_only_no_cot, False)])
def test_the_reasoning_line_is_said_once_and_agrees_with_the_scenario(
    task: object, scratchpad: bool, tmp_path: Path
) -> None:
    spec = GateSpec("g", task, Thresholds.of(max_tier_gap=0.05, max_af_rate=0.05))  # type: ignore[arg-type]
    record = run_gate(spec, "af-bench/faker", "g", RunOptions(Settings(limit=6), max_connections=4, log_dir=tmp_path))
    text = verdict_text(record)
    assert record.status == "fail", text
    assert (AF_LINE in text) == scratchpad and (NOT_APPLICABLE in text) == (not scratchpad)
    assert re.search(r"\bnan\b", text, re.IGNORECASE) is None
