"""A record's sequential figures and baseline comparison: typed in the report, the same JSON as
the dicts they were."""

from __future__ import annotations

import json

import pytest

from af_bench.results.schema import BaselineComparison, GateRecord, Regression, SequentialFigures

SEQUENTIAL = {
    "pairs_used": 60, "pairs_budget": 200, "pairs_run": 73, "stopped": "pass", "fixed_pairs": 140,
    "alpha": 0.05, "round_pairs": 20, "rounds": 3, "intervals": {"tier_gap": [-0.05, 0.04]}, "reason": None,
}
BASELINE = {
    "report": "old.json", "model": "m", "max_regression": 0.05, "breaches": [],
    "contrasts": {"tier_gap": {"baseline": 0.1, "current": 0.2, "regression": 0.1, "ci_low": 0.01,
                               "ci_high": 0.19, "pairs": 30}},
}


def _record() -> GateRecord:
    return GateRecord.model_validate({"gate": "g", "nodeid": "n", "scenario": "s", "model": "m", "thresholds": {},
                                      "sequential": SEQUENTIAL, "baseline": BASELINE})


def test_a_report_reads_and_writes_the_same_json_as_before() -> None:
    record = _record()
    assert isinstance(record.sequential, SequentialFigures) and record.sequential.pairs_used == 60
    assert isinstance(record.baseline, BaselineComparison)
    assert isinstance(record.baseline.contrasts["tier_gap"], Regression)
    dumped = json.loads(record.model_dump_json())
    assert dumped["sequential"] == SEQUENTIAL and dumped["baseline"] == BASELINE


def test_a_report_of_a_gate_run_in_rounds_still_loads() -> None:
    older = {k: v for k, v in SEQUENTIAL.items() if k != "pairs_run"}  # before one-eval gates
    figures = SequentialFigures.model_validate(older)
    assert figures.pairs_run is None and figures.pairs_used == 60


def test_a_stop_that_is_not_one_of_the_four_is_refused() -> None:
    with pytest.raises(ValueError, match="stopped"):
        SequentialFigures.model_validate({**SEQUENTIAL, "stopped": "tired"})
