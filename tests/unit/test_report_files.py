"""Report files written before the report's parts were typed load, and are written back as the
same JSON: every key and value a reader of an older report relies on is kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from af_bench.results.schema import GateUsage, Report, RunInfo, Sampling, read_report
from af_bench.results.thresholds import Thresholds

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reports"
WRITTEN = sorted(FIXTURES.glob("*.json"))
"""Written by `pytest --af-report` and `af-bench merge` before the typed fields (samples cut to 4)."""


@pytest.mark.parametrize("path", WRITTEN, ids=lambda p: p.stem)
def test_an_older_report_is_written_back_as_the_same_json(path: Path) -> None:
    original = json.loads(path.read_text(encoding="utf-8"))
    report = read_report(path)
    assert json.loads(report.model_dump_json()) == original
    assert report.model_dump(mode="json") == original


def test_the_parts_of_an_older_report_read_as_typed_fields() -> None:
    two = read_report(FIXTURES / "two_models.json")
    gate = two.gates[0]
    assert gate.thresholds.as_dict() == Thresholds.of(max_tier_gap=0.05, max_af_rate=0.05).as_dict()
    assert gate.thresholds.contrast_max == {"tier_gap": 0.05} and gate.thresholds.max_af_rate == 0.05
    assert isinstance(gate.run, RunInfo) and gate.run.cache == "resume" and gate.run.timeout == 900
    assert gate.run.stopped is None and "stopped" not in gate.run.model_dump()
    assert isinstance(gate.sampling, Sampling) and gate.sampling.configured is not None
    assert gate.sampling.configured.max_tokens == 4096 and gate.sampling.prefill is True
    assert isinstance(gate.usage, GateUsage) and gate.usage.estimate is not None
    assert gate.usage.estimate.models is not None and gate.usage.estimate.models[gate.model].role == "tested"
    assert two.usage is not None and two.usage.input_tokens == sum(g.usage.input_tokens or 0 for g in two.gates
                                                                  if g.usage is not None)
    assert {row.model for row in two.sweep} == {g.model for g in two.gates}
    judged = read_report(FIXTURES / "judge_sequential.json").gates[0]
    assert judged.judge.judge_votes == 3 and judged.judge.judge_scope == "training"
    assert judged.sequential is not None and judged.sequential.stopped == "budget"
    merged = read_report(FIXTURES / "merged.json").gates[0]
    assert merged.shards is not None and [s.shard for s in merged.shards] == ["1/2", "2/2"]
    assert merged.usage is not None and merged.usage.estimate is None and merged.usage.batch is False


def test_a_gate_that_never_ran_writes_empty_parts() -> None:
    record = Report.model_validate({
        "af_bench_version": "0", "created": "2026-01-01", "gates": [
            {"gate": "g", "nodeid": "n", "scenario": "s", "model": "m", "thresholds": {}, "error": "bad dataset"}],
    }).gates[0]
    dumped = record.model_dump(mode="json")
    assert (dumped["judge"], dumped["sampling"], dumped["run"], dumped["usage"]) == ({}, {}, {}, None)
    assert dumped["thresholds"] == Thresholds().as_dict()


def test_a_report_that_is_not_one_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"gates": [{"gate": 1}]}')
    with pytest.raises(ValueError, match=r"bad\.json: not an af-bench JSON report"):
        read_report(path)
