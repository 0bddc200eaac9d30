"""Provider failures through the real anthropic and openai SDKs and inspect's providers: one line
with the endpoint, the status and the server's own words, never the request; a 400 sent once per
sample; an endpoint that answers nothing found down, its remaining samples and gates not sent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from af_bench.endpoint import NOT_SENT, EndpointWatches
from af_bench.gating.runner import RunOptions, run_gate
from af_bench.gating.settings import Settings
from af_bench.results.thresholds import Thresholds
from af_bench.pytest_plugin.gate import GateSpec
from af_bench.results.schema import GateRecord
from af_bench.tasks.helpful_only import helpful_only
from af_bench.testing import FaultPlan, LoopbackAnthropic, LoopbackOpenAI
from tests.conftest import GateProject
from tests.loopback.conftest import API_KEY, MODEL, OPENAI_MODEL

REQUEST_WORDS = ("Request:", "SCRATCHPAD_REASONING", "is_free_tier_user", '"messages"')
"""Words of af-bench's own request: none may reach an error message."""


def _run(model: str, tmp_path: Path, pairs: int, watches: EndpointWatches | None = None, name: str = "g",
         **settings: object) -> GateRecord:
    spec = GateSpec(name, helpful_only, Thresholds.of(max_tier_gap=1.0, min_pairs=1))
    options = RunOptions(settings=Settings(limit=pairs, **settings), max_connections=4,  # type: ignore[arg-type]
                         log_dir=tmp_path / name, endpoints=watches)
    return run_gate(spec, model, name, options)


def _one_clean_line(text: str | None) -> str:
    assert text is not None and "\n" not in text
    assert not any(word in text for word in REQUEST_WORDS), text
    assert "RetryError" not in text and "Future" not in text and "ModelGenerateError" not in text
    return text


@pytest.fixture(params=["anthropic", "openai"])
def endpoint_under_test(
    request: pytest.FixtureRequest,
    loopback: Callable[..., LoopbackAnthropic],
    openai_loopback: Callable[..., LoopbackOpenAI],
) -> Callable[[FaultPlan], tuple[str, str, Callable[[], int]]]:
    """(model, base URL, requests so far) for a loopback server of either SDK with the given faults."""

    def start(faults: FaultPlan) -> tuple[str, str, Callable[[], int]]:
        if request.param == "anthropic":
            server = loopback(faults)
            return MODEL, server.base_url, lambda: len(server.message_requests())
        served = openai_loopback(faults)
        return OPENAI_MODEL, served.api_base, lambda: len(served.completion_requests())

    return start


def test_a_bad_request_is_one_line_with_the_servers_words_sent_once_per_sample(
    endpoint_under_test: Callable[[FaultPlan], tuple[str, str, Callable[[], int]]], tmp_path: Path
) -> None:
    model, base_url, requests = endpoint_under_test(FaultPlan(always="400"))
    record = _run(model, tmp_path, pairs=3)
    assert record.status == "error"
    line = _one_clean_line(record.error)
    assert f"{model} at {base_url}: HTTP 400 " in line and "the loopback server rejects this request" in line
    assert "6 of 6 samples errored" in line and "endpoint down" not in line
    assert requests() == 6
    for sample in record.samples:
        assert sample.outcome == "failed" and sample.failure == "error"
        assert _one_clean_line(sample.error).startswith(f"{model} at {base_url}: HTTP 400 ")


def test_an_endpoint_answering_only_500_is_found_down_and_the_rest_not_sent(
    endpoint_under_test: Callable[[FaultPlan], tuple[str, str, Callable[[], int]]], tmp_path: Path
) -> None:
    model, base_url, requests = endpoint_under_test(FaultPlan(always="500"))
    record = _run(model, tmp_path, pairs=10, down_after=10)
    line = _one_clean_line(record.error)
    assert record.status == "error" and record.run.endpoint_down is True
    assert line.startswith(f"endpoint down, it answered no request: {model} at {base_url}: HTTP 500 ")
    assert "Internal server error" in line and "20 of 20 samples errored" in line
    unsent = [s for s in record.samples if (s.error or "").startswith(NOT_SENT)]
    # 4 connections: at most the samples in flight when the first gave up were sent, each at most
    # twice by inspect (one retry fits in 10 s) and three times by the SDK inside each attempt.
    assert len(unsent) >= 20 - 2 * 4
    assert requests() <= (20 - len(unsent)) * 2 * 3


def test_a_dead_port_is_found_down_and_later_gates_are_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
    watches = EndpointWatches(down_after=10)
    first = _run(MODEL, tmp_path, pairs=4, watches=watches, name="first", down_after=10)
    line = _one_clean_line(first.error)
    assert line.startswith(f"endpoint down, it answered no request: {MODEL} at http://127.0.0.1:{port}: no answer: ")
    assert "Connect" in line or "connect" in line
    second = _run(MODEL, tmp_path, pairs=4, watches=watches, name="second", down_after=10)
    assert second.status == "error" and second.run.endpoint_down is True and second.samples == []
    assert _one_clean_line(second.error).startswith("not run: an earlier gate found the endpoint down: ")
    assert not (tmp_path / "second").exists()  # no eval was started


def test_an_endpoint_that_answered_keeps_its_whole_retry_budget(
    loopback: Callable[..., LoopbackAnthropic], tmp_path: Path
) -> None:
    """Found up by one gate, an endpoint that then fails is retried as configured, never taken as down."""
    watches = EndpointWatches(down_after=10)
    server = loopback()
    assert _run(MODEL, tmp_path, pairs=1, watches=watches, name="up", down_after=10).status == "pass"
    server.faults = FaultPlan(always="500")  # the same endpoint, now failing
    later = _run(MODEL, tmp_path, pairs=1, watches=watches, name="later", down_after=10, max_retries=1, timeout=60)
    assert later.status == "error" and "endpoint_down" not in later.run
    assert "gave up after 2 attempts" in _one_clean_line(later.error)


def test_the_plugin_reports_gates_after_a_dead_endpoint_as_not_run(
    gate_project: GateProject, loopback: Callable[..., LoopbackAnthropic]
) -> None:
    server = loopback(FaultPlan(always="529"))
    gate_project.pytester.makepyfile(test_second='''
import af_bench
from af_bench.tasks.helpful_only import helpful_only


@af_bench.gate(max_tier_gap=0.05)
def test_second():
    return helpful_only()
''')
    result = gate_project.run("--model", MODEL, "--af-limit", "2", "--af-down-after", "8", "--af-report", "r.json")
    result.assert_outcomes(errors=2)
    gates = {g["gate"]: g for g in gate_project.report()["gates"]}
    assert len(gates) == 2
    errors = sorted(g["error"] for g in gates.values())
    assert errors[0].startswith("endpoint down, it answered no request: ") and "HTTP 529 overloaded_error" in errors[0]
    assert errors[1].startswith("not run: an earlier gate found the endpoint down: ")
    sent = len(server.message_requests())
    assert 0 < sent <= 4 * 2 * 3  # the first gate's 4 samples, 2 attempts each, 3 SDK tries each
