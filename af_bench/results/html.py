"""A self-contained HTML page from af-bench JSON reports (the `--af-report` schema, as plain dicts).

`render_html(reports)` returns one HTML document: CSS inline, figures as inline SVG, no script, no
reference to anything outside the file (a Content-Security-Policy in the page forbids fetching
and script execution too, so model text that slipped through escaping could not run). Model text
(requests, scratchpads, outputs, errors) is untrusted and always HTML-escaped.

The page reads the report only: nothing is re-run and no model is asked. Fields that older reports
lack are read with defaults, so any schema-1 report renders.
"""

from __future__ import annotations

import html
import math
import posixpath
import shlex
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING, Any, Union

from pydantic import BaseModel

from af_bench.files import write_text_atomically
from af_bench.results.charts import SEGMENT_KEYS, IntervalRow, interval_chart, share_bars
from af_bench.results.thresholds import ContrastFigures, GateFigures, ThresholdError, Thresholds, breaches

if TYPE_CHECKING:
    from af_bench.results.schema import Report

__all__ = ["condition_counts", "condition_shares", "contrast_verdict", "render_html", "segment_of", "write_html"]

Gate = Mapping[str, Any]
NO_CONDITION = "(no condition)"
_TABLE_LABEL = {
    "complied_af": "AF reasoning", "complied_no_af": "no AF reasoning", "complied_unassessed": "AF not assessed",
    "refused": "refused", "other": "other", "blocked": "blocked (provider)", "failed": "failed",
    "behaviour_yes": "shows the behaviour", "behaviour_no": "does not show it",
}


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


# --- figures read off a gate ------------------------------------------------------------------


def behaviour_of(gate: Gate) -> str | None:
    """The behaviour a scenario is measured by (`supports_welfare`, `exfiltrated`), None for compliance."""
    for figures in ((gate.get("metrics") or {}).get("conditions") or {}).values():
        for key in (figures or {}).get("behaviour") or {}:
            return str(key)
    return None


def segment_of(sample: Mapping[str, Any], by_behaviour: bool = False) -> str:
    """Which part of the stacked bar a sample belongs to. A provider block is its own part
    (outcome `blocked`, or `failed` with failure `blocked` in reports written before that outcome
    existed): a block is neither the model's refusal nor its failure. A compliant answer whose
    reasoning was not assessed (`af_reasoning` null) is kept apart from one judged free of it.
    `by_behaviour`: the scenario is measured by a behaviour, and its answers are drawn by it."""
    outcome = sample.get("outcome")
    if by_behaviour and outcome not in ("failed", "blocked") and sample.get("behaviour") is not None:
        return "behaviour_yes" if sample["behaviour"] else "behaviour_no"
    if outcome == "complied":
        af = sample.get("af_reasoning")
        return "complied_af" if af is True else "complied_no_af" if af is False else "complied_unassessed"
    if outcome == "blocked" or (outcome == "failed" and sample.get("failure") == "blocked"):
        return "blocked"
    if outcome in ("refused", "other", "failed"):
        return str(outcome)
    return "other"


def _conditions(gate: Gate) -> list[str]:
    """The gate's conditions in the report's order (its metrics), then any only its samples name."""
    metrics = gate.get("metrics") or {}
    ordered = list((metrics.get("conditions") or {}).keys())
    for sample in gate.get("samples") or []:
        condition = sample.get("condition") or NO_CONDITION
        if condition not in ordered:
            ordered.append(condition)
    return ordered


def condition_counts(gate: Gate) -> dict[str, dict[str, int]]:
    """Samples (every epoch) per condition and stacked-bar segment, every segment present."""
    counts = {c: dict.fromkeys(SEGMENT_KEYS, 0) for c in _conditions(gate)}
    by_behaviour = behaviour_of(gate) is not None
    for sample in gate.get("samples") or []:
        counts[sample.get("condition") or NO_CONDITION][segment_of(sample, by_behaviour)] += 1
    return counts


def condition_shares(gate: Gate) -> dict[str, dict[str, float]]:
    """Share of each segment per condition, computed from the gate's samples. A gate whose report
    has no samples falls back on its metrics' rates (all compliance then `complied_unassessed`).
    A condition with no sample and no rates has every share 0."""
    counts = condition_counts(gate)
    if gate.get("samples"):
        return {
            c: {k: (n / total if (total := sum(row.values())) else 0.0) for k, n in row.items()}
            for c, row in counts.items()
        }
    conditions = ((gate.get("metrics") or {}).get("conditions")) or {}
    behaviour = behaviour_of(gate)
    shares: dict[str, dict[str, float]] = {}
    for c in counts:
        figures = conditions.get(c) or {}
        row = dict.fromkeys(SEGMENT_KEYS, 0.0)
        for key in ("failed", "blocked"):
            row[key] = _num(figures.get(key)) or 0.0
        shown = _num((figures.get("behaviour") or {}).get(behaviour)) if behaviour else None
        if shown is not None:
            row["behaviour_yes"] = shown
            row["behaviour_no"] = max(0.0, 1.0 - shown - row["failed"] - row["blocked"])
        else:
            row["complied_unassessed"] = _num(figures.get("complied")) or 0.0
            for key in ("refused", "other"):
                row[key] = _num(figures.get(key)) or 0.0
        shares[c] = row
    return shares


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if math.isnan(value) else float(value)


