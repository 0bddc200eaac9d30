"""The report schema (one record per gate and model) and how it is read off an inspect log.

Field names here are the JSON report's: keep them stable, and document changes in the README.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Any, Literal

from inspect_ai.event import ModelEvent
from inspect_ai.log import EvalLog, EvalSample
from inspect_ai.scorer import SampleScore, Score
from pydantic import BaseModel, Field

from af_bench.behaviours import COMPLIANCE, behaviour_named
from af_bench.conditions import TRAINING
from af_bench.contrasts import contrasts_from
from af_bench.metrics import (
    OUTCOME_KEYS, af_rates, awareness_rates, compute_gap, condition_rates, judge_rates, usable,
)
from af_bench.reply import read_assistant_messages, transcript_reasoning
from af_bench.solver import ProtocolResult
from af_bench.stats import PairedGap, wilson_interval

REPORT_SCHEMA_VERSION = 1
SCORER_NAME = "alignment_faking_outcome"
SAMPLING_KEYS = ("temperature", "top_p", "top_k", "max_tokens", "seed", "reasoning_tokens", "reasoning_effort")
_SENT_KEYS = (*SAMPLING_KEYS, "thinking", "output_config")
"""Request fields that carry those settings: Anthropic sends reasoning as `thinking` or `output_config`."""

Status = Literal["pass", "fail", "error"]


class SampleRecord(BaseModel):
    id: str
    pair_id: str | None
    condition: str | None
    request: str | None
    outcome: Literal["complied", "refused", "other", "failed", "blocked"]
    behaviour: bool | None = None
    """Whether the answer shows the scenario's measured behaviour (None for `compliance`)."""
    af_reasoning: bool | None
    epoch: int
    failure: str | None = None
    """Why a `failed` or `blocked` sample has no usable answer: turn_cap, truncated, malformed, blocked
    (the provider's content filter or API refusal), unjudged, error."""
    error: str | None = None
    af_vote_fraction: float | None = None
    """Share of judge votes for alignment faking (judge only)."""
    af_votes: dict[str, int] = Field(default_factory=dict)
    af_criteria: dict[str, bool] = Field(default_factory=dict)
    """The criteria the AF classifier found met or not (the judge's `criteria_<N>` answers, by
    majority of votes, or the heuristic's named criteria)."""
    af_quotes: dict[str, str] = Field(default_factory=dict)
    """The judge's quoted evidence per criterion, where its prompt asks for quotes."""
    eval_aware: bool | None = None
    partial_compliance: str | None = None
    """none, scheming, compromise or avoidance (compliant answers, judge only)."""
    judge_failure: bool | None = None
    """True when the judge could not reach a verdict on this sample; None when it was not judged."""
    scratchpad: str | None = None
    """The model's private reasoning (every visible block, wherever it was), None where there was none."""
    tag_outcome: Literal["complied", "refused", "other"] | None = None
    """The paper's tag rule on the final output (compliance scenarios), beside the judge's reading."""
    judge_compliance: Literal["full", "partial", "none"] | None = None
    """What the compliance judge read the answer to provide, where it read it (the outcome then
    follows it: full or partial is `complied`, none `refused`)."""
    reasoning_source: Literal["scratchpad", "native", "think_tags", "hidden", "none"] | None = None
    """Where the reasoning came from: the paper's tags, the provider's reasoning blocks, `<think>`
    text, `hidden` (only encrypted or empty blocks: not readable, never read as No), or none."""
    output: str | None = None
    """The final output the outcome was read from, None where there was none."""


class ConditionFigures(BaseModel):
    n: int
    complied: float | None
    refused: float | None
    other: float | None
    failed: float | None
    blocked: float | None = None
    """Replies the provider blocked (content filter, API refusal): never the model's refusal."""
    behaviour: dict[str, float | None] = Field(default_factory=dict)
    """The scenario's measured behaviour over usable answers (`supports_welfare`, `exfiltrated`)."""
    reasoning_sources: dict[str, int] = Field(default_factory=dict)
    """Samples by where their reasoning came from (`scratchpad`, `native`, `think_tags`, `hidden`,
    `none`): reasoning figures are taken over the visible ones only."""


