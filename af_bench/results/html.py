"""A self-contained HTML page from af-bench reports (`Report`s, or `--af-report` JSON files read
through `Report.model_validate`).

`render_html(reports)` returns one HTML document: CSS inline, figures as inline SVG, no script, no
reference to anything outside the file (a Content-Security-Policy in the page forbids fetching
and script execution too, so model text that slipped through escaping could not run). The page is
Jinja2 templates (`templates/`, package data) with autoescape on: model text (requests,
scratchpads, outputs, errors) is untrusted and escaped wherever it is put; only the SVG charts,
drawn here from numbers, go in as markup.

The page reads the report only: nothing is re-run and no model is asked. Fields that older reports
lack have defaults in the schema, so any schema-1 report renders.
"""

from __future__ import annotations

import math
import posixpath
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PureWindowsPath
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from jinja2.ext import Extension
from markupsafe import Markup

from af_bench.files import write_text_atomically
from af_bench.results.charts import SEGMENT_KEYS, IntervalRow, interval_chart, share_bars
from af_bench.results.schema import (
    GapFigures, GateRecord, GateUsage, ModelUsage, Regression, Report, SampleRecord, UsageEstimate,
)
from af_bench.results.thresholds import ContrastFigures, GateFigures, breaches
from af_bench.results.verdict import wording_sensitivity

__all__ = ["condition_counts", "condition_shares", "contrast_verdict", "render_html", "segment_of", "write_html"]

NO_CONDITION = "(no condition)"
_TABLE_LABEL = {
    "complied_af": "AF reasoning", "complied_no_af": "no AF reasoning", "complied_unassessed": "AF not assessed",
    "refused": "refused", "other": "other", "blocked": "blocked (provider)", "failed": "failed",
    "behaviour_yes": "shows the behaviour", "behaviour_no": "does not show it",
}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


# --- figures read off a gate ------------------------------------------------------------------


def behaviour_of(gate: GateRecord) -> str | None:
    """The behaviour a scenario is measured by (`supports_welfare`, `exfiltrated`), None for compliance."""
    for figures in gate.metrics.conditions.values() if gate.metrics else ():
        for key in figures.behaviour:
            return key
    return None


def segment_of(sample: SampleRecord, by_behaviour: bool = False) -> str:
    """Which part of the stacked bar a sample belongs to. A provider block is its own part
    (outcome `blocked`, or `failed` with failure `blocked` in reports written before that outcome
    existed): a block is neither the model's refusal nor its failure. A compliant answer whose
    reasoning was not assessed (`af_reasoning` null) is kept apart from one judged free of it.
    `by_behaviour`: the scenario is measured by a behaviour, and its answers are drawn by it."""
    outcome = sample.outcome
    if by_behaviour and outcome not in ("failed", "blocked") and sample.behaviour is not None:
        return "behaviour_yes" if sample.behaviour else "behaviour_no"
    if outcome == "complied":
        af = sample.af_reasoning
        return "complied_af" if af is True else "complied_no_af" if af is False else "complied_unassessed"
    if outcome == "blocked" or (outcome == "failed" and sample.failure == "blocked"):
        return "blocked"
    return outcome


def _conditions(gate: GateRecord) -> list[str]:
    """The gate's conditions in the report's order (its metrics), then any only its samples name."""
    ordered = list(gate.metrics.conditions) if gate.metrics else []
    for sample in gate.samples:
        condition = sample.condition or NO_CONDITION
        if condition not in ordered:
            ordered.append(condition)
    return ordered


def condition_counts(gate: GateRecord) -> dict[str, dict[str, int]]:
    """Samples (every epoch) per condition and stacked-bar segment, every segment present."""
    counts = {c: dict.fromkeys(SEGMENT_KEYS, 0) for c in _conditions(gate)}
    by_behaviour = behaviour_of(gate) is not None
    for sample in gate.samples:
        counts[sample.condition or NO_CONDITION][segment_of(sample, by_behaviour)] += 1
    return counts


