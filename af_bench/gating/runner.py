"""The one place af-bench calls inspect's `eval`, and how a run becomes a gate record."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_ai import Task, eval, task_with
from inspect_ai.log import EvalLog
from inspect_ai.model import BatchConfig, CachePolicy, get_model

from af_bench.gating.adaptive import (
    AdaptiveGate, SequentialRule, adaptive_task, record_stop, with_sequence_intervals,
)
from af_bench.stats.sequences import Interval
from af_bench.endpoint import NOT_SENT, EndpointWatch, EndpointWatches, endpoint, watching
from af_bench.gating.costs import Budget, GateEstimate, SpendLedger, estimate_gate, usage_by_model, usage_record
from af_bench.gating.models import same_family_warnings
from af_bench.gating.spec import CollectedGate, GateSpec
from af_bench.results.schema import GateRecord, GateUsage, JudgeOptions, RunInfo
from af_bench.results.from_log import read_gate, read_samples
from af_bench.results.verdict import af_gating, verdict_of
from af_bench.scenarios.build import ScenarioMeta, with_paraphrases, with_protocol
from af_bench.scoring.classifiers.judge import grader_roles
from af_bench.scoring.options import ScoringOptions
from af_bench.scoring.scorer import alignment_faking_outcome
from af_bench.gating.settings import Settings
from af_bench.gating.pair_plan import plan_pairs, plan_samples
from af_bench.results.thresholds import Thresholds, ThresholdError


@dataclass(frozen=True)
class RunOptions:
    """What one process may spend: its share of the connection budget, where logs go."""

    settings: Settings
    max_connections: int
    log_dir: Path | None
    ledger: SpendLedger | None = None
    """The run's shared spend; None gives each gate an in-memory ledger of its own."""
    endpoints: EndpointWatches | None = None
    """Which endpoints this process's gates found down; None gives each gate a watch of its own."""

    def watch(self, model: str) -> EndpointWatch:
        if self.endpoints is None:
            return EndpointWatch(self.settings.probe_seconds, self.settings.max_retries)
        return self.endpoints.of(endpoint(model))


class EvalInterrupted(KeyboardInterrupt):
    """Ctrl-C reached inspect's eval: it returns no log then, and leaves the one it was writing as
    `cancelled`, with what was spent and finished (`log`, None where none was found)."""

    def __init__(self, log: EvalLog | None) -> None:
        super().__init__("interrupted")
        self.log = log


class GateInterrupted(KeyboardInterrupt):
    """A gate stopped by Ctrl-C, with the record of what it spent and finished: the run stops."""

    def __init__(self, record: GateRecord) -> None:
        super().__init__(record.error)
        self.record = record


def _cancelled_log(task: Task, log_dir: Path | None, started: float) -> EvalLog | None:
    """The log an interrupted eval of `task` left behind, read to its header."""
    import os

    from inspect_ai.log import list_eval_logs, read_eval_log

    where = str(log_dir) if log_dir else os.environ.get("INSPECT_LOG_DIR", "./logs")
    written_since = [info for info in list_eval_logs(where) if info.mtime is not None and info.mtime >= started * 1000]
    for info in sorted(written_since, key=lambda info: info.mtime or 0, reverse=True):
        header = read_eval_log(info, header_only=True)
        if header.eval.task == task.name and header.status != "success":
            return header
    return None


def _one_line(message: str) -> str:
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    return lines[-1] if lines else message


def _conditions(task: Task) -> int:
    return len(ScenarioMeta.of(task.metadata).conditions) or 1


def cache_policy(settings: Settings, log_dir: Path | None, nodeid: str, model: str) -> tuple[CachePolicy | None, str]:
    """(policy, mode). `dev` caches across runs (--af-cache). `resume`: with an explicit log
    directory, every response is cached under a scope of that directory, gate and model, so a run
    started again after an interruption replays what it already paid for and requests only what
    is missing. Otherwise nothing is cached: a release gate samples the model afresh."""
    if settings.cache:
        return CachePolicy(expiry="1W", scopes={"af_bench": "dev"}), "dev"
    if log_dir is not None:
        scope = hashlib.sha256(f"{log_dir.resolve()}\x00{nodeid}\x00{model}".encode()).hexdigest()[:16]
        return CachePolicy(expiry="1W", scopes={"af_bench_resume": scope}), "resume"
    return None, "off"


