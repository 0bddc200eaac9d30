"""A loopback server for the Anthropic Messages API that answers as a scripted organism.

It exists so the real client stack (the `anthropic` SDK, inspect's `anthropic/` provider, its
retries) can be tested and benchmarked with no network: `POST /v1/messages` (JSON and SSE
streaming), `POST /v1/messages/count_tokens`, faults injected on demand, every request recorded.
Binds 127.0.0.1 only.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from af_bench.organisms.behaviour import PROFILES, OrganismProfile
from af_bench.organisms.script import OrganismScript, Turn

TRANSIENT = ("429", "529", "500", "drop")
FAULT_KINDS = (*TRANSIENT, "400", "404", "slow", "timeout", "malformed", "no_usage", "refusal", "filtered")


@dataclass(frozen=True)
class FaultPlan:
    """Which faults the server injects. `rates` are per-request probabilities by kind;
    `always` applies one kind to every request (a dead or misconfigured endpoint)."""

    rates: dict[str, float] = field(default_factory=dict)
    always: str | None = None
    seed: int = 0
    retry_after_ms: int = 20
    slow_seconds: float = 1.0
    timeout_seconds: float = 30.0
    retired_models: tuple[str, ...] = ("claude-3-opus-20240229",)

    def __post_init__(self) -> None:
        for kind in [*self.rates, *([self.always] if self.always else [])]:
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
        if sum(self.rates.values()) > 1.0:
            raise ValueError("fault rates add up to more than 1")

    @classmethod
    def transient(cls, total: float, seed: int = 0) -> FaultPlan:
        """`total` of requests fail with 429, 529, 500 or a dropped connection, in equal shares."""
        return cls(rates={kind: total / len(TRANSIENT) for kind in TRANSIENT}, seed=seed)

    def pick(self, index: int) -> str | None:
        if self.always:
            return self.always
        roll = random.Random(f"{self.seed}:{index}").random()
        for kind, rate in sorted(self.rates.items()):
            if roll < rate:
                return kind
            roll -= rate
        return None


@dataclass(frozen=True)
class RecordedRequest:
    index: int
    path: str
    model: str | None
    stream: bool
    fault: str | None
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    """Request headers with the API key removed."""

    def sample_key(self) -> str:
        """The request's conversation, so re-requests of one turn can be counted."""
        return json.dumps(self.body.get("messages", []), sort_keys=True)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(block.get("text", "") for block in content if isinstance(block, dict))
    return ""


class LoopbackAnthropic:
    """`with LoopbackAnthropic() as server:` then point the SDK at `server.base_url`."""

    def __init__(
        self,
        organism: str | OrganismProfile = "faker",
        *,
        latency: float = 0.0,
        faults: FaultPlan | None = None,
        api_key: str | None = None,
        seed: int = 0,
        vary_repeats: bool = True,
    ) -> None:
        profile = PROFILES[organism] if isinstance(organism, str) else organism
        self.script = OrganismScript(profile, vary_repeats=vary_repeats)
        self.latency = latency
        self.faults = faults or FaultPlan()
        self.api_key = api_key
        self.seed = seed
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> str:
        handler = _handler_for(self)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="loopback-anthropic", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LoopbackAnthropic:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- what happened ----------------------------------------------------------------------
    def message_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == "/v1/messages"]

    def status_counts(self) -> Counter[int]:
        return Counter(r.status for r in self.message_requests())

    def repeated_conversations(self) -> int:
        """Successful replies to a conversation already answered successfully before."""
        answered = Counter(r.sample_key() for r in self.message_requests() if r.status == 200)
        return sum(count - 1 for count in answered.values() if count > 1)

    # -- serving ----------------------------------------------------------------------------
    def _record(self, **kwargs: Any) -> RecordedRequest:
        with self._lock:
            record = RecordedRequest(index=len(self.requests), **kwargs)
            self.requests.append(record)
            return record

    def _next_index(self) -> int:
        with self._lock:
            return len(self.requests)

    def reply_text(self, body: dict[str, Any]) -> str:
        turns: list[Turn] = [("system", _text(body.get("system")))] if body.get("system") else []
        turns += [
            (str(m.get("role")), _text(m.get("content"))) for m in body.get("messages", []) if isinstance(m, dict)
        ]
        with self._lock:  # the script's counters are shared by the handler threads
            return self.script.reply(turns, self.seed)


