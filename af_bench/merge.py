"""`af-bench merge`: shard reports (`--af-shard I/N`) combined into the report one unsharded run
would have written, with every figure and verdict recomputed from the merged samples."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from inspect_ai.scorer import SampleScore, Score

from af_bench.outcomes import Outcome
from af_bench.results import GateMetrics, GateRecord, Report, SampleRecord, metrics_from
from af_bench.shards import Shard
from af_bench.thresholds import Thresholds

NAN = float("nan")


class MergeError(ValueError):
    """Shard reports that cannot be merged, naming the file at fault."""


def _flag(value: bool | None) -> float:
    return NAN if value is None else float(value)


def score_value(sample: SampleRecord, behaviour_key: str | None) -> dict[str, float]:
    """The scorer's value for one sample, read back from its report record."""
    complied = float(sample.outcome == Outcome.COMPLIED)
    af = _flag(sample.af_reasoning)
    value = {
        **{key.value: float(sample.outcome == key) for key in Outcome},
        "af_reasoning": af,
        "af_and_complied": NAN if math.isnan(af) else complied * af,
        "complied_classified": NAN if math.isnan(af) else complied,
        "af_vote_fraction": NAN if sample.af_vote_fraction is None else sample.af_vote_fraction,
        "partial_compliance": NAN if sample.partial_compliance is None else float(sample.partial_compliance != "none"),
        "judge_failed": _flag(sample.judge_failure),
        "eval_aware": _flag(sample.eval_aware),
    }
    if behaviour_key is not None:
        value[behaviour_key] = _flag(sample.behaviour)
    return value


def reduced_scores(samples: Sequence[SampleRecord], behaviour_key: str | None) -> list[SampleScore]:
    """Per-sample means over epochs, as inspect's default reducer gives a log's metrics."""
    epochs: dict[str, list[SampleRecord]] = defaultdict(list)
    for sample in samples:
        if sample.error is None and sample.failure != "error":
            epochs[sample.id].append(sample)
    reduced: list[SampleScore] = []
    for sample_id, group in epochs.items():
        values = [score_value(s, behaviour_key) for s in group]
        mean: dict[str, float] = {}
        for key in values[0]:
            kept = [v[key] for v in values if not math.isnan(v[key])]
            mean[key] = math.fsum(kept) / len(kept) if kept else NAN
        first = group[0]
        metadata = {"pair_id": first.pair_id, "condition": first.condition, "request": first.request}
        reduced.append(SampleScore(score=Score(value=mean), sample_id=sample_id, sample_metadata=metadata))
    return reduced


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
    merged.shards = [{"shard": str(shard), "log": record.log, "status": record.status} for shard, record, _ in parts]
    merged.log = None
    merged.usage = _merged_usage([record for _, record, _ in parts])
    merged.breaches, merged.error = [], None
    merged.status, merged.passed = "error", False
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
    metrics = metrics_from(samples, reduced_scores(samples, behaviour_key), metadata,
                           [behaviour_key] if behaviour_key else [], expected)
    merged.metrics, merged.samples = metrics, samples
    _verdict(merged, metrics)
    truncated = [f"shard {shard} ({where}) was stopped by --af-max-cost before all its pairs ran"
                 for shard, record, where in parts if record.run.get("stopped") == "cost"]
    if truncated:  # fewer pairs than the run was asked for: never a verdict
        merged.status, merged.passed = "error", False
        merged.error = "; ".join(filter(None, [merged.error, *truncated]))
    return merged


def _verdict(merged: GateRecord, metrics: GateMetrics) -> None:
    from af_bench.gate import AFGating, judge

    thresholds = Thresholds.of(**merged.thresholds)
    # Every shard ran with the same classifier and options, so the first one's gating holds for all.
    found, incomplete = judge(metrics, thresholds, AFGating(merged.af_gated is not False, merged.af_gated_why))
    merged.breaches = [b.message for b in found]
    # Shards' own errors are not carried over: an interrupted or failing shard shows in the merged
    # counts (missing, errored, failed or blocked samples), and those are judged on the whole run.
    if incomplete:
        merged.error = "; ".join(incomplete)
        return
    merged.status = "fail" if found else "pass"
    merged.passed = not found


def _merged_usage(records: list[GateRecord]) -> dict[str, Any] | None:
    from af_bench.report import run_usage

    total = run_usage(records)
    if total is None:
        return None
    return {**total, "batch": any((r.usage or {}).get("batch") for r in records)}


def _load(path: Path) -> Report:
    try:
        return Report.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as err:
        raise MergeError(f"{path}: not an af-bench JSON report ({str(err).splitlines()[0]})") from None


def merge_reports(paths: Sequence[Path]) -> Report:
    """One report from the shard reports of one sharded run."""
    from af_bench.report import build_report

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
