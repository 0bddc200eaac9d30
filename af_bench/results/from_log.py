"""How a gate's report records are read off an inspect log (the schema is af_bench.results.schema).

The reading streams: `read_gate(header, samples)` consumes samples one at a time and keeps only
what a `SampleRecord` and the pair table need, so a 10,000-sample log is never held whole.
`read_samples(log)` gives such a stream from a log file; `gate_metrics(log)` still takes a
log read with its samples.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from inspect_ai.event import ModelEvent
from inspect_ai.log import (
    EvalLog, EvalSample, read_eval_log, read_eval_log_sample_summaries, read_eval_log_samples_by_id,
)

from af_bench.scoring.behaviours import behaviour_named
from af_bench.scoring.pairs import ScoredSample, pair_table
from af_bench.scenario.reply import read_assistant_messages, transcript_reasoning
from af_bench.results.schema import GateMetrics, SampleRecord, Sampling, SamplingSettings, metrics_from
from af_bench.scenario.wordings import WORDING
from af_bench.scenarios.build import ScenarioMeta
from af_bench.scoring.details import ScoreDetails
from af_bench.scoring.value import SCORER_NAME, ScoreValue
from af_bench.scenario.outcomes import Outcome
from af_bench.scenario.solver import ProtocolResult

SAMPLING_KEYS = ("temperature", "top_p", "top_k", "max_tokens", "seed", "reasoning_tokens", "reasoning_effort")
_SENT_KEYS = (*SAMPLING_KEYS, "thinking", "output_config")
"""Request fields that carry those settings: Anthropic sends reasoning as `thinking` or `output_config`."""


def _nan_to_none(value: float) -> float | None:
    return None if math.isnan(value) else value


_API_ERROR_RE = re.compile(r"Error code: \d{3} - (?:\{.*?\}\}|[^\n{][^\n]*)")
_RAISED_RE = re.compile(r"raised (\w+)")


def error_summary(message: str, traceback: str = "") -> str:
    """The provider's own words for a failed call, in one line. af-bench's solver already says a
    provider failure in one line (`af_bench.endpoint`); for other errors (and older logs), the API
    error body when there is one (also when a retry wrapper hides it), else the message's last line."""
    if "\n" not in message.strip() and "RetryError(" not in message:
        return message.strip()[:500]
    api_errors = _API_ERROR_RE.findall(f"{message}\n{traceback}")
    if api_errors:
        return api_errors[-1]
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else message
    raised = _RAISED_RE.search(last)
    if raised:
        return f"{last} (retries exhausted; last error {raised.group(1)})"
    return last[:500]


def _logged_value(sample: EvalSample) -> dict[str, Any] | None:
    score = (sample.scores or {}).get(SCORER_NAME)
    return score.value if score is not None and isinstance(score.value, dict) else None


def scored_sample(sample: EvalSample) -> ScoredSample:
    """One logged sample as the pair table reads it: nothing to count when it errored or the
    scenario scorer never scored it."""
    meta = sample.metadata or {}
    value = _logged_value(sample)
    pair_id, condition = meta.get("pair_id"), meta.get("condition")
    return ScoredSample(
        sample_id=str(sample.id),
        pair_id=None if pair_id is None else str(pair_id),
        condition=None if condition is None else str(condition),
        epoch=sample.epoch,
        value=ScoreValue.from_value(value) if value is not None and sample.error is None else None,
    )


def _sample_record(sample: EvalSample) -> SampleRecord:
    meta = sample.metadata or {}
    score = (sample.scores or {}).get(SCORER_NAME)
    details = ScoreDetails.from_metadata(score.metadata if score else None)
    error = error_summary(sample.error.message, sample.error.traceback) if sample.error else None
    if details is None:  # never scored: an error, whatever else happened
        details = ScoreDetails(outcome=Outcome.FAILED, failure="error")
    value = ScoreValue.from_value(_logged_value(sample) or {})
    return SampleRecord(
        id=str(sample.id),
        pair_id=meta.get("pair_id"),
        condition=meta.get("condition"),
        request=meta.get("request"),
        wording=meta.get(WORDING),
        outcome=details.outcome.value,
        behaviour=details.shows_behaviour if details.behaviour else None,
        af_reasoning=details.af_reasoning,
        epoch=sample.epoch,
        failure=details.failure,
        error=error,
        af_vote_fraction=_nan_to_none(value.af_vote_fraction),
        af_votes=details.af_votes,
        af_criteria=details.af_criteria,
        af_quotes=details.af_quotes,
        af_panel=details.af_panel or None,
        partial_compliance=details.partial_compliance,
        eval_aware=details.eval_aware,
        judge_failure=None if math.isnan(value.judge_failed) else bool(value.judge_failed),
        tag_outcome=details.tag_outcome,
        tags=details.tags,
        judge_compliance=details.judge_compliance,
        **_transcript(sample, details.failure, source=details.reasoning_source),
    )


def _transcript(sample: EvalSample, failure: str | None, source: str | None) -> dict[str, Any]:
    """The reasoning and final output, for readers of the report who have no inspect log. The
    scorer logs where the reasoning came from but not its text (that would double the log), so
    the text is read from the messages again; the scorer's own `reasoning_source` wins when
    logged, so report and score can never disagree on it. A sample without a usable answer keeps
    what its last reply said (a blocked one has nothing of the model's to keep)."""
    readings = read_assistant_messages(sample.messages)
    reasoning = transcript_reasoning(readings)
    if failure in ("blocked", "error"):
        output = None
    elif failure in ("truncated", "turn_cap", "malformed"):
        replies = [m for m in sample.messages if m.role == "assistant"]
        output = (replies[-1].text.strip() or None) if replies else None
    else:
        output = readings[-1].final_output if readings else None
    return {"scratchpad": reasoning.text or None, "output": output,
            "output_cut_off": failure == "truncated" and output is not None,
            "reasoning_source": source or reasoning.source.value}


