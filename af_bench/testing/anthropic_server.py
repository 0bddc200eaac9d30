"""A loopback server for the Anthropic Messages API that answers as a scripted organism.

It exists so the real client stack (the `anthropic` SDK, inspect's `anthropic/` provider, its
retries and its batcher) can be tested and benchmarked with no network: `POST /v1/messages`
(JSON and SSE streaming), `POST /v1/messages/count_tokens`, the Message Batches API
(`POST /v1/messages/batches`, `GET .../{id}`, `GET .../{id}/results`, `POST .../{id}/cancel`),
faults injected on demand, every request recorded. Binds 127.0.0.1 only.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from af_bench.organisms.behaviour import OrganismProfile
from af_bench.organisms.script import Turn
from af_bench.testing.anthropic_batches import BatchBook, BatchRequestError
from af_bench.testing.loopback import (
    FAULT_KINDS,
    TRANSIENT,
    Call,
    FaultPlan,
    LoopbackServer,
    RecordedRequest,
    count_repeats,
    count_statuses,
    estimate_tokens,
    text_of,
)

__all__ = ["FAULT_KINDS", "TRANSIENT", "FaultPlan", "LoopbackAnthropic", "RecordedRequest"]

MESSAGES = "/v1/messages"
BATCHES = "/v1/messages/batches"
_BATCH_PATH = re.compile(r"^/v1/messages/batches/(?P<id>[^/]+)(?P<action>/results|/cancel)?$")

_ERROR_REPLIES: dict[str, tuple[int, str, str]] = {
    "429": (429, "rate_limit_error", "rate limited by the loopback server"),
    "529": (529, "overloaded_error", "Overloaded"),
    "500": (500, "api_error", "Internal server error"),
    "400": (400, "invalid_request_error", "messages: the loopback server rejects this request"),
    "404": (404, "not_found_error", "model: {model}"),
    # The API's content filter: providers turn it into a blocked reply, never the model's refusal.
    "filtered": (400, "invalid_request_error", "Output blocked by content filtering policy"),
}
# Faults that break the connection or the body have no wire to break in a batch: the item errors.
_BATCH_ITEM_FAILURES = {
    "drop": "Internal server error (connection dropped while processing this request)",
    "timeout": "Internal server error (timed out while processing this request)",
    "malformed": "Internal server error (unreadable reply while processing this request)",
}


def _item_failure(fault: str | None) -> tuple[int, str, str] | None:
    """(status, error type, message) for a batched item the fault makes fail, else None."""
    if fault in _ERROR_REPLIES:
        return _ERROR_REPLIES[fault]
    if fault in _BATCH_ITEM_FAILURES:
        return 500, "api_error", _BATCH_ITEM_FAILURES[fault]
    return None


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


class LoopbackAnthropic(LoopbackServer):
    """`with LoopbackAnthropic() as server:` then point the SDK at `server.base_url`.

    `batch_delay` is how long a message batch stays `in_progress` before it ends. Batched items are
    answered exactly as `/v1/messages` would answer them (same text, same usage, faults drawn the
    same way): a fault that fails a direct request (an error status, `drop`, `timeout`,
    `malformed`) makes the item `errored`, `refusal` and `no_usage` change its message, `slow`
    does nothing (the batch is slow already). Items are recorded as Messages requests with their
    batch's id: `message_requests()` counts every conversation answered, whichever the route,
    `direct_requests()` and `batch_requests()` split them, `batch_calls()` lists the HTTP calls
    to the batch API itself.
    """

    thread_name = "loopback-anthropic"

    def __init__(
        self,
        organism: str | OrganismProfile = "faker",
        *,
        latency: float = 0.0,
        faults: FaultPlan | None = None,
        api_key: str | None = None,
        seed: int = 0,
        vary_repeats: bool = True,
        batch_delay: float = 0.2,
    ) -> None:
        super().__init__(
            organism, latency=latency, faults=faults, api_key=api_key, seed=seed, vary_repeats=vary_repeats
        )
        self.batches = BatchBook(delay=batch_delay)

    # -- what happened ----------------------------------------------------------------------
    def message_requests(self) -> list[RecordedRequest]:
        """Every Messages request answered (or refused), whether it came directly or in a batch."""
        return self.recorded(MESSAGES)

    def direct_requests(self) -> list[RecordedRequest]:
        return [r for r in self.message_requests() if r.batch_id is None]

    def batch_requests(self) -> list[RecordedRequest]:
        """Messages requests answered as items of a batch."""
        return [r for r in self.message_requests() if r.batch_id is not None]

    def batch_calls(self) -> list[RecordedRequest]:
        """The HTTP calls made to the batch API itself (create, retrieve, results, cancel)."""
        with self._lock:
            return [r for r in self.requests if r.path.startswith(BATCHES)]

    def status_counts(self) -> Counter[int]:
        return count_statuses(self.message_requests())

    def repeated_conversations(self) -> int:
        """Successful replies to a conversation already answered successfully before."""
        return count_repeats(self.message_requests())

    # -- the organism's reply ---------------------------------------------------------------
    def reply_text(self, body: dict[str, Any]) -> str:
        turns: list[Turn] = [("system", text_of(body.get("system")))] if body.get("system") else []
        turns += [
            (str(m.get("role")), text_of(m.get("content"))) for m in body.get("messages", []) if isinstance(m, dict)
        ]
        return self.reply(turns)

    def message(self, body: dict[str, Any], fault: str | None) -> dict[str, Any]:
        """The Message the API returns for `body`, with `refusal` or `no_usage` applied."""
        text = self.reply_text(body)
        refused = fault == "refusal"  # the API's safety classifier declined to answer
        message: dict[str, Any] = {
            "id": f"msg_loopback_{len(self.requests)}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model"),
            "content": [{"type": "text", "text": "" if refused else text}],
            "stop_reason": "refusal" if refused else "end_turn",
            "stop_sequence": None,
        }
        if fault != "no_usage":
            message["usage"] = usage_of(body, text)
        return message

    # -- serving ----------------------------------------------------------------------------
    def reject_key(self, call: Call) -> None:
        call.send(401, _error("authentication_error", "invalid x-api-key"))

    def route(self, call: Call) -> None:
        if call.method == "POST" and call.path == "/v1/messages/count_tokens":
            call.record(200)
            call.send(200, {"input_tokens": input_tokens(call.body)})
        elif call.method == "POST" and call.path == MESSAGES:
            self._messages(call)
        elif call.method == "POST" and call.path == BATCHES:
            self._create_batch(call)
        elif (match := _BATCH_PATH.match(call.path)) and (call.method, match["action"]) in _BATCH_ACTIONS:
            self._batch_action(call, match["id"], match["action"])
        else:
            call.record(404)
            call.send(404, _error("not_found_error", f"no route {call.method} {call.path}"))

    def _messages(self, call: Call) -> None:
        fault = self.draw_fault(call.model)

        def error(kind: str) -> tuple[int, Any] | None:
            if kind not in _ERROR_REPLIES:
                return None
            status, name, text = _ERROR_REPLIES[kind]
            return status, _error(name, text.format(model=call.model))

        if self.serve_fault(call, fault, error):
            return
        message = self.message(call.body, fault)
        call.record(200, fault)
        if fault == "malformed":
            call.send(200, b'{"id": "msg_loopback", "content": [{"type": "text", "te')
        elif call.stream:
            # A stream always carries usage (message_start has it), so `no_usage` cannot drop it there.
            usage = message.get("usage") or usage_of(call.body, message["content"][0]["text"])
            call.send_events(_sse(message, usage))
        else:
            call.send(200, message)

    # -- batches ----------------------------------------------------------------------------
    def answer_item(self, batch_id: str, custom_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """One batched item's `result`, recorded as the Messages request it stands for."""
        model = params.get("model") if isinstance(params.get("model"), str) else None
        fault = self.draw_fault(model)

        def record(status: int) -> None:
            self.record(
                path=MESSAGES, method="POST", model=model, stream=False, fault=fault, status=status,
                body=params, headers={}, batch_id=batch_id, custom_id=custom_id,
            )

        failure = _item_failure(fault)
        if failure is not None:
            status, kind, text = failure
            record(status)
            return {"type": "errored", "error": _error(kind, text.format(model=model))}
        message = self.message(params, fault)
        record(200)
        return {"type": "succeeded", "message": message}

    def _create_batch(self, call: Call) -> None:
        try:
            with self._lock:
                batch = self.batches.create(call.body, time.time())
        except BatchRequestError as err:
            call.record(400)
            call.send(400, _error("invalid_request_error", str(err)))
            return
        call.record(200, batch_id=batch.id)
        call.send(200, batch.to_json(self.base_url))

    def _batch_action(self, call: Call, batch_id: str, action: str | None) -> None:
        with self._lock:
            batch = self.batches.settle(batch_id, time.time(), self.answer_item)
            if batch is not None and action == "/cancel":
                batch = self.batches.cancel(batch_id, time.time())
        if batch is None:
            call.record(404, batch_id=batch_id)
            call.send(404, _error("not_found_error", f"message batch {batch_id} not found"))
        elif action == "/results" and batch.results is None:
            call.record(404, batch_id=batch_id)
            call.send(404, _error("not_found_error", f"message batch {batch_id} has no results until it ends"))
        elif action == "/results":
            call.record(200, batch_id=batch_id)
            call.send(200, batch.results_jsonl(), content_type="application/x-jsonl")
        else:
            call.record(200, batch_id=batch_id)
            call.send(200, batch.to_json(self.base_url))