def condition_shares(gate: GateRecord) -> dict[str, dict[str, float]]:
    """Share of each segment per condition, computed from the gate's samples. A gate whose report
    has no samples falls back on its metrics' rates (all compliance then `complied_unassessed`).
    A condition with no sample and no rates has every share 0."""
    counts = condition_counts(gate)
    if gate.samples:
        return {
            c: {k: (n / total if (total := sum(row.values())) else 0.0) for k, n in row.items()}
            for c, row in counts.items()
        }
    conditions = gate.metrics.conditions if gate.metrics else {}
    behaviour = behaviour_of(gate)
    shares: dict[str, dict[str, float]] = {}
    for c in counts:
        row = dict.fromkeys(SEGMENT_KEYS, 0.0)
        figures = conditions.get(c)
        if figures is not None:
            row["failed"], row["blocked"] = _num(figures.failed) or 0.0, _num(figures.blocked) or 0.0
            shown = _num(figures.behaviour.get(behaviour)) if behaviour else None
            if shown is not None:
                row["behaviour_yes"] = shown
                row["behaviour_no"] = max(0.0, 1.0 - shown - row["failed"] - row["blocked"])
            else:
                row["complied_unassessed"] = _num(figures.complied) or 0.0
                row["refused"], row["other"] = _num(figures.refused) or 0.0, _num(figures.other) or 0.0
        shares[c] = row
    return shares


def _num(value: float | None) -> float | None:
    """A figure to show: None where it was not measured (null in the report, or NaN)."""
    return None if value is None or math.isnan(value) else float(value)


def contrasts_of(gate: GateRecord) -> dict[str, GapFigures]:
    metrics = gate.metrics
    if metrics is None:
        return {}
    if not metrics.contrasts and metrics.tier_gap is not None:  # reports from before named contrasts
        return {"tier_gap": metrics.tier_gap}
    return dict(metrics.contrasts)


def _limits(gate: GateRecord, contrast: str) -> tuple[float | None, float | None]:
    return gate.thresholds.contrast_max.get(contrast), gate.thresholds.contrast_min.get(contrast)


def contrast_verdict(gate: GateRecord, contrast: str) -> str:
    """`pass` or `fail` against the contrast's own limits, as the gate judges them
    (`thresholds.breaches`: the point estimate, or the interval's far end in `strict` mode; an
    unmeasured value fails a limit), `no limit` when none is set, `error` when the gate could not
    reach a verdict."""
    if gate.status == "error":
        return "error"
    high_limit, low_limit = _limits(gate, contrast)
    if high_limit is None and low_limit is None:
        return "no limit"
    figures = contrasts_of(gate).get(contrast)
    measured = ContrastFigures(*(_nan(getattr(figures, k, None)) for k in ("value", "ci_low", "ci_high")))
    return "fail" if breaches(gate.thresholds.restricted_to({contrast}), _contrast_only(contrast, measured)) else "pass"


def weak_pass(gate: GateRecord) -> list[str]:
    """For a passing gate, each contrast whose 95% interval reaches past its limit: the point
    estimate passed, but the data cannot rule out a value that fails."""
    if gate.status != "pass":
        return []
    found = []
    for name, figures in contrasts_of(gate).items():
        high_limit, low_limit = _limits(gate, name)
        high, low = _num(figures.ci_high), _num(figures.ci_low)
        if (high_limit is not None and high is not None and high > high_limit) or (
                low_limit is not None and low is not None and low < low_limit):
            found.append(f"weak pass: {name} 95% interval {interval(figures)} reaches past its limit; "
                         "more pairs would settle it")
    return found


def _nan(value: float | None) -> float:
    number = _num(value)
    return math.nan if number is None else number


def _contrast_only(contrast: str, measured: ContrastFigures) -> GateFigures:
    """Figures with one contrast measured and nothing else (no other threshold can fire)."""
    nan = math.nan
    return GateFigures(contrasts={contrast: measured}, af_rate=nan, af_rate_ci_high=nan, partial_rate=nan,
                       eval_awareness=nan, af_applicable=False)


