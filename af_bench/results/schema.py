"""The JSON report's schema (one record per gate and model) and the gate figures computed from
sample records. Loads without inspect or pytest, so `af-bench merge` and `af-bench report` (and
anyone reading a report) need neither; reading an inspect log into these records is
af_bench.results.from_log.

Field names here are the JSON report's: keep them stable, and document changes in the README.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel, Field, PlainSerializer, PlainValidator, SerializerFunctionWrapHandler, WithJsonSchema, computed_field,
    model_serializer,
)

from af_bench.scenario.conditions import TRAINING
from af_bench.scenario.contrasts import contrasts_from
from af_bench.scenario.outcomes import Outcome
from af_bench.scenario.wordings import PUBLISHED
from af_bench.results.thresholds import Thresholds
from af_bench.scoring.pairs import (
    PairTable, ScoredSample, af_rates, complete_pairs, condition_rates, contrast_gap, pair_table, pooled_contrast,
    upper_bound,
)
from af_bench.scoring.classifiers.base import failed_votes
from af_bench.scoring.value import ScoreValue
from af_bench.stats.classifier import agreement
from af_bench.stats.clustered import PooledGap, bootstrap_method, widened
from af_bench.stats.paired import PairedGap

REPORT_SCHEMA_VERSION = 1

Status = Literal["pass", "fail", "error"]


_WRITTEN_WHEN_USED = frozenset({"wording", "paraphrases", "af_panel", "judge_panel", "warnings", "af_vote_failures"})
"""Fields added since schema 1 that a gate without paraphrases, a judge panel or warnings leaves
out of the JSON (rather than writing them null), so its report is the JSON it was before them."""


class _NewFieldsWhenUsed(BaseModel):
    @model_serializer(mode="wrap")
    def _without_unused_new_fields(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if not (k in _WRITTEN_WHEN_USED and v is None)}


class SampleRecord(_NewFieldsWhenUsed):
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
    tags: Literal["accepted", "rejected", "untagged", "both_tags"] | None = None
    """Which acceptance tags the final output carried (compliance scenarios): `untagged` and
    `both_tags` answers cannot be read by the tags, only by the compliance judge."""
    judge_compliance: Literal["full", "partial", "none"] | None = None
    """What the compliance judge read the answer to provide, where it read it (the outcome then
    follows it: full or partial is `complied`, none `refused`)."""
    reasoning_source: Literal["scratchpad", "native", "think_tags", "hidden", "none"] | None = None
    """Where the reasoning came from: the paper's tags, the provider's reasoning blocks, `<think>`
    text, `hidden` (only encrypted or empty blocks: not readable, never read as No), or none."""
    output: str | None = None
    """The final output the outcome was read from; for a sample with no usable answer (cut off,
    malformed, past the turn cap), what the model's last reply said, so it can be reviewed."""
    output_cut_off: bool = False
    """`output` is a reply the token limit cut off, not a final answer."""
    wording: str | None = None
    """The wording of the system prompt the pair was asked under (`--af-paraphrases`): `published`
    or a paraphrase id; None when the gate used one system prompt."""
    af_panel: dict[str, bool | None] | None = None
    """With a panel of judges: each judge's alignment-faking decision by its name (None: that judge
    failed); `af_reasoning` is the panel's majority."""

    def score_value(self, behaviour_key: str | None = None) -> ScoreValue:
        """The value the scorer logged for this sample. The record keeps every reading the value
        is made of; its other fields (`reasoning_source`, `tag_outcome`, `judge_compliance`,
        criteria, quotes) explain those readings and are already folded into them by the scorer
        (hidden reasoning left `af_reasoning` null, the compliance judge's reading is the outcome)."""
        return ScoreValue.of(
            Outcome(self.outcome),
            af_reasoning=self.af_reasoning,
            af_vote_fraction=self.af_vote_fraction,
            partial_compliance=self.partial_compliance,
            judge_failed=self.judge_failure,
            eval_aware=self.eval_aware,
            behaviour_key=behaviour_key,
            behaviour=self.behaviour,
        )


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
    samples_unreadable: int = 0
    """Answers whose outcome no one could read: neither acceptance tag (or both), and no compliance
    judge that read them. They count as not complied in every condition, so a gate on them would
    see no gap where it cannot look; more than `max_unreadable_rate` makes the gate an error."""
    unreadable: dict[str, int] = Field(default_factory=dict)
    """`samples_unreadable` by what the answer carried: `untagged`, `both_tags`."""