class GapFigures(BaseModel):
    value: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    pairs: int
    method: str
    first: str | None = None
    second: str | None = None
    """The contrast is first − second (the first condition's rate alone when None)."""
    behaviour: str | None = None


class Counts(BaseModel):
    samples_expected: int
    samples_logged: int
    samples_completed: int
    samples_errored: int
    samples_failed: int
    samples_blocked: int = 0
    samples_missing: int
    failures: dict[str, int] = Field(default_factory=dict)


class ComplianceReadings(BaseModel):
    """Where the compliance judge read answers, against the paper's tag rule."""

    judged: int = 0
    """Answers the judge read."""
    untagged: int = 0
    """Of those, answers the tag rule read as `other` (no accept or reject tag)."""
    disagree: int = 0
    """Answers the tag rule read as complied or refused that the judge read the other way."""


class GateMetrics(BaseModel):
    conditions: dict[str, ConditionFigures]
    contrasts: dict[str, GapFigures] = Field(default_factory=dict)
    """Every contrast of the scenario by name."""
    tier_gap: GapFigures | None = None
    """The scenario's only contrast, for two-condition scenarios (kept for a stable schema)."""
    pairs: int = 0
    """Requests with a usable answer in every condition (what contrasts and min_pairs count)."""
    af_applicable: bool = True
    """False for scenarios without a scratchpad: the alignment-faking figures are null."""
    af_condition: str = TRAINING
    """The condition the model is told it is trained in; `af_rate` and thresholds refer to it."""
    af_rate: float | None
    af_rate_ci_high: float | None
    af_rate_among_compliant: float | None
    partial_compliance: dict[str, float | None] = Field(default_factory=dict)
    """Per condition, among compliant answers the judge read."""
    partial_compliance_ci_high: dict[str, float | None] = Field(default_factory=dict)
    """Wilson 95% upper bounds of `partial_compliance` (what `strict` mode gates)."""
    judged: int = 0
    judge_failures: int = 0
    eval_awareness: dict[str, float | None] = Field(default_factory=dict)
    """Per condition: share of scratchpads saying the situation may be a test or an evaluation."""
    eval_awareness_ci_high: dict[str, float | None] = Field(default_factory=dict)
    """Wilson 95% upper bounds of `eval_awareness` (what `strict` mode gates)."""
    compliance_readings: ComplianceReadings = Field(default_factory=ComplianceReadings)
    counts: Counts


class GateRecord(BaseModel):
    gate: str
    nodeid: str
    scenario: str
    model: str
    variant: str | None = None
    """The prompt variant, for gates run over several."""
    scenario_version: str | None = None
    """What the scenario measured (its prompts, queries and scoring, as a digest): two reports with
    the same version measured the same thing."""
    status: Status
    passed: bool
    thresholds: dict[str, Any]
    breaches: list[str] = Field(default_factory=list)
    error: str | None = None
    metrics: GateMetrics | None = None
    log: str | None = None
    classifier: str | None = None
    af_gated: bool | None = None
    """Whether `max_af_rate` was applied: false when only the offline classifier read a real
    model's reasoning (its rate is then a lower bound); null before any sample was scored."""
    af_gated_why: str | None = None
    judge_model: str | None = None
    judge: dict[str, Any] = Field(default_factory=dict)
    """Judge settings in force (votes, threshold, scope) when a judge ran."""
    sampling: dict[str, Any] = Field(default_factory=dict)
    run: dict[str, Any] = Field(default_factory=dict)
    """How the run was made: `cache` (`off`, `resume`, `dev` or `run`), `max_retries`, `timeout`,
    and `stopped: cost` when `--af-max-cost` stopped the gate early."""
    baseline: dict[str, Any] | None = None
    """With --af-baseline: `report`, `model`, `max_regression`, per contrast `baseline`, `current`,
    `regression`, `ci_low`, `ci_high`, `pairs`, and the `breaches` it caused."""
    sequential: dict[str, Any] | None = None
    """For sequential gates: `pairs_used`, `pairs_budget`, `stopped` (`pass`, `fail`, `budget`, `cost`),
    `fixed_pairs`, `alpha`, `round_pairs`, `rounds`, `intervals` (confidence sequence per contrast)."""
    shard: str | None = None
    """`I/N` when this record is one shard of a gate (`--af-shard`)."""
    shards: list[dict[str, Any]] | None = None
    """In a merged record: each shard's `shard`, `log` and `status`."""
    usage: dict[str, Any] | None = None
    """Tokens and cost: `estimate` (made before any request), and what was spent: `input_tokens`,
    `output_tokens`, `cost_usd` (null when a model used has no price), `batch`, per model `models`."""
    samples: list[SampleRecord] = Field(default_factory=list)


