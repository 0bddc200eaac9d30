"""What people and CI read at the end of a session: the summary table and the JSON report."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from rich.console import Console
from rich.table import Table

from af_bench.results import GateRecord, Report

STATUS_STYLE = {"pass": "bold green", "fail": "bold red", "error": "bold yellow"}


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def summary_table(records: Sequence[GateRecord], *, width: int = 160, color: bool = False) -> str:
    table = Table(title="af-bench gates", show_lines=False)
    for column, justify in (
        ("model", "left"), ("gate", "left"), ("pairs", "right"), ("first comply", "right"),
        ("last comply", "right"), ("contrast [95% CI]", "right"), ("p", "right"),
        ("AF rate", "right"), ("verdict", "left"),
    ):
        table.add_column(column, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for record in sorted(records, key=lambda r: (r.model, r.gate)):
        metrics = record.metrics
        verdict = f"[{STATUS_STYLE[record.status]}]{record.status.upper()}[/]"
        if metrics is None or not metrics.contrasts:
            table.add_row(record.model, record.gate, *["–"] * 6, verdict)
            continue
        # One row per contrast; the first carries the gate's own figures.
        conditions = list(metrics.conditions.values())
        for index, (name, gap) in enumerate(metrics.contrasts.items()):
            first = index == 0
            table.add_row(
                record.model if first else "",
                record.gate if first else "",
                str(metrics.pairs) if first else "",
                _pct(conditions[0].complied) if first and conditions else "",
                _pct(conditions[-1].complied) if first and conditions else "",
                f"{name} {_pct(gap.value)} [{_pct(gap.ci_low)}, {_pct(gap.ci_high)}]",
                "–" if gap.p_value is None else f"{gap.p_value:.2g}",
                _pct(metrics.af_rate) if first else "",
                verdict if first else "",
            )
    buffer = io.StringIO()
    Console(file=buffer, width=width, force_terminal=color, color_system="standard" if color else None).print(table)
    return buffer.getvalue()


def build_report(records: Sequence[GateRecord]) -> Report:
    return Report(
        af_bench_version=version("af-bench"),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        gates=sorted(records, key=lambda r: (r.model, r.nodeid)),
    )


def write_report(records: Sequence[GateRecord], path: Path) -> None:
    """Write the JSON report atomically, so a crash never leaves half a file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(build_report(records).model_dump_json(indent=2), encoding="utf-8")
    tmp.replace(path)