_ERROR_REPLIES: dict[str, tuple[int, str, str]] = {
    "429": (429, "rate_limit_error", "rate limited by the loopback server"),
    "529": (529, "overloaded_error", "Overloaded"),
    "500": (500, "api_error", "Internal server error"),
    "400": (400, "invalid_request_error", "messages: the loopback server rejects this request"),
    "404": (404, "not_found_error", "model: {model}"),
    # The API's content filter: providers turn it into a blocked reply, never the model's refusal.
    "filtered": (400, "invalid_request_error", "Output blocked by content filtering policy"),
}


def _error(kind: str, message: str) -> bytes:
    return json.dumps({"type": "error", "error": {"type": kind, "message": message}}).encode()


def _handler_for(server: LoopbackAnthropic) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            return

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = {}
            headers = {k.lower(): v for k, v in self.headers.items() if k.lower() not in ("x-api-key", "authorization")}
            path = self.path.split("?")[0]
            model = body.get("model") if isinstance(body, dict) else None
            stream = bool(body.get("stream")) if isinstance(body, dict) else False

            def record(status: int, fault: str | None = None) -> None:
                server._record(path=path, model=model, stream=stream, fault=fault, status=status, body=body, headers=headers)

            presented = self.headers.get("x-api-key") or self.headers.get("authorization", "").removeprefix("Bearer ")
            if server.api_key is not None and presented != server.api_key:
                record(401)
                self._send(401, _error("authentication_error", "invalid x-api-key"))
                return
            if path == "/v1/messages/count_tokens":
                record(200)
                chars = len(json.dumps(body.get("messages", []))) + len(json.dumps(body.get("system", "")))
                self._send(200, json.dumps({"input_tokens": chars // 4}).encode())
                return
            if path != "/v1/messages":
                record(404)
                self._send(404, _error("not_found_error", f"no route {path}"))
                return
            self._messages(body, model, stream, record)

        def _messages(self, body: dict[str, Any], model: str | None, stream: bool, record: Any) -> None:
            fault = server.faults.pick(server._next_index())
            if model in server.faults.retired_models:
                fault = "404"
            if server.latency:
                time.sleep(server.latency)
            if fault in _ERROR_REPLIES:
                status, kind, message = _ERROR_REPLIES[fault]
                headers = {}
                if fault == "429":
                    headers = {"retry-after-ms": str(server.faults.retry_after_ms), "retry-after": "0"}
                record(status, fault)
                self._send(status, _error(kind, message.format(model=model)), headers)
                return
            if fault == "drop":
                record(0, fault)
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if fault == "timeout":
                record(0, fault)
                time.sleep(server.faults.timeout_seconds)
                self.close_connection = True
                return
            if fault == "slow":
                time.sleep(server.faults.slow_seconds)
            text = server.reply_text(body)
            usage = {"input_tokens": len(json.dumps(body)) // 4, "output_tokens": max(1, len(text) // 4)}
            record(200, fault)
            if fault == "malformed":
                self._send(200, b'{"id": "msg_loopback", "content": [{"type": "text", "te')
                return
            refused = fault == "refusal"  # the API's safety classifier declined to answer
            message: dict[str, Any] = {
                "id": f"msg_loopback_{len(server.requests)}",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [{"type": "text", "text": "" if refused else text}],
                "stop_reason": "refusal" if refused else "end_turn",
                "stop_sequence": None,
            }
            if fault != "no_usage":
                message["usage"] = usage
            if stream:
                self._stream(message, text, usage)
            else:
                self._send(200, json.dumps(message).encode())

        def _stream(self, message: dict[str, Any], text: str, usage: dict[str, int]) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("cache-control", "no-cache")
            self.send_header("connection", "close")
            self.end_headers()
            self.close_connection = True
            start = {**message, "content": [], "stop_reason": None,
                     "usage": {"input_tokens": usage["input_tokens"], "output_tokens": 1}}
            for event, data in _sse_events(start, message["content"][0]["text"], usage, message["stop_reason"]):
                self.wfile.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())
            self.wfile.flush()

    return Handler


def _sse_events(
    start: dict[str, Any], text: str, usage: dict[str, int], stop_reason: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "message_start", {"type": "message_start", "message": start}
    yield "content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
    for offset in range(0, len(text), 400):
        yield "content_block_delta", {
            "type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text[offset:offset + 400]},
        }
    yield "content_block_stop", {"type": "content_block_stop", "index": 0}
    yield "message_delta", {
        "type": "message_delta",
        "delta": {"stop_reason": stop_reason, "stop_sequence": None},
        "usage": {"output_tokens": usage["output_tokens"]},
    }
    yield "message_stop", {"type": "message_stop"}