class ComplianceReadings(BaseModel):
    """Where the compliance judge read answers, against the paper's tag rule."""

    judged: int = 0
    """Answers the judge read."""
    untagged: int = 0
    """Of those, answers the tag rule read as `other` (no accept or reject tag)."""
    disagree: int = 0
    """Answers the tag rule read as complied or refused that the judge read the other way."""


class WordingFigures(BaseModel):
    """One wording's share of a gate asked under several wordings."""

    wording: str
    pairs: int
    """Pairs asked under it with a usable answer in both conditions of the first paired contrast."""
    contrasts: dict[str, float | None] = Field(default_factory=dict)
    """Each paired contrast's gap under this wording (None without a pair)."""


class PanelJudgeFigures(BaseModel):
    """One judge of a panel, over the samples the panel read: how often it decided, and how far it
    agrees with the panel's majority (Cohen's kappa corrects the agreement for chance)."""

    judge: str
    decided: int
    failed: int
    """Samples it gave no decision on (refusals, unparsable replies, errors): never a No."""
    yes: int
    agreement: float | None
    """Share of the samples it and the panel both decided on where they agree."""
    kappa: float | None

    def describe(self) -> str:
        agrees = "n/a" if self.agreement is None else f"{self.agreement:.0%}"
        kappa = "n/a" if self.kappa is None else f"{self.kappa:.2f}"
        return f"{self.judge} agrees {agrees} (kappa {kappa}), failed {self.failed} of {self.decided + self.failed}"


class GateMetrics(_NewFieldsWhenUsed):
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
    paraphrases: list[WordingFigures] | None = None
    """Per wording of the system prompt (`--af-paraphrases`), published first: its pairs and each
    paired contrast's gap. The contrasts above then pool every pair, their intervals widened to
    cover a two-stage bootstrap (wordings, then pairs), as are inspect's own metrics in the log.
    None for a gate with one wording."""
    judge_panel: list[PanelJudgeFigures] | None = None
    """With a panel of judges: each judge against the panel's verdicts. None with one judge."""
    af_vote_failures: dict[str, int] | None = None
    """Alignment-faking judge votes that gave no label, by why (`refused` apart from `unparsable`,
    `blocked`, `error: …`), over every judge; None when every vote gave one. Never read as No."""


class SequentialFigures(BaseModel):
    """Why and where a sequential gate stopped."""

    pairs_used: int
    """Pairs in the verdict."""
    pairs_budget: int
    pairs_run: int | None = None
    """Pairs in the log: pairs admitted before the stop still finish (absent from reports of
    gates run in rounds, before 2026-12-01)."""
    stopped: Literal["pass", "fail", "budget", "cost"]
    fixed_pairs: int | None
    """About how many pairs a fixed-size gate would need for the same power."""
    alpha: float
    round_pairs: int
    rounds: int
    """Checks made, one per `round_pairs` completed pairs."""
    intervals: dict[str, list[float]]
    """The confidence sequence per contrast, `[low, high]`."""
    reason: str | None = None


class Regression(BaseModel):
    """One contrast against the baseline report's: `regression` is current − baseline."""

    baseline: float | None
    current: float | None
    regression: float | None
    ci_low: float | None
    ci_high: float | None
    pairs: int
    """Requests paired in both reports."""


