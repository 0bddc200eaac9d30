"""What every loopback provider server shares: the fault plan, the record of requests, the
threaded HTTP server's lifecycle, the API-key check and the organism that writes the replies.

A provider's server subclasses `LoopbackServer` and implements `route(call)`; everything that
differs between provider APIs (paths, JSON shapes, error bodies, streaming framing) lives there.
"""

from __future__ import annotations

import json
import random
import threading
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from af_bench.organisms.behaviour import PROFILES, OrganismProfile
from af_bench.organisms.judge import JudgeProfile
from af_bench.organisms.script import OrganismReply, OrganismScript, ReasoningForm, Turn

JUDGE = "judge"
TRANSIENT = ("429", "529", "500", "drop")
FAULT_KINDS = (*TRANSIENT, "400", "404", "slow", "timeout", "malformed", "no_usage", "refusal", "filtered")
# Headers that carry credentials: never kept in a record, so a test can show a key is not written.
_SECRET_HEADERS = ("x-api-key", "authorization")


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
        for kind in self.kinds():
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
        if sum(self.rates.values()) > 1.0:
            raise ValueError("fault rates add up to more than 1")

    @classmethod
    def transient(cls, total: float, seed: int = 0) -> FaultPlan:
        """`total` of requests fail with 429, 529, 500 or a dropped connection, in equal shares."""
        return cls(rates={kind: total / len(TRANSIENT) for kind in TRANSIENT}, seed=seed)

    def kinds(self) -> list[str]:
        return [*self.rates, *([self.always] if self.always else [])]

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
    """One request the server answered. A batched item is recorded as the Messages request it
    stands for (`path` "/v1/messages", its `batch_id` and `custom_id` set); the HTTP calls to the
    batch API are recorded under their own paths."""

    index: int
    path: str
    model: str | None
    stream: bool
    fault: str | None
    status: int
    """HTTP status; 0 when the connection was dropped or never answered."""
    body: Any
    headers: dict[str, str]
    """Request headers with the API key removed."""
    method: str = "POST"
    batch_id: str | None = None
    custom_id: str | None = None

    def sample_key(self) -> str:
        """The request's conversation, so re-requests of one turn can be counted."""
        messages = self.body.get("messages", []) if isinstance(self.body, dict) else []
        return json.dumps(messages, sort_keys=True)


