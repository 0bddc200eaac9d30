"""Re-scoring a finished log with other scorer settings, without querying the tested model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspect_ai import score
from inspect_ai.log import EvalLog

from af_bench.gating.adaptive import AdaptiveStop
from af_bench.results.schema import GateRecord
from af_bench.scoring.options import ScoringOptions
from af_bench.scoring.value import SCORER_NAME
from af_bench.gating.models import same_family_warnings
from af_bench.gating.runner import record_from_log
from af_bench.scoring.classifiers.judge import grader_roles
from af_bench.scenarios.build import ScenarioMeta, scenario_metrics
from af_bench.scoring.scorer import alignment_faking_outcome
from af_bench.gating.settings import SettingsError, threshold_overrides
from af_bench.results.thresholds import Thresholds


def rescore_log(
    log: EvalLog,
    overrides: dict[str, Any],
    *,
    judge_models: Sequence[str],
    previous: GateRecord | None = None,
    thresholds_cli: Sequence[str] = (),
) -> tuple[EvalLog, GateRecord]:
    """Apply af-bench's scorer again, its logged options updated by `overrides`, and reach a
    verdict with the thresholds of the previous report's gate (or the defaults)."""
    scorers = [s for s in (log.eval.scorers or []) if s.name.endswith(SCORER_NAME)]
    if not scorers:
        raise SettingsError(f"{log.location}: not an af-bench log (no {SCORER_NAME} scorer)")
    options = ScoringOptions.of(scorers[0].options).updated(overrides)
    meta = ScenarioMeta.of(log.eval.metadata)
    new_log = score(
        log,
        scorers=[alignment_faking_outcome(**options.as_kwargs())],
        # The tested model is never called: its key and base URL need not be set to re-score.
        model="none/none",
        metrics=scenario_metrics(meta),
        model_roles=grader_roles(judge_models) or None,
        action="overwrite",
        display="none",
    )
    thresholds = previous.thresholds if previous else Thresholds()
    extra = threshold_overrides(thresholds_cli)
    if extra.by_scenario:
        raise SettingsError("--threshold takes NAME=VALUE when re-scoring")
    thresholds = thresholds.merged(extra.everywhere, "--threshold").restricted_to({c.name for c in meta.contrasts})
    record = GateRecord(
        gate=previous.gate if previous else log.eval.task,
        nodeid=previous.nodeid if previous else log.eval.task,
        scenario=meta.scenario or log.eval.task,
        model=log.eval.model,
        thresholds=thresholds,
        judge_model=judge_models[0] if judge_models else None,
        judge_panel=list(judge_models) if len(judge_models) > 1 else None,
        warnings=same_family_warnings(judge_models, [log.eval.model]) or None,
    )
    stop = AdaptiveStop.of(log)
    if stop is None:
        return new_log, record_from_log(new_log, record, thresholds)
    # An adaptive gate's log holds pairs admitted after its stop: the verdict stays on the pairs used.
    sequence = stop.intervals(new_log.samples or [], meta.contrasts) or None
    return new_log, record_from_log(new_log, record, thresholds, pairs=stop.pairs, sequence=sequence)
