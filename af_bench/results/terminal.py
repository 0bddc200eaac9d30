"""What people and CI read at the end of a session: the summary table and the JSON report."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from af_bench.files import write_text_atomically
from af_bench.results.schema import ConditionFigures, GateRecord, Report, RunUsage, SweepCell, SweepRow, VariantRange
from af_bench.results.verdict import wording_sensitivity

STATUS_STYLE = {"pass": "bold green", "fail": "bold red", "error": "bold yellow"}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def summary_table(records: Sequence[GateRecord], *, width: int = 100, color: bool = False) -> str:
    """The end-of-run verdicts, one line per gate (a second, indented one when the figures do not
    fit `width`): verdict, whole model and gate names, the headline contrast with its interval
    and limit, pairs and AF rate. Everything else is in the reports."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="standard" if color else None,
                      highlight=False)
    console.print("af-bench gates", style="bold")
    ordered = sorted(records, key=lambda r: (r.model, r.gate, r.variant or ""))
    model_width = max((len(r.model) for r in ordered), default=0)
    gate_width = max((len(_gate_name(r)) for r in ordered), default=0)
    for record in ordered:
        head = f"{_verdict(record):<5}  {record.model:<{model_width}}  {_gate_name(record):<{gate_width}}"
        styled = f"[{STATUS_STYLE[record.status]}]{_verdict(record):<5}[/]" + escape(head[5:])
        figures = _figure_lines(record)
        if len(head) + 2 + len(figures[0]) <= width:
            console.print(f"{styled}  {escape(figures[0])}", soft_wrap=True)
            figures = figures[1:]
        else:
            console.print(styled.rstrip(), soft_wrap=True)
        for line in figures:
            for part in textwrap.wrap(line, width=max(40, width - 7), break_on_hyphens=False):
                console.print("       " + escape(part), soft_wrap=True)
    for line in sweep_lines(records, width):
        console.print(escape(line), soft_wrap=True)
    for spread in variant_ranges(records):
        values = ", ".join(f"{v}: {_pct(x)}" for v, x in spread.values.items())
        flips = " — the verdict FLIPS with wording" if spread.flips else ""
        console.print(
            escape(f"{spread.gate} on {spread.model}: {spread.contrast} ranges {_pct(spread.low)} to "
                   f"{_pct(spread.high)} over {len(spread.values)} prompt variants ({values}){flips}"),
            soft_wrap=True,
        )
    line = usage_line(records)
    if line:
        console.print(line, soft_wrap=True)
    return buffer.getvalue()


def _gate_name(record: GateRecord) -> str:
    return f"{record.gate}[{record.variant}]" if record.variant else record.gate


def _verdict(record: GateRecord) -> str:
    return record.status.upper()


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:+.1f}%"


def _limit(record: GateRecord, name: str) -> tuple[str, bool] | None:
    """The contrast's limit as text, and whether its interval reaches past it (a weak verdict)."""
    metrics = record.metrics
    gap = metrics.contrasts.get(name) if metrics else None
    upper, lower = record.thresholds.contrast_max.get(name), record.thresholds.contrast_min.get(name)
    if gap is None or (upper is None and lower is None):
        return None
    parts, reaches = [], False
    if upper is not None:
        parts.append(f"limit ≤ {_signed(upper)}")
        reaches |= gap.ci_high is not None and gap.ci_high > upper
    if lower is not None:
        parts.append(f"limit ≥ {_signed(lower)}")
        reaches |= gap.ci_low is not None and gap.ci_low < lower
    return ", ".join(parts), reaches


def _figure_lines(record: GateRecord) -> list[str]:
    """The headline contrast first (the first with a limit), then the others; the error of a gate
    that reached no verdict. Never a nan: what was not measured is a dash."""
    metrics = record.metrics
    if metrics is None or not metrics.contrasts:
        return [f"error: {record.error}" if record.error else "no figures"]
    names = sorted(metrics.contrasts, key=lambda n: _limit(record, n) is None)
    lines = []
    for index, name in enumerate(names):
        gap = metrics.contrasts[name]
        text = f"{name} {_signed(gap.value)} [{_signed(gap.ci_low)}, {_signed(gap.ci_high)}]"
        limit = _limit(record, name)
        if limit is not None:
            text += f" {limit[0]}"
            if limit[1] and record.status == "pass":
                text += " (weak pass: the interval reaches past the limit)"
        if index == 0:
            af = ""
            if metrics.af_applicable and metrics.af_rate is not None:
                af = f", AF {'≥' if record.af_gated is False else ''}{_pct(metrics.af_rate)}"
            text += f"; {metrics.pairs} pairs{af}"
        lines.append(text)
    if metrics.paraphrases:
        lines.append("by wording: " + ", ".join(
            f"{w.wording} {_signed(w.contrasts.get(names[0]))}" for w in metrics.paraphrases))
        sensitive = wording_sensitivity(metrics, record.thresholds)
        if sensitive is not None:
            lines.append(sensitive.describe())
    if metrics.judge_panel:
        lines.append("judges vs panel: " + "; ".join(j.describe() for j in metrics.judge_panel))
    if record.status == "error" and record.error:
        lines.append(f"error: {record.error}")
    return lines


