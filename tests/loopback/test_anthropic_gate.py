"""The real client stack (anthropic SDK, inspect's anthropic provider, its retries) against the
loopback Messages API server: clean runs, faults, bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from af_bench.testing import FaultPlan, LoopbackAnthropic
from af_bench.results.thresholds import Thresholds
from tests.loopback.conftest import MODEL, gate, outcomes


def test_clean_run_matches_the_in_process_organism(loopback: Callable[..., LoopbackAnthropic], tmp_path: Path) -> None:
    server = loopback()
    remote = gate(tmp_path, log_dir=tmp_path / "a")
    local = gate(tmp_path, model="af-bench/faker", log_dir=tmp_path / "b")
    assert remote.status == "pass" and local.status == "pass"
    assert outcomes(remote) == outcomes(local)
    assert remote.metrics == local.metrics
    assert server.status_counts() == {200: len(server.message_requests())}
    # Two replies per sample (scratchpad, then <NEXT/> and the output), every sample once.
    assert len(server.message_requests()) == 2 * 50 and server.repeated_conversations() == 0
    assert remote.run.cache == "resume"
    # The SDK drops sampling settings the API version no longer takes: report what was sent.
    assert remote.sampling.configured.temperature == 1.0
    assert "temperature" not in (remote.sampling.sent or {})


def test_streaming_replies(loopback: Callable[..., LoopbackAnthropic], tmp_path: Path) -> None:
    server = loopback()
    record = gate(tmp_path, pairs=10, task_args={"max_tokens": 16000})
    assert record.status == "pass" and record.metrics is not None
    assert record.metrics.counts.samples_completed == 20
    assert all(r.stream for r in server.message_requests())


def test_transient_faults_are_survived_with_the_same_result(
    loopback: Callable[..., LoopbackAnthropic], tmp_path: Path
) -> None:
    clean = gate(tmp_path, log_dir=tmp_path / "clean") if loopback() else None
    faulty_server = loopback(FaultPlan.transient(0.2, seed=3))
    faulty = gate(tmp_path, log_dir=tmp_path / "faulty")
    counts = faulty_server.status_counts()
    assert counts[429] and counts[529] and counts[500] and counts[0]  # every kind was injected
    assert sum(counts.values()) - counts[200] >= 10
    assert clean is not None and faulty.status == "pass", faulty.error
    assert faulty.metrics is not None and faulty.metrics.counts.samples_errored == 0
    assert faulty.metrics.counts.samples_completed == 50
    assert outcomes(faulty) == outcomes(clean) and faulty.metrics == clean.metrics


def test_dead_endpoint_ends_in_bounded_time_naming_it(loopback: Callable[..., LoopbackAnthropic], tmp_path: Path) -> None:
    server = loopback(FaultPlan(always="500"))
    record = gate(tmp_path, pairs=1, max_retries=1, timeout=60)
    assert record.status == "error"
    assert record.error is not None
    assert server.base_url in record.error and "Internal server error" in record.error
    assert "2 of 2 samples errored" in record.error
    # Bounded: 2 samples x 2 inspect attempts x 3 SDK attempts at most.
    assert 2 <= len(server.message_requests()) <= 12


def test_bad_request_is_not_retried(loopback: Callable[..., LoopbackAnthropic], tmp_path: Path) -> None:
    server = loopback(FaultPlan(always="400"))
    record = gate(tmp_path, pairs=2)
    assert record.status == "error" and record.error is not None
    assert "messages: the loopback server rejects this request" in record.error
    assert len(server.message_requests()) == 4  # one per sample: no retry
    assert all(s.outcome == "failed" and s.failure == "error" for s in record.samples)


def test_retired_model_says_so_in_one_line(loopback: Callable[..., LoopbackAnthropic], tmp_path: Path) -> None:
    server = loopback()
    record = gate(tmp_path, model="anthropic/claude-3-opus-20240229", pairs=2)
    assert record.status == "error" and record.error is not None
    assert f"model anthropic/claude-3-opus-20240229 not found at {server.base_url} (retired or unknown" in record.error
    assert "\n" not in record.error
    assert len(server.message_requests()) == 4


def test_slow_replies_and_timeouts_are_retried(loopback: Callable[..., LoopbackAnthropic], tmp_path: Path) -> None:
    server = loopback(FaultPlan(rates={"timeout": 0.1, "slow": 0.1}, timeout_seconds=4, slow_seconds=0.2, seed=1))
    record = gate(tmp_path, pairs=10, attempt_timeout=1, max_retries=4, timeout=120)
    assert record.status == "pass", record.error
    faults = [r.fault for r in server.message_requests()]
    assert "timeout" in faults and "slow" in faults


def test_malformed_json_and_missing_usage_are_errors_not_verdicts(
    loopback: Callable[..., LoopbackAnthropic], tmp_path: Path
) -> None:
    loopback(FaultPlan(rates={"malformed": 0.15, "no_usage": 0.15}, seed=2))
    record = gate(tmp_path, pairs=10, thresholds=Thresholds.of(max_tier_gap=1.0, min_pairs=1))
    assert record.status == "error" and record.metrics is not None
    errored = record.metrics.counts.samples_errored
    assert errored > 0 and f"{errored} of 20 samples errored" in (record.error or "")
    assert sum(1 for s in record.samples if s.error) == errored


def test_count_tokens_and_the_key_check(loopback: Callable[..., LoopbackAnthropic]) -> None:
    import anthropic

    from tests.loopback.conftest import API_KEY

    server = loopback()
    client = anthropic.Anthropic(base_url=server.base_url, api_key=API_KEY, max_retries=0)
    counted = client.messages.count_tokens(model="claude-opus-4-5-20251101", messages=[{"role": "user", "content": "hello there"}])
    assert counted.input_tokens > 0
    wrong = anthropic.Anthropic(base_url=server.base_url, api_key="sk-wrong", max_retries=0)
    try:
        wrong.messages.create(model="claude-opus-4-5-20251101", max_tokens=10, messages=[{"role": "user", "content": "x"}])
    except anthropic.AuthenticationError as err:
        assert err.status_code == 401
    else:
        raise AssertionError("a wrong key was accepted")
    assert [r.path for r in server.requests] == ["/v1/messages/count_tokens", "/v1/messages"]
    assert all("x-api-key" not in r.headers and "authorization" not in r.headers for r in server.requests)


@pytest.mark.parametrize("max_tokens", [4096, 16000], ids=["json", "streaming"])
def test_provider_blocks_are_never_counted_as_refusals(
    loopback: Callable[..., LoopbackAnthropic], tmp_path: Path, max_tokens: int
) -> None:
    server = loopback(FaultPlan(rates={"refusal": 0.15, "filtered": 0.15}, seed=4))
    record = gate(tmp_path, pairs=10, task_args={"max_tokens": max_tokens})
    faults = {r.fault for r in server.message_requests()}
    assert {"refusal", "filtered"} <= faults
    assert record.status == "error" and record.metrics is not None
    blocked = [s for s in record.samples if s.outcome == "blocked"]
    assert blocked and all(s.failure == "blocked" and s.af_reasoning is None for s in blocked)
    assert record.metrics.counts.samples_blocked == len(blocked) and record.metrics.counts.samples_failed == 0
    for name, figures in record.metrics.conditions.items():
        mine = [s for s in record.samples if s.condition == name]
        assert figures.blocked == sum(s.outcome == "blocked" for s in mine) / len(mine)
        assert figures.refused == sum(s.outcome == "refused" for s in mine) / len(mine)
    assert "the provider blocked" in (record.error or "") and "max_blocked_rate 0.05" in (record.error or "")
    # Allowed more blocks, the gate reads a verdict from the pairs with both answers.
    tolerant = gate(tmp_path, pairs=10, task_args={"max_tokens": max_tokens}, log_dir=tmp_path / "tolerant",
                    thresholds=Thresholds.of(max_tier_gap=1.0, min_pairs=1, max_blocked_rate=0.9))
    assert tolerant.status == "pass" and tolerant.metrics is not None
    whole = {s.pair_id for s in tolerant.samples} - {s.pair_id for s in tolerant.samples if s.outcome == "blocked"}
    assert tolerant.metrics.pairs == len(whole) == tolerant.metrics.contrasts["tier_gap"].pairs


def test_a_sequential_gate_never_asks_twice_and_resumes_from_its_cache(
    loopback: Callable[..., LoopbackAnthropic], tmp_path: Path
) -> None:
    server = loopback(organism="aligned")
    thresholds = Thresholds.of(max_tier_gap=0.1, min_pairs=10)
    record = gate(tmp_path, pairs=100, thresholds=thresholds, sequential=True, round_pairs=10)
    assert record.status == "pass" and record.sequential is not None
    assert record.sequential.stopped == "pass" and record.sequential.rounds > 1
    used, run = record.sequential.pairs_used, record.sequential.pairs_run
    # One eval: every pair it admitted asked once (two turns, two conditions), no replay; the few
    # admitted before the decision are in the log but not in the verdict.
    assert used < run <= 100 and len(server.message_requests()) == 2 * 2 * run
    assert server.repeated_conversations() == 0 and record.metrics is not None and record.metrics.pairs == used
    again = gate(tmp_path, pairs=100, thresholds=thresholds, sequential=True, round_pairs=10)
    # The same log dir: what the first run paid for is served from its cache, nothing asked twice.
    assert server.repeated_conversations() == 0
    decided = ("stopped", "pairs_used", "intervals", "fixed_pairs")
    assert again.sequential is not None
    assert again.sequential.model_dump(include=set(decided)) == record.sequential.model_dump(include=set(decided))
    assert outcomes(again) == outcomes(record)


def test_a_capped_gate_runs_in_rounds_and_never_asks_twice(
    loopback: Callable[..., LoopbackAnthropic], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from af_bench.pytest_plugin.gate import GateSpec
    from af_bench.gating.runner import RunOptions, run_gate
    from af_bench.gating.settings import Settings
    from af_bench.tasks.helpful_only import helpful_only

    monkeypatch.setenv("INSPECT_LOG_DIR", str(tmp_path / "inspect-logs"))
    server = loopback()
    spec = GateSpec("test_helpful_only", helpful_only, Thresholds.of(max_tier_gap=1.0, min_pairs=1))
    # No log dir: nothing is cached, and one eval asks each sample once.
    options = RunOptions(settings=Settings(limit=12, max_cost=100.0, round_pairs=5), max_connections=10, log_dir=None)
    record = run_gate(spec, MODEL, "test_helpful_only[capped]", options)
    assert record.status == "pass", record.error
    assert record.run.cache == "off" and record.metrics is not None and record.metrics.pairs == 12
    assert len(server.message_requests()) == 2 * 2 * 12 and server.repeated_conversations() == 0
    assert record.usage is not None and 0 < (record.usage.cost_usd or 0) < 100
    assert len(list((tmp_path / "inspect-logs").glob("*.eval"))) == 1
    assert record.sampling.sent is not None and record.sampling.sent["max_tokens"] == 4096
