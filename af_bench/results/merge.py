"""`af-bench merge`: shard reports (`--af-shard I/N`) combined into the report one unsharded run
would have written, with every figure and verdict recomputed from the merged samples."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from af_bench.results.terminal import build_report, run_usage
from af_bench.results.schema import (
    GateMetrics, GateRecord, GateUsage, Report, ShardInfo, metrics_from, read_report, records_table,
)
from af_bench.results.shard import Shard
from af_bench.results.verdict import AFGating, verdict_of


class MergeError(ValueError):
    """Shard reports that cannot be merged, naming the file at fault."""


def _scenario_metadata(metrics: GateMetrics) -> tuple[dict[str, Any], str | None]:
    behaviour_key = next((k for c in metrics.conditions.values() for k in c.behaviour), None)
    contrasts = [
        {"name": name, "first": gap.first, "second": gap.second, "behaviour": gap.behaviour or "complied"}
        for name, gap in metrics.contrasts.items()
    ]
    metadata = {
        "conditions": list(metrics.conditions),
        "contrasts": contrasts,
        "scoring": {"af_condition": metrics.af_condition, "af_applicable": metrics.af_applicable},
    }
    return metadata, behaviour_key


def _merge_gate(parts: list[tuple[Shard, GateRecord, str]]) -> GateRecord:
    parts.sort(key=lambda part: part[0].index)
    first = parts[0][1]
    merged = first.model_copy(deep=True)
    merged.shard = None
    # A shard's baseline comparison covers its own requests only; compare the merged report again.
    merged.baseline = None
    merged.shards = [ShardInfo(shard=str(shard), log=record.log, status=record.status) for shard, record, _ in parts]
    merged.log = None
    merged.usage = _merged_usage([record for _, record, _ in parts])
    merged.breaches, merged.error, merged.status = [], None, "error"
    errors = [f"shard {shard} ({where}): {record.error}" for shard, record, where in parts
              if record.status == "error" and record.metrics is None]
    template = next((record.metrics for _, record, _ in parts if record.metrics is not None), None)
    if errors or template is None:
        merged.metrics, merged.samples = None, []
        merged.error = "; ".join(errors) or "no shard measured anything"
        return merged
    samples = sorted((s for _, record, _ in parts for s in record.samples), key=lambda s: (s.id, s.epoch))
    metadata, behaviour_key = _scenario_metadata(template)
    expected = sum(r.metrics.counts.samples_expected for _, r, _ in parts if r.metrics is not None)
    metrics = metrics_from(samples, records_table(samples, behaviour_key), metadata,
                           [behaviour_key] if behaviour_key else [], expected)
    merged.metrics, merged.samples = metrics, samples
    _verdict(merged, metrics)
    truncated = [f"shard {shard} ({where}) was stopped by --af-max-cost before all its pairs ran"
                 for shard, record, where in parts if record.run.stopped == "cost"]
    if truncated:  # fewer pairs than the run was asked for: never a verdict
        merged.set_error("; ".join(filter(None, [merged.error, *truncated])))
    return merged


def _verdict(merged: GateRecord, metrics: GateMetrics) -> None:
    # Every shard ran with the same classifier and options, so the first one's gating holds for all.
    found, incomplete = verdict_of(metrics, merged.thresholds, AFGating(merged.af_gated is not False, merged.af_gated_why))
    # Shards' own errors are not carried over: an interrupted or failing shard shows in the merged
    # counts (missing, errored, failed or blocked samples), and those are judged on the whole run.
    merged.settle([b.message for b in found], incomplete)


def _merged_usage(records: list[GateRecord]) -> GateUsage | None:
    total = run_usage(records)
    if total is None:
        return None
    return GateUsage(**total.model_dump(), batch=any(r.usage is not None and r.usage.batch for r in records))


def _load(path: Path) -> Report:
    try:
        return read_report(path)
    except ValueError as err:
        raise MergeError(str(err)) from None


def merge_reports(paths: Sequence[Path]) -> Report:
    """One report from the shard reports of one sharded run."""
    groups: dict[tuple[str, str, str | None], list[tuple[Shard, GateRecord, str]]] = defaultdict(list)
    counts: set[int] = set()
    for path in paths:
        for record in _load(path).gates:
            if record.shard is None:
                raise MergeError(f"{path}: gate {record.nodeid} was not run with --af-shard")
            shard = Shard.parse(record.shard)
            counts.add(shard.count)
            groups[(record.nodeid, record.model, record.variant)].append((shard, record, str(path)))
    if len(counts) > 1:
        raise MergeError(f"the reports come from runs split into different numbers of shards: {sorted(counts)}")
    merged: list[GateRecord] = []
    for (nodeid, model, _), parts in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0])):
        seen = sorted(shard.index for shard, _, _ in parts)
        wanted = list(range(1, next(iter(counts)) + 1))
        if seen != wanted:
            missing = sorted(set(wanted) - set(seen))
            doubled = sorted({i for i in seen if seen.count(i) > 1})
            raise MergeError(
                f"{nodeid} on {model}: shards {', '.join(map(str, missing)) or 'none'} missing"
                + (f", shards {', '.join(map(str, doubled))} given twice" if doubled else "")
            )
        versions = sorted({str(record.scenario_version) for _, record, _ in parts if record.scenario_version})
        if len(versions) > 1:
            raise MergeError(f"{nodeid} on {model}: the shards measured different scenario versions "
                             f"({', '.join(versions)}): their prompts, queries or scoring differ")
        merged.append(_merge_gate(parts))
    return build_report(merged)