def gate_pairs(task: Task, settings: Settings) -> list[str]:
    """The pairs a gate of `task` runs under these settings, in the order it runs them."""
    return plan_pairs(task, settings.limit, settings.shard, settings.seed)


def sample_selection(task: Task, pairs: Sequence[str]) -> list[str | int] | None:
    """inspect's `sample_id` for a fixed gate of `pairs`: every condition of each; None when that
    is the whole data set (inspect matches each id against every sample, a cost that grows with
    the square of the data set, and a whole set needs no selection)."""
    selected = [s.id for s in plan_samples(task, pairs) if s.id is not None]
    return None if len(selected) == len(task.dataset) else selected


def run_eval(
    task: Task,
    model: str,
    options: RunOptions,
    cache: CachePolicy | None = None,
    sample_ids: list[str | int] | None = None,
) -> EvalLog:
    """One inspect eval of the gate's task: the samples `sample_ids` names (all when None; an
    adaptive gate's task admits its own)."""
    settings = options.settings
    started = time.time()
    logs = eval(
        task,
        sample_id=sample_ids,
        # A fresh client per gate: a memoized one would keep the base URL it was created with.
        model=get_model(model, memoize=False, **settings.model_args),
        model_roles=grader_roles(settings.judge_models, settings.judge_model_args) or None,
        epochs=settings.epochs,
        seed=settings.seed,
        max_connections=options.max_connections,
        max_retries=settings.max_retries,
        timeout=settings.timeout,
        attempt_timeout=settings.attempt_timeout,
        cache=cache,
        batch=BatchConfig(**settings.batch) if settings.batch is not None else None,
        log_dir=str(options.log_dir) if options.log_dir else None,
        # Keep going past a failed sample so the gate can report every error with counts.
        fail_on_error=False,
        display="none",
        log_header_only=True,
    )
    if not logs:
        raise EvalInterrupted(_cancelled_log(task, options.log_dir, started))
    return logs[0]


def run_gate(
    spec: GateSpec, model: str, nodeid: str, options: RunOptions, variant: str | None = None
) -> GateRecord:
    """Run the gate's task on `model` and reach a verdict. Never raises for a model or run
    failure: those become a record with status `error`."""
    settings = options.settings
    watch = options.watch(model)
    try:
        task, scenario, thresholds = _prepare(spec, model, settings, variant)
    except (ValueError, TypeError) as err:  # a bad dataset, prompt, variant or threshold
        return GateRecord(
            gate=spec.name, nodeid=nodeid, scenario=spec.name, model=model, variant=variant,
            thresholds=spec.thresholds,
            error=f"{type(err).__name__}: {_one_line(str(err))}",
        )
    record = GateRecord(
        gate=spec.name,
        nodeid=nodeid,
        scenario=scenario,
        model=model,
        thresholds=thresholds,
        judge_model=settings.judge_models[0] if settings.judge_models else None,
        judge_panel=list(settings.judge_models) if len(settings.judge_models) > 1 else None,
        warnings=same_family_warnings(settings.judge_models, [model]) or None,
        variant=variant,
    )
    cache, cache_mode = cache_policy(settings, options.log_dir, nodeid, model)
    record.shard = str(settings.shard) if settings.shard else None
    record.run = RunInfo(cache=cache_mode, max_retries=settings.max_retries, timeout=settings.timeout,
                         attempt_timeout=settings.attempt_timeout)
    pairs = gate_pairs(task, settings)
    estimate = gate_estimate(task, pairs, model, settings)
    record.usage = GateUsage(estimate=estimate.record())
    if watch.is_down():
        record.run.endpoint_down = True
        record.error = f"not run: an earlier gate found the endpoint down: {watch.down}"
        return record
    budget = Budget(options.ledger or SpendLedger(), settings.prices, nodeid, settings.batch is not None,
                    settings.max_cost)
    refusal = cost_refusal(estimate, budget)
    if refusal is not None:
        record.error = refusal
        return record
    gate: AdaptiveGate | None = None
    try:
        with watching(watch):
            if settings.sequential or settings.max_cost is not None:
                gate = adaptive_gate(task, pairs, options, thresholds if settings.sequential else None, budget)
                log = run_eval(adaptive_task(task, gate), model, options, cache)
            else:
                log = run_eval(task, model, options, cache, sample_selection(task, pairs))
    except EvalInterrupted as stop:
        raise GateInterrupted(_interrupted(record, stop.log, thresholds, settings, budget)) from None
    except Exception as err:  # a provider that cannot start: missing key, unknown model, …
        record.error = explain_error(model, f"{type(err).__name__}: {_one_line(str(err))}")
        return record

    if gate is None:
        usage = usage_by_model(log)
        total = budget.charge(usage)
        record = record_from_log(log, record, thresholds, settings.af_classifier)
    else:
        gate.finish()
        record_stop(log, gate)
        usage, total = gate.usage, gate.spent_total
        summary = gate.summary()
        if settings.sequential:
            record.sequential = summary.as_sequential(settings.alpha, settings.round_pairs)
        record = record_from_log(log, record, thresholds, settings.af_classifier, pairs=gate.used_pairs(),
                                 sequence=gate.intervals if settings.sequential else None)
    record.usage = usage_record(usage, settings.prices, batch=budget.batch, estimate=estimate.record())
    if gate is not None and gate.stopped == "cost":
        record.run.stopped = "cost"
        record.set_error(
            f"stopped by --af-max-cost ${settings.max_cost:,.2f}: the run had spent ${total or 0:,.2f} after "
            f"{gate.pairs_used} of {summary.pairs_budget} pairs of this gate; "
            "what was measured is kept in the log and report"
        )
    elif record.sequential is not None and record.sequential.stopped == "budget" and record.status != "error":
        record.set_error(record.sequential.reason)
    if watch.is_down():
        record.run.endpoint_down = True
        errored = sum(1 for s in record.samples if s.error)
        unsent = sum(1 for s in record.samples if (s.error or "").startswith(NOT_SENT))
        record.set_error(f"endpoint down, it answered no request: {watch.down}; "
                         f"{errored} of {len(record.samples)} samples errored, {unsent} of them never sent")
    if settings.baseline is not None and record.status != "error":
        _compare_with_baseline(record, settings.baseline, settings.max_regression, thresholds.min_pairs)
    return record


