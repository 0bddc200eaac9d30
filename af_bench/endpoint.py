"""A model endpoint's failures: each in one line a person can act on, read from the exception
chain, and an endpoint that answers nothing found within a minute instead of an hour.

inspect wraps a provider's error in `ModelGenerateError` (whose text starts with the whole request:
our system prompt and the harmful request), or in tenacity's `RetryError` once its retries are spent.
The provider's own status, error type and message sit further down the chain, on the SDK's
exception (`status_code`, `body`, `message`). They are read by attribute, not by class, so that
any SDK version, and the anthropic and openai SDKs alike, give the same line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

DEFAULT_ENDPOINTS = {
    "anthropic": "https://api.anthropic.com",
    "openai": "https://api.openai.com/v1",
}


def service_prefix(model: str) -> tuple[str, str]:
    """(provider, the prefix of its environment variables): `openai-api/vllm/x` is ("openai-api", "VLLM")."""
    provider, _, rest = model.partition("/")
    if provider == "openai-api":
        service = rest.split("/")[0]
        return provider, service.upper().replace("-", "_")
    return provider, provider.upper().replace("-", "_")


def endpoint(model: str) -> str:
    """Where requests for `model` go: its base-URL variable, or the provider's default."""
    provider, prefix = service_prefix(model)
    return os.environ.get(f"{prefix}_BASE_URL") or DEFAULT_ENDPOINTS.get(provider, f"{provider} (provider default)")


_CONNECTION_WORDS = ("connect", "timeout", "timed out", "network", "remoteprotocol", "readerror")
_MAX_MESSAGE = 300


@dataclass(frozen=True)
class ProviderFailure:
    """What the provider said when a call failed for good."""

    status: int | None
    """The HTTP status; None when no answer came (no connection, a timeout)."""
    kind: str
    """The provider's error type (`overloaded_error`, `invalid_request_error`) or the exception's class."""
    message: str
    attempts: int | None = None
    """inspect's attempts at the call when its retries ran out; None when it was not retried."""

    @property
    def endpoint_unreachable(self) -> bool:
        """No usable answer: a server error or no connection. Such failures, and only such, mean
        an endpoint may be down; a 4xx says the request (or key, or model name) was wrong."""
        return self.status is None or self.status >= 500

    def describe(self) -> str:
        status = f"HTTP {self.status} " if self.status is not None else "no answer: "
        retried = f" (gave up after {self.attempts} attempts)" if self.attempts and self.attempts > 1 else ""
        return f"{status}{self.kind}: {self.message}{retried}"


class ProviderError(RuntimeError):
    """A model call failed; its text is the one line that says where and why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        """What inspect logs as the sample's error (it reads `message`, else the repr)."""


def _chain(err: BaseException) -> Iterator[BaseException]:
    """`err` and what it wraps: causes, contexts and a retry wrapper's last attempt, each once."""
    seen: set[int] = set()
    pending: list[BaseException] = [err]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        last_attempt = getattr(current, "last_attempt", None)
        if last_attempt is not None and callable(getattr(last_attempt, "exception", None)):
            inner = last_attempt.exception()
            if isinstance(inner, BaseException):
                pending.append(inner)
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)


def _attempts(links: list[BaseException]) -> int | None:
    for link in links:
        number = getattr(getattr(link, "last_attempt", None), "attempt_number", None)
        if isinstance(number, int):
            return number
    return None