_BATCH_ACTIONS = {("GET", None), ("GET", "/results"), ("POST", "/cancel")}


def input_tokens(body: Any) -> int:
    """Input tokens as both the usage and count_tokens report them: the prompt, not the envelope,
    so a request costs the same sent directly, streamed or batched."""
    if not isinstance(body, dict):
        return 0
    return estimate_tokens(json.dumps(body.get("messages", [])) + json.dumps(body.get("system", "")))


def usage_of(body: Any, reply: str) -> dict[str, int]:
    return {"input_tokens": input_tokens(body), "output_tokens": max(1, estimate_tokens(reply))}


def _sse(message: dict[str, Any], usage: dict[str, int]) -> Iterator[bytes]:
    for event, data in _sse_events(message, usage):
        yield f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def _sse_events(message: dict[str, Any], usage: dict[str, int]) -> Iterator[tuple[str, dict[str, Any]]]:
    text = message["content"][0]["text"]
    start_usage = {"input_tokens": usage["input_tokens"], "output_tokens": 1}
    yield "message_start", {
        "type": "message_start", "message": {**message, "content": [], "stop_reason": None, "usage": start_usage},
    }
    yield "content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
    for offset in range(0, len(text), 400):
        yield "content_block_delta", {
            "type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text[offset:offset + 400]},
        }
    yield "content_block_stop", {"type": "content_block_stop", "index": 0}
    yield "message_delta", {
        "type": "message_delta",
        "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
        "usage": {"output_tokens": usage["output_tokens"]},
    }
    yield "message_stop", {"type": "message_stop"}