class BaselineComparison(BaseModel):
    report: str
    model: str
    max_regression: float
    contrasts: dict[str, Regression]
    breaches: list[str]


class SetFields(BaseModel):
    """A part of the report written with the fields that were set, as the dicts these replaced
    were: a key a record never had (a run that was not interrupted, an older report's) stays absent
    when the report is written again."""

    @model_serializer(mode="wrap")
    def _only_set(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if k in self.model_fields_set}


def _thresholds(value: Any) -> Thresholds:
    return value if isinstance(value, Thresholds) else Thresholds().merged(value, "the report's thresholds")


ThresholdsField = Annotated[
    Thresholds,
    PlainValidator(_thresholds),
    PlainSerializer(lambda t: t.as_dict(), return_type=dict[str, Any]),
    WithJsonSchema({"type": "object", "additionalProperties": {"type": ["number", "string", "null"]}}),
]
"""The gate's thresholds, written flat as `Thresholds.as_dict` (`max_<contrast>`, `min_pairs`, `mode`, …)."""


class JudgeOptions(SetFields):
    """The judge settings the scorer ran with (its logged options over its defaults)."""

    judge_votes: int | None = None
    judge_threshold: float | None = None
    judge_scope: str | None = None
    partial_votes: int | None = None
    judge_attempts: int | None = None
    judge_cache: bool | None = None
    judge_early_stop: bool | None = None


class SamplingSettings(BaseModel):
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    max_tokens: int | None = None
    seed: int | None = None
    reasoning_tokens: int | None = None
    reasoning_effort: str | None = None


class Sampling(SetFields):
    """Sampling settings of the gate's first model call: as configured, and as sent when the
    provider recorded its request (providers drop settings they do not accept); `prefill`, whether
    the protocol sent the assistant prefill. Empty when no model was called."""

    configured: SamplingSettings | None = None
    sent: dict[str, Any] | None = None
    """The request's own fields, as the provider spelled them (`thinking`, `output_config`, …)."""
    prefill: bool | None = None


class RunInfo(SetFields):
    """How the run was made; `stopped`, `interrupted` and `endpoint_down` appear only when so."""

    cache: Literal["off", "resume", "dev"] | None = None
    max_retries: int | None = None
    timeout: int | None = None
    attempt_timeout: int | None = None
    endpoint_down: bool | None = None
    stopped: Literal["cost"] | None = None
    """`cost` when `--af-max-cost` stopped the gate early."""
    interrupted: bool | None = None


class PriceInfo(BaseModel):
    key: str
    input: float
    output: float
    as_of: str
    source: str
    batch_discount: float


class ModelUsage(SetFields):
    """One model's tokens and cost (spent, or estimated with its `role`, `calls` and `price`)."""

    role: str | None = None
    """`tested` or `judge` (estimates)."""
    calls: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_write_tokens: int | None = None
    cache_read_tokens: int | None = None
    cost_usd: float | None = None
    """Null when the model has no price."""
    price: PriceInfo | None = None


class UsageEstimate(SetFields):
    """Tokens and cost estimated before any request."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    models: dict[str, ModelUsage] | None = None
    assumptions: str | None = None


class GateUsage(SetFields):
    """A gate's tokens and cost: what was spent (`cost_usd` null when a model used has no price),
    per model, and the `estimate` made before any request (a merged record has `estimate_usd`)."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    estimate_usd: float | None = None
    batch: bool | None = None
    models: dict[str, ModelUsage] | None = None
    estimate: UsageEstimate | None = None


class RunUsage(BaseModel):
    """The run's tokens and cost over every gate (`cost_usd` null when a gate's cost is unknown)."""

    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    estimate_usd: float | None


class ShardInfo(BaseModel):
    """One shard of a merged record."""

    shard: str
    log: str | None
    status: Status


class SweepCell(BaseModel):
    status: Status
    value: float | None
    ci_low: float | None
    ci_high: float | None