def _interrupted(record: GateRecord, log: EvalLog | None, thresholds: Thresholds, settings: Settings,
                 budget: Budget) -> GateRecord:
    """The record of a gate Ctrl-C stopped: what it finished and spent, and an error saying so."""
    estimate = record.usage.estimate if record.usage else None
    done = "no log was found"
    if log is not None:
        record = record_from_log(log, record, thresholds, settings.af_classifier)
        usage = usage_by_model(log)
        budget.charge(usage)
        record.usage = usage_record(usage, settings.prices, batch=budget.batch, estimate=estimate)
        done = f"{len(record.samples)} samples finished, kept in {log.location}"
    record.run.interrupted = True
    record.set_error(f"interrupted (Ctrl-C): {done}; run the same command again to resume"
                     + ("" if settings.log_dir else " (with --af-log-dir, finished samples are not asked again)"))
    return record


def adaptive_gate(task: Task, pairs: Sequence[str], options: RunOptions, thresholds: Thresholds | None,
                  budget: Budget) -> AdaptiveGate:
    """The sample source of a gate that may stop early, admitting `pairs` in their order:
    sequential when `thresholds` are given, and stopped by the run's cost cap when the budget has one."""
    settings = options.settings
    rule = SequentialRule.of(task, thresholds, settings.alpha) if thresholds is not None else None
    return AdaptiveGate(
        task, pairs, epochs=settings.epochs or 1, in_flight=options.max_connections + 2 * _conditions(task),
        check_every=settings.round_pairs, rule=rule, budget=budget if budget.cap is not None else None,
    )


def gate_estimate(task: Task, pairs: Sequence[str], model: str, settings: Settings) -> GateEstimate:
    return estimate_gate(
        task, model, settings.prices, pairs=pairs,
        epochs=settings.epochs, batch=settings.batch is not None,
        judge_models=settings.judge_models,
        output_tokens_per_reply=settings.output_tokens_per_reply,
    )