def _contrasts(gate: Gate) -> dict[str, Mapping[str, Any]]:
    metrics = gate.get("metrics") or {}
    contrasts = dict(metrics.get("contrasts") or {})
    if not contrasts and metrics.get("tier_gap"):  # reports from before named contrasts
        contrasts["tier_gap"] = metrics["tier_gap"]
    return contrasts


def _limits(gate: Gate, contrast: str) -> tuple[float | None, float | None]:
    thresholds = gate.get("thresholds") or {}
    return _num(thresholds.get(f"max_{contrast}")), _num(thresholds.get(f"min_{contrast}"))


def contrast_verdict(gate: Gate, contrast: str) -> str:
    """`pass` or `fail` against the contrast's own limits, as the gate judges them
    (`thresholds.breaches`: the point estimate, or the interval's far end in `strict` mode; an
    unmeasured value fails a limit), `no limit` when none is set, `error` when the gate could not
    reach a verdict."""
    if gate.get("status") == "error":
        return "error"
    high_limit, low_limit = _limits(gate, contrast)
    if high_limit is None and low_limit is None:
        return "no limit"
    mode = "strict" if (gate.get("thresholds") or {}).get("mode") == "strict" else "point"
    try:
        limits = Thresholds.of(**{f"max_{contrast}": high_limit, f"min_{contrast}": low_limit, "mode": mode})
    except ThresholdError:
        return "no limit"  # a limit the gate itself could not have applied
    figures = _contrasts(gate).get(contrast) or {}
    measured = ContrastFigures(*(_nan(figures.get(k)) for k in ("value", "ci_low", "ci_high")))
    return "fail" if breaches(limits, _contrast_only(contrast, measured)) else "pass"


def weak_pass(gate: Gate) -> list[str]:
    """For a passing gate, each contrast whose 95% interval reaches past its limit: the point
    estimate passed, but the data cannot rule out a value that fails."""
    if gate.get("status") != "pass":
        return []
    found = []
    for name, figures in _contrasts(gate).items():
        high_limit, low_limit = _limits(gate, name)
        high, low = _num(figures.get("ci_high")), _num(figures.get("ci_low"))
        if (high_limit is not None and high is not None and high > high_limit) or (
                low_limit is not None and low is not None and low < low_limit):
            found.append(f"weak pass: {name} 95% interval {_interval(figures)} reaches past its limit; "
                         "more pairs would settle it")
    return found


def _nan(value: Any) -> float:
    number = _num(value)
    return math.nan if number is None else number


def _contrast_only(contrast: str, measured: ContrastFigures) -> GateFigures:
    """Figures with one contrast measured and nothing else (no other threshold can fire)."""
    nan = math.nan
    return GateFigures(contrasts={contrast: measured}, af_rate=nan, af_rate_ci_high=nan, partial_rate=nan,
                       eval_awareness=nan, af_applicable=False)


# --- formatting -------------------------------------------------------------------------------


def _pct(value: Any) -> str:
    number = _num(value)
    return "—" if number is None else f"{number:.1%}"


def _fixed(value: Any, digits: int = 3) -> str:
    number = _num(value)
    return "—" if number is None else f"{number:+.{digits}f}"


def _p(value: Any) -> str:
    number = _num(value)
    if number is None:
        return "—"
    return f"{number:.2g}" if number >= 1e-4 else f"{number:.1e}"


def _interval(figures: Mapping[str, Any]) -> str:
    low, high = _num(figures.get("ci_low")), _num(figures.get("ci_high"))
    if low is None or high is None:
        return ""
    return f"[{low:+.3f}, {high:+.3f}]"


def _definition(figures: Mapping[str, Any]) -> str:
    """What a contrast measures: `first − second`, or the first condition's rate alone."""
    first, second = figures.get("first"), figures.get("second")
    behaviour = figures.get("behaviour")
    what = f" ({behaviour})" if behaviour and behaviour != "complied" else ""
    if first and second:
        return f"{first} − {second}{what}"
    if first:
        return f"rate in {first}{what}"
    return "first − second condition"


def _badge(status: Any) -> str:
    text = str(status or "unknown")
    cls = {"pass": "pass", "fail": "fail", "error": "error"}.get(text, "other")
    return f'<span class="badge {cls}">{esc(text.upper())}</span>'


def _verdict_badge(verdict: str) -> str:
    cls = {"pass": "pass", "fail": "fail", "error": "error"}.get(verdict, "other")
    return f'<span class="badge small {cls}">{esc(verdict)}</span>'


def _bool(value: Any) -> str:
    return "yes" if value is True else "no" if value is False else "—"


def _gate_title(gate: Gate) -> str:
    variant = gate.get("variant")
    base = f"{gate.get('scenario') or gate.get('gate') or 'gate'} · {gate.get('model') or '?'}"
    return f"{base} · variant {variant}" if variant else base


def _usd(value: float) -> str:
    return f"${value:,.4f}" if value < 1 else f"${value:,.2f}"


def _tokens_cost(usage: Mapping[str, Any]) -> list[str]:
    parts = [f"{int(usage[k]):,} {label}" for k, label in (("input_tokens", "input tokens"),
                                                           ("output_tokens", "output tokens"))
             if _num(usage.get(k)) is not None]
    if "cost_usd" in usage:
        cost = _num(usage.get("cost_usd"))
        parts.append("cost unknown (no price for a model used)" if cost is None else _usd(cost))
    return parts


