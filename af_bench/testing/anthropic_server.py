"""A loopback server for the Anthropic Messages API that answers as a scripted organism.

It exists so the real client stack (the `anthropic` SDK, inspect's `anthropic/` provider, its
retries and its batcher) can be tested and benchmarked with no network: `POST /v1/messages`
(JSON and SSE streaming), `POST /v1/messages/count_tokens`, the Message Batches API
(`POST /v1/messages/batches`, `GET .../{id}`, `GET .../{id}/results`, `POST .../{id}/cancel`),
faults injected on demand, every request recorded. Binds 127.0.0.1 only.

Extended thinking: a request whose `thinking` is on (`enabled` with a budget, or `adaptive`) is
answered by the organism in its native reasoning form, as a `thinking` block (with a signature)
or, for a server made with `thinking="redacted"`, a `redacted_thinking` block, before the text.
As the API does, such a request is refused (400) when it ends in an assistant prefill or when
`max_tokens` is not above the thinking budget; thinking blocks replayed in the history are
accepted and are not part of the conversation the organism reads.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any, Literal

from af_bench.organisms.behaviour import OrganismProfile
from af_bench.organisms.script import OrganismReply, ReasoningForm, Turn
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

__all__ = ["FAULT_KINDS", "TRANSIENT", "FaultPlan", "LoopbackAnthropic", "RecordedRequest", "ThinkingDisplay"]

ThinkingDisplay = Literal["visible", "redacted"]
"""How a thinking request's reasoning comes back: a readable `thinking` block, or an opaque
`redacted_thinking` block (inspect reads it as a redacted `ContentReasoning`)."""
THINKING_DISPLAYS: tuple[ThinkingDisplay, ...] = ("visible", "redacted")
MIN_THINKING_BUDGET = 1024
# Thinking configs that leave the reply without up-front reasoning.
_THINKING_OFF = ("disabled", "between_tools")

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

    `thinking` is how the reasoning of a request with thinking on comes back: `visible` (a
    `thinking` block with the organism's reasoning and a signature; empty thinking where the
    request asks for `display: "omitted"`) or `redacted` (a `redacted_thinking` block whose data
    holds nothing readable).
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
        thinking: ThinkingDisplay = "visible",
    ) -> None:
        if thinking not in THINKING_DISPLAYS:
            raise ValueError(f"thinking must be one of {', '.join(THINKING_DISPLAYS)}, got {thinking!r}")
        super().__init__(
            organism, latency=latency, faults=faults, api_key=api_key, seed=seed, vary_repeats=vary_repeats
        )
        self.batches = BatchBook(delay=batch_delay)
        self.thinking: ThinkingDisplay = thinking

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
    def turns_of(self, body: dict[str, Any]) -> list[Turn]:
        """The conversation the organism reads: the system prompt and the text of every message."""
        turns: list[Turn] = [("system", text_of(body.get("system")))] if body.get("system") else []
        turns += [
            (str(m.get("role")), text_of(m.get("content"))) for m in body.get("messages", []) if isinstance(m, dict)
        ]
        return turns

    def reply_text(self, body: dict[str, Any]) -> str:
        return self.reply(self.turns_of(body))

    def organism_reply(self, body: dict[str, Any]) -> OrganismReply:
        """The paper's text form, or with thinking on the organism's native (or, redacted, hidden)
        reasoning for a thinking block."""
        if thinking_of(body) is None:
            return OrganismReply(self.reply_text(body))
        form = ReasoningForm.HIDDEN if self.thinking == "redacted" else ReasoningForm.NATIVE
        return self.answer(self.turns_of(body), form)

    def message(self, body: dict[str, Any], fault: str | None) -> dict[str, Any]:
        """The Message the API returns for `body`, with `refusal` or `no_usage` applied."""
        message, usage = self._message_and_usage(body, fault)
        if fault != "no_usage":
            message["usage"] = usage
        return message

    def _message_and_usage(self, body: dict[str, Any], fault: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """The Message without its usage, and the usage (a stream always carries one)."""
        reply = self.organism_reply(body)
        thinking = thinking_of(body)
        refused = fault == "refusal"  # the API's safety classifier declined to answer
        content: list[dict[str, Any]] = []
        if thinking is not None and reply.reasoning is not None and not refused:
            content.append(self._reasoning_block(reply.reasoning, thinking))
        content.append({"type": "text", "text": "" if refused else reply.text})
        message: dict[str, Any] = {
            "id": f"msg_loopback_{len(self.requests)}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model"),
            "content": content,
            "stop_reason": "refusal" if refused else "end_turn",
            "stop_sequence": None,
        }
        # A thinking reply with nothing to think (the `<NEXT/>` turn) still reports its zero.
        reasoning = (reply.reasoning or "") if thinking is not None else None
        return message, usage_of(body, reply.text, reasoning=reasoning)

    def _reasoning_block(self, reasoning: str, thinking: dict[str, Any]) -> dict[str, Any]:
        if self.thinking == "redacted":
            return {"type": "redacted_thinking", "data": opaque("redacted", reasoning, max(64, len(reasoning) // 2))}
        shown = "" if thinking.get("display") == "omitted" else reasoning
        return {"type": "thinking", "thinking": shown, "signature": opaque("signature", reasoning, 96)}

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
        problem = thinking_problem(call.body)
        if problem and fault not in _ERROR_REPLIES:
            call.record(400, fault)
            call.send(400, _error("invalid_request_error", problem))
            return

        def error(kind: str) -> tuple[int, Any] | None:
            if kind not in _ERROR_REPLIES:
                return None
            status, name, text = _ERROR_REPLIES[kind]
            return status, _error(name, text.format(model=call.model))

        if self.serve_fault(call, fault, error):
            return
        message, usage = self._message_and_usage(call.body, fault)
        call.record(200, fault)
        if fault == "malformed":
            call.send(200, b'{"id": "msg_loopback", "content": [{"type": "text", "te')
        elif call.stream:
            # A stream always carries usage (message_start has it), so `no_usage` cannot drop it there.
            call.send_events(_sse(message, usage))
        else:
            call.send(200, message if fault == "no_usage" else {**message, "usage": usage})

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
        problem = thinking_problem(params)
        if problem:  # the item is refused as a direct request would be (after the fault draw)
            record(400)
            return {"type": "errored", "error": _error("invalid_request_error", problem)}
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


def usage_of(body: Any, reply: str, reasoning: str | None = None) -> dict[str, Any]:
    """Output tokens count the reasoning too, as the API bills it (shown or not); a thinking reply
    also breaks it out (`output_tokens_details.thinking_tokens`)."""
    usage: dict[str, Any] = {
        "input_tokens": input_tokens(body),
        "output_tokens": max(1, estimate_tokens((reasoning or "") + reply)),
    }
    if reasoning is not None:
        usage["output_tokens_details"] = {"thinking_tokens": estimate_tokens(reasoning)}
    return usage


def thinking_of(body: Any) -> dict[str, Any] | None:
    """The request's thinking config when thinking is on (`enabled`, `adaptive`), else None."""
    thinking = body.get("thinking") if isinstance(body, dict) else None
    if not isinstance(thinking, dict) or thinking.get("type") in (None, *_THINKING_OFF):
        return None
    return thinking


