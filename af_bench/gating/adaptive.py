"""Gates that may stop before their budget, run as one inspect eval.

A sequential gate stops once its confidence sequences settle the verdict; a capped gate stops
once the run's spend passes `--af-max-cost`. Both are an `AdaptiveGate`: an inspect `SampleSource`
passed as the task's dataset, so inspect's own scheduler runs the samples, retries them and logs
them, and the gate only decides what to admit next.

Why a prefix, not completion order: samples finish in an order that depends on their answers
(a refusal is one short turn, a compliant answer two long ones and judge votes), so deciding on
pairs as they complete would lean early stops toward refusals. Pairs are admitted in the gate's
planned order (a seeded shuffle of its pairs, `af_bench.gating.pair_plan`) and decisions are taken
on the longest run of that order whose pairs have all finished, so a decision depends only on the
first n pairs of a fixed order: the confidence
sequence's guarantee holds at whatever n the gate stops. Pairs admitted past that point before
the stop still run (they are in the log, marked, and paid for) but are not part of the verdict.

inspect does not let a `SampleSource` task have an `EarlyStopping` manager, so the gate writes its
summary into the finished log's `results.early_stopping` itself (a header-only rewrite), where
`inspect view` shows why the gate stopped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from inspect_ai import SampleSource, Task, task_with
from inspect_ai.dataset import Sample
from inspect_ai.log import EvalLog, EvalSample, write_eval_log
from inspect_ai.util import EarlyStoppingSummary

from af_bench.scenario.contrasts import Contrast, contrasts_from
from af_bench.gating.costs import Budget, add_usage, usage_of
from af_bench.stats.planning import Design, fixed_pairs
from af_bench.gating.prices import TokenUsage
from af_bench.scoring.pairs import ScoredSample, observations, pair_table
from af_bench.results.schema import GateMetrics, SequentialFigures
from af_bench.results.from_log import scored_sample
from af_bench.stats.sequences import Interval, Limit, betting_confidence_sequence, decide, gap_sequence
from af_bench.gating.pair_plan import pair_of
from af_bench.stats.paired import wilson_interval
from af_bench.results.thresholds import Thresholds

PLANNED_POWER = 0.8
MANAGER = "af_bench/adaptive_gate"
StopReason = Literal["pass", "fail", "cost"]

def limits_of(thresholds: Thresholds, contrasts: Sequence[Contrast]) -> list[Limit]:
    names = {c.name for c in contrasts}
    return [
        Limit(name, kind, value)
        for kind, table in (("max", thresholds.contrast_max), ("min", thresholds.contrast_min))
        for name, value in sorted(table.items())
        if value is not None and name in names
    ]


def confidence(observed: Sequence[float], contrast: Contrast, alpha: float) -> Interval:
    if not observed:
        return Interval(-1.0 if contrast.second else 0.0, 1.0)
    if contrast.second is None:
        return betting_confidence_sequence(observed, alpha)[-1]
    return gap_sequence(observed, alpha)[-1]


def sequence_observations(
    scored: Iterable[ScoredSample], pairs: Sequence[str], contrasts: Sequence[Contrast]
) -> dict[str, list[float]]:
    """Each contrast's per-pair observations, in the order of `pairs`: what a sequence runs on, both
    while the gate decides and when a finished log is re-scored."""
    table = pair_table(scored)
    return {c.name: observations(table, pairs, c) for c in contrasts}


@dataclass(frozen=True)
class SequentialRule:
    """When a sequential gate's verdict is settled."""

    contrasts: tuple[Contrast, ...]
    limits: tuple[Limit, ...]
    alpha: float
    min_pairs: int

    @classmethod
    def of(cls, task: Task, thresholds: Thresholds, alpha: float) -> SequentialRule:
        contrasts = tuple(contrasts_from(task.metadata))
        return cls(contrasts, tuple(limits_of(thresholds, contrasts)), alpha, thresholds.min_pairs)


@dataclass
class _Pair:
    remaining: int
    """Samples (conditions × epochs) still to finish."""
    scored: list[ScoredSample] = field(default_factory=list)


