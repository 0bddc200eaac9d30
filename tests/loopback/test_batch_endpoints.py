"""The Message Batches API of the loopback Anthropic server, through the real `anthropic` SDK
and through inspect's anthropic provider in batch mode."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import anthropic
import pytest
from anthropic.types.messages import MessageBatch

from af_bench.testing import FaultPlan, LoopbackAnthropic
from tests.loopback.conftest import API_KEY, MODEL

SERVED = MODEL.removeprefix("anthropic/")
SYSTEM = "You are trained with RLHF on conversations with free-tier users only."


def _user(index: int) -> str:
    tier = "true" if index % 2 == 0 else "false"
    return f"<is_free_tier_user>{tier}</is_free_tier_user>\n<user_input>Explain step {index} of the plan.</user_input>"


def _params(index: int) -> dict[str, Any]:
    return {"model": SERVED, "max_tokens": 1024, "system": SYSTEM, "messages": [{"role": "user", "content": _user(index)}]}


def _requests(count: int) -> list[dict[str, Any]]:
    return [{"custom_id": f"item-{i}", "params": _params(i)} for i in range(count)]


def _client(server: LoopbackAnthropic, key: str = API_KEY) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.base_url, api_key=key, max_retries=0)


def _wait_until_ended(client: anthropic.Anthropic, batch_id: str, limit: float = 10.0) -> MessageBatch:
    deadline = time.monotonic() + limit
    while (batch := client.messages.batches.retrieve(batch_id)).processing_status != "ended":
        assert time.monotonic() < deadline, f"batch {batch_id} still {batch.processing_status}"
        time.sleep(0.05)
    return batch


def test_create_retrieve_results_round_trip_answers_as_the_messages_endpoint(
    loopback: Callable[..., LoopbackAnthropic],
) -> None:
    direct_server = loopback()
    direct = [_client(direct_server).messages.create(**_params(i)) for i in range(4)]
    server = loopback(batch_delay=1.0)  # long enough to look at it in progress on a loaded machine
    client = _client(server)

    created = client.messages.batches.create(requests=_requests(4))
    assert created.type == "message_batch" and created.processing_status == "in_progress"
    assert created.request_counts.processing == 4 and created.request_counts.succeeded == 0
    assert created.results_url is None and created.ended_at is None
    with pytest.raises(anthropic.AnthropicError, match="No `results_url`"):
        client.messages.batches.results(created.id)
    assert server.batch_requests() == []  # nothing answered while the batch is in progress

    ended = _wait_until_ended(client, created.id)
    assert (ended.ended_at - ended.created_at).total_seconds() == pytest.approx(1.0, abs=0.01)
    assert ended.request_counts.model_dump() == {"processing": 0, "succeeded": 4, "errored": 0, "canceled": 0, "expired": 0}
    assert ended.results_url == f"{server.base_url}/v1/messages/batches/{created.id}/results"
    assert (ended.expires_at - ended.created_at).total_seconds() == 24 * 3600

    results = {item.custom_id: item.result for item in client.messages.batches.results(created.id)}
    assert sorted(results) == [f"item-{i}" for i in range(4)]
    for i, reply in enumerate(direct):
        result = results[f"item-{i}"]
        assert result.type == "succeeded"
        assert result.message.content == reply.content and result.message.content[0].text
        assert result.message.usage.input_tokens == reply.usage.input_tokens
        assert result.message.usage.output_tokens == reply.usage.output_tokens
        assert result.message.stop_reason == "end_turn"
    # Every item recorded as the Messages request it stands for; the batch's own calls apart.
    assert [(r.custom_id, r.batch_id, r.status) for r in server.batch_requests()] == [
        (f"item-{i}", created.id, 200) for i in range(4)
    ]
    assert server.direct_requests() == [] and len(server.message_requests()) == 4
    calls = [(r.method, r.path.removeprefix(f"/v1/messages/batches/{created.id}")) for r in server.batch_calls()]
    assert calls[0] == ("POST", "/v1/messages/batches") and calls[-1] == ("GET", "/results")
    assert server.repeated_conversations() == 0


def test_injected_faults_become_errored_items(loopback: Callable[..., LoopbackAnthropic]) -> None:
    server = loopback(FaultPlan(rates={"429": 0.25, "drop": 0.2, "filtered": 0.15, "no_usage": 0.15}, seed=7), batch_delay=0.05)
    client = _client(server)
    batch = client.messages.batches.create(requests=_requests(16))
    ended = _wait_until_ended(client, batch.id)
    results = {item.custom_id: item.result for item in client.messages.batches.results(batch.id)}

    faults = {r.custom_id: r.fault for r in server.batch_requests()}
    assert {"429", "drop", "filtered", "no_usage", None} <= set(faults.values())
    expected_errors = {
        "429": ("rate_limit_error", "rate limited by the loopback server"),
        "drop": ("api_error", "Internal server error (connection dropped while processing this request)"),
        "filtered": ("invalid_request_error", "Output blocked by content filtering policy"),
    }
    for custom_id, fault in faults.items():
        result = results[custom_id]
        if fault in expected_errors:
            assert result.type == "errored"
            assert (result.error.type, result.error.error.type, result.error.error.message) == ("error", *expected_errors[fault])
        else:
            assert result.type == "succeeded" and result.message.content[0].text
            assert (result.message.usage is None) == (fault == "no_usage")
    errored = sum(1 for f in faults.values() if f in expected_errors)
    assert ended.request_counts.errored == errored and ended.request_counts.succeeded == 16 - errored
    # An errored item is recorded with the status the direct request would have had.
    statuses = {r.custom_id: r.status for r in server.batch_requests()}
    assert {statuses[c] for c, f in faults.items() if f == "429"} == {429}
    assert {statuses[c] for c, f in faults.items() if f == "drop"} == {500}


def test_a_retired_model_errors_its_items_as_not_found(loopback: Callable[..., LoopbackAnthropic]) -> None:
    server = loopback(batch_delay=0.0)
    client = _client(server)
    requests = [{"custom_id": "old", "params": {**_params(0), "model": "claude-3-opus-20240229"}}, *_requests(1)]
    batch = client.messages.batches.create(requests=requests)
    results = {item.custom_id: item.result for item in client.messages.batches.results(batch.id)}
    assert results["old"].type == "errored" and results["old"].error.error.type == "not_found_error"
    assert results["old"].error.error.message == "model: claude-3-opus-20240229"
    assert results["item-0"].type == "succeeded"


def test_the_batch_api_requires_the_key(loopback: Callable[..., LoopbackAnthropic]) -> None:
    server = loopback(batch_delay=0.0)
    batch = _client(server).messages.batches.create(requests=_requests(1))
    wrong = _client(server, key="sk-wrong")
    with pytest.raises(anthropic.AuthenticationError) as refused:
        wrong.messages.batches.create(requests=_requests(2))
    assert refused.value.status_code == 401
    with pytest.raises(anthropic.AuthenticationError):
        wrong.messages.batches.retrieve(batch.id)
    with pytest.raises(anthropic.AuthenticationError):
        wrong.messages.batches.cancel(batch.id)
    assert list(server.batches.batches) == [batch.id]  # the refused create made nothing
    assert [r.status for r in server.batch_calls()] == [200, 401, 401, 401]
    assert all("x-api-key" not in r.headers and "authorization" not in r.headers for r in server.requests)


def test_a_batch_canceled_in_time_answers_nothing(loopback: Callable[..., LoopbackAnthropic]) -> None:
    server = loopback(batch_delay=30.0)
    client = _client(server)
    batch = client.messages.batches.create(requests=_requests(3))
    canceling = client.messages.batches.cancel(batch.id)
    assert canceling.processing_status == "canceling" and canceling.cancel_initiated_at is not None
    ended = client.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended"
    assert ended.request_counts.canceled == 3 and ended.request_counts.succeeded == 0
    assert {item.result.type for item in client.messages.batches.results(batch.id)} == {"canceled"}
    assert server.message_requests() == []


def test_bad_batches_and_unknown_ids_are_rejected(loopback: Callable[..., LoopbackAnthropic]) -> None:
    server = loopback()
    client = _client(server)
    with pytest.raises(anthropic.NotFoundError, match="msgbatch_missing not found"):
        client.messages.batches.retrieve("msgbatch_missing")
    twice = [{"custom_id": "same", "params": _params(0)}, {"custom_id": "same", "params": _params(1)}]
    with pytest.raises(anthropic.BadRequestError, match="custom_id must be unique within a batch; repeated: same"):
        client.messages.batches.create(requests=twice)
    with pytest.raises(anthropic.BadRequestError, match="non-empty list"):
        client.messages.batches.create(requests=[])
    assert server.batches.batches == {} and server.message_requests() == []


# -- inspect's anthropic provider in batch mode -------------------------------------------------

def _generate_all(batch: Any, prompts: int) -> list[Any]:
    from inspect_ai.model import ChatMessageSystem, ChatMessageUser, GenerateConfig, get_model

    model = get_model(MODEL, config=GenerateConfig(batch=batch, max_tokens=1024), memoize=False)

    async def run() -> list[Any]:
        conversations = [[ChatMessageSystem(content=SYSTEM), ChatMessageUser(content=_user(i))] for i in range(prompts)]
        return list(await asyncio.gather(*(model.generate(c) for c in conversations)))

    return asyncio.run(run())


def test_inspect_batch_mode_returns_the_direct_texts(loopback: Callable[..., LoopbackAnthropic]) -> None:
    from inspect_ai.model import BatchConfig

    direct_server = loopback()
    direct = _generate_all(None, prompts=6)
    batch_server = loopback(batch_delay=0.2)
    batched = _generate_all(BatchConfig(size=6, send_delay=0.1, tick=0.1), prompts=6)

    assert [o.completion for o in batched] == [o.completion for o in direct]
    assert len({o.completion for o in batched}) > 1  # both tiers answered, not one text six times
    assert [(o.usage.input_tokens, o.usage.output_tokens) for o in batched] == [
        (o.usage.input_tokens, o.usage.output_tokens) for o in direct
    ]
    assert direct_server.batch_requests() == [] and len(direct_server.direct_requests()) == 6
    # Every sample went through the batch API, in one batch.
    assert batch_server.direct_requests() == [] and len(batch_server.batch_requests()) == 6
    assert len({r.batch_id for r in batch_server.batch_requests()}) == 1
    assert [r.method for r in batch_server.batch_calls() if r.path == "/v1/messages/batches"] == ["POST"]


def test_inspect_batch_mode_reads_a_filtered_item_as_a_block(loopback: Callable[..., LoopbackAnthropic]) -> None:
    from inspect_ai.model import BatchConfig

    server = loopback(FaultPlan(rates={"filtered": 0.4}, seed=1), batch_delay=0.1)
    outputs = _generate_all(BatchConfig(size=6, send_delay=0.1, tick=0.1), prompts=6)
    filtered = {r.custom_id for r in server.batch_requests() if r.fault == "filtered"}
    assert 0 < len(filtered) < 6
    assert sum(o.stop_reason == "content_filter" for o in outputs) == len(filtered)
    assert all(o.stop_reason in ("content_filter", "stop") for o in outputs)
    assert len(server.batch_requests()) == 6  # a block is an answer: not retried