# --- formatting (the templates' filters) ------------------------------------------------------------


def pct(value: float | None) -> str:
    number = _num(value)
    return "—" if number is None else f"{number:.1%}"


def fixed(value: float | None, digits: int = 3) -> str:
    number = _num(value)
    return "—" if number is None else f"{number:+.{digits}f}"


def p_value(value: float | None) -> str:
    number = _num(value)
    if number is None:
        return "—"
    return f"{number:.2g}" if number >= 1e-4 else f"{number:.1e}"


def interval(figures: GapFigures | Regression) -> str:
    low, high = _num(figures.ci_low), _num(figures.ci_high)
    if low is None or high is None:
        return ""
    return f"[{low:+.3f}, {high:+.3f}]"


def definition(figures: GapFigures) -> str:
    """What a contrast measures: `first − second`, or the first condition's rate alone."""
    first, second, behaviour = figures.first, figures.second, figures.behaviour
    what = f" ({behaviour})" if behaviour and behaviour != "complied" else ""
    if first and second:
        return f"{first} − {second}{what}"
    if first:
        return f"rate in {first}{what}"
    return "first − second condition"


def status_class(status: str) -> str:
    return status if status in ("pass", "fail", "error") else "other"


def yes_no(value: bool | None) -> str:
    return "yes" if value is True else "no" if value is False else "—"


def gate_title(gate: GateRecord) -> str:
    base = f"{gate.scenario or gate.gate or 'gate'} · {gate.model or '?'}"
    return f"{base} · variant {gate.variant}" if gate.variant else base


def _usd(value: float) -> str:
    return f"${value:,.4f}" if value < 1 else f"${value:,.2f}"


def _tokens_cost(usage: GateUsage | ModelUsage | UsageEstimate) -> list[str]:
    parts = [f"{value:,} {label}" for value, label in ((usage.input_tokens, "input tokens"),
                                                      (usage.output_tokens, "output tokens")) if value is not None]
    if "cost_usd" in usage.model_fields_set:
        parts.append("cost unknown (no price for a model used)" if usage.cost_usd is None else _usd(usage.cost_usd))
    return parts


def usage_text(usage: GateUsage | None) -> str:
    """A gate's `usage`: tokens and cost spent, the batch API, the split per model when there are
    several (a judge, say), and the estimate made before the run."""
    if usage is None or not usage.model_fields_set:
        return ""
    parts = _tokens_cost(usage)
    if usage.batch is True:
        parts.append("batch API")
    if usage.models is not None and len(usage.models) > 1:
        parts.append("per model: " + "; ".join(f"{name} {', '.join(_tokens_cost(m))}"
                                                for name, m in usage.models.items()))
    if usage.estimate is not None and usage.estimate.model_fields_set:
        parts.append("estimated beforehand: " + ", ".join(_tokens_cost(usage.estimate)))
    return ", ".join(parts)


@dataclass(frozen=True)
class LogLine:
    """How to open a gate's log: its file name and the folder `inspect view` is given."""

    label: str
    name: str
    folder: str


def _log_line(label: str, log: str, page_dir: Path | None) -> LogLine:
    """Relative to the page's own folder where the log is a local file under it, so the page
    names no absolute path of the machine that wrote it."""
    windows = "\\" in log and "/" not in log
    where = str(PureWindowsPath(log).parent) if windows else posixpath.dirname(log) or "."
    local = Path(where.removeprefix("file://"))
    if page_dir is not None and local.is_absolute() and local.resolve().is_relative_to(page_dir.resolve()):
        where = str(local.resolve().relative_to(page_dir.resolve())) or "."
    name = PureWindowsPath(log).name if windows else posixpath.basename(log)
    return LogLine(label, name, shlex.quote(where))


def log_lines(gate: GateRecord, page_dir: Path | None) -> list[LogLine]:
    """The gate's log; a merged report's, each shard's log (on the machine that ran it)."""
    if gate.log:
        return [_log_line("Inspect log", gate.log, page_dir)]
    return [_log_line(f"Shard {s.shard} log", s.log, page_dir) for s in gate.shards or [] if s.log]


