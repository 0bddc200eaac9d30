"""What people and CI read at the end of a session: the summary table and the JSON report."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from af_bench.files import write_text_atomically
from af_bench.results.schema import ConditionFigures, GateRecord, Report, VariantRange

STATUS_STYLE = {"pass": "bold green", "fail": "bold red", "error": "bold yellow"}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def summary_table(records: Sequence[GateRecord], *, width: int = 160, color: bool = False) -> str:
    table = Table(title="af-bench gates", show_lines=False)
    for column, justify in (
        ("model", "left"), ("gate", "left"), ("pairs", "right"), ("measured", "left"), ("first", "right"),
        ("last", "right"), ("contrast [95% CI]", "right"), ("p", "right"),
        ("AF rate", "right"), ("eval aware", "right"), ("verdict", "left"),
    ):
        table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for record in sorted(records, key=lambda r: (r.model, r.gate)):
        metrics = record.metrics
        verdict = f"[{STATUS_STYLE[record.status]}]{record.status.upper()}[/]"
        # Escaped: square brackets would read as rich markup.
        gate = escape(f"{record.gate}[{record.variant}]" if record.variant else record.gate)
        if metrics is None or not metrics.contrasts:
            table.add_row(record.model, gate, *["–"] * 8, verdict)
            continue
        # One row per contrast; the first carries the gate's own figures.
        conditions = list(metrics.conditions.items())
        measured, first_rate, last_rate = _measured(metrics.conditions)
        aware = "/".join(_pct(metrics.eval_awareness.get(c)) for c, _ in conditions)
        for index, (name, gap) in enumerate(metrics.contrasts.items()):
            first = index == 0
            table.add_row(
                record.model if first else "",
                gate if first else "",
                str(metrics.pairs) if first else "",
                measured if first else "",
                first_rate if first else "",
                last_rate if first else "",
                f"{name} {_pct(gap.value)} [{_pct(gap.ci_low)}, {_pct(gap.ci_high)}]",
                "–" if gap.p_value is None else f"{gap.p_value:.2g}",
                (("≥" if record.af_gated is False else "") + _pct(metrics.af_rate)) if first else "",
                aware if first else "",
                verdict if first else "",
            )
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, color_system="standard" if color else None)
    console.print(table)
    across = sweep_table(records)
    if across is not None:
        console.print(across)
    for spread in variant_ranges(records):
        values = ", ".join(f"{v}: {_pct(x)}" for v, x in spread.values.items())
        flips = " — the verdict FLIPS with wording" if spread.flips else ""
        console.print(
            f"{spread.gate} on {spread.model}: {spread.contrast} ranges {_pct(spread.low)} to {_pct(spread.high)} "
            f"over {len(spread.values)} prompt variants ({values}){flips}",
            highlight=False,
            soft_wrap=True,
        )
    line = usage_line(records)
    if line:
        console.print(line, highlight=False, soft_wrap=True)
    return buffer.getvalue()


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


def sweep(records: Sequence[GateRecord]) -> list[dict[str, Any]]:
    """The cross-model view: per model, each gate's contrasts and verdict. Empty for one model."""
    models = sorted({r.model for r in records})
    if len(models) < 2:
        return []
    rows = []
    for model in models:
        cells: dict[str, Any] = {}
        for record in sorted((r for r in records if r.model == model), key=lambda r: (r.gate, r.variant or "")):
            contrasts = record.metrics.contrasts if record.metrics else {}
            for name, gap in contrasts.items() or {"–": None}.items():
                cells[_column(record, name)] = {
                    "status": record.status,
                    "value": gap.value if gap else None,
                    "ci_low": gap.ci_low if gap else None,
                    "ci_high": gap.ci_high if gap else None,
                }
        rows.append({"model": model, "passed": all(c["status"] == "pass" for c in cells.values()), "gates": cells})
    return rows


def sweep_table(records: Sequence[GateRecord]) -> Table | None:
    rows = sweep(records)
    if not rows:
        return None
    columns = sorted({column for row in rows for column in row["gates"]})
    table = Table(title="af-bench across models", show_lines=True)
    table.add_column("model", no_wrap=True)
    for column in columns:
        # Many gates share the width: long names fold rather than lose their ends.
        table.add_column(escape(column.removeprefix("test_")), justify="right", overflow="fold")
    for row in rows:
        cells = []
        for column in columns:
            cell = row["gates"].get(column)
            if cell is None:
                cells.append("")
                continue
            cells.append(f"{_pct(cell['value'])} [{STATUS_STYLE[cell['status']]}]{cell['status'].upper()}[/]")
        table.add_row(row["model"], *cells)
    return table


def run_usage(records: Sequence[GateRecord]) -> dict[str, Any] | None:
    """Tokens and dollars over every gate; `cost_usd` is null when any gate's cost is unknown."""
    used = [r.usage for r in records if r.usage is not None]
    if not used:
        return None
    costs = [u.get("cost_usd") for u in used if "cost_usd" in u]
    estimates = [(u.get("estimate") or {}).get("cost_usd") for u in used]
    return {
        "input_tokens": sum(int(u.get("input_tokens") or 0) for u in used),
        "output_tokens": sum(int(u.get("output_tokens") or 0) for u in used),
        "cost_usd": None if any(c is None for c in costs) else round(sum(costs), 6),
        "estimate_usd": None if any(e is None for e in estimates) else round(sum(estimates), 6),
    }


def usage_line(records: Sequence[GateRecord]) -> str | None:
    total = run_usage(records)
    if total is None:
        return None
    cost = "cost unknown (a model has no price)" if total["cost_usd"] is None else f"${total['cost_usd']:,.2f}"
    estimate = "" if total["estimate_usd"] is None else f" (estimated ${total['estimate_usd']:,.2f})"
    return (f"af-bench spent {total['input_tokens']:,} input + {total['output_tokens']:,} output tokens, "
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