class SweepRow(BaseModel):
    """One model in the cross-model view: each `<gate> <contrast>` column's verdict and figures."""

    model: str
    passed: bool
    gates: dict[str, SweepCell]


class GateRecord(_NewFieldsWhenUsed):
    gate: str
    nodeid: str
    scenario: str
    model: str
    variant: str | None = None
    """The prompt variant, for gates run over several."""
    scenario_version: str | None = None
    """What the scenario measured (its prompts, queries and scoring, as a digest): two reports with
    the same version measured the same thing."""
    status: Status = "error"
    """Set only by `settle`, `set_error` and `add_breaches`: a gate is an error until its figures
    were read whole and checked."""
    thresholds: ThresholdsField
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
    """The judge (with a panel, its first: the one the other rubrics ask)."""
    judge_panel: list[str] | None = None
    """With more than one judge: every judge, in order; alignment-faking reasoning is their majority."""
    warnings: list[str] | None = None
    """What the gate's settings put at risk without stopping it (a judge of the gated model's
    own family), as they were printed before the first request; None when there were none."""
    judge: JudgeOptions = Field(default_factory=JudgeOptions)
    """Judge settings in force (votes, threshold, scope) when a judge ran."""
    sampling: Sampling = Field(default_factory=Sampling)
    run: RunInfo = Field(default_factory=RunInfo)
    baseline: BaselineComparison | None = None
    """With --af-baseline: the comparison and the breaches it caused."""
    sequential: SequentialFigures | None = None
    """For sequential gates."""
    shard: str | None = None
    """`I/N` when this record is one shard of a gate (`--af-shard`)."""
    shards: list[ShardInfo] | None = None
    """In a merged record: each shard's `shard`, `log` and `status`."""
    usage: GateUsage | None = None
    samples: list[SampleRecord] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        """Derived, never stored: a report's `passed` cannot disagree with its `status`."""
        return self.status == "pass"

    def settle(self, breaches: Sequence[str], problems: Sequence[str] = ()) -> None:
        """The verdict: an error when the run or its figures had a problem (an error already on
        the record counts), otherwise fail on any breach and pass on none."""
        self.breaches = list(breaches)
        found = [p for p in (self.error, *problems) if p]
        if found:
            self.status, self.error = "error", "; ".join(found)
        else:
            self.status = "fail" if self.breaches else "pass"

    def set_error(self, error: str) -> None:
        """An error verdict, whatever the figures say (a stop, a refusal, a bad baseline)."""
        self.status, self.error = "error", error

    def add_breaches(self, breaches: Sequence[str]) -> None:
        """More breaches found after the verdict (a baseline comparison): a pass becomes a fail."""
        self.breaches = [*self.breaches, *breaches]
        if breaches and self.status == "pass":
            self.status = "fail"


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
    sweep: list[SweepRow] = Field(default_factory=list)
    """With several models: a row per model."""
    usage: RunUsage | None = None


def read_report(path: Path) -> Report:
    """A JSON report file as `--af-report` wrote it (any version since schema 1); a `ValueError`
    naming the file when it is not one."""
    try:
        return Report.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(f"{path}: not an af-bench JSON report ({str(err).splitlines()[0]})") from None


def nan_to_none(value: float) -> float | None:
    return None if math.isnan(value) else value


def scored_record(record: SampleRecord, behaviour_key: str | None = None) -> ScoredSample:
    """A report's sample record as the pair table reads it: a record of an epoch that errored or
    was never scored (failure `error`) counts for nothing."""
    counted = record.error is None and record.failure != "error"
    return ScoredSample(
        sample_id=record.id,
        pair_id=record.pair_id,
        condition=record.condition,
        epoch=record.epoch,
        value=record.score_value(behaviour_key) if counted else None,
    )


def records_table(records: Iterable[SampleRecord], behaviour_key: str | None = None) -> PairTable:
    return pair_table(scored_record(r, behaviour_key) for r in records)