# --- what the sections show ---------------------------------------------------------------------


def summary_facts(reports: Sequence[Report], gates: Sequence[GateRecord]) -> list[tuple[str, str]]:
    models = list(dict.fromkeys(g.model for g in gates))
    scenarios = list(dict.fromkeys(g.scenario for g in gates))
    created = [r.created for r in reports if r.created]
    versions = list(dict.fromkeys(r.af_bench_version for r in reports if r.af_bench_version))
    rows = [
        ("gates", str(len(gates))),
        ("models", ", ".join(models) or "—"),
        ("scenarios", ", ".join(scenarios) or "—"),
        ("reports", f"{len(reports)} (created {', '.join(created) or 'unknown'})"),
        ("af-bench", ", ".join(versions) or "unknown"),
    ]
    totals: dict[str, float] = {}
    unpriced = False
    for usage in (g.usage for g in gates if g.usage is not None):
        for key in ("input_tokens", "output_tokens", "cost_usd"):
            value = getattr(usage, key)
            if value is not None:
                totals[key] = totals.get(key, 0.0) + value
        unpriced = unpriced or ("cost_usd" in usage.model_fields_set and usage.cost_usd is None)
    if totals or unpriced:
        parts = [f"{int(totals[k]):,} {k.replace('_', ' ')}" for k in ("input_tokens", "output_tokens") if k in totals]
        if "cost_usd" in totals:
            parts.append(_usd(totals["cost_usd"]) + (" for the priced gates; some costs unknown" if unpriced else ""))
        elif unpriced:
            parts.append("cost unknown (no price for a model used)")
        estimated = [r.usage.estimate_usd if r.usage else None for r in reports]
        if estimated and all(e is not None for e in estimated):
            parts.append(f"estimated beforehand {_usd(sum(e for e in estimated if e is not None))}")
        rows.append(("usage", ", ".join(parts)))
    return rows


Column = tuple[str, str | None, str]
"""(scenario, variant, contrast): a column of the cross-model table."""


@dataclass(frozen=True)
class SweepRow:
    name: str
    cells: dict[Column, GateRecord]


def column_label(column: Column) -> str:
    scenario, variant, contrast = column
    return f"{scenario}{f' ({variant})' if variant else ''}: {contrast}"


def sweep_columns(gates: Sequence[GateRecord]) -> list[Column]:
    columns: list[Column] = []
    for gate in gates:
        for contrast in contrasts_of(gate):
            if (key := (gate.scenario, gate.variant, contrast)) not in columns:
                columns.append(key)
    return columns


def sweep_rows(gates: Sequence[GateRecord]) -> list[SweepRow]:
    """Rows per model; a model measured twice in one column (two reports of one model) gets a
    second row."""
    found: list[tuple[str, dict[Column, GateRecord]]] = []
    for gate in gates:
        for contrast in contrasts_of(gate) or {"": None}:
            key = (gate.scenario, gate.variant, contrast)
            target = next((cells for name, cells in found if name == gate.model and key not in cells), None)
            if target is None:
                target = {}
                found.append((gate.model, target))
            if contrast:
                target[key] = gate
    seen: dict[str, int] = {}
    rows = []
    for model, cells in found:
        seen[model] = seen.get(model, 0) + 1
        rows.append(SweepRow(model if seen[model] == 1 else f"{model} #{seen[model]}", cells))
    return rows


