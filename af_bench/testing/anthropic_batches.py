"""The Message Batches side of the loopback Anthropic server: a batch's life (in progress for a
set delay, then ended or canceled) and the JSON it shows at each step.

Items are answered when the batch ends, not when it is created, so a batch canceled in time
answers nothing and the organism's draws happen in the order a real batch would finish them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

EXPIRY_SECONDS = 24 * 3600
RESULT_TYPES = ("succeeded", "errored", "canceled", "expired")

ItemAnswerer = Callable[[str, str, dict[str, Any]], dict[str, Any]]
"""(batch id, custom id, params) -> the item's `result` object."""


class BatchRequestError(ValueError):
    """A create request the API would reject as a whole (400 invalid_request_error)."""


@dataclass(frozen=True)
class BatchItem:
    custom_id: str
    params: dict[str, Any]


@dataclass
class MessageBatch:
    id: str
    items: tuple[BatchItem, ...]
    created_at: float
    ends_at: float
    cancel_initiated_at: float | None = None
    results: dict[str, dict[str, Any]] | None = None
    """custom_id -> result object, once processing has ended."""

    def processing_status(self) -> str:
        """Shown as of the last settle: a batch ends when it is next looked at after `ends_at`."""
        if self.results is not None:
            return "ended"
        return "canceling" if self.cancel_initiated_at is not None else "in_progress"

    def request_counts(self) -> dict[str, int]:
        if self.results is None:
            return {"processing": len(self.items), **{kind: 0 for kind in RESULT_TYPES}}
        kinds = Counter(result["type"] for result in self.results.values())
        return {"processing": 0, **{kind: kinds[kind] for kind in RESULT_TYPES}}

    def to_json(self, base_url: str) -> dict[str, Any]:
        ended = self.results is not None
        return {
            "id": self.id,
            "type": "message_batch",
            "processing_status": self.processing_status(),
            "request_counts": self.request_counts(),
            "created_at": _rfc3339(self.created_at),
            "expires_at": _rfc3339(self.created_at + EXPIRY_SECONDS),
            "ended_at": _rfc3339(self.ends_at) if ended else None,
            "archived_at": None,
            "cancel_initiated_at": _rfc3339(self.cancel_initiated_at) if self.cancel_initiated_at else None,
            "results_url": f"{base_url}/v1/messages/batches/{self.id}/results" if ended else None,
        }

    def results_jsonl(self) -> bytes:
        assert self.results is not None, "results of a batch still in progress"
        lines = [json.dumps({"custom_id": cid, "result": result}) for cid, result in self.results.items()]
        return ("\n".join(lines) + "\n").encode()


@dataclass
class BatchBook:
    """One server's batches. Not thread-safe on its own: the server calls it under its lock."""

    delay: float
    batches: dict[str, MessageBatch] = field(default_factory=dict)

    def create(self, body: Any, now: float) -> MessageBatch:
        items = parse_batch_requests(body)
        batch_id = f"msgbatch_loopback_{len(self.batches) + 1:04d}"
        batch = MessageBatch(batch_id, items, created_at=now, ends_at=now + self.delay)
        self.batches[batch_id] = batch
        return batch

    def settle(self, batch_id: str, now: float, answer: ItemAnswerer) -> MessageBatch | None:
        """The batch, with its items answered if its time has come; None if there is no such batch."""
        batch = self.batches.get(batch_id)
        if batch is not None and batch.results is None and now >= batch.ends_at:
            if batch.cancel_initiated_at is not None:
                batch.results = {item.custom_id: {"type": "canceled"} for item in batch.items}
            else:
                batch.results = {item.custom_id: answer(batch.id, item.custom_id, item.params) for item in batch.items}
        return batch

    def cancel(self, batch_id: str, now: float) -> MessageBatch | None:
        batch = self.batches.get(batch_id)
        if batch is not None and batch.results is None and batch.cancel_initiated_at is None:
            # Nothing is answered before the end, so a cancel in time stops every item.
            batch.cancel_initiated_at = now
            batch.ends_at = now
        return batch


def parse_batch_requests(body: Any) -> tuple[BatchItem, ...]:
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not requests:
        raise BatchRequestError("requests: a non-empty list of {custom_id, params} is required")
    items: list[BatchItem] = []
    for position, request in enumerate(requests):
        custom_id = request.get("custom_id") if isinstance(request, dict) else None
        params = request.get("params") if isinstance(request, dict) else None
        if not isinstance(custom_id, str) or not custom_id or not isinstance(params, dict):
            raise BatchRequestError(f"requests.{position}: custom_id and params are required")
        items.append(BatchItem(custom_id, params))
    ids = Counter(item.custom_id for item in items)
    duplicated = sorted(cid for cid, count in ids.items() if count > 1)
    if duplicated:
        raise BatchRequestError(f"requests: custom_id must be unique within a batch; repeated: {', '.join(duplicated)}")
    return tuple(items)


def _rfc3339(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat().replace("+00:00", "Z")