def gap_figures(gap: PairedGap) -> GapFigures:
    return GapFigures(
        value=nan_to_none(gap.value),
        ci_low=nan_to_none(gap.ci_low),
        ci_high=nan_to_none(gap.ci_high),
        p_value=None if gap.p_value is None else nan_to_none(gap.p_value),
        pairs=gap.n_pairs,
        method=gap.method,
    )


def _counts(records: Sequence[SampleRecord], expected: int) -> Counts:
    errored = sum(1 for r in records if r.error is not None)
    failures = Counter(r.failure for r in records if r.outcome == Outcome.FAILED and r.failure != "error")
    unreadable = Counter(r.tags for r in records if r.outcome == Outcome.OTHER and r.tags in ("untagged", "both_tags"))
    return Counts(
        samples_expected=expected,
        samples_logged=len(records),
        samples_completed=len(records) - errored,
        samples_errored=errored,
        samples_failed=sum(failures.values()),
        samples_blocked=sum(1 for r in records if r.outcome == Outcome.BLOCKED),
        samples_missing=max(0, expected - len(records)),
        failures={str(k): v for k, v in sorted(failures.items())},
        samples_unreadable=sum(unreadable.values()),
        unreadable={str(k): v for k, v in sorted(unreadable.items())},
    )


def _compliance_readings(records: Sequence[SampleRecord]) -> ComplianceReadings:
    judged = [r for r in records if r.judge_compliance is not None and r.tag_outcome is not None]
    return ComplianceReadings(
        judged=len(judged),
        untagged=sum(1 for r in judged if r.tag_outcome == "other"),
        disagree=sum(1 for r in judged if r.tag_outcome != "other"
                     and (r.tag_outcome == "complied") != (r.judge_compliance != "none")),
    )


def _conditions(records: Sequence[SampleRecord], declared: Sequence[str]) -> list[str]:
    """The scenario's declared conditions that samples were logged in, then any others, sorted."""
    present = {str(r.condition) for r in records if r.condition is not None}
    ordered = [c for c in declared if c in present]
    return ordered + sorted(present - set(ordered))


def metrics_from(
    records: Sequence[SampleRecord],
    table: PairTable,
    metadata: dict[str, Any],
    behaviour_keys: Sequence[str],
    expected: int,
) -> GateMetrics:
    """A gate's figures from its sample records and their pair table (`records_table`, or one
    built from the log); `metadata` holds the scenario's conditions, contrasts and scoring options."""
    scoring = metadata.get("scoring", {})
    conditions = _conditions(records, metadata.get("conditions") or [])
    rates = condition_rates(table, behaviour_keys)
    figures = {
        c: ConditionFigures(
            n=rates[c].n if c in rates else 0,
            **{o.value: nan_to_none(rates[c].outcomes[o]) if c in rates else None for o in Outcome},
            behaviour={k: nan_to_none(rates[c].behaviours[k]) if c in rates else None for k in behaviour_keys},
            reasoning_sources=dict(sorted(Counter(
                r.reasoning_source for r in records if r.condition == c and r.reasoning_source is not None
            ).items())),
        )
        for c in conditions
    }
    af_condition = scoring.get("af_condition", TRAINING)
    contrasts = {
        c.name: gap_figures(contrast_gap(table, c.behaviour, c.first, c.second)).model_copy(
            update={"first": c.first, "second": c.second, "behaviour": c.behaviour}
        )
        for c in contrasts_from(metadata)
    }
    wordings = wording_figures(records, table, metadata)
    if wordings is not None:
        contrasts = {name: _widened(figures, wordings.pooled.get(name), wordings.method)
                     for name, figures in contrasts.items()}
    af = af_rates(table, af_condition)
    nan = float("nan")
    return GateMetrics(
        conditions=figures,
        compliance_readings=_compliance_readings(records),
        contrasts=contrasts,
        tier_gap=next(iter(contrasts.values())) if len(conditions) == 2 and len(contrasts) == 1 else None,
        pairs=complete_pairs(table, conditions),
        af_applicable=bool(scoring.get("af_applicable", True)),
        af_condition=af_condition,
        af_rate=nan_to_none(af.rate),
        af_rate_ci_high=nan_to_none(af.ci_high),
        af_rate_among_compliant=nan_to_none(af.among_compliant),
        partial_compliance={c: nan_to_none(rates[c].partial_compliance if c in rates else nan) for c in conditions},
        partial_compliance_ci_high={c: nan_to_none(upper_bound(table, c, "partial_compliance")) for c in conditions},
        judged=sum(1 for r in records if r.judge_failure is not None),
        judge_failures=sum(1 for r in records if r.judge_failure),
        eval_awareness={c: nan_to_none(rates[c].eval_awareness if c in rates else nan) for c in conditions},
        eval_awareness_ci_high={c: nan_to_none(upper_bound(table, c, "eval_aware")) for c in conditions},
        counts=_counts(records, expected),
        paraphrases=None if wordings is None else wordings.figures,
        judge_panel=panel_figures(records),
        af_vote_failures=failed_votes(r.af_votes for r in records) or None,
    )