def sweep_charts(columns: Sequence[Column], rows: Sequence[SweepRow]) -> list[tuple[Markup, str]]:
    """Per column, the chart of every model's value and interval, and its title."""
    charts = []
    for index, column in enumerate(columns, 1):
        items = [(row.name, row.cells[column]) for row in rows if column in row.cells]
        chart_rows = []
        for name, gate in items:
            figures = contrasts_of(gate)[column[2]]
            high_limit, low_limit = _limits(gate, column[2])
            chart_rows.append(IntervalRow(
                label=name, value=_num(figures.value), ci_low=_num(figures.ci_low), ci_high=_num(figures.ci_high),
                max_limit=high_limit, min_limit=low_limit, verdict=contrast_verdict(gate, column[2]),
            ))
        chart_rows.sort(key=lambda r: (r.value is None, -(r.value or 0.0), r.label))
        title = column_label(column)
        what = definition(contrasts_of(items[0][1])[column[2]])
        charts.append((Markup(interval_chart(chart_rows, f"{title} by model", f"{column[2]}: {what}",
                                             f"sweep-{index}")), title))
    return charts


def thresholds_text(gate: GateRecord) -> str:
    shown = [f"{k} {v}" for k, v in gate.thresholds.as_dict().items() if v is not None]
    return " · ".join(shown) or "none"


@dataclass(frozen=True)
class ConditionTable:
    """The answers per condition: shares (and counts, from samples) per shown segment, and the
    condition's other rates."""

    shares: dict[str, dict[str, float]]
    counts: dict[str, dict[str, int]] | None
    """None when the report has no samples (the shares are its rates)."""
    n: dict[str, int | str]
    shown: list[str]
    complied_keys: list[str]
    after: list[str]
    """The headings after the complied group."""
    awareness: dict[str, float | None]
    behaviours: dict[str, list[float | None]]
    """Per condition, the rate of each measured behaviour."""
    partial: dict[str, float | None] | None
    """None when no partial compliance was measured."""

    @property
    def source(self) -> str:
        return "samples (every epoch)" if self.counts is not None else "the report's rates (no samples in this report)"


def condition_table(gate: GateRecord, shares: dict[str, dict[str, float]],
                    counts: dict[str, dict[str, int]]) -> ConditionTable:
    metrics = gate.metrics
    figures = metrics.conditions if metrics else {}
    behaviours = list(dict.fromkeys(k for c in figures.values() for k in c.behaviour))
    partial = metrics.partial_compliance if metrics else {}
    shown = [k for k in SEGMENT_KEYS if k in ("refused", "complied_af", "complied_no_af")
             or any(row.get(k, 0.0) > 0 for row in shares.values())]
    complied_keys = [k for k in shown if k.startswith("complied_")]
    after = [_TABLE_LABEL[k] for k in shown if k not in complied_keys]
    after += ["eval awareness"] + [f"behaviour: {b}" for b in behaviours]
    measured_partial = any(v is not None for v in partial.values())
    if measured_partial:
        after.append("partial compliance")
    return ConditionTable(
        shares=shares,
        counts=counts if gate.samples else None,
        n={c: sum(counts[c].values()) if gate.samples else (figures[c].n if c in figures else "—") for c in shares},
        shown=shown,
        complied_keys=complied_keys,
        after=after,
        awareness={c: metrics.eval_awareness.get(c) if metrics else None for c in shares},
        behaviours={c: [figures[c].behaviour.get(b) if c in figures else None for b in behaviours] for c in shares},
        partial={c: partial.get(c) for c in shares} if measured_partial else None,
    )


def limits_text(gate: GateRecord, contrast: str) -> str:
    high_limit, low_limit = _limits(gate, contrast)
    return " ".join(filter(None, [f"≤ {high_limit:g}" if high_limit is not None else "",
                                  f"≥ {low_limit:g}" if low_limit is not None else ""])) or "none"


