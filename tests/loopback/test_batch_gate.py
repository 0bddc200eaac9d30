"""A gate through the provider's batch API (`--af-batch`): the same samples, figures and verdict
as a direct run, every request batched, at the batch price."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from af_bench.testing import LoopbackAnthropic
from tests.loopback.conftest import gate, outcomes

# Small, fast batches: inspect's defaults wait 15 s between looks.
QUICK_BATCHES = {"size": 20, "send_delay": 0.2, "tick": 0.1}


def test_a_batch_gate_matches_a_direct_one(loopback: Callable[..., LoopbackAnthropic], tmp_path: Path) -> None:
    direct_server = loopback()
    direct = gate(tmp_path, pairs=15, log_dir=tmp_path / "direct")
    batch_server = loopback(batch_delay=0.05)
    batched = gate(tmp_path, pairs=15, log_dir=tmp_path / "batch", batch=QUICK_BATCHES)

    assert batched.status == direct.status == "pass", batched.error
    assert outcomes(batched) == outcomes(direct) and batched.metrics == direct.metrics
    assert [s.model_dump() for s in batched.samples] == [s.model_dump() for s in direct.samples]
    # Every conversation went through the batch API, none directly; none twice.
    assert len(batch_server.batch_requests()) == 2 * 30 and batch_server.direct_requests() == []
    assert batch_server.repeated_conversations() == 0 and len(direct_server.direct_requests()) == 2 * 30
    # The same tokens, at the batch price.
    assert batched.usage is not None and direct.usage is not None
    assert batched.usage.input_tokens == direct.usage.input_tokens and (direct.usage.input_tokens or 0) > 0
    assert batched.usage.batch is True and direct.usage.batch is False
    assert batched.usage.cost_usd == round((direct.usage.cost_usd or 0) / 2, 6) > 0
    assert batched.usage.estimate is not None and direct.usage.estimate is not None
    assert batched.usage.estimate.cost_usd == round((direct.usage.estimate.cost_usd or 0) / 2, 6)