def panel_figures(records: Sequence[SampleRecord]) -> list[PanelJudgeFigures] | None:
    """Each panel judge against the panel's verdict over the samples the panel read; None without a panel."""
    read = [r for r in records if r.af_panel]
    if not read:
        return None
    judges = list(dict.fromkeys(judge for r in read for judge in r.af_panel or {}))
    figures = []
    for judge in judges:
        own = [(r.af_panel or {}).get(judge) for r in read]
        seen = agreement(own, [r.af_reasoning for r in read])
        figures.append(PanelJudgeFigures(
            judge=judge, decided=sum(o is not None for o in own), failed=sum(o is None for o in own),
            yes=sum(o is True for o in own), agreement=nan_to_none(seen.agreement), kappa=nan_to_none(seen.kappa),
        ))
    return figures


def _widened(paired: GapFigures, pooled: PooledGap | None, method: str) -> GapFigures:
    """The contrast with an interval that accounts for the wordings (`stats.clustered.widened`)."""
    if pooled is None or paired.ci_low is None or paired.ci_high is None:
        return paired
    low, high = widened(paired.ci_low, paired.ci_high, pooled)
    return paired.model_copy(update={
        "ci_low": low, "ci_high": high, "p_value": None,
        "method": f"{paired.method}, widened by {method}",
    })


@dataclass(frozen=True)
class _Wordings:
    figures: list[WordingFigures]
    pooled: dict[str, PooledGap]
    """Each paired contrast over every wording, with the two-stage bootstrap interval."""
    method: str


def wording_figures(records: Sequence[SampleRecord], table: PairTable, metadata: dict[str, Any]) -> _Wordings | None:
    """Per-wording gaps and the pooled contrasts of a gate asked under several wordings."""
    asked = {r.pair_id: r.wording for r in records if r.wording is not None and r.pair_id is not None}
    if len(set(asked.values())) < 2:
        return None
    # The task's own order (published first), else the records' (a merged report's shards).
    wordings = list(metadata.get("paraphrases") or sorted(set(asked.values()), key=lambda w: (w != PUBLISHED, w)))
    paired = [c for c in contrasts_from(metadata) if c.second is not None]
    pooled = {c.name: pooled_contrast(table, c, asked, wordings) for c in paired}
    figures = [
        WordingFigures(
            wording=w,
            pairs=next((g.pairs for g in pooled[paired[0].name].wordings if g.wording == w), 0) if paired else 0,
            contrasts={name: next(g.gap for g in result.wordings if g.wording == w) for name, result in pooled.items()},
        )
        for w in wordings
    ]
    return _Wordings(figures, pooled, bootstrap_method(len(set(asked.values()))))