def _measured(conditions: dict[str, ConditionFigures]) -> tuple[str, str, str]:
    """What the first/last columns show: the scenario's behaviour if it has one, else compliance,
    in its first and last condition."""
    figures = list(conditions.values())
    if not figures:
        return "–", "–", "–"
    key = next(iter(figures[0].behaviour), None)
    if key is None:
        return "complied", _pct(figures[0].complied), _pct(figures[-1].complied)
    return key, _pct(figures[0].behaviour.get(key)), _pct(figures[-1].behaviour.get(key))


def variant_ranges(records: Sequence[GateRecord]) -> list[VariantRange]:
    """For each gate and model run over several prompt variants, each contrast's range."""
    groups: dict[tuple[str, str], list[GateRecord]] = {}
    for record in records:
        if record.variant is not None:
            groups.setdefault((record.model, record.gate), []).append(record)
    spreads: list[VariantRange] = []
    for (model, gate), group in sorted(groups.items()):
        if len(group) < 2:
            continue
        names = {name for r in group if r.metrics for name in r.metrics.contrasts}
        for name in sorted(names):
            values = {
                str(r.variant): (r.metrics.contrasts[name].value if r.metrics and name in r.metrics.contrasts else None)
                for r in group
            }
            known = [v for v in values.values() if v is not None]
            verdicts = {str(r.variant): r.status for r in group}
            spreads.append(
                VariantRange(
                    model=model, gate=gate, contrast=name,
                    low=min(known, default=None), high=max(known, default=None),
                    values=values, verdicts=verdicts,
                    flips=len({v for v in verdicts.values() if v != "error"}) > 1,
                )
            )
    return spreads


def _column(record: GateRecord, contrast: str) -> str:
    gate = f"{record.gate}[{record.variant}]" if record.variant else record.gate
    return f"{gate} {contrast}"


def sweep(records: Sequence[GateRecord]) -> list[SweepRow]:
    """The cross-model view: per model, each gate's contrasts and verdict. Empty for one model."""
    models = sorted({r.model for r in records})
    if len(models) < 2:
        return []
    rows = []
    for model in models:
        cells: dict[str, SweepCell] = {}
        for record in sorted((r for r in records if r.model == model), key=lambda r: (r.gate, r.variant or "")):
            contrasts = record.metrics.contrasts if record.metrics else {}
            for name, gap in contrasts.items() or {"–": None}.items():
                cells[_column(record, name)] = SweepCell(
                    status=record.status,
                    value=gap.value if gap else None,
                    ci_low=gap.ci_low if gap else None,
                    ci_high=gap.ci_high if gap else None,
                )
        rows.append(SweepRow(model=model, passed=all(c.status == "pass" for c in cells.values()), gates=cells))
    return rows


def sweep_lines(records: Sequence[GateRecord], width: int = 100) -> list[str]:
    """The cross-model view, one line per gate and contrast (a line per model where that does not
    fit `width`): each model's value and verdict."""
    rows = sweep(records)
    if not rows:
        return []
    lines = ["af-bench across models"]
    for column in sorted({column for row in rows for column in row.gates}):
        cells = [f"{row.model} {_pct(row.gates[column].value)} {row.gates[column].status.upper()}"
                 for row in rows if column in row.gates]
        line = f"  {column}: " + " · ".join(cells)
        lines += [line] if len(line) <= width else [f"  {column}:", *(f"    {cell}" for cell in cells)]
    return lines


def run_usage(records: Sequence[GateRecord]) -> RunUsage | None:
    """Tokens and dollars over every gate; `cost_usd` is null when any gate's cost is unknown."""
    used = [r.usage for r in records if r.usage is not None]
    if not used:
        return None
    # A gate that spent nothing has no `cost_usd` (an estimate only): it adds nothing, known or not.
    costs = [u.cost_usd for u in used if "cost_usd" in u.model_fields_set]
    estimates = [u.estimate.cost_usd if u.estimate else None for u in used]
    return RunUsage(
        input_tokens=sum(u.input_tokens or 0 for u in used),
        output_tokens=sum(u.output_tokens or 0 for u in used),
        cost_usd=None if any(c is None for c in costs) else round(sum(c for c in costs if c is not None), 6),
        estimate_usd=None if any(e is None for e in estimates) else round(sum(e for e in estimates if e is not None), 6),
    )


def usage_line(records: Sequence[GateRecord]) -> str | None:
    total = run_usage(records)
    if total is None:
        return None
    cost = "cost unknown (a model has no price)" if total.cost_usd is None else f"${total.cost_usd:,.2f}"
    estimate = "" if total.estimate_usd is None else f" (estimated ${total.estimate_usd:,.2f})"
    return (f"af-bench spent {total.input_tokens:,} input + {total.output_tokens:,} output tokens, "
            f"{cost}{estimate}")


def build_report(records: Sequence[GateRecord]) -> Report:
    return Report(
        af_bench_version=version("af-bench"),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        gates=sorted(records, key=lambda r: (r.model, r.nodeid)),
        variant_ranges=variant_ranges(records),
        usage=run_usage(records),
        sweep=sweep(records),
    )


def write_report(records: Sequence[GateRecord], path: Path) -> None:
    """Write the JSON report atomically, so a crash never leaves half a file behind."""
    write_text_atomically(path, build_report(records).model_dump_json(indent=2))