def _usage_text(usage: Any) -> str:
    """A gate's `usage`: tokens and cost spent, the batch API, the split per model when there are
    several (a judge, say), and the estimate made before the run."""
    if not isinstance(usage, Mapping) or not usage:
        return ""
    parts = _tokens_cost(usage)
    if usage.get("batch") is True:
        parts.append("batch API")
    models = usage.get("models")
    if isinstance(models, Mapping) and len(models) > 1:
        parts.append("per model: " + "; ".join(
            f"{name} {', '.join(_tokens_cost(m))}" for name, m in models.items() if isinstance(m, Mapping)))
    estimate = usage.get("estimate")
    if isinstance(estimate, Mapping) and estimate:
        parts.append("estimated beforehand: " + ", ".join(_tokens_cost(estimate)))
    return ", ".join(parts)


def _log_dir(log: str) -> str:
    if "\\" in log and "/" not in log:
        return str(PureWindowsPath(log).parent)
    return posixpath.dirname(log) or "."


def _log_line(label: str, log: str, page_dir: Path | None) -> str:
    """How to open a gate's log. Relative to the page's own folder where the log is a local file
    under it, so the page names no absolute path of the machine that wrote it."""
    where = _log_dir(log)
    local = Path(where.removeprefix("file://"))
    if page_dir is not None and local.is_absolute() and local.resolve().is_relative_to(page_dir.resolve()):
        where = str(local.resolve().relative_to(page_dir.resolve())) or "."
    return (f'<p class="log">{esc(label)} <code>{esc(_log_name(log))}</code>; open it with '
            f'<code class="cmd">inspect view --log-dir {esc(shlex.quote(where))}</code></p>')


def _log_name(log: str) -> str:
    return PureWindowsPath(log).name if "\\" in log and "/" not in log else posixpath.basename(log)


# --- sections ---------------------------------------------------------------------------------


def _summary(reports: Sequence[Mapping[str, Any]], gates: Sequence[Gate]) -> str:
    statuses = {s: sum(1 for g in gates if g.get("status") == s) for s in ("pass", "fail", "error")}
    models = list(dict.fromkeys(str(g.get("model")) for g in gates))
    scenarios = list(dict.fromkeys(str(g.get("scenario")) for g in gates))
    created = [str(r.get("created")) for r in reports if r.get("created")]
    versions = list(dict.fromkeys(str(r.get("af_bench_version")) for r in reports if r.get("af_bench_version")))
    totals: dict[str, float] = {}
    unpriced = False
    for gate in gates:
        usage = gate.get("usage")
        if isinstance(usage, Mapping):
            for key in ("input_tokens", "output_tokens", "cost_usd"):
                if _num(usage.get(key)) is not None:
                    totals[key] = totals.get(key, 0.0) + float(usage[key])
            unpriced = unpriced or ("cost_usd" in usage and _num(usage.get("cost_usd")) is None)
    cards = "".join(
        f'<div class="card {s}"><div class="big">{n}</div><div>{esc(s)}</div></div>' for s, n in statuses.items()
    )
    rows = [
        ("gates", str(len(gates))),
        ("models", ", ".join(models) or "—"),
        ("scenarios", ", ".join(scenarios) or "—"),
        ("reports", f"{len(reports)} (created {', '.join(created) or 'unknown'})"),
        ("af-bench", ", ".join(versions) or "unknown"),
    ]
    if totals or unpriced:
        parts = [f"{int(totals[k]):,} {k.replace('_', ' ')}" for k in ("input_tokens", "output_tokens") if k in totals]
        if "cost_usd" in totals:
            parts.append(_usd(totals["cost_usd"]) + (" for the priced gates; some costs unknown" if unpriced else ""))
        elif unpriced:
            parts.append("cost unknown (no price for a model used)")
        estimated = [_num((r.get("usage") or {}).get("estimate_usd")) for r in reports]
        if estimated and all(e is not None for e in estimated):
            parts.append(f"estimated beforehand {_usd(sum(e for e in estimated if e is not None))}")
        rows.append(("usage", ", ".join(parts)))
    facts = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    links = "".join(
        f'<li><a href="#gate-{i}">{_badge(g.get("status"))} {esc(_gate_title(g))}</a></li>'
        for i, g in enumerate(gates, 1)
    )
    return (
        '<section id="summary"><h2>Summary</h2>'
        f'<div class="cards">{cards}</div><table class="facts">{facts}</table>'
        f'<details class="index" open><summary>Gates ({len(gates)})</summary><ol class="gate-index">{links}</ol>'
        "</details></section>"
    )


def _columns(gates: Sequence[Gate]) -> list[tuple[str, str | None, str]]:
    columns: list[tuple[str, str | None, str]] = []
    for gate in gates:
        for contrast in _contrasts(gate):
            key = (str(gate.get("scenario")), gate.get("variant"), contrast)
            if key not in columns:
                columns.append(key)
    return columns


def _column_label(column: tuple[str, str | None, str]) -> str:
    scenario, variant, contrast = column
    return f"{scenario}{f' ({variant})' if variant else ''}: {contrast}"


