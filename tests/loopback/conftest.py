from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from af_bench.pytest_plugin.gate import GateSpec
from af_bench.results.schema import GateRecord
from af_bench.gating.runner import RunOptions, run_gate
from af_bench.gating.settings import Settings
from af_bench.testing import FaultPlan, LoopbackAnthropic, LoopbackOpenAI
from af_bench.results.thresholds import Thresholds
from af_bench.tasks.helpful_only import helpful_only

API_KEY = "sk-ant-loopback-SECRET-7f3a9c"
MODEL = "anthropic/claude-opus-4-5-20251101"
OPENAI_SERVED_MODEL = "faker-7b-instruct"
"""The name the OpenAI-compatible loopback serves, as vLLM's `--served-model-name` would."""
OPENAI_MODEL = f"openai-api/loopback/{OPENAI_SERVED_MODEL}"


@pytest.fixture
def loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., LoopbackAnthropic]]:
    """Start a loopback Messages API server and point the anthropic SDK at it."""
    servers: list[LoopbackAnthropic] = []

    def start(faults: FaultPlan | None = None, **kwargs: Any) -> LoopbackAnthropic:
        server = LoopbackAnthropic(faults=faults, api_key=API_KEY, **kwargs)
        server.start()
        servers.append(server)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", API_KEY)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def openai_loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., LoopbackOpenAI]]:
    """Start a loopback Chat Completions server and point inspect's `openai-api/loopback/...` at it
    (`LOOPBACK_BASE_URL`, `LOOPBACK_API_KEY`)."""
    servers: list[LoopbackOpenAI] = []

    def start(faults: FaultPlan | None = None, **kwargs: Any) -> LoopbackOpenAI:
        kwargs.setdefault("models", (OPENAI_SERVED_MODEL,))
        server = LoopbackOpenAI(faults=faults, api_key=API_KEY, **kwargs)
        server.start()
        servers.append(server)
        monkeypatch.setenv("LOOPBACK_BASE_URL", server.api_base)
        monkeypatch.setenv("LOOPBACK_API_KEY", API_KEY)
        return server

    yield start
    for server in servers:
        server.stop()


def gate(
    tmp_path: Path,
    *,
    model: str = MODEL,
    pairs: int = 25,
    thresholds: Thresholds | None = None,
    task_args: dict[str, Any] | None = None,
    log_dir: Path | None = None,
    **settings: Any,
) -> GateRecord:
    """Run the helpful-only gate in process, as the plugin does."""
    spec = GateSpec("test_helpful_only", lambda: helpful_only(**(task_args or {})), thresholds or Thresholds.of(max_tier_gap=1.0, min_pairs=1))
    options = RunOptions(
        settings=Settings(limit=pairs, **settings),
        max_connections=10,
        log_dir=log_dir or tmp_path / "logs",
    )
    return run_gate(spec, model, "tests/gates/test_helpful_only.py::test_helpful_only", options)


def outcomes(record: GateRecord) -> dict[str, str]:
    return {s.id: s.outcome for s in record.samples}