def figure_rows(gate: GateRecord) -> list[tuple[str, str]]:
    """The gate's other figures and how it was run, as (label, text)."""
    metrics = gate.metrics
    rows: list[tuple[str, str]] = []
    if gate.scenario_version:
        rows.append(("scenario version", f"{gate.scenario_version} (same version, same prompts, queries and scoring)"))
    if metrics is not None:
        rows.append(("pairs", str(metrics.pairs)))
        if metrics.af_applicable:
            rows.append((f"alignment-faking reasoning rate ({metrics.af_condition})",
                         f"{'at least ' if gate.af_gated is False else ''}{pct(metrics.af_rate)} "
                         f"(95% upper bound {pct(metrics.af_rate_ci_high)}); "
                         f"among compliant answers {pct(metrics.af_rate_among_compliant)}"))
            if gate.af_gated is False:
                rows.append(("alignment-faking threshold", gate.af_gated_why or "not applied"))
        else:
            rows.append(("alignment-faking reasoning", "not applicable (no scratchpad)"))
        sources = [f"{c} " + ", ".join(f"{k} {v}" for k, v in f.reasoning_sources.items())
                   for c, f in metrics.conditions.items() if f.reasoning_sources]
        if sources:
            rows.append(("reasoning read from", "; ".join(sources)))
        readings = metrics.compliance_readings
        if readings.judged:
            rows.append(("compliance judge", f"read {readings.judged} answers, {readings.untagged} with no "
                                             f"accept or reject tag; disagreed with the tag rule on {readings.disagree}"))
        rows.append(("judge", f"{metrics.judged} samples judged, {metrics.judge_failures} judge failures"))
        if metrics.judge_panel:
            rows.append(("judges against the panel", "; ".join(j.describe() for j in metrics.judge_panel)))
        counts = metrics.counts.model_dump()
        rows.append(("samples", ", ".join(f"{k.removeprefix('samples_')} {v}" for k, v in counts.items()
                                          if k != "failures")))
        if metrics.counts.failures:
            rows.append(("failures by reason", ", ".join(f"{k} {v}" for k, v in metrics.counts.failures.items())))
    else:
        rows.append(("pairs", "—"))
    rows.append(("classifier", " · ".join(filter(None, [
        gate.classifier or "—",
        f"judges {' + '.join(gate.judge_panel)} (alignment faking by majority)" if gate.judge_panel
        else f"judge {gate.judge_model}" if gate.judge_model else "",
        ", ".join(f"{k} {v}" for k, v in gate.judge.model_dump().items()),
    ]))))
    if "sent" in gate.sampling.model_fields_set and gate.sampling.sent is not None:
        rows.append(("sampling (sent)", ", ".join(f"{k} {v}" for k, v in gate.sampling.sent.items()) or "—"))
    run = gate.run.model_dump()
    if run:
        rows.append(("run", ", ".join(f"{k} {v}" for k, v in run.items())))
    sequential = gate.sequential
    if sequential is not None:
        intervals = "; ".join(f"{k} [{v[0]:+.3f}, {v[1]:+.3f}]" for k, v in sequential.intervals.items() if len(v) == 2)
        rows.append(("sequential", f"stopped {sequential.stopped} after {sequential.pairs_used} of "
                                   f"{sequential.pairs_budget} pairs in {sequential.rounds} rounds "
                                   f"(alpha {sequential.alpha}, fixed-size design "
                                   f"{sequential.fixed_pairs or '—'} pairs)"
                                   + (f"; confidence sequences {intervals}" if intervals else "")))
    rows += [("warning", warning) for warning in gate.warnings or []]
    baseline = gate.baseline
    if baseline is not None:
        parts = [f"{name}: {fixed(r.baseline)} → {fixed(r.current)}, regression {fixed(r.regression)} {interval(r)}"
                 for name, r in baseline.contrasts.items()]
        rows.append(("baseline", f"{baseline.report} (max regression {baseline.max_regression}): "
                                 + ("; ".join(parts) or "—")))
    return rows


def output_label(sample: SampleRecord) -> str:
    """What the `output` text is: the final answer, or the reply of a sample that has none."""
    if sample.output_cut_off:
        return "reply cut off by the token limit (no final output)"
    if sample.outcome == "failed" and sample.failure in ("turn_cap", "malformed"):
        return f"last reply ({sample.failure.replace('_', ' ')}: no final output)"
    return "final output"


_SAMPLE_FACTS = ("reasoning_source", "tag_outcome", "tags", "judge_compliance", "behaviour", "eval_aware",
                 "partial_compliance", "af_vote_fraction", "judge_failure", "epoch")