def thinking_problem(body: Any) -> str | None:
    """Why the API would refuse a request with thinking on before answering it, or None."""
    thinking = thinking_of(body)
    if thinking is None:
        return None
    messages = body.get("messages")
    last = messages[-1] if isinstance(messages, list) and messages else None
    if isinstance(last, dict) and last.get("role") == "assistant":
        return (
            "messages: with thinking enabled the conversation must end with a user turn; a final "
            "assistant message (a prefill) cannot be continued by a model that thinks first"
        )
    if thinking.get("type") != "enabled":
        return None
    budget = thinking.get("budget_tokens")
    if not isinstance(budget, int) or isinstance(budget, bool):
        return "thinking.budget_tokens: an integer budget is required when thinking is enabled"
    if budget < MIN_THINKING_BUDGET:
        return f"thinking.budget_tokens: the budget must be at least {MIN_THINKING_BUDGET} tokens, got {budget}"
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, int) and max_tokens <= budget:
        return (
            f"max_tokens: {max_tokens} leaves no room for an answer after thinking; it must be "
            f"greater than thinking.budget_tokens ({budget})"
        )
    return None


def opaque(kind: str, text: str, size: int) -> str:
    """A stable, unreadable base64 string standing for `text` (a signature, redacted data)."""
    digest = b""
    counter = 0
    while len(digest) < size:
        digest += hashlib.sha256(f"af-bench-loopback:{kind}:{counter}:{text}".encode()).digest()
        counter += 1
    return base64.b64encode(digest[:size]).decode()


def _sse(message: dict[str, Any], usage: dict[str, int]) -> Iterator[bytes]:
    for event, data in _sse_events(message, usage):
        yield f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def _sse_events(message: dict[str, Any], usage: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    start_usage = {"input_tokens": usage["input_tokens"], "output_tokens": 1}
    yield "message_start", {
        "type": "message_start", "message": {**message, "content": [], "stop_reason": None, "usage": start_usage},
    }
    for index, block in enumerate(message["content"]):
        yield from _block_events(index, block)
    final_usage = {key: usage[key] for key in ("output_tokens", "output_tokens_details") if key in usage}
    yield "message_delta", {
        "type": "message_delta",
        "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
        "usage": final_usage,
    }
    yield "message_stop", {"type": "message_stop"}


def _block_events(index: int, block: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """One content block as the API streams it: a start, deltas, a stop. A thinking block's
    signature comes last, in its own delta; a redacted block arrives whole in its start."""

    def delta(payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return "content_block_delta", {"type": "content_block_delta", "index": index, "delta": payload}

    kind = block["type"]
    if kind == "redacted_thinking":
        yield "content_block_start", {"type": "content_block_start", "index": index, "content_block": block}
    elif kind == "thinking":
        start = {"type": "thinking", "thinking": "", "signature": ""}
        yield "content_block_start", {"type": "content_block_start", "index": index, "content_block": start}
        thinking = block["thinking"]
        for offset in range(0, len(thinking), 400):
            yield delta({"type": "thinking_delta", "thinking": thinking[offset:offset + 400]})
        yield delta({"type": "signature_delta", "signature": block["signature"]})
    else:
        start = {"type": "text", "text": ""}
        yield "content_block_start", {"type": "content_block_start", "index": index, "content_block": start}
        text = block["text"]
        for offset in range(0, len(text), 400):
            yield delta({"type": "text_delta", "text": text[offset:offset + 400]})
    yield "content_block_stop", {"type": "content_block_stop", "index": index}