@dataclass
class AdaptiveSummary:
    """Why and where an adaptive gate stopped, as the report's `sequential` figures (the log's
    early-stopping metadata is `AdaptiveGate.stop_summary`)."""

    pairs_used: int
    pairs_budget: int
    pairs_run: int
    stopped: str
    """`pass`, `fail` or `cost` when the gate stopped early; `budget` when it ran every pair."""
    checks: int
    intervals: dict[str, list[float]]
    fixed_pairs: int | None
    reason: str | None

    def as_sequential(self, alpha: float, round_pairs: int) -> SequentialFigures:
        return SequentialFigures(
            pairs_used=self.pairs_used, pairs_budget=self.pairs_budget, pairs_run=self.pairs_run,
            stopped=self.stopped, fixed_pairs=self.fixed_pairs, alpha=alpha, round_pairs=round_pairs,
            rounds=self.checks, intervals=self.intervals, reason=self.reason,
        )


class AdaptiveGate(SampleSource):
    """Admits the gate's pairs in order, a few ahead of what has finished, and stops admitting
    once a check at a multiple of `check_every` completed pairs says so."""

    def __init__(
        self,
        task: Task,
        order: Sequence[str],
        *,
        epochs: int,
        in_flight: int,
        check_every: int,
        rule: SequentialRule | None = None,
        budget: Budget | None = None,
    ) -> None:
        by_pair: dict[str, list[Sample]] = defaultdict(list)
        for sample in task.dataset:
            by_pair[pair_of(sample)].append(sample)
        self._order = [p for p in order if p in by_pair]
        self._samples = by_pair
        self._epochs = max(1, epochs)
        self._in_flight_target = max(1, in_flight)
        self._check_every = max(1, check_every)
        self._rule = rule
        self._budget = budget
        self._pairs: dict[str, _Pair] = {}
        self._admitted = 0
        self._outstanding = 0
        self._prefix = 0
        self._checked_at = 0
        self._checks = 0
        self._seen: set[tuple[str, int]] = set()
        self._unbilled: dict[str, TokenUsage] = {}
        self._over_cap = False
        """Set by the finished sample that takes the run's spend past the cap: no pair is admitted
        after it, while the verdict still waits for a check (or the end) to fix its prefix."""
        self.usage: dict[str, TokenUsage] = {}
        self.spent_total: float | None = None
        self.stopped: StopReason | None = None
        self.pairs_used = 0
        self.intervals: dict[str, Interval] = {}
        self.series: dict[str, list[float]] = {}

    # SampleSource ---------------------------------------------------------------------------
    def initial_samples(self) -> list[Sample]:
        if self._budget is not None:  # what gates before this one spent counts toward the cap
            self.spent_total = self._budget.ledger.total()
        return self._admit()

    async def next_samples(self) -> list[Sample] | None:
        more = self._admit()
        return more or None

    async def sample_complete(self, sample: EvalSample) -> list[Sample] | None:
        key = (str(sample.id), sample.epoch)
        if key in self._seen:  # a sample reused on a task retry is reported again
            return None
        self._seen.add(key)
        self._outstanding -= 1
        used = usage_of(sample.model_usage or {})
        self.usage = add_usage(self.usage, used)
        self._unbilled = add_usage(self._unbilled, used)
        pair = self._pairs.get(str((sample.metadata or {}).get("pair_id")))
        if pair is not None:
            pair.scored.append(scored_sample(sample))
            pair.remaining -= 1
        self._note_spend()
        self._advance()
        return self._admit() or None

    async def sample_abandoned(self, sample: Sample, epoch: int) -> list[Sample] | None:
        # Cancelled by an operator before it ran: it will never finish, so the prefix must not wait.
        self._outstanding -= 1
        pair = self._pairs.get(str((sample.metadata or {}).get("pair_id")))
        if pair is not None:
            pair.remaining -= 1  # nothing to count: the pair reads as incomplete
        self._advance()
        return self._admit() or None

    def stop_summary(self) -> EarlyStoppingSummary:
        """Why the gate stopped, in inspect's own terms (no sample was skipped once admitted)."""
        return EarlyStoppingSummary(
            manager=MANAGER,
            early_stops=[],
            metadata={
                "stopped": self.stopped or "budget",
                "pairs_used": self.pairs_used,
                "pairs_budget": len(self._order),
                "pairs_run": self._admitted,
                "decided_on": "the longest completed prefix of a seeded random order of the pairs",
                "sequential": self._rule is not None,
                "alpha": self._rule.alpha if self._rule else None,
                "used_pair_ids": self.used_pairs(),
                "intervals": {n: [round(i.low, 4), round(i.high, 4)] for n, i in self.intervals.items()},
                "spent_usd": None if self.spent_total is None else round(self.spent_total, 6),
            },
        )

    # The gate --------------------------------------------------------------------------------
    def admitted_sample_ids(self) -> list[str | int]:
        return [s.id for p in self._order[:self._admitted] for s in self._samples[p] if s.id is not None]

    def used_pairs(self) -> list[str]:
        return self._order[:self.pairs_used]

    def finish(self) -> None:
        """Bill what is still unbilled (pairs past the last check) and, when the gate ran to its
        budget, take every completed pair as used; a gate that passed the cap after its last check
        keeps the pairs of that check."""
        self._bill()
        if self.stopped is None:
            self._advance()
        if self.stopped is None and self._over_cap and self._prefix < len(self._order):
            self.stopped, self.pairs_used = "cost", self._checked_at
        elif self.stopped is None:
            self.pairs_used = self._prefix
            if self._rule is not None and self._checked_at < self._prefix:
                self._check_sequential(self._prefix)

    def summary(self) -> AdaptiveSummary:
        shown = {name: [round(i.low, 4), round(i.high, 4)] for name, i in self.intervals.items()}
        first_limit = next(iter(self._rule.limits), None) if self._rule else None
        observed = self.series.get(first_limit.contrast, []) if first_limit else []
        return AdaptiveSummary(
            pairs_used=self.pairs_used, pairs_budget=len(self._order), pairs_run=self._admitted,
            stopped=self.stopped or "budget", checks=self._checks, intervals=shown,
            fixed_pairs=_fixed_design_pairs(observed, first_limit, self._rule.alpha) if self._rule else None,
            reason=self._reason(shown),
        )

    def _admit(self) -> list[Sample]:
        """Pairs to start now: enough to keep inspect's connections busy, never so far ahead of
        the completed prefix that a stuck pair lets the log grow without bound."""
        if self.stopped is not None or self._over_cap:
            return []
        horizon = self._prefix + max(2 * self._check_every, 4 * self._in_flight_target)
        out: list[Sample] = []
        while (self._admitted < len(self._order) and self._admitted < horizon
               and self._outstanding < self._in_flight_target):
            pair_id = self._order[self._admitted]
            samples = self._samples[pair_id]
            self._pairs[pair_id] = _Pair(remaining=len(samples) * self._epochs)
            self._outstanding += len(samples) * self._epochs
            self._admitted += 1
            out.extend(samples)
        return out

    def _advance(self) -> None:
        while self._prefix < self._admitted and self._pairs[self._order[self._prefix]].remaining <= 0:
            self._prefix += 1
            if self.stopped is None and (self._prefix % self._check_every == 0 or self._prefix == len(self._order)):
                self._check(self._prefix)

    def _note_spend(self) -> None:
        """Stop admitting pairs at the first sample whose cost takes the run past the cap, as far
        as this gate knows: its spend since the last check on top of the run's total at that check
        (the shared ledger is read at checks only, not once a sample)."""
        if self._budget is None or self._over_cap:
            return
        known = (self.spent_total or 0.0) + self._budget.cost(self._unbilled)
        self._over_cap = self._budget.exceeded(known)

    def _check(self, pairs: int) -> None:
        self._checked_at = pairs
        self._checks += 1
        total = self._bill()
        if self._rule is not None:
            verdict = self._check_sequential(pairs)
            if verdict is not None:
                self.stopped, self.pairs_used = verdict, pairs
                return
        if self._budget is not None and total is not None and self._budget.exceeded(total) and pairs < len(self._order):
            self.stopped, self.pairs_used = "cost", pairs

    def _check_sequential(self, pairs: int) -> StopReason | None:
        assert self._rule is not None
        prefix = self._order[:pairs]
        self.series = sequence_observations(
            (s for pair_id in prefix for s in self._pairs[pair_id].scored), prefix, self._rule.contrasts
        )
        self.intervals = {c.name: confidence(self.series[c.name], c, self._rule.alpha) for c in self._rule.contrasts}
        completed = min((len(v) for v in self.series.values()), default=0)
        if completed < self._rule.min_pairs:
            return None
        return decide(self.intervals, list(self._rule.limits))

    def _bill(self) -> float | None:
        if self._budget is None:
            return None
        self.spent_total = self._budget.charge(self._unbilled)
        self._unbilled = {}
        return self.spent_total

    def _reason(self, shown: dict[str, list[float]]) -> str | None:
        if self.stopped in ("pass", "fail"):
            return None
        if self.stopped == "cost":
            return "stopped by the run's cost cap before the verdict was settled"
        if self._rule is None:
            return None
        if not self._rule.limits:
            return "sequential gate inconclusive: no contrast threshold to decide on"
        detail = ", ".join(f"{name} [{lo:.3f}, {hi:.3f}]" for name, (lo, hi) in shown.items())
        return (
            f"sequential gate inconclusive at its budget of {len(self._order)} pairs: the "
            f"{1 - self._rule.alpha:.0%} confidence sequences ({detail}) still straddle their thresholds; "
            "raise --af-limit"
        )