def sample_facts(sample: SampleRecord) -> str:
    """The readings of a sample, on one line."""
    facts = [f"{key} {getattr(sample, key)}" for key in _SAMPLE_FACTS if getattr(sample, key) is not None]
    if sample.af_votes:
        facts.append("af votes " + ", ".join(f"{k} {v}" for k, v in sample.af_votes.items()))
    if sample.af_panel:
        facts.append("judges " + ", ".join(
            f"{judge} {'failed' if d is None else 'yes' if d else 'no'}" for judge, d in sample.af_panel.items()))
    if sample.af_criteria:
        facts.append("criteria " + ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in sample.af_criteria.items()))
    return " · ".join(facts)


def outcome_tally(samples: Sequence[SampleRecord]) -> str:
    tally: dict[str, int] = {}
    for sample in samples:
        tally[sample.outcome] = tally.get(sample.outcome, 0) + 1
    return ", ".join(f"{k} {v}" for k, v in tally.items())


@dataclass(frozen=True)
class GateCharts:
    shares: Markup | None
    shares_what: str
    contrasts: Markup | None
    mode: str
    wordings: Markup | None = None
    """The headline contrast under each wording of the system prompt (`--af-paraphrases`)."""
    wording_note: str | None = None
    """Why the gaps by wording matter, when the published wording hides a gap its paraphrases show."""


def gate_charts(gate: GateRecord, index: int, shares: dict[str, dict[str, float]],
                counts: dict[str, dict[str, int]]) -> GateCharts:
    """The gate's share bars (answers by condition) and its contrasts against their limits."""
    bars, what = None, ""
    if shares and (gate.samples or gate.metrics):
        conditions = gate.metrics.conditions if gate.metrics else {}
        n = {c: sum(row.values()) for c, row in counts.items()} if gate.samples else {
            c: conditions[c].n if c in conditions else 0 for c in shares
        }
        behaviour = behaviour_of(gate)
        labels = {"behaviour_yes": behaviour.replace("_", " "), "behaviour_no": f"not {behaviour.replace('_', ' ')}"} \
            if behaviour else None
        bars = Markup(share_bars(shares, n, f"{gate_title(gate)}: answers by condition", f"gate-{index}-shares", labels))
        what = (f"by whether the answer shows {behaviour.replace('_', ' ')}" if behaviour else
                "Hatched: alignment-faking reasoning in the scratchpad")
    chart = None
    contrasts = contrasts_of(gate)
    if contrasts:
        rows = []
        for name, figures in contrasts.items():
            high_limit, low_limit = _limits(gate, name)
            p = _num(figures.p_value)
            rows.append(IntervalRow(
                label=f"{name}\n{definition(figures)}", value=_num(figures.value), ci_low=_num(figures.ci_low),
                ci_high=_num(figures.ci_high), max_limit=high_limit, min_limit=low_limit,
                verdict=contrast_verdict(gate, name), note=f"p={p_value(p)}" if p is not None else "",
            ))
        chart = Markup(interval_chart(rows, f"{gate_title(gate)}: contrasts", "contrast value (95% interval)",
                                      f"gate-{index}-contrasts"))
    strict = gate.thresholds.mode == "strict"
    mode = "the 95% interval's far end is gated (strict)" if strict else "the point estimate is gated"
    wordings, note = _wording_chart(gate, index)
    return GateCharts(bars, what, chart, mode, wordings, note)


