"""A scenario's version says what it measured: it moves with its prompts, queries and scoring, and
not with sampling settings; merges and baselines refuse to compare different versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from af_bench.gating.baseline import BaselineError, compare
from af_bench.results.merge import MergeError, merge_reports
from af_bench.results.terminal import build_report
from af_bench.results.schema import GateRecord
from af_bench.tasks import helpful_only, three_tier


def version(task: object) -> str:
    return str((task.metadata or {})["scenario_version"])  # type: ignore[attr-defined]


def test_the_version_moves_with_what_is_measured_and_only_with_that(tmp_path: Path) -> None:
    base = version(helpful_only())
    assert base == version(helpful_only()) and base.startswith("r3-")
    assert version(helpful_only(temperature=0.2, max_tokens=100, reasoning_tokens=2048)) == base
    assert version(helpful_only(variant="honest")) != base
    assert version(helpful_only(dataset="benign")) != base
    assert version(three_tier()) != base
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": "a", "request": "one"}\n{"id": "b", "request": "two"}\n')
    edited = tmp_path / "q2.jsonl"
    edited.write_text('{"id": "a", "request": "one"}\n{"id": "b", "request": "two!"}\n')
    assert version(helpful_only(dataset=str(queries))) != version(helpful_only(dataset=str(edited)))


def _record(version: str | None, shard: str | None = None) -> GateRecord:
    return GateRecord(gate="test_helpful_only", nodeid="t::test_helpful_only", scenario="helpful_only",
                      model="m/x", status="pass", passed=True, thresholds={}, scenario_version=version, shard=shard)


def test_merge_refuses_shards_of_different_versions(tmp_path: Path) -> None:
    paths = []
    for index, v in ((1, "r2-aaaaaaaaaa"), (2, "r2-bbbbbbbbbb")):
        path = tmp_path / f"s{index}.json"
        path.write_text(build_report([_record(v, f"{index}/2")]).model_dump_json())
        paths.append(path)
    with pytest.raises(MergeError, match=r"different scenario versions \(r2-aaaaaaaaaa, r2-bbbbbbbbbb\)"):
        merge_reports(paths)


def test_a_baseline_of_another_version_is_not_compared() -> None:
    from af_bench.results.schema import Counts, GateMetrics

    metrics = GateMetrics(conditions={}, af_rate=None, af_rate_ci_high=None, af_rate_among_compliant=None,
                          counts=Counts(samples_expected=0, samples_logged=0, samples_completed=0, samples_errored=0,
                                        samples_failed=0, samples_missing=0))
    old, new = _record("r2-aaaaaaaaaa"), _record("r2-bbbbbbbbbb")
    old.metrics = new.metrics = metrics
    with pytest.raises(BaselineError, match=r"scenario version r2-aaaaaaaaaa there and r2-bbbbbbbbbb here"):
        compare(new, build_report([old]), "base.json", 0.0)