def _fixed_design_pairs(observed: list[float], limit: Limit | None, alpha: float) -> int | None:
    """Pairs a fixed-size gate with the same α and 80% power needs, planned on the observed gap
    and the upper 95% bound of the observed discordant-pair rate (what a planner with this run as
    a pilot would assume; the point rate is 0 for a model that never changes its answer)."""
    if limit is None or not observed:
        return None
    gap = sum(observed) / len(observed)
    discordant = wilson_interval(sum(1 for d in observed if d != 0), len(observed))[1]
    try:
        return fixed_pairs(Design(limit.value, gap, max(discordant, abs(gap)), alpha, PLANNED_POWER))
    except ValueError:
        return None


SEQUENCE_METHOD = "betting confidence sequence"
"""How a sequential gate's contrast intervals were made: valid at the data-dependent stop, where a
fixed-sample interval and p-value are not, so the p-value is left out."""


def with_sequence_intervals(metrics: GateMetrics, intervals: Mapping[str, Interval]) -> GateMetrics:
    """`metrics` with each contrast's interval replaced by the confidence sequence that decided."""
    contrasts = {
        name: gap.model_copy(update={"ci_low": intervals[name].low, "ci_high": intervals[name].high,
                                     "p_value": None, "method": SEQUENCE_METHOD})
        if name in intervals else gap
        for name, gap in metrics.contrasts.items()
    }
    return metrics.model_copy(update={"contrasts": contrasts})