def text_of(content: Any) -> str:
    """The text of a message's content, in either API's forms: a string or a list of parts.
    Reasoning a client replays (Anthropic `thinking` and `redacted_thinking` blocks) has no
    `text` field, so it is not part of the conversation the organism reads."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def estimate_tokens(text: str) -> int:
    """A stable, cheap stand-in for a tokenizer: about four characters a token."""
    return len(text) // 4


@dataclass
class Call:
    """One HTTP request in flight: what arrived, and the ways to answer it."""

    server: LoopbackServer
    handler: BaseHTTPRequestHandler
    method: str
    path: str
    body: Any
    headers: dict[str, str]
    presented_key: str | None

    @property
    def model(self) -> str | None:
        model = self.body.get("model") if isinstance(self.body, dict) else None
        return model if isinstance(model, str) else None

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream")) if isinstance(self.body, dict) else False

    def record(self, status: int, fault: str | None = None, **extra: Any) -> RecordedRequest:
        return self.server.record(
            path=self.path, method=self.method, model=self.model, stream=self.stream,
            fault=fault, status=status, body=self.body, headers=self.headers, **extra,
        )

    def send(self, status: int, payload: Any, headers: dict[str, str] | None = None,
             content_type: str = "application/json") -> None:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.handler.send_response(status)
        self.handler.send_header("content-type", content_type)
        self.handler.send_header("content-length", str(len(body)))
        for key, value in (headers or {}).items():
            self.handler.send_header(key, value)
        self.handler.end_headers()
        self.handler.wfile.write(body)

    def send_events(self, chunks: Iterable[bytes]) -> None:
        """A server-sent event stream, closed when done (no length is known up front)."""
        self.handler.send_response(200)
        self.handler.send_header("content-type", "text/event-stream")
        self.handler.send_header("cache-control", "no-cache")
        self.handler.send_header("connection", "close")
        self.handler.end_headers()
        self.handler.close_connection = True
        for chunk in chunks:
            self.handler.wfile.write(chunk)
        self.handler.wfile.flush()

    def drop(self) -> None:
        self.handler.close_connection = True
        self.handler.connection.shutdown(2)

    def hang(self, seconds: float) -> None:
        """Say nothing for `seconds`, then close: a request that times out on the client."""
        time.sleep(seconds)
        self.handler.close_connection = True


class LoopbackServer(ABC):
    """A threaded HTTP server on 127.0.0.1 answering as a scripted organism.

    `with Server() as server:` (or `start()`/`stop()`), then point a client at `server.base_url`.
    """

    thread_name = "loopback"

    def __init__(
        self,
        organism: str | OrganismProfile | JudgeProfile = "faker",
        *,
        latency: float = 0.0,
        faults: FaultPlan | None = None,
        api_key: str | None = None,
        seed: int = 0,
        vary_repeats: bool = True,
    ) -> None:
        # `judge` (or a JudgeProfile) serves the scripted judge (af-bench/judge's answers) instead
        # of an organism.
        self.judge_profile = organism if isinstance(organism, JudgeProfile) else JudgeProfile() if organism == JUDGE else None
        self.judge = self.judge_profile is not None
        profile = PROFILES["aligned"] if self.judge else PROFILES[organism] if isinstance(organism, str) else organism
        self.organism = organism if isinstance(organism, str) else "judge" if self.judge else "organism"
        self.script = OrganismScript(profile, vary_repeats=vary_repeats)
        self.latency = latency
        self.faults = faults or FaultPlan()
        self.check_faults(self.faults)
        self.api_key = api_key
        self.seed = seed
        self.requests: list[RecordedRequest] = []
        self._lock = threading.RLock()
        self._draws = 0
        self._judged = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def check_faults(self, faults: FaultPlan) -> None:
        """Refuse a plan with kinds this API has no way to express."""

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> str:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        # A short poll keeps stop() quick: shutdown waits for the loop's next look at its flag.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=self.thread_name, daemon=True
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
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
    def record(self, **fields: Any) -> RecordedRequest:
        with self._lock:
            recorded = RecordedRequest(index=len(self.requests), **fields)
            self.requests.append(recorded)
            return recorded

    def recorded(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # -- answering --------------------------------------------------------------------------
    def draw_fault(self, model: str | None) -> str | None:
        """The fault for the next answer: draws are numbered, so concurrent requests never share one."""
        with self._lock:
            index, self._draws = self._draws, self._draws + 1
        if model in self.faults.retired_models:
            return "404"
        return self.faults.pick(index)

    def serve_fault(self, call: Call, fault: str | None, error: Callable[[str], tuple[int, Any] | None]) -> bool:
        """After the configured latency, serve a fault that replaces the reply: an error status
        (`error` gives its status and body in the provider's shape, None for other faults), a
        dropped or a hung connection. True when the call has been answered; `slow` only waits."""
        if self.latency:
            time.sleep(self.latency)
        failure = error(fault) if fault else None
        if fault and failure is not None:
            status, body = failure
            headers = {"retry-after-ms": str(self.faults.retry_after_ms), "retry-after": "0"} if fault == "429" else {}
            call.record(status, fault)
            call.send(status, body, headers)
            return True
        if fault == "drop":
            call.record(0, fault)
            call.drop()
            return True
        if fault == "timeout":
            call.record(0, fault)
            call.hang(self.faults.timeout_seconds)
            return True
        if fault == "slow":
            time.sleep(self.faults.slow_seconds)
        return False

    def reply(self, turns: Sequence[Turn]) -> str:
        if self.judge:
            return self._judge_reply(turns)
        with self._lock:  # the script's counters are shared by the handler threads
            return self.script.reply(turns, self.seed)

    def _judge_reply(self, turns: Sequence[Turn]) -> str:
        from af_bench.organisms.behaviour import draw
        from af_bench.organisms.judge import judge_reply

        prompt = "\n".join(text for _, text in turns)
        with self._lock:
            self._judged += 1
            index = self._judged
        return judge_reply(prompt, self.judge_profile or JudgeProfile(), draw(self.seed, prompt, index))[0]

    def answer(self, turns: Sequence[Turn], form: ReasoningForm) -> OrganismReply:
        """The organism's reply in `form` (every form makes the same draws as `reply`)."""
        if self.judge:
            return OrganismReply(self._judge_reply(turns))
        with self._lock:
            return self.script.answer(turns, self.seed, form)

    def authorized(self, call: Call) -> bool:
        return self.api_key is None or call.presented_key == self.api_key

    @abstractmethod
    def route(self, call: Call) -> None:
        """Answer an authorized call (every call must be recorded and answered, or dropped)."""

    @abstractmethod
    def reject_key(self, call: Call) -> None:
        """Answer a call with a wrong or missing key, in the API's error shape."""


def count_statuses(records: Iterable[RecordedRequest]) -> Counter[int]:
    return Counter(r.status for r in records)


def count_repeats(records: Iterable[RecordedRequest]) -> int:
    """Successful replies to a conversation already answered successfully before."""
    answered = Counter(r.sample_key() for r in records if r.status == 200)
    return sum(count - 1 for count in answered.values() if count > 1)


def _presented_key(headers: Any) -> str | None:
    key = headers.get("x-api-key")
    if key:
        return str(key)
    bearer = headers.get("authorization", "")
    return bearer.removeprefix("Bearer ") if bearer else None


def _handler_for(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in separate writes: without TCP_NODELAY the body waits for the
        # client's delayed ACK (~40 ms a reply on Linux), which dwarfs everything else served here.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            return

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            try:
                body = json.loads(raw) if raw else {}
            except json.JSONDecodeError:
                body = {}
            call = Call(
                server=server,
                handler=self,
                method=method,
                path=self.path.split("?")[0],
                body=body,
                headers={k.lower(): v for k, v in self.headers.items() if k.lower() not in _SECRET_HEADERS},
                presented_key=_presented_key(self.headers),
            )
            if not server.authorized(call):
                call.record(401)
                server.reject_key(call)
                return
            server.route(call)

    return Handler
