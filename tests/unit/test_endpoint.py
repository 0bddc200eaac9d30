"""A failed provider call read from its exception chain, and the watch that finds a dead endpoint.
The real SDKs' exceptions are checked end to end in tests/loopback; here they are stood in for by
objects with the same attributes, which is all the reader relies on."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, strategies as st
from inspect_ai.model._model import ModelGenerateError
from tenacity import Future, RetryError

from af_bench.endpoint import NOT_SENT, EndpointWatch, EndpointWatches, ProviderError, read_provider_failure

REQUEST_ECHO = '\nRequest:\n{\n  "messages": [{"role": "user", "content": "SECRET PROMPT TEXT"}]\n}\n\n'


class InternalServerError(Exception):
    def __init__(self, status_code: int, body: Any, message: str = "") -> None:
        super().__init__(message or f"Error code: {status_code} - {body!r}")
        self.status_code, self.body, self.message = status_code, body, message or f"Error code: {status_code} - {body!r}"


class APIConnectionError(Exception):
    pass


def _wrapped(provider_error: BaseException) -> ModelGenerateError:
    """How inspect raises a provider's error: the request echoed first, the SDK's error as cause."""
    try:
        raise ModelGenerateError(REQUEST_ECHO + repr(provider_error), status_code=getattr(provider_error, "status_code", None),
                                 provider_message=str(provider_error)) from provider_error
    except ModelGenerateError as err:
        return err


def _retry_error(last: BaseException, attempts: int) -> RetryError:
    future = Future(attempts)
    future.set_exception(last)
    return RetryError(future)


def test_anthropic_body_gives_status_type_and_message_never_the_request() -> None:
    body = {"type": "error", "error": {"type": "invalid_request_error", "message": "messages: prefill refused"}}
    failure = read_provider_failure(_wrapped(InternalServerError(400, body)))
    assert failure is not None
    assert failure.describe() == "HTTP 400 invalid_request_error: messages: prefill refused"
    assert not failure.endpoint_unreachable


def test_openai_body_and_a_spent_retry_say_how_many_attempts() -> None:
    body = {"error": {"message": "upstream exploded", "type": "server_error", "code": None}}
    failure = read_provider_failure(_retry_error(InternalServerError(503, body), attempts=4))
    assert failure is not None and failure.endpoint_unreachable
    assert failure.describe() == "HTTP 503 server_error: upstream exploded (gave up after 4 attempts)"


def test_a_body_without_a_message_falls_back_to_the_status() -> None:
    failure = read_provider_failure(InternalServerError(502, None, message="Error code: 502"))
    assert failure is not None and failure.describe() == "HTTP 502 InternalServerError: the server answered 502"


def test_no_connection_names_the_root_cause() -> None:
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except ConnectionRefusedError as cause:
            raise APIConnectionError("Connection error.") from cause
    except APIConnectionError as err:
        failure = read_provider_failure(_retry_error(err, attempts=3))
    assert failure is not None and failure.status is None and failure.endpoint_unreachable
    assert failure.describe() == "no answer: APIConnectionError: Connection error. ([Errno 111] Connection refused) (gave up after 3 attempts)"


def test_what_is_not_a_provider_failure_is_left_alone() -> None:
    assert read_provider_failure(ValueError("a bug")) is None
    assert read_provider_failure(KeyError("x")) is None


@given(message=st.text(min_size=1, max_size=2000), status=st.integers(400, 599), as_json=st.booleans())
def test_any_provider_message_becomes_one_bounded_line(message: str, status: int, as_json: bool) -> None:
    body: Any = {"type": "error", "error": {"type": "some_error", "message": message}}
    failure = read_provider_failure(_wrapped(InternalServerError(status, json.dumps(body) if as_json else body)))
    assert failure is not None and failure.status == status
    line = failure.describe()
    assert "\n" not in line and "SECRET PROMPT TEXT" not in line and len(line) < 400
    words = " ".join(message.split())
    assert (words[:200] in line) if words else "the server answered" in line
    assert failure.endpoint_unreachable == (status >= 500)


@given(down_after=st.integers(1, 3600), run_limit=st.none() | st.integers(0, 10))
def test_probe_retries_fit_inspects_backoff_within_the_budget(down_after: int, run_limit: int | None) -> None:
    options = EndpointWatch(down_after=down_after, max_retries=run_limit).call_options()
    fitting = EndpointWatch(down_after=down_after).call_options()["max_retries"]
    worst_sleep = sum(3 * 2**i + 3 for i in range(fitting))
    assert options["timeout"] == down_after
    assert worst_sleep <= down_after < worst_sleep + 3 * 2**fitting + 3
    assert options["max_retries"] == (fitting if run_limit is None else min(fitting, run_limit))


def test_an_endpoint_that_never_answered_is_down_after_a_server_error() -> None:
    watch = EndpointWatch(down_after=60)
    server_error = _retry_error(InternalServerError(500, {"error": {"message": "boom"}}), attempts=5)
    raised = watch.failed(server_error, "m at http://x")
    assert isinstance(raised, ProviderError) and raised.message == "m at http://x: HTTP 500 InternalServerError: boom (gave up after 5 attempts)"
    assert watch.is_down()
    assert watch.not_sent().message == f"{NOT_SENT}: the endpoint answered no request; {raised.message}"


def test_a_bad_request_or_an_answered_endpoint_is_never_down() -> None:
    bad_request = InternalServerError(400, {"error": {"message": "bad"}})
    watch = EndpointWatch(down_after=60)
    assert watch.failed(bad_request, "m at x") is not None and not watch.is_down()
    watch.answered = True
    assert watch.call_options() == {}
    watch.failed(InternalServerError(500, None), "m at x")
    assert not watch.is_down()


def test_without_a_probe_budget_nothing_is_taken_for_down() -> None:
    watch = EndpointWatch(down_after=None)
    assert watch.call_options() == {}
    watch.failed(InternalServerError(500, None), "m at x")
    assert not watch.is_down()


def test_gates_of_a_run_share_one_watch_per_endpoint() -> None:
    watches = EndpointWatches(down_after=30)
    first, again, other = watches.of("http://a"), watches.of("http://a"), watches.of("http://b")
    assert first is again and first is not other and first.down_after == 30