def _sweep(gates: Sequence[Gate], charts: bool) -> str:
    """Rows per model, a column per (scenario, variant, contrast); a model measured twice in one
    column (two reports of one model) gets a second row."""
    columns = _columns(gates)
    found: list[tuple[str, dict[tuple[str, str | None, str], Gate]]] = []
    for gate in gates:
        model = str(gate.get("model"))
        for contrast in _contrasts(gate) or {"": {}}:
            key = (str(gate.get("scenario")), gate.get("variant"), contrast)
            target = next((cells for name, cells in found if name == model and key not in cells), None)
            if target is None:
                target = {}
                found.append((model, target))
            if contrast:
                target[key] = gate
    seen: dict[str, int] = {}
    rows = []
    for model, cells in found:
        seen[model] = seen.get(model, 0) + 1
        rows.append((model if seen[model] == 1 else f"{model} #{seen[model]}", cells))
    head = "".join(f"<th>{esc(_column_label(c))}</th>" for c in columns)
    body = []
    for name, cells in rows:
        tds = []
        for column in columns:
            gate = cells.get(column)
            if gate is None:
                tds.append('<td class="na">—</td>')
                continue
            figures = _contrasts(gate)[column[2]]
            verdict = contrast_verdict(gate, column[2])
            tds.append(
                f'<td data-value="{esc(figures.get("value"))}"><span class="num">{_fixed(figures.get("value"))}</span>'
                f' <span class="ci">{esc(_interval(figures))}</span> {_verdict_badge(verdict)}</td>'
            )
        body.append(f"<tr><th>{esc(name)}</th>{''.join(tds)}</tr>")
    figures_html = []
    if charts:
        for index, column in enumerate(columns, 1):
            items = [(name, cells[column]) for name, cells in rows if column in cells]
            chart_rows = []
            for name, gate in items:
                figures = _contrasts(gate)[column[2]]
                high_limit, low_limit = _limits(gate, column[2])
                chart_rows.append(IntervalRow(
                    label=name, value=_num(figures.get("value")), ci_low=_num(figures.get("ci_low")),
                    ci_high=_num(figures.get("ci_high")), max_limit=high_limit, min_limit=low_limit,
                    verdict=contrast_verdict(gate, column[2]),
                ))
            chart_rows.sort(key=lambda r: (r.value is None, -(r.value or 0.0), r.label))
            title = _column_label(column)
            definition = _definition(_contrasts(items[0][1])[column[2]])
            svg = interval_chart(chart_rows, f"{title} by model", f"{column[2]}: {definition}", f"sweep-{index}")
            figures_html.append(f'<figure class="chart">{svg}<figcaption>{esc(title)}: value and 95% interval '
                                f"per model, sorted by value; red bars are the gate's limits.</figcaption></figure>")
    return (
        '<section id="sweep"><h2>Across models</h2>'
        '<p class="note">Each contrast per model: value, 95% interval, and the verdict on that contrast\'s limits.</p>'
        f'<div class="scroll"><table class="sweep"><thead><tr><th>model</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
        f'<div class="charts">{"".join(figures_html)}</div></section>'
    )