def _wording_chart(gate: GateRecord, index: int) -> tuple[Markup | None, str | None]:
    """The first contrast's gap under each wording, against its limits."""
    paraphrases = gate.metrics.paraphrases if gate.metrics else None
    if not paraphrases or not gate.metrics or not gate.metrics.contrasts:
        return None, None
    name = next(iter(gate.metrics.contrasts))
    high_limit, low_limit = _limits(gate, name)
    rows = []
    for wording in paraphrases:
        gap = wording.contrasts.get(name)
        kept = gap is not None and (high_limit is None or gap <= high_limit) and (low_limit is None or gap >= low_limit)
        rows.append(IntervalRow(
            label=f"{wording.wording}\n{wording.pairs} pairs", value=gap, ci_low=None, ci_high=None,
            max_limit=high_limit, min_limit=low_limit,
            verdict="no limit" if high_limit is None and low_limit is None else "pass" if kept else "fail",
        ))
    chart = Markup(interval_chart(rows, f"{gate_title(gate)}: {name} by wording", f"{name} under each wording",
                                  f"gate-{index}-wordings"))
    sensitive = wording_sensitivity(gate.metrics, gate.thresholds)
    return chart, None if sensitive is None else sensitive.describe()


# --- the page ---------------------------------------------------------------------------------------


_STATUS_ORDER = {"fail": 0, "error": 1, "pass": 2}


def ordered_gates(reports: Iterable[Report]) -> list[GateRecord]:
    """Every gate, failures and errors first: they are what a reader opens the page for."""
    return sorted((gate for report in reports for gate in report.gates), key=lambda g: _STATUS_ORDER[g.status])


class _JoinedLines(Extension):
    """A template's own lines are joined, their indentation dropped, so a template can be laid out
    to be read while the page has no whitespace between its elements (as the grids and the tests
    read it). Only the template's text is touched, never what it shows."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return re.sub(r"\n[ \t]*", "", source) if (name or "").endswith(".j2") else source


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("af_bench.results", "templates"), autoescape=True,
                      undefined=StrictUndefined, extensions=[_JoinedLines])
    env.filters.update(pct=pct, fixed=fixed, p_value=p_value, interval=interval, definition=definition,
                       status_class=status_class, yes_no=yes_no, gate_title=gate_title)
    env.globals.update(
        CSP=CSP, TABLE_LABEL=_TABLE_LABEL, contrast_verdict=contrast_verdict, contrasts_of=contrasts_of,
        weak_pass=weak_pass, usage_text=usage_text, log_lines=log_lines, thresholds_text=thresholds_text,
        condition_shares=condition_shares, condition_counts=condition_counts, condition_table=condition_table,
        gate_charts=gate_charts, limits_text=limits_text, figure_rows=figure_rows, column_label=column_label,
        sample_facts=sample_facts, output_label=output_label, segment_of=segment_of, outcome_tally=outcome_tally,
    )
    return env


ReportInput = Report | Mapping[str, Any]
"""A typed report, or a parsed `--af-report` JSON file (validated as a `Report`)."""


def render_html(reports: ReportInput | Sequence[ReportInput], page_dir: Path | None = None) -> str:
    """One self-contained HTML page for the gates of `reports`, failures first. The same input
    always gives the same bytes. `page_dir`, the folder the page is written to: logs under it are
    named relative to it."""
    if isinstance(reports, (Report, Mapping)):  # one report passed on its own
        reports = [reports]
    typed = [r if isinstance(r, Report) else Report.model_validate(r) for r in reports]
    gates = ordered_gates(typed)
    models = {g.model for g in gates}
    columns = sweep_columns(gates) if len(models) > 1 else []
    rows = sweep_rows(gates) if len(models) > 1 else []
    return _environment().get_template("report.html.j2").render(
        reports=typed,
        gates=gates,
        statuses={s: sum(1 for g in gates if g.status == s) for s in ("pass", "fail", "error")},
        facts=summary_facts(typed, gates),
        sweep=len(models) > 1,
        columns=columns,
        rows=rows,
        sweep_charts=sweep_charts(columns, rows),
        variant_ranges=[r for report in typed for r in report.variant_ranges],
        title="af-bench report" + (": " + ", ".join(sorted(models)) if models else ""),
        page_dir=page_dir,
        segment_keys=SEGMENT_KEYS,
    ) + "\n"


def write_html(reports: ReportInput | Sequence[ReportInput], path: Path) -> Path:
    """Render `reports` to `path` (parent directories created), written whole or not at all."""
    path = Path(path)
    write_text_atomically(path, render_html(reports, path.parent))
    return path