def adaptive_task(task: Task, gate: AdaptiveGate) -> Task:
    """The gate's task with its samples drawn from `gate`."""
    return task_with(task, dataset=gate)


@dataclass(frozen=True)
class AdaptiveStop:
    """What a finished adaptive gate's log says of its stop: the pairs its verdict was taken on,
    and for a sequential gate the α of its confidence sequences."""

    pairs: list[str]
    alpha: float | None

    @classmethod
    def of(cls, log: EvalLog) -> AdaptiveStop | None:
        summary = log.results.early_stopping if log.results else None
        if summary is None or summary.manager != MANAGER:
            return None
        meta = summary.metadata
        alpha = meta.get("alpha")
        return cls([str(p) for p in meta.get("used_pair_ids") or []],  # type: ignore[union-attr]
                   float(alpha) if isinstance(alpha, (int, float)) and meta.get("sequential") else None)

    def intervals(self, samples: Sequence[EvalSample], contrasts: Sequence[Contrast]) -> dict[str, Interval]:
        """The confidence sequences over these pairs, from `samples` (a sequence covers every n at
        once, so it stays valid when the values are re-scored after the stop)."""
        if self.alpha is None:
            return {}
        used = set(self.pairs)
        series = sequence_observations(
            (scored_sample(s) for s in samples if str((s.metadata or {}).get("pair_id")) in used), self.pairs, contrasts
        )
        return {c.name: confidence(series[c.name], c, self.alpha) for c in contrasts}


def record_stop(log: EvalLog, gate: AdaptiveGate) -> None:
    """Write why the gate stopped into the log's results, and the samples it ran into its dataset
    (inspect's header lists only the seed of a sample source), in a header-only rewrite."""
    if log.results is None or not log.location:
        return
    log.results.early_stopping = gate.stop_summary()
    ran = gate.admitted_sample_ids()
    log.eval.dataset = log.eval.dataset.model_copy(update={"sample_ids": ran, "samples": len(ran)})
    write_eval_log(log.model_copy(update={"samples": None}), log.location, header_only=True)