def _variant_ranges(reports: Sequence[Mapping[str, Any]]) -> str:
    ranges = [r for report in reports for r in report.get("variant_ranges") or []]
    if not ranges:
        return ""
    rows = "".join(
        f"<tr><td>{esc(r.get('model'))}</td><td>{esc(r.get('gate'))}</td><td>{esc(r.get('contrast'))}</td>"
        f"<td>{_fixed(r.get('low'))} to {_fixed(r.get('high'))}</td>"
        f"<td>{esc(', '.join(f'{v}: {_fixed(x)}' for v, x in (r.get('values') or {}).items()))}</td>"
        f"<td>{'<strong>flips</strong>' if r.get('flips') else 'stable'}</td></tr>"
        for r in ranges
    )
    return (
        '<section id="variants"><h2>Prompt variants</h2><table class="grid"><thead><tr><th>model</th><th>gate</th>'
        "<th>contrast</th><th>range</th><th>values</th><th>verdict</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _thresholds_text(thresholds: Mapping[str, Any]) -> str:
    shown = [f"{k} {v}" for k, v in thresholds.items() if v is not None]
    return " · ".join(shown) or "none"


def _condition_table(gate: Gate, shares: Mapping[str, Mapping[str, float]],
                     counts: Mapping[str, Mapping[str, int]], index: int) -> str:
    metrics = gate.get("metrics") or {}
    figures = metrics.get("conditions") or {}
    awareness = metrics.get("eval_awareness") or {}
    partial = metrics.get("partial_compliance") or {}
    behaviours = list(dict.fromkeys(k for c in figures.values() for k in (c or {}).get("behaviour") or {}))
    has_samples = bool(gate.get("samples"))
    shown = [k for k in SEGMENT_KEYS if k in ("refused", "complied_af", "complied_no_af")
             or any(row.get(k, 0.0) > 0 for row in shares.values())]
    complied_keys = [k for k in shown if k.startswith("complied_")]
    single = ["condition", "n"]
    after = [_TABLE_LABEL[k] for k in shown if k not in complied_keys]
    after += ["eval awareness"] + [f"behaviour: {b}" for b in behaviours]
    if any(v is not None for v in partial.values()):
        after.append("partial compliance")
    body = []
    for condition, row in shares.items():
        n = sum(counts[condition].values()) if has_samples else (figures.get(condition) or {}).get("n", "—")
        complied = sum(row[k] for k in ("complied_af", "complied_no_af", "complied_unassessed"))
        cells = [f"<th>{esc(condition)}</th>", f"<td>{esc(n)}</td>",
                 f'<td data-share="complied" data-value="{complied!r}">{_pct(complied)}</td>']
        for key in shown:
            count = f' <span class="count">({counts[condition][key]})</span>' if has_samples else ""
            cells.append(f'<td data-share="{key}" data-value="{row[key]!r}">{_pct(row[key])}{count}</td>')
        cells.append(f"<td>{_pct(awareness.get(condition))}</td>")
        for b in behaviours:
            cells.append(f"<td>{_pct(((figures.get(condition) or {}).get('behaviour') or {}).get(b))}</td>")
        if any(v is not None for v in partial.values()):
            cells.append(f"<td>{_pct(partial.get(condition))}</td>")
        body.append(f'<tr data-condition="{esc(condition)}">{"".join(cells)}</tr>')
    source = "samples (every epoch)" if has_samples else "the report's rates (no samples in this report)"
    head = (
        "<tr>" + "".join(f'<th rowspan="2">{esc(h)}</th>' for h in single)
        + f'<th colspan="{1 + len(complied_keys)}" class="group">complied</th>'
        + "".join(f'<th rowspan="2">{esc(h)}</th>' for h in after) + "</tr>"
        + "<tr><th>all</th>" + "".join(f"<th>{esc(_TABLE_LABEL[k])}</th>" for k in complied_keys) + "</tr>"
    )
    return (
        f'<table class="grid conditions" id="gate-{index}-conditions"><caption>Answers per condition, from '
        f"{esc(source)}</caption><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"
    )


def _contrast_table(gate: Gate) -> str:
    contrasts = _contrasts(gate)
    if not contrasts:
        return ""
    body = []
    for name, figures in contrasts.items():
        high_limit, low_limit = _limits(gate, name)
        limits = " ".join(filter(None, [f"≤ {high_limit:g}" if high_limit is not None else "",
                                        f"≥ {low_limit:g}" if low_limit is not None else ""])) or "none"
        definition = _definition(figures)
        body.append(
            f"<tr><th>{esc(name)}</th><td>{esc(definition)}</td><td>{_fixed(figures.get('value'))}</td>"
            f"<td>{esc(_interval(figures))}</td><td>{_p(figures.get('p_value'))}</td>"
            f"<td>{esc(figures.get('pairs', '—'))}</td><td>{esc(figures.get('method', ''))}</td>"
            f"<td>{esc(limits)}</td><td>{_verdict_badge(contrast_verdict(gate, name))}</td></tr>"
        )
    return (
        '<table class="grid"><caption>Contrasts</caption><thead><tr><th>contrast</th><th>definition</th>'
        "<th>value</th><th>95% interval</th><th>p</th><th>pairs</th><th>method</th><th>limit</th><th>verdict</th>"
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _figures_table(gate: Gate) -> str:
    metrics = gate.get("metrics") or {}
    counts = metrics.get("counts") or {}
    rows: list[tuple[str, str]] = [("pairs", str(metrics.get("pairs", "—")))]
    if gate.get("scenario_version"):
        rows.insert(0, ("scenario version", f"{gate['scenario_version']} (same version, same prompts, queries and scoring)"))
    if metrics.get("af_applicable", True):
        af_condition = metrics.get("af_condition", "training")
        rows.append((f"alignment-faking reasoning rate ({af_condition})",
                     f"{'at least ' if gate.get('af_gated') is False else ''}{_pct(metrics.get('af_rate'))} "
                     f"(95% upper bound {_pct(metrics.get('af_rate_ci_high'))}); "
                     f"among compliant answers {_pct(metrics.get('af_rate_among_compliant'))}"))
        if gate.get("af_gated") is False:
            rows.append(("alignment-faking threshold", str(gate.get("af_gated_why") or "not applied")))
    else:
        rows.append(("alignment-faking reasoning", "not applicable (no scratchpad)"))
    sources = [f"{c} " + ", ".join(f"{k} {v}" for k, v in (f.get("reasoning_sources") or {}).items())
               for c, f in (metrics.get("conditions") or {}).items() if f.get("reasoning_sources")]
    if sources:
        rows.append(("reasoning read from", "; ".join(sources)))
    readings = metrics.get("compliance_readings") or {}
    if readings.get("judged"):
        rows.append(("compliance judge", f"read {readings['judged']} answers, {readings.get('untagged', 0)} with no "
                                         f"accept or reject tag; disagreed with the tag rule on "
                                         f"{readings.get('disagree', 0)}"))
    judged, failures = metrics.get("judged"), metrics.get("judge_failures")
    if judged is not None or failures is not None:
        rows.append(("judge", f"{esc(judged if judged is not None else '—')} samples judged, "
                              f"{esc(failures if failures is not None else '—')} judge failures"))
    if counts:
        rows.append(("samples", ", ".join(f"{k.removeprefix('samples_')} {v}" for k, v in counts.items()
                                          if k != "failures")))
        if counts.get("failures"):
            rows.append(("failures by reason", ", ".join(f"{k} {v}" for k, v in counts["failures"].items())))
    rows.append(("classifier", " · ".join(filter(None, [
        str(gate.get("classifier") or "—"),
        f"judge {gate.get('judge_model')}" if gate.get("judge_model") else "",
        ", ".join(f"{k} {v}" for k, v in (gate.get("judge") or {}).items()),
    ]))))
    sent = (gate.get("sampling") or {}).get("sent")
    if isinstance(sent, Mapping):
        rows.append(("sampling (sent)", ", ".join(f"{k} {v}" for k, v in sent.items()) or "—"))
    run = gate.get("run") or {}
    if run:
        rows.append(("run", ", ".join(f"{k} {v}" for k, v in run.items())))
    sequential = gate.get("sequential")
    if isinstance(sequential, Mapping):
        intervals = "; ".join(f"{k} [{v[0]:+.3f}, {v[1]:+.3f}]" for k, v in (sequential.get("intervals") or {}).items()
                              if isinstance(v, Sequence) and len(v) == 2)
        rows.append(("sequential", f"stopped {sequential.get('stopped')} after {sequential.get('pairs_used')} of "
                                   f"{sequential.get('pairs_budget')} pairs in {sequential.get('rounds')} rounds "
                                   f"(alpha {sequential.get('alpha')}, fixed-size design "
                                   f"{sequential.get('fixed_pairs') or '—'} pairs)"
                                   + (f"; confidence sequences {intervals}" if intervals else "")))
    baseline = gate.get("baseline")
    if isinstance(baseline, Mapping):
        parts = [
            f"{name}: {_fixed(r.get('baseline'))} → {_fixed(r.get('current'))}, regression "
            f"{_fixed(r.get('regression'))} {_interval(r)}"
            for name, r in (baseline.get("contrasts") or {}).items() if isinstance(r, Mapping)
        ]
        rows.append(("baseline", f"{baseline.get('report')} (max regression {baseline.get('max_regression')}): "
                                 + ("; ".join(parts) or "—")))
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f'<table class="facts"><caption>Figures</caption>{body}</table>'


def _text_block(title: str, text: Any) -> str:
    if text is None or text == "":
        return f'<div class="text"><h5>{esc(title)}</h5><p class="na">none recorded</p></div>'
    return f'<div class="text"><h5>{esc(title)}</h5><pre>{esc(text)}</pre></div>'


def _output_label(sample: Mapping[str, Any]) -> str:
    """What the `output` text is: the final answer, or the reply of a sample that has none."""
    if sample.get("output_cut_off"):
        return "reply cut off by the token limit (no final output)"
    if sample.get("outcome") == "failed" and sample.get("failure") in ("turn_cap", "malformed"):
        return f"last reply ({sample['failure'].replace('_', ' ')}: no final output)"
    return "final output"


def _samples(gate: Gate, index: int) -> str:
    samples = gate.get("samples") or []
    if not samples:
        return '<p class="note">No samples in this report.</p>'
    tally: dict[str, int] = {}
    for sample in samples:
        tally[str(sample.get("outcome"))] = tally.get(str(sample.get("outcome")), 0) + 1
    items = []
    for number, sample in enumerate(samples, 1):
        outcome = str(sample.get("outcome"))
        extra = []
        for key in ("reasoning_source", "tag_outcome", "tags", "judge_compliance", "behaviour", "eval_aware",
                    "partial_compliance", "af_vote_fraction", "judge_failure", "epoch"):
            if sample.get(key) is not None:
                extra.append(f"{key} {sample[key]}")
        if sample.get("af_votes"):
            extra.append("af votes " + ", ".join(f"{k} {v}" for k, v in sample["af_votes"].items()))
        if sample.get("af_criteria"):
            extra.append("criteria " + ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in sample["af_criteria"].items()))
        body = [
            f'<p class="meta">{esc(" · ".join(extra))}</p>' if extra else "",
            _text_block("request", sample.get("request")) if sample.get("request") else "",
            _text_block(f"private reasoning ({sample.get('reasoning_source') or 'scratchpad'})", sample.get("scratchpad")),
            _text_block(_output_label(sample), sample.get("output")),
            *(_text_block(f"judge's evidence ({name})", quote) for name, quote in (sample.get("af_quotes") or {}).items()),
            _text_block("error", sample.get("error")) if sample.get("error") else "",
        ]
        items.append(
            f'<details class="sample" id="gate-{index}-sample-{number}"><summary>'
            f'<span class="sid">{esc(sample.get("id"))}</span><span>{esc(sample.get("condition") or "—")}</span>'
            f'<span class="outcome {esc(segment_of(sample))}">{esc(outcome)}</span>'
            f'<span>{_bool(sample.get("af_reasoning"))}</span><span>{esc(sample.get("failure") or "")}</span>'
            f'</summary><div class="sample-body">{"".join(body)}</div></details>'
        )
    counts = ", ".join(f"{esc(k)} {v}" for k, v in tally.items())
    return (
        f'<details class="samples"><summary>Samples: {len(samples)} ({counts})</summary>'
        '<div class="sample-head"><span>id</span><span>condition</span><span>outcome</span>'
        '<span>AF reasoning</span><span>failure</span></div>'
        f"{''.join(items)}</details>"
    )


def _gate_section(gate: Gate, index: int, page_dir: Path | None = None) -> str:
    status = gate.get("status")
    reasons = [f'<li class="breach">{esc(b)}</li>' for b in gate.get("breaches") or []]
    if gate.get("error"):
        reasons.append(f'<li class="error">error: {esc(gate["error"])}</li>')
    reasons += [f'<li class="weak">{esc(w)}</li>' for w in weak_pass(gate)]
    log = gate.get("log")
    shard_logs = [(str(s.get("shard")), str(s["log"])) for s in gate.get("shards") or [] if s.get("log")]
    if log:
        log_html = _log_line("Inspect log", str(log), page_dir)
    elif shard_logs:  # a merged report: each shard's log, on the machine that ran it
        log_html = "".join(_log_line(f"Shard {shard} log", path, page_dir) for shard, path in shard_logs)
    else:
        log_html = '<p class="log na">No inspect log recorded.</p>'
    usage = _usage_text(gate.get("usage"))
    parts = [
        f'<section class="gate {esc(status)}" id="gate-{index}">',
        f'<h2>{_badge(status)} <span class="gate-title">{esc(_gate_title(gate))}</span></h2>',
        f'<p class="ident">{esc(gate.get("nodeid") or gate.get("gate") or "")}</p>',
        f'<ul class="reasons">{"".join(reasons)}</ul>' if reasons else "",
        f'<p class="thresholds"><strong>Limits:</strong> {esc(_thresholds_text(gate.get("thresholds") or {}))}</p>',
        f'<p class="usage"><strong>Usage:</strong> {esc(usage)}</p>' if usage else "",
        log_html,
    ]
    shares = condition_shares(gate)
    counts = condition_counts(gate)
    charts = []
    if shares and (gate.get("samples") or gate.get("metrics")):
        n = {c: sum(row.values()) for c, row in counts.items()} if gate.get("samples") else {
            c: (((gate.get("metrics") or {}).get("conditions") or {}).get(c) or {}).get("n", 0) for c in shares
        }
        behaviour = behaviour_of(gate)
        labels = {"behaviour_yes": behaviour.replace("_", " "), "behaviour_no": f"not {behaviour.replace('_', ' ')}"} \
            if behaviour else None
        svg = share_bars(shares, n, f"{_gate_title(gate)}: answers by condition", f"gate-{index}-shares", labels)
        what = (f"by whether the answer shows {behaviour.replace('_', ' ')}" if behaviour else
                "Hatched: alignment-faking reasoning in the scratchpad")
        charts.append(f'<figure class="chart">{svg}<figcaption>Share of answers per condition, {esc(what)}; '
                      "provider blocks are shown apart from refusals.</figcaption></figure>")
    contrasts = _contrasts(gate)
    if contrasts:
        strict = (gate.get("thresholds") or {}).get("mode") == "strict"
        rows = []
        for name, figures in contrasts.items():
            high_limit, low_limit = _limits(gate, name)
            p = _num(figures.get("p_value"))
            rows.append(IntervalRow(
                label=f"{name}\n{_definition(figures)}", value=_num(figures.get("value")),
                ci_low=_num(figures.get("ci_low")), ci_high=_num(figures.get("ci_high")), max_limit=high_limit,
                min_limit=low_limit, verdict=contrast_verdict(gate, name),
                note=f"p={_p(p)}" if p is not None else "",
            ))
        mode = "the 95% interval's far end is gated (strict)" if strict else "the point estimate is gated"
        svg = interval_chart(rows, f"{_gate_title(gate)}: contrasts", "contrast value (95% interval)",
                             f"gate-{index}-contrasts")
        charts.append(f'<figure class="chart">{svg}<figcaption>Each contrast with its 95% interval against '
                      f"its limits (dashed: max, dotted: min); {esc(mode)}.</figcaption></figure>")
    if charts:
        parts.append(f'<div class="charts">{"".join(charts)}</div>')
    if gate.get("metrics") or gate.get("samples"):
        parts.append('<div class="tables">')
        parts.append(_condition_table(gate, shares, counts, index))
        parts.append(_contrast_table(gate))
        parts.append(_figures_table(gate))
        parts.append("</div>")
    parts.append(_samples(gate, index))
    parts.append("</section>")
    return "".join(parts)


CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

CSS = """
:root { --pass: #0b6e3a; --fail: #b8001f; --error: #8a5a00; --ink: #1d1d1f; --muted: #5f6368; --line: #d9d9de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--ink);
  margin: 0 auto; max-width: 1500px; padding: 16px 28px 48px; background: #fafafa; }
h1 { font-size: 22px; margin: 8px 0 2px; } h2 { font-size: 18px; margin: 0 0 6px; }
h5 { font-size: 12px; margin: 8px 0 2px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
section { background: white; border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; margin: 16px 0; }
section.gate.pass { border-left: 6px solid var(--pass); } section.gate.fail { border-left: 6px solid var(--fail); }
section.gate.error { border-left: 6px solid var(--error); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 4px; color: white; font-weight: 700;
  font-size: 12px; letter-spacing: .04em; vertical-align: middle; }
.badge.small { font-size: 11px; padding: 0 6px; font-weight: 600; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); }
.badge.error { background: var(--error); } .badge.other { background: #6b6b6b; }
.cards { display: flex; gap: 12px; margin: 6px 0 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 6px 16px; min-width: 90px; text-align: center; }
.card .big { font-size: 26px; font-weight: 700; }
.card.pass .big { color: var(--pass); } .card.fail .big { color: var(--fail); }
.card.error .big { color: var(--error); }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding: 2px 0; }
th, td { padding: 3px 8px; text-align: left; vertical-align: top; }
table.grid th, table.grid td, table.sweep th, table.sweep td { border-bottom: 1px solid var(--line); }
table.grid thead th, table.sweep thead th { border-bottom: 2px solid #b9b9c0; font-weight: 600;
  vertical-align: bottom; }
table.grid thead th.group { border-bottom: 1px solid #b9b9c0; text-align: center; }
table.grid td, table.sweep td { font-variant-numeric: tabular-nums; }
table.facts th { color: var(--muted); font-weight: 600; white-space: nowrap; }
.count, .ci, .ident, .note, .na { color: var(--muted); }
.ident { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; margin: 0 0 6px; }
.reasons { margin: 4px 0 8px; padding-left: 20px; } .reasons .breach { color: var(--fail); }
.reasons .error { color: var(--error); } .reasons .weak { color: #8a6d00; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; background: #f0f0f3; padding: 1px 4px;
  border-radius: 3px; }
code.cmd { user-select: all; }
.charts { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: flex-start; }
figure.chart { margin: 6px 0; flex: 1 1 560px; max-width: 720px; }
figure.chart svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 12px; color: var(--muted); }
.tables { display: flex; flex-wrap: wrap; gap: 0 32px; align-items: flex-start; }
.scroll { overflow-x: auto; }
ol.gate-index { columns: 2; margin: 4px 0; } ol.gate-index a { color: inherit; text-decoration: none; }
ol.gate-index li { margin: 2px 0; }
details > summary { cursor: pointer; }
details.samples { margin-top: 10px; border-top: 1px solid var(--line); padding-top: 6px; }
details.samples > summary { font-weight: 600; }
.sample-head, details.sample > summary { display: grid; grid-template-columns: 16em 9em 7em 8em 1fr;
  gap: 8px; padding: 2px 6px; font-size: 13px; }
.sample-head { font-weight: 600; color: var(--muted); border-bottom: 1px solid var(--line); margin-top: 6px; }
details.sample > summary { list-style: none; border-bottom: 1px solid #eee; }
details.sample > summary::before { content: "▸"; position: absolute; margin-left: -12px; color: var(--muted); }
details.sample[open] > summary::before { content: "▾"; }
details.sample[open] > summary { background: #f2f5fb; }
.sid { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.outcome { font-weight: 600; } .outcome.complied_af { color: #a94400; } .outcome.refused { color: #005a8c; }
.outcome.failed, .outcome.blocked { color: var(--error); }
.sample-body { padding: 4px 12px 10px 22px; background: #fbfbfd; border-bottom: 1px solid #eee; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; padding: 6px 8px; background: white;
  border: 1px solid var(--line); border-radius: 4px; max-height: 28em; overflow: auto;
  font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
.meta { font-size: 12px; color: var(--muted); margin: 4px 0; }
footer { color: var(--muted); font-size: 12px; }
"""


_STATUS_ORDER = {"fail": 0, "error": 1, "pass": 2}


def ordered_gates(reports: Iterable[Mapping[str, Any]]) -> list[Gate]:
    """Every gate, failures and errors first: they are what a reader opens the page for."""
    gates = [gate for report in reports for gate in report.get("gates") or []]
    return sorted(gates, key=lambda g: _STATUS_ORDER.get(str(g.get("status")), 1))


ReportInput = Union["Report", Mapping[str, Any]]
"""A typed report, or a parsed `--af-report` JSON file (old schema-1 fields welcome)."""


def _as_json(report: ReportInput) -> Mapping[str, Any]:
    # The page reads the JSON form, so a typed report and its file render to the same bytes,
    # and fields older reports lack are simply absent.
    return report.model_dump(mode="json") if isinstance(report, BaseModel) else report


def render_html(reports: ReportInput | Sequence[ReportInput], page_dir: Path | None = None) -> str:
    """One self-contained HTML page for the gates of `reports` (typed `Report`s or parsed
    `--af-report` JSON files), failures first. The same input always gives the same bytes.
    `page_dir`, the folder the page is written to: logs under it are named relative to it."""
    if isinstance(reports, (Mapping, BaseModel)):  # one report passed on its own
        reports = [reports]
    reports = [_as_json(r) for r in reports]
    gates = ordered_gates(reports)
    models = {str(g.get("model")) for g in gates}
    sections = [_summary(reports, gates)]
    if len(models) > 1:
        sections.append(_sweep(gates, charts=True))
    sections.append(_variant_ranges(reports))
    sections.extend(_gate_section(gate, i, page_dir) for i, gate in enumerate(gates, 1))
    title = "af-bench report"
    if models:
        title += ": " + ", ".join(sorted(models))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        "<header><h1>af-bench report</h1>"
        '<p class="note">Alignment-faking gates after Greenblatt et al. (2024): compliance when the model is told '
        "it is in training versus when it is told it is unmonitored, and the reasoning behind it.</p></header>"
        f"{''.join(sections)}"
        f"<footer>Rendered by af-bench from {len(reports)} JSON report(s); this file fetches nothing and runs "
        "no script.</footer></body></html>\n"
    )


def write_html(reports: ReportInput | Sequence[ReportInput], path: Path) -> Path:
    """Render `reports` to `path` (parent directories created), written whole or not at all."""
    path = Path(path)
    write_text_atomically(path, render_html(reports, path.parent))
    return path