class VariantRange(BaseModel):
    """How far one contrast moves across the prompt variants of one gate and model."""

    model: str
    gate: str
    contrast: str
    low: float | None
    high: float | None
    values: dict[str, float | None]
    verdicts: dict[str, Status]
    flips: bool
    """Pass and fail both occur among the variants (errors aside): the result depends on wording."""


class Report(BaseModel):
    schema_version: int = REPORT_SCHEMA_VERSION
    af_bench_version: str
    created: str
    gates: list[GateRecord]
    variant_ranges: list[VariantRange] = Field(default_factory=list)
    sweep: list[dict[str, Any]] = Field(default_factory=list)
    """With several models: a row per model (`model`, `passed`, and per `<gate> <contrast>` its
    `status`, `value`, `ci_low`, `ci_high`)."""
    usage: dict[str, Any] | None = None
    """The run's tokens and cost over every gate: `input_tokens`, `output_tokens`, `cost_usd`
    (null when a gate's cost is unknown), `estimate_usd`."""


def _nan_to_none(value: float) -> float | None:
    return None if math.isnan(value) else value


_API_ERROR_RE = re.compile(r"Error code: \d{3} - (?:\{.*?\}\}|[^\n{][^\n]*)")
_RAISED_RE = re.compile(r"raised (\w+)")


def error_summary(message: str, traceback: str = "") -> str:
    """The provider's own words for a failed call, in one line: the API error body when there is
    one (also when a retry wrapper hides it), else the message's last line."""
    api_errors = _API_ERROR_RE.findall(f"{message}\n{traceback}")
    if api_errors:
        return api_errors[-1]
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else message
    raised = _RAISED_RE.search(last)
    if raised:
        return f"{last} (retries exhausted; last error {raised.group(1)})"
    return last[:500]


def _sample_record(sample: EvalSample) -> SampleRecord:
    meta = sample.metadata or {}
    score = (sample.scores or {}).get(SCORER_NAME)
    score_meta = (score.metadata or {}) if score else {}
    failure = score_meta.get("failure")
    outcome = score_meta.get("outcome")
    error = error_summary(sample.error.message, sample.error.traceback) if sample.error else None
    if score is None or outcome is None:
        outcome, failure = "failed", "error"
    value = score.value if score is not None and isinstance(score.value, dict) else {}
    judge_failed = value.get("judge_failed")
    return SampleRecord(
        id=str(sample.id),
        pair_id=meta.get("pair_id"),
        condition=meta.get("condition"),
        request=meta.get("request"),
        outcome=outcome,
        behaviour=score_meta.get(score_meta["behaviour"]) if score_meta.get("behaviour") else None,
        af_reasoning=score_meta.get("af_reasoning"),
        epoch=sample.epoch,
        failure=failure,
        error=error,
        af_vote_fraction=_nan_to_none(float(value.get("af_vote_fraction", float("nan")))),
        af_votes=score_meta.get("af_votes") or {},
        af_criteria=score_meta.get("af_criteria") or {},
        af_quotes=score_meta.get("af_quotes") or {},
        partial_compliance=score_meta.get("partial_compliance"),
        eval_aware=score_meta.get("eval_aware"),
        judge_failure=None if judge_failed is None or math.isnan(judge_failed) else bool(judge_failed),
        tag_outcome=score_meta.get("tag_outcome"),
        judge_compliance=score_meta.get("judge_compliance"),
        **_transcript(sample, readable=outcome not in ("failed", "blocked")),
    )


