"""A loopback server for the OpenAI Chat Completions API as vLLM, SGLang and llama.cpp serve it,
answering as a scripted organism.

It exists so inspect's `openai-api/<service>/<model>` provider and the `openai` SDK can be tested
with no network: `POST /v1/chat/completions` (JSON, and SSE `data:` chunks ending in
`data: [DONE]`, with a usage chunk when `stream_options.include_usage` asks), `GET /v1/models`,
a Bearer key check, the shared faults. Binds 127.0.0.1 only; clients take `server.api_base`
(which ends in /v1) as their base URL.

`reasoning` picks how a reasoning model's thinking comes back, as vLLM serves such models: not
at all (`none`, the paper's text form, continuing a trailing assistant prefill), in the
message's `reasoning_content` field (`field`, vLLM's reasoning parser), as a whole
`<think>…</think>` block before the answer (`think_tags`), or as R1-style text whose opening
`<think>` the chat template ate (`think_open`: `…</think>` then the bare answer). vLLM starts a
new message after a trailing assistant message unless asked to continue it, so the reasoning
forms answer as if it were not there.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from af_bench.organisms.behaviour import OrganismProfile
from af_bench.organisms.script import OrganismReply, ReasoningForm, Turn
from af_bench.testing.loopback import (
    Call,
    FaultPlan,
    LoopbackServer,
    RecordedRequest,
    count_repeats,
    count_statuses,
    estimate_tokens,
    text_of,
)

COMPLETIONS = "/v1/chat/completions"
MODELS = "/v1/models"

# Error bodies as vLLM writes them (`type` the exception's name, `code` the status); the status
# is what clients act on. 529 is Anthropic's overload status: these servers say 503.
_ERROR_REPLIES: dict[str, tuple[int, str, str]] = {
    "429": (429, "RateLimitError", "rate limited by the loopback server"),
    "529": (503, "ServiceUnavailableError", "The server is overloaded"),
    "500": (500, "InternalServerError", "Internal server error"),
    "400": (400, "BadRequestError", "messages: the loopback server rejects this request"),
    "404": (404, "NotFoundError", "The model `{model}` does not exist."),
}
# An API-side classifier refusing is Anthropic's `refusal` stop; here a provider block is the
# `filtered` finish reason, and `message.refusal` is the model's own structured refusal.
UNSUPPORTED_FAULTS = ("refusal",)
_ROLES = {"developer": "system"}

ReasoningMode = Literal["none", "field", "think_tags", "think_open"]
REASONING_MODES: tuple[ReasoningMode, ...] = ("none", "field", "think_tags", "think_open")
_FORMS: dict[ReasoningMode, ReasoningForm] = {
    "none": ReasoningForm.TAGS,
    "field": ReasoningForm.NATIVE,
    "think_tags": ReasoningForm.NATIVE,
    "think_open": ReasoningForm.THINK,
}


def _error(status: int, kind: str, message: str, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": status}}


class LoopbackOpenAI(LoopbackServer):
    """`with LoopbackOpenAI(models=("faker-7b",)) as server:` then point a client at `server.api_base`.

    `models` are the names served (vLLM's `--served-model-name`); others get 404. None serves any
    name, and `/v1/models` then lists the organism's name. `reasoning` is where the reasoning
    goes (see the module's docstring).
    """

    thread_name = "loopback-openai"

    def __init__(
        self,
        organism: str | OrganismProfile = "faker",
        *,
        models: Sequence[str] | None = None,
        latency: float = 0.0,
        faults: FaultPlan | None = None,
        api_key: str | None = None,
        seed: int = 0,
        vary_repeats: bool = True,
        reasoning: ReasoningMode = "none",
    ) -> None:
        if reasoning not in REASONING_MODES:
            raise ValueError(f"reasoning must be one of {', '.join(REASONING_MODES)}, got {reasoning!r}")
        super().__init__(
            organism, latency=latency, faults=faults, api_key=api_key, seed=seed, vary_repeats=vary_repeats
        )
        self.models = tuple(models) if models is not None else None
        self.reasoning: ReasoningMode = reasoning
        self._created = int(time.time())

    def check_faults(self, faults: FaultPlan) -> None:
        unsupported = sorted(set(faults.kinds()) & set(UNSUPPORTED_FAULTS))
        if unsupported:
            raise ValueError(f"fault {unsupported[0]!r} has no Chat Completions form; use 'filtered' for a provider block")

    @property
    def api_base(self) -> str:
        """The base URL OpenAI-compatible clients take (`<SERVICE>_BASE_URL`)."""
        return f"{self.base_url}/v1"

    # -- what happened ----------------------------------------------------------------------
    def completion_requests(self) -> list[RecordedRequest]:
        return self.recorded(COMPLETIONS)

    def status_counts(self) -> Counter[int]:
        return count_statuses(self.completion_requests())

    def repeated_conversations(self) -> int:
        """Successful replies to a conversation already answered successfully before."""
        return count_repeats(self.completion_requests())

    # -- the organism's reply ---------------------------------------------------------------
    def turns_of(self, body: dict[str, Any]) -> list[Turn]:
        return [
            (_ROLES.get(str(m.get("role")), str(m.get("role"))), text_of(m.get("content")))
            for m in body.get("messages", [])
            if isinstance(m, dict)
        ]

    def reply_text(self, body: dict[str, Any]) -> str:
        return self.reply(self.turns_of(body))

    def organism_reply(self, body: dict[str, Any]) -> tuple[str, str | None]:
        """(content, reasoning_content) in the server's reasoning mode."""
        if self.reasoning == "none":
            return self.reply_text(body), None
        turns = self.turns_of(body)
        if turns and turns[-1][0] == "assistant":
            turns = turns[:-1]  # not continued: the model answers in a fresh message
        # Reasoning replayed in the history (inspect sends `<think>` blocks back in the content)
        # is dropped, as reasoning models' chat templates drop it: only answers are conversation.
        turns = [(role, _after_think(text) if role == "assistant" else text) for role, text in turns]
        reply: OrganismReply = self.answer(turns, _FORMS[self.reasoning])
        if self.reasoning == "think_tags" and reply.reasoning is not None:
            return f"<think>\n{reply.reasoning}\n</think>\n\n{reply.text}", None
        return reply.text, reply.reasoning

    def served_names(self) -> tuple[str, ...]:
        return self.models if self.models is not None else (self.organism,)

    # -- serving ----------------------------------------------------------------------------
    def reject_key(self, call: Call) -> None:
        call.send(401, _error(401, "AuthenticationError", "Invalid API Key"))

    def route(self, call: Call) -> None:
        if call.method == "POST" and call.path == COMPLETIONS:
            self._completions(call)
        elif call.method == "GET" and call.path == MODELS:
            call.record(200)
            call.send(200, {"object": "list", "data": [self._model_card(name) for name in self.served_names()]})
        else:
            call.record(404)
            call.send(404, _error(404, "NotFoundError", f"no route {call.method} {call.path}"))

    def _model_card(self, name: str) -> dict[str, Any]:
        return {"id": name, "object": "model", "created": self._created, "owned_by": "af-bench-loopback"}

    def _completions(self, call: Call) -> None:
        fault = self.draw_fault(call.model)
        if self.models is not None and call.model not in self.models:
            fault = "404"
        problem = _invalid(call.body)
        if problem and fault not in _ERROR_REPLIES:
            call.record(400, fault)
            call.send(400, _error(400, "BadRequestError", problem))
            return

        def error(kind: str) -> tuple[int, Any] | None:
            if kind not in _ERROR_REPLIES:
                return None
            status, name, text = _ERROR_REPLIES[kind]
            return status, _error(status, name, text.format(model=call.model), "model" if kind == "404" else None)

        if self.serve_fault(call, fault, error):
            return
        text, reasoning = self.organism_reply(call.body)
        record = call.record(200, fault)
        filtered = fault == "filtered"
        reply = _Reply(
            id=f"chatcmpl-loopback-{record.index}",
            created=int(time.time()),
            model=call.model or "",
            text=None if filtered else text,
            finish_reason="content_filter" if filtered else "stop",
            usage=None if fault == "no_usage" else _usage(call.body, (reasoning or "") + text),
            reasoning=None if filtered else reasoning,
        )
        if fault == "malformed" and call.stream:
            call.send_events([b'data: {"id": "chatcmpl-loopback", "choices": [{"index": 0, "delta": {"conte\n\n'])
        elif fault == "malformed":
            call.send(200, b'{"id": "chatcmpl-loopback", "choices": [{"index": 0, "message": {"conte')
        elif call.stream:
            options = call.body.get("stream_options") or {}
            call.send_events(_sse(reply, include_usage=bool(options.get("include_usage"))))
        else:
            call.send(200, reply.completion())


@dataclass(frozen=True)
class _Reply:
    """One completion, rendered whole or as stream chunks."""

    id: str
    created: int
    model: str
    text: str | None
    finish_reason: str
    usage: dict[str, int] | None
    reasoning: str | None = None
    """`reasoning_content`, as vLLM's reasoning parser splits it from the content."""

    def _envelope(self, kind: str) -> dict[str, Any]:
        return {"id": self.id, "object": kind, "created": self.created, "model": self.model}

    def completion(self) -> dict[str, Any]:
        completion = {
            **self._envelope("chat.completion"),
            "choices": [{
                "index": 0,
                "message": {
                    "role": "assistant", "content": self.text, "refusal": None, "tool_calls": [],
                    **({"reasoning_content": self.reasoning} if self.reasoning is not None else {}),
                },
                "logprobs": None,
                "finish_reason": self.finish_reason,
            }],
        }
        if self.usage is not None:
            completion["usage"] = self.usage
        return completion

    def chunks(self, include_usage: bool) -> Iterator[dict[str, Any]]:
        # With include_usage every chunk carries `usage: null` and a last, choice-less chunk the totals.
        extra: dict[str, Any] = {"usage": None} if include_usage else {}

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            return {**self._envelope("chat.completion.chunk"), "choices": [choice], **extra}

        yield chunk({"role": "assistant", "content": ""})
        reasoning = self.reasoning or ""
        for offset in range(0, len(reasoning), 400):
            yield chunk({"reasoning_content": reasoning[offset:offset + 400]})
        text = self.text or ""
        for offset in range(0, len(text), 400):
            yield chunk({"content": text[offset:offset + 400]})
        yield chunk({}, self.finish_reason)
        if include_usage and self.usage is not None:
            yield {**self._envelope("chat.completion.chunk"), "choices": [], "usage": self.usage}


def _sse(reply: _Reply, *, include_usage: bool) -> Iterator[bytes]:
    for chunk in reply.chunks(include_usage):
        yield f"data: {json.dumps(chunk)}\n\n".encode()
    yield b"data: [DONE]\n\n"


def _after_think(text: str) -> str:
    """An assistant turn without the reasoning before its last `</think>`."""
    return text.rsplit("</think>", 1)[1].lstrip() if "</think>" in text else text


def _invalid(body: Any) -> str | None:
    """Why the server would reject the request before generating, or None."""
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        return "model: a model name is required"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages: a non-empty list is required"
    if body.get("n", 1) != 1:
        return "n: only one choice per request is served"
    return None


def _usage(body: dict[str, Any], reply: str) -> dict[str, int]:
    """`reply` is everything generated: reasoning included."""
    prompt = estimate_tokens(json.dumps(body.get("messages", [])))
    completion = max(1, estimate_tokens(reply))
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