def _body_error(body: object) -> tuple[str | None, str | None]:
    """(type, message) from an error body: Anthropic's `{"type": "error", "error": {...}}`,
    OpenAI's `{"error": {...}}` or `{"message": ...}`, or a JSON string of either."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return None, body.strip() or None
    if not isinstance(body, dict):
        return None, None
    inner = body.get("error", body)
    if isinstance(inner, str):
        return None, inner
    if not isinstance(inner, dict):
        return None, None
    kind = inner.get("type") or inner.get("code")
    message = inner.get("message")
    return (str(kind) if kind else None), (str(message) if message else None)


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MAX_MESSAGE else line[: _MAX_MESSAGE - 1] + "…"


def _status_failure(link: BaseException, status: int, attempts: int | None) -> ProviderFailure:
    kind, message = _body_error(getattr(link, "body", None))
    if message is None:
        own = getattr(link, "message", None)
        message = own if isinstance(own, str) and not own.startswith("Error code:") else None
    return ProviderFailure(status=status, kind=kind or type(link).__name__,
                           message=_one_line(message or "") or f"the server answered {status}", attempts=attempts)


def _no_answer(link: BaseException) -> bool:
    name = type(link).__name__.lower()
    return any(word in name for word in _CONNECTION_WORDS) or isinstance(link, (ConnectionError, TimeoutError))


def read_provider_failure(err: BaseException) -> ProviderFailure | None:
    """The provider's status, error type and message behind `err`, or None when `err` is not a
    failed call to a provider (a bug, a limit, a cancellation)."""
    links = list(_chain(err))
    attempts = _attempts(links)
    for link in links:
        status = getattr(link, "status_code", None)
        if isinstance(status, int) and status >= 400 and type(link).__name__ != "ModelGenerateError":
            return _status_failure(link, status, attempts)
    for link in links:
        if _no_answer(link):
            root = links[-1]
            detail = str(root).strip() or type(root).__name__
            message = str(link).strip() or type(link).__name__
            if root is not link and detail not in message:
                message = f"{message} ({detail})"
            return ProviderFailure(None, type(link).__name__, _one_line(message), attempts)
    # inspect's wrapper alone: it keeps the status and the provider's text as attributes.
    for link in links:
        if type(link).__name__ == "ModelGenerateError":
            status = getattr(link, "status_code", None)
            text = getattr(link, "provider_message", None) or ""
            return ProviderFailure(status if isinstance(status, int) else None, "ModelGenerateError",
                                   _one_line(text or "the provider gave no message"), attempts)
    return None


NOT_SENT = "not sent"
"""Starts the error of a sample that was never sent because its endpoint was found down."""


@dataclass
class EndpointWatch:
    """Whether one endpoint has answered yet, shared by the samples (and gates) that call it.

    Until it has answered once, a call may spend only `down_after` seconds on retries; a call
    that fails without an answer (a 5xx or no connection) in that time marks the endpoint down,
    and the samples after it fail at once without a request. Once it has answered, calls get the
    run's own retry budget, so a transient fault later in a run is retried as before.
    """

    down_after: int | None = 60
    max_retries: int | None = None
    """The run's own retry limit, which probing never raises."""
    answered: bool = False
    down: str | None = None
    """The failure that found it down, in one line naming the model and endpoint."""

    def call_options(self) -> dict[str, int]:
        """Generate-config changes for the next call. inspect checks its timeout only after an
        attempt, and then may sleep twice as long as it has waited so far, so the retries are
        capped too: as many as inspect's backoff (3 s doubling, up to 3 s of jitter) fits in
        `down_after`."""
        if not self.down_after or self.answered:
            return {}
        retries, slept = 0, 0.0
        while slept + 3 * 2**retries + 3 <= self.down_after:
            slept += 3 * 2**retries + 3
            retries += 1
        if self.max_retries is not None:
            retries = min(retries, self.max_retries)
        return {"timeout": self.down_after, "max_retries": retries}

    def is_down(self) -> bool:
        return self.down is not None and not self.answered

    def not_sent(self) -> ProviderError:
        return ProviderError(f"{NOT_SENT}: the endpoint answered no request; {self.down}")

    def failed(self, err: BaseException, where: str) -> ProviderError | None:
        """The one-line error for a failed call (None when `err` is no provider failure), noting
        the endpoint down when nothing it ever sent was an answer."""
        failure = read_provider_failure(err)
        if failure is None:
            return None
        line = f"{where}: {failure.describe()}"
        if failure.endpoint_unreachable and not self.answered and self.down_after:
            self.down = line
        return ProviderError(line)


@dataclass
class EndpointWatches:
    """One watch per endpoint for the gates of a run (one process), so that the gates after the
    one that found an endpoint down are not run against it."""

    down_after: int | None = 60
    max_retries: int | None = None
    watches: dict[str, EndpointWatch] = field(default_factory=dict)

    def of(self, endpoint: str) -> EndpointWatch:
        if endpoint not in self.watches:
            self.watches[endpoint] = EndpointWatch(down_after=self.down_after, max_retries=self.max_retries)
        return self.watches[endpoint]


_WATCH: ContextVar[EndpointWatch | None] = ContextVar("af_bench_endpoint_watch", default=None)


@contextmanager
def watching(watch: EndpointWatch) -> Iterator[EndpointWatch]:
    """Run a gate's eval under `watch`: the solver of any task, a lab's own chain of solvers
    included, reads it here (inspect's samples run in copies of this context)."""
    token = _WATCH.set(watch)
    try:
        yield watch
    finally:
        _WATCH.reset(token)


def watch_in_use() -> EndpointWatch | None:
    return _WATCH.get()