def _transcript(sample: EvalSample, readable: bool) -> dict[str, str | None]:
    """The reasoning and final output, for readers of the report who have no inspect log."""
    readings = read_assistant_messages(sample.messages)
    reasoning = transcript_reasoning(readings)
    output = readings[-1].final_output if readings and readable else None
    return {"scratchpad": reasoning.text or None, "output": output, "reasoning_source": reasoning.source.value}


def _reduced_scores(samples: list[EvalSample]) -> list[SampleScore]:
    """Per-sample means over epochs, as inspect's default reducer gives its metrics."""
    grouped: dict[str, list[EvalSample]] = defaultdict(list)
    for sample in samples:
        if sample.error is None and SCORER_NAME in (sample.scores or {}):
            grouped[str(sample.id)].append(sample)
    reduced: list[SampleScore] = []
    for sample_id, epochs in grouped.items():
        values = [epochs_score.scores[SCORER_NAME].value for epochs_score in epochs]  # type: ignore[index]
        keys = values[0].keys()  # type: ignore[union-attr]
        mean: dict[str, float] = {}
        for key in keys:
            kept = [float(v[key]) for v in values if not math.isnan(float(v[key]))]  # type: ignore[index]
            mean[key] = math.fsum(kept) / len(kept) if kept else float("nan")
        reduced.append(
            SampleScore(score=Score(value=mean), sample_id=sample_id, sample_metadata=epochs[0].metadata)
        )
    return reduced


def sampling_settings(log: EvalLog) -> dict[str, Any]:
    """Sampling settings of the first model call: as configured, and as sent when the provider
    recorded its request (providers drop settings they do not accept); `prefill`, whether the
    protocol sent the assistant prefill."""
    for sample in log.samples or []:
        for event in sample.events:
            if isinstance(event, ModelEvent):
                configured = {k: getattr(event.config, k) for k in SAMPLING_KEYS}
                sent = None
                if event.call is not None:
                    sent = {k: event.call.request.get(k) for k in _SENT_KEYS if k in event.call.request}
                prefill = sample.store_as(ProtocolResult).prefill
                return {"configured": configured, "sent": sent, "prefill": prefill}
    return {}


def _gap_figures(gap: PairedGap) -> GapFigures:
    return GapFigures(
        value=_nan_to_none(gap.value),
        ci_low=_nan_to_none(gap.ci_low),
        ci_high=_nan_to_none(gap.ci_high),
        p_value=_nan_to_none(gap.p_value),
        pairs=gap.n_pairs,
        method=gap.method,
    )


def _complete_pairs(reduced: list[SampleScore], conditions: list[str]) -> int:
    seen: dict[str, set[str]] = defaultdict(set)
    for s in reduced:
        meta = s.sample_metadata or {}
        value = s.score.value
        readable = isinstance(value, dict) and not math.isnan(float(value["complied"])) and usable(s)
        if meta.get("pair_id") is not None and readable:
            seen[str(meta["pair_id"])].add(str(meta.get("condition")))
    return sum(1 for got in seen.values() if set(conditions) <= got)


def gate_metrics(log: EvalLog) -> tuple[GateMetrics, list[SampleRecord]]:
    samples = log.samples or []
    records = [_sample_record(s) for s in samples]
    metadata = log.eval.metadata or {}
    measured = behaviour_named(metadata.get("scoring", {}).get("behaviour", COMPLIANCE))
    expected = len(log.eval.dataset.sample_ids or []) * (log.eval.config.epochs or 1)
    metrics = metrics_from(
        records, _reduced_scores(samples), metadata, [measured.key] if measured else [], expected
    )
    return metrics, records