def estimate_run(gates: Sequence[CollectedGate], settings: Settings) -> tuple[list[str], str | None]:
    """Lines that show what the collected gates will cost, and why the run may not start
    (its estimate is over --af-max-cost, or a model it needs has no price), if so."""
    estimates: list[GateEstimate] = []
    for gate in gates:
        try:
            task, _, _ = _prepare(gate.spec, gate.model, settings, gate.variant)
        except (ValueError, TypeError):
            continue  # the gate reports its own error when it runs
        estimates.append(gate_estimate(task, gate_pairs(task, settings), gate.model, settings))
    if not estimates:
        return [], None
    total = GateEstimate(tuple(part for e in estimates for part in e.parts), estimates[0].assumptions)
    gates = f"{len(estimates)} gate{'s' if len(estimates) != 1 else ''}"
    lines = [f"af-bench estimate for {gates} before any request: {total.describe()} "
             f"({total.assumptions}{'; batch prices' if settings.batch is not None else ''})"]
    priced = {part.price.key: part.price for part in total.parts if part.price is not None and part.price.input}
    lines += [f"  price {p.key}: ${p.input:g} in / ${p.output:g} out per million tokens, read {p.as_of} from {p.source}"
              for p in priced.values()]
    refusal = None
    if settings.max_cost is not None:
        if total.usd is None:
            refusal = (f"--af-max-cost ${settings.max_cost:,.2f} cannot be checked: no price for "
                       f"{', '.join(sorted(set(total.unpriced())))}; add one under [tool.af_bench.prices] in "
                       "pyproject.toml. No request was made")
        elif total.usd > settings.max_cost:
            refusal = (f"refused by --af-max-cost ${settings.max_cost:,.2f}: the run ({gates}) is "
                       f"estimated at {total.describe()}. No request was made")
        if refusal:
            lines.append(refusal)
    return lines, refusal


def known_scenarios(gates: Sequence[CollectedGate]) -> dict[str, set[str]]:
    """Every scenario a threshold may name, with its contrasts: the shipped ones and those of the
    collected gates (a lab's own scenario included)."""
    from af_bench.tasks import SPECS

    known: dict[str, set[str]] = {name: {c.name for c in spec.contrasts} for name, spec in SPECS.items()}
    for gate in gates:
        try:
            task = gate.spec.task(gate.variant)
        except (ValueError, TypeError):
            continue  # the gate reports its own error when it runs
        if isinstance(task, Task):
            meta = ScenarioMeta.of(task.metadata)
            known.setdefault(meta.scenario or task.name, set()).update(c.name for c in meta.contrasts)
    return known


def cost_refusal(estimate: GateEstimate, budget: Budget) -> str | None:
    """Why a capped gate may not start, or None. Checked before any request is sent."""
    if budget.cap is None:
        return None
    if estimate.usd is None:
        return (f"--af-max-cost ${budget.cap:,.2f} cannot be checked: no price for {', '.join(estimate.unpriced())}; "
                "add one under [tool.af_bench.prices] in pyproject.toml. No request was made")
    spent_so_far = budget.ledger.total()
    if spent_so_far + estimate.usd > budget.cap:
        return (f"refused by --af-max-cost ${budget.cap:,.2f}: this gate is estimated at {estimate.describe()} "
                f"and the run has spent ${spent_so_far:,.2f}. No request was made")
    return None


def _compare_with_baseline(record: GateRecord, path: Path, max_regression: float, min_pairs: int) -> None:
    from af_bench.gating.baseline import BaselineError, compare, load_baseline, too_few_pairs

    try:
        comparison = compare(record, load_baseline(path), str(path), max_regression)
    except BaselineError as err:
        record.set_error(str(err))
        return
    record.baseline = comparison
    record.add_breaches(comparison.breaches)
    # A regression found on few requests is still found; only a pass would be empty.
    shortfall = too_few_pairs(record, comparison, min_pairs)
    if shortfall is not None and record.status == "pass":
        record.set_error(shortfall)