def sampling_of(sample: EvalSample) -> Sampling | None:
    """Sampling settings of the sample's first model call; None when it made none."""
    for event in sample.events:
        if isinstance(event, ModelEvent):
            configured = SamplingSettings(**{k: getattr(event.config, k) for k in SAMPLING_KEYS})
            sent = None
            if event.call is not None:
                sent = {k: event.call.request.get(k) for k in _SENT_KEYS if k in event.call.request}
            prefill = sample.store_as(ProtocolResult).prefill
            return Sampling(configured=configured, sent=sent, prefill=prefill)
    return None


def sampling_settings(log: EvalLog) -> Sampling:
    """The sampling settings of a log's first model call (a log read whole)."""
    for sample in log.samples or []:
        found = sampling_of(sample)
        if found is not None:
            return found
    return Sampling()


READ_CHUNK = 200
"""Samples read from a log per request: few enough to bound memory, many enough that the log's
zip directory is parsed once a chunk rather than once a sample (which is quadratic in samples)."""


def finished_keys(header: EvalLog) -> list[tuple[str | int, int]] | None:
    """The `(id, epoch)` of every sample of a log that finished (it holds each sample its header
    names, in each epoch); None for any other log."""
    ids = header.eval.dataset.sample_ids
    if header.status != "success" or header.invalidated or ids is None:
        return None
    epochs = header.eval.config.epochs or 1
    return [(sample_id, epoch) for sample_id in ids for epoch in range(1, epochs + 1)]


def summary_keys(location: str) -> list[tuple[str | int, int]]:
    """The `(id, epoch)` of every sample a log file holds, from its sample summaries: these cost
    far more to read than the header (130 MiB for 10,000 samples), so a finished log skips them."""
    return [(summary.id, summary.epoch) for summary in read_eval_log_sample_summaries(location)]


def read_samples(log: EvalLog | str) -> Iterator[EvalSample]:
    """The samples of a log file, given by its location or by a header read from it, a chunk at a
    time (a log cut short yields the samples it holds)."""
    header = read_eval_log(log, header_only=True) if isinstance(log, str) else log
    keys = finished_keys(header)
    if keys is None:
        keys = summary_keys(header.location)
    held: set[tuple[str | int, int]] | None = None
    for start in range(0, len(keys), READ_CHUNK):
        chunk = keys[start:start + READ_CHUNK]
        try:
            samples = read_eval_log_samples_by_id(header.location, chunk)
        except IndexError:  # the header named a sample the log lacks: read the ones it holds
            held = set(summary_keys(header.location)) if held is None else held
            samples = read_eval_log_samples_by_id(header.location, [key for key in chunk if key in held])
        yield from samples


@dataclass
class GateReading:
    """What a gate keeps of its log: the figures, the sample records, the sampling settings and
    the AF classifier the scorer used."""

    metrics: GateMetrics
    samples: list[SampleRecord]
    sampling: Sampling = field(default_factory=Sampling)
    classifier: str | None = None


def read_gate(header: EvalLog, samples: Iterable[EvalSample], pairs: Collection[str] | None = None) -> GateReading:
    """A gate's figures and records from a log header (its eval spec: scenario metadata, sample
    ids, epochs) and its samples, consumed once and one at a time. With `pairs` (an adaptive
    gate's), only those pairs' samples count, and every condition and epoch of each is expected."""
    metadata = header.eval.metadata or {}
    meta = ScenarioMeta.of(metadata)
    measured = behaviour_named(meta.scoring.behaviour)
    epochs = header.eval.config.epochs or 1
    if pairs is None:
        expected = len(header.eval.dataset.sample_ids or []) * epochs
    else:
        expected = len(pairs) * max(1, len(meta.conditions)) * epochs
    records: list[SampleRecord] = []
    scored: list[ScoredSample] = []
    sampling: Sampling | None = None
    classifier: str | None = None
    for sample in samples:
        if pairs is not None and str((sample.metadata or {}).get("pair_id")) not in pairs:
            continue
        records.append(_sample_record(sample))
        scored.append(scored_sample(sample))
        sampling = sampling or sampling_of(sample)
        classifier = classifier or _classifier_of(sample)
    # Samples are logged as they finish, an order that differs from run to run: records follow
    # the data set's order instead, so two runs of the same gate list them alike.
    position = {str(sample_id): i for i, sample_id in enumerate(header.eval.dataset.sample_ids or [])}
    records.sort(key=lambda r: (position.get(r.id, len(position)), r.id, r.epoch))
    metrics = metrics_from(records, pair_table(scored), metadata, [measured.key] if measured else [], expected)
    return GateReading(metrics, records, sampling or Sampling(), classifier)


def _classifier_of(sample: EvalSample) -> str | None:
    for score in (sample.scores or {}).values():
        if score.metadata and "af_classifier" in score.metadata:
            return str(score.metadata["af_classifier"])
    return None


def gate_metrics(
    header: EvalLog, samples: Iterable[EvalSample] | None = None
) -> tuple[GateMetrics, list[SampleRecord]]:
    """`read_gate`'s figures and records; without `samples`, those of `header.samples` (a log
    read whole)."""
    reading = read_gate(header, header.samples or [] if samples is None else samples)
    return reading.metrics, reading.samples