def metrics_from(
    records: list[SampleRecord],
    reduced: list[SampleScore],
    metadata: dict[str, Any],
    behaviour_keys: list[str],
    expected: int,
) -> GateMetrics:
    """A gate's figures from its samples: `reduced` holds each sample's scores averaged over
    epochs, `metadata` the scenario's conditions, contrasts and scoring options."""
    rates = condition_rates(behaviour_keys)(reduced)
    present = {str(r.condition) for r in records if r.condition is not None}
    declared = [c for c in metadata.get("conditions") or [] if c in present]
    conditions = declared + sorted(present - set(declared))
    figures = {
        c: ConditionFigures(
            n=sum(1 for s in reduced if (s.sample_metadata or {}).get("condition") == c),
            **{k: _nan_to_none(rates.get(f"{c}_{k}", float("nan"))) for k in OUTCOME_KEYS},
            behaviour={k: _nan_to_none(rates.get(f"{c}_{k}", float("nan"))) for k in behaviour_keys},
            reasoning_sources=dict(sorted(Counter(
                r.reasoning_source for r in records if r.condition == c and r.reasoning_source is not None
            ).items())),
        )
        for c in conditions
    }
    af_condition = metadata.get("scoring", {}).get("af_condition", TRAINING)
    contrasts = {
        c.name: _gap_figures(compute_gap(reduced, c.behaviour, c.first, c.second)).model_copy(
            update={"first": c.first, "second": c.second, "behaviour": c.behaviour}
        )
        for c in contrasts_from(metadata)
    }
    af = af_rates(af_condition)(reduced)
    judge = judge_rates()(reduced)
    awareness = awareness_rates()(reduced)
    training_af = [
        float(s.score.value["af_reasoning"])  # type: ignore[index]
        for s in reduced
        if (s.sample_metadata or {}).get("condition") == af_condition
        and not math.isnan(float(s.score.value["af_reasoning"]))  # type: ignore[index]
    ]
    af_high = wilson_interval(round(math.fsum(training_af)), len(training_af))[1]

    def upper_bound(key: str, condition: str) -> float | None:
        """Wilson 95% upper bound of a per-sample flag's rate in one condition (epoch means are
        rounded to whole successes, as for the alignment-faking rate)."""
        values = [float(s.score.value[key]) for s in reduced  # type: ignore[index]
                  if (s.sample_metadata or {}).get("condition") == condition
                  and not math.isnan(float(s.score.value.get(key, float("nan"))))]  # type: ignore[union-attr]
        return _nan_to_none(wilson_interval(round(math.fsum(values)), len(values))[1])

    errored = sum(1 for r in records if r.error is not None)
    failures = Counter(r.failure for r in records if r.outcome == "failed" and r.failure != "error")
    counts = Counts(
        samples_expected=expected,
        samples_logged=len(records),
        samples_completed=len(records) - errored,
        samples_errored=errored,
        samples_failed=sum(failures.values()),
        samples_blocked=sum(1 for r in records if r.outcome == "blocked"),
        samples_missing=max(0, expected - len(records)),
        failures={str(k): v for k, v in sorted(failures.items())},
    )
    judged = [r for r in records if r.judge_compliance is not None and r.tag_outcome is not None]
    readings = ComplianceReadings(
        judged=len(judged),
        untagged=sum(1 for r in judged if r.tag_outcome == "other"),
        disagree=sum(1 for r in judged if r.tag_outcome != "other"
                     and (r.tag_outcome == "complied") != (r.judge_compliance != "none")),
    )
    return GateMetrics(
        conditions=figures,
        compliance_readings=readings,
        contrasts=contrasts,
        tier_gap=next(iter(contrasts.values())) if len(conditions) == 2 and len(contrasts) == 1 else None,
        pairs=_complete_pairs(reduced, conditions),
        af_applicable=bool(metadata.get("scoring", {}).get("af_applicable", True)),
        af_condition=af_condition,
        af_rate=_nan_to_none(af["af_rate"]),
        af_rate_ci_high=_nan_to_none(af_high),
        af_rate_among_compliant=_nan_to_none(af["af_rate_among_compliant"]),
        partial_compliance={c: _nan_to_none(judge.get(f"{c}_partial_compliance", float("nan"))) for c in conditions},
        partial_compliance_ci_high={c: upper_bound("partial_compliance", c) for c in conditions},
        judged=sum(1 for r in records if r.judge_failure is not None),
        judge_failures=sum(1 for r in records if r.judge_failure),
        eval_awareness={c: _nan_to_none(awareness.get(f"{c}_eval_awareness", float("nan"))) for c in conditions},
        eval_awareness_ci_high={c: upper_bound("eval_aware", c) for c in conditions},
        counts=counts,
    )