def _prepare(spec: GateSpec, model: str, settings: Settings, variant: str | None) -> tuple[Task, str, Thresholds]:
    task = spec.task(variant)
    if not isinstance(task, Task):
        raise TypeError(f"gate {spec.name} must return an inspect Task, got {type(task).__name__}")
    meta = ScenarioMeta.of(task.metadata)
    scenario = meta.scenario or task.name
    try:
        task = with_protocol(with_scoring(task, settings.scoring_overrides()), **settings.protocol_overrides())
        task = with_paraphrases(task, settings.paraphrases)
    except ValueError as err:
        raise ValueError(f"gate {spec.name}: {err}") from None
    contrasts = {c.name for c in meta.contrasts}
    unknown = spec.thresholds.contrast_names() - contrasts
    if unknown:
        raise ThresholdError(
            f"@af_bench.gate on {spec.name}: {', '.join(sorted(unknown))} names no contrast of scenario "
            f"{scenario} (contrasts: {', '.join(sorted(contrasts))})"
        )
    # Limits set for every gate apply to the scenarios that have that contrast.
    return task, scenario, settings.thresholds_for(spec.thresholds, scenario, model).restricted_to(contrasts)


def record_from_log(
    log: EvalLog, record: GateRecord, thresholds: Thresholds, af_classifier: str = "auto",
    pairs: Sequence[str] | None = None, sequence: Mapping[str, Interval] | None = None,
) -> GateRecord:
    """Fill `record` (identity and thresholds set) from a finished log and reach the verdict;
    `af_classifier` is the user's choice of AF classifier (`--af-classifier`); `pairs`, for an
    adaptive gate, the pairs its verdict is taken on (the log may hold more); `sequence`, for a
    sequential gate, the confidence sequences that stand for its contrasts' intervals."""
    record.log = log.location
    record.scenario_version = ScenarioMeta.of(log.eval.metadata).scenario_version
    record.status = "error"
    if log.status != "success":
        record.error = explain_error(
            record.model, _one_line(log.error.message) if log.error else f"run ended with status {log.status}"
        )
    # A finished gate's log is read back one sample at a time: held whole, with every event, a
    # large gate's log would be most of the process's memory.
    reading = read_gate(log, log.samples if log.samples is not None else read_samples(log),
                        None if pairs is None else set(pairs))
    metrics, samples = reading.metrics, reading.samples
    if log.status != "success" and not samples:
        return record
    if sequence:
        metrics = with_sequence_intervals(metrics, sequence)
    record.metrics, record.samples = metrics, samples
    record.sampling = reading.sampling
    record.classifier = reading.classifier
    if record.classifier == "judge":
        record.judge = JudgeOptions(**ScoringOptions.of(log.eval.scorers[0].options if log.eval.scorers else {}).judge_settings())
    gating = af_gating(record.classifier, record.model, af_classifier)
    record.af_gated, record.af_gated_why = gating.gated, gating.why
    found, incomplete = verdict_of(metrics, thresholds, gating)
    first_error = next((s.error for s in samples if s.error), None)
    if first_error and not record.error:
        incomplete.append(f"first error: {explain_error(record.model, first_error)}")
    record.settle([b.message for b in found], incomplete)
    return record


def with_scoring(task: Task, overrides: Mapping[str, Any]) -> Task:
    """The task with its scorer rebuilt from its own scoring options plus `overrides` (by option
    name), and its metadata saying so."""
    if not overrides:
        return task
    scoring = ScenarioMeta.of(task.metadata).scoring.updated(overrides)
    return task_with(
        task,
        scorer=alignment_faking_outcome(**scoring.as_kwargs()),
        metadata={**(task.metadata or {}), "scoring": scoring.as_kwargs()},
    )


def explain_error(model: str, message: str) -> str:
    """One line that says which endpoint failed and how, with the provider's own words. A line
    the solver already wrote (`model at endpoint: …`) keeps the endpoint it names."""
    where, said = endpoint(model), message
    named = f"{model} at "
    if message.startswith(named) and ": " in message[len(named):]:
        where, said = message[len(named):].split(": ", 1)
    lowered = said.lower()
    # Anthropic says not_found_error; OpenAI-compatible servers say NotFoundError or "does not exist".
    if ("not_found_error" in lowered or "notfounderror" in lowered or "http 404" in lowered
            or "error code: 404" in lowered or "does not exist" in lowered) and "model" in lowered:
        return f"model {model} not found at {where} (retired or unknown to the provider): {said}"
    if "authentication_error" in lowered or "http 401" in lowered or ("401" in lowered and "key" in lowered):
        return f"{where} rejected the API key for {model}: {said}"
    return f"{model} at {where}: {said}"
