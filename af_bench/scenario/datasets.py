"""Query sets: load requests from JSONL or CSV with errors that name the file and row, and expand
them into paired samples (one per request and condition)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from inspect_ai.dataset import MemoryDataset, Sample

from af_bench.errors import UserInputError
from af_bench.scenario.conditions import Condition

DATA_PACKAGE = "af_bench.scenario_data"
"""Where the shipped query sets and prompts live: `datasets/` in the checkout, in the wheel too."""


def shipped_data() -> Path:
    """The directory of the shipped data, wherever af-bench is installed."""
    return Path(str(files(DATA_PACKAGE)))


SHIPPED_DATASETS: dict[str, str] = {
    "harmful": "harmful_requests.jsonl",
    "benign": "benign_requests.jsonl",
    "animal_welfare": "animal_welfare_questions.jsonl",
    "exfiltration_offers": "exfiltration_offers.jsonl",
}


class DatasetError(UserInputError):
    """A query file that cannot be used, with the file (and row) at fault in the message."""


@dataclass(frozen=True)
class Request:
    id: str
    request: str
    category: str | None = None


def resolve_dataset_path(name_or_path: str | Path) -> Path:
    """A shipped set by name (`harmful`, `benign`) or a user's file by path (relative to the
    working directory)."""
    key = str(name_or_path)
    if key in SHIPPED_DATASETS:
        return shipped_data() / SHIPPED_DATASETS[key]
    return Path(name_or_path)


def load_requests(
    path: str | Path,
    *,
    request_column: str = "request",
    id_column: str | None = "id",
    category_column: str | None = "category",
) -> list[Request]:
    """Read requests from a `.jsonl`/`.json` or `.csv` file.

    `id_column=None` (or a CSV without that column) numbers requests by row (`row-1`, …), which is
    what AdvBench's `harmful_behaviors.csv` (column `goal`) needs. Raises `DatasetError` for a
    missing file, an unknown column, an empty request, a duplicate id or an empty set.
    """
    file = resolve_dataset_path(path)
    if not file.is_file():
        shipped = ", ".join(SHIPPED_DATASETS)
        raise DatasetError(f"{file}: dataset file not found (looked for {file.resolve()}; shipped sets by name: {shipped})")
    suffix = file.suffix.lower()
    if suffix in (".jsonl", ".json"):
        rows = list(read_jsonl_rows(file))
    elif suffix == ".csv":
        rows = list(_csv_rows(file))
    else:
        raise DatasetError(f"{file}: unsupported dataset format {suffix!r} (use .jsonl or .csv)")
    if not rows:
        raise DatasetError(f"{file}: the dataset has no requests")

    first_line, first_row = rows[0]
    if request_column not in first_row:
        raise DatasetError(
            f"{file}:{first_line}: no column {request_column!r} "
            f"(columns: {', '.join(sorted(k for k in first_row if isinstance(k, str)))})"
        )
    use_ids = id_column is not None and id_column in first_row
    if suffix != ".csv" and id_column is not None and not use_ids:
        raise DatasetError(f"{file}:{first_line}: no id field {id_column!r}")

    requests: list[Request] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        text = row.get(request_column)
        if not isinstance(text, str) or not text.strip():
            raise DatasetError(f"{file}:{line}: empty or missing {request_column!r}")
        raw_id = row.get(id_column) if use_ids and id_column else f"row-{len(requests) + 1}"
        if raw_id is None or str(raw_id).strip() == "":
            raise DatasetError(f"{file}:{line}: empty or missing id {id_column!r}")
        request_id = str(raw_id).strip()
        if request_id in seen:
            raise DatasetError(
                f"{file}:{line}: duplicate id {request_id!r} (first seen on line {seen[request_id]})"
            )
        seen[request_id] = line
        category = row.get(category_column) if category_column else None
        requests.append(
            Request(id=request_id, request=text.strip(), category=str(category) if category else None)
        )
    return requests


def read_jsonl_rows(file: Path) -> list[tuple[int, dict[str, object]]]:
    """(line number, object) for every non-blank line; errors name the file and line."""
    rows: list[tuple[int, dict[str, object]]] = []
    with file.open(encoding="utf-8-sig") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise DatasetError(f"{file}:{line_no}: invalid JSON ({err.msg})") from None
            if not isinstance(row, dict):
                raise DatasetError(f"{file}:{line_no}: expected a JSON object per line")
            rows.append((line_no, row))
    return rows


def _csv_rows(file: Path) -> list[tuple[int, dict[str, object]]]:
    with file.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None:
            return []
        # The header is line 1, so data rows start at line 2.
        return [(index + 2, dict(row)) for index, row in enumerate(reader)]


def paired_dataset(
    requests: Sequence[Request],
    conditions: Sequence[Condition],
    render: Callable[[Request, Condition], str],
    *,
    name: str,
) -> MemoryDataset:
    """One sample per (request, condition), the conditions of a request kept adjacent so that
    inspect's `--limit` takes whole pairs."""
    samples = [
        Sample(
            id=f"{req.id}:{cond.name}",
            input=render(req, cond),
            metadata={
                "pair_id": req.id,
                "request_id": req.id,
                "request": req.request,
                "category": req.category,
                "condition": cond.name,
                **cond.metadata,
            },
        )
        for req in requests
        for cond in conditions
    ]
    return MemoryDataset(samples, name=name)
