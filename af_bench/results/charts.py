"""Figures for the HTML report, drawn with matplotlib and returned as inline SVG strings.

Figures are built on `matplotlib.figure.Figure` directly, never through pyplot, so nothing is left
open in pyplot's global figure registry and no GUI backend is ever touched; rcParams are changed only
inside `rc_context`. The SVG is deterministic: a fixed hash salt per figure (which also keeps the
clip-path and hatch ids of different figures on one page distinct), no date, no metadata block.

The functions here take plain numbers, not report dicts: `af_bench.results.html` reads the report.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D


@dataclass(frozen=True)
class Segment:
    """One part of a condition's stacked bar: which answers, how it is labelled and drawn."""

    key: str
    label: str
    color: str
    hatch: str | None = None
    text_color: str = "black"


# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies); the two kinds
# of compliance also differ by hatching, as in Greenblatt et al. (2024), so the figure reads in grey.
SEGMENTS: tuple[Segment, ...] = (
    Segment("complied_af", "complied, alignment-faking reasoning", "#D55E00", "xx", "white"),
    Segment("complied_no_af", "complied, no alignment-faking reasoning", "#E69F00"),
    Segment("complied_unassessed", "complied, reasoning not assessed", "#F0E442", "//"),
    Segment("refused", "refused", "#0072B2", None, "white"),
    # Scenarios measured by a behaviour (animal welfare, exfiltration) are drawn by that behaviour.
    Segment("behaviour_yes", "shows the behaviour", "#009E73", None, "white"),
    Segment("behaviour_no", "does not show it", "#56B4E9"),
    Segment("other", "other answer", "#BBBBBB"),
    Segment("blocked", "blocked by the provider", "#CC79A7", ".."),
    Segment("failed", "failed (no usable answer)", "#333333", None, "white"),
)
SEGMENT_KEYS: tuple[str, ...] = tuple(s.key for s in SEGMENTS)

VERDICT_STYLE: dict[str, tuple[str, str]] = {
    # verdict: (colour, marker)
    "pass": ("#0072B2", "o"),
    "fail": ("#D55E00", "X"),
    "error": ("#777777", "s"),
    "no limit": ("#000000", "D"),
}
LIMIT_COLOR = "#B8001F"
FONT_SIZE = 9.0

_PROLOG_RE = re.compile(r"\A.*?(?=<svg\b)", re.S)
_METADATA_RE = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_ID_RE = re.compile(r'\bid="([^"]+)"')
_REF_RE = re.compile(r'(url\(#|href="#)([^)"]+)')


def _plain(text: str) -> str:
    """Text shown literally by matplotlib (a `$` would start mathtext)."""
    return text.replace("\\", "\\\\").replace("$", r"\$")


def _rc(key: str) -> dict[str, object]:
    return {
        "svg.hashsalt": f"af-bench:{key}",
        "svg.fonttype": "none",
        "font.size": FONT_SIZE,
        "font.family": "DejaVu Sans",
        "hatch.linewidth": 0.8,
        "axes.titlesize": FONT_SIZE + 1,
        "axes.titleweight": "bold",
    }


def figure_svg(fig: Figure, key: str, label: str) -> str:
    """The figure as an inline `<svg>` element: no XML prolog, no metadata, fixed ids, an
    accessible name. `key` must be unique on the page (it salts the ids)."""
    buffer = io.StringIO()
    with matplotlib.rc_context(_rc(key)):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = _scoped_ids(_METADATA_RE.sub("", _PROLOG_RE.sub("", buffer.getvalue(), count=1), count=1), key)
    aria = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{aria}" ', 1).strip()


def _scoped_ids(svg: str, key: str) -> str:
    """Every id in the SVG prefixed with `key`, references included: inline SVGs share the page's
    id namespace, and matplotlib names groups `figure_1`, `axes_1`, … in every figure."""
    ids = set(_ID_RE.findall(svg))

    def scoped(name: str) -> str:
        return name if name.startswith(f"{key}-") else f"{key}-{name}"

    svg = _ID_RE.sub(lambda m: f'id="{scoped(m.group(1))}"', svg)
    return _REF_RE.sub(lambda m: m.group(1) + (scoped(m.group(2)) if m.group(2) in ids else m.group(2)), svg)


def _new_figure(key: str, width: float, height: float) -> Figure:
    with matplotlib.rc_context(_rc(key)):
        return Figure(figsize=(width, height), layout="constrained")


def share_bars(shares: Mapping[str, Mapping[str, float]], counts: Mapping[str, int], title: str, key: str,
               labels: Mapping[str, str] | None = None) -> str:
    """The paper's figure: one horizontal bar per condition, stacked by kind of answer (shares in
    [0, 1] keyed by `SEGMENT_KEYS`), compliance on the left. `counts` gives each bar's n; `labels`
    renames segments (a behaviour scenario names its behaviour)."""
    conditions = list(shares)
    present = [s for s in SEGMENTS if any(shares[c].get(s.key, 0.0) > 0 for c in conditions)]
    with matplotlib.rc_context(_rc(key)):
        fig = _new_figure(key, 7.2, 1.25 + 0.42 * len(conditions) + 0.2 * ((len(present) + 1) // 2))
        ax = fig.add_subplot()
        ys = range(len(conditions))
        left = [0.0] * len(conditions)
        for seg in SEGMENTS:
            widths = [float(shares[c].get(seg.key, 0.0)) for c in conditions]
            if not any(w > 0 for w in widths):
                continue
            bars = ax.barh(
                list(ys), widths, left=left, height=0.62, color=seg.color, hatch=seg.hatch,
                edgecolor="white", linewidth=0.6, label=(labels or {}).get(seg.key, seg.label),
            )
            for number, (bar, width) in enumerate(zip(bars, widths)):
                if width > 0:  # ids name the drawn segments: `<key>-<condition index>-<segment>`
                    bar.set_gid(f"{key}-{number}-{seg.key}")
            for y, (x0, w) in enumerate(zip(left, widths)):
                if w >= 0.07:
                    ax.text(
                        x0 + w / 2, y, f"{w:.0%}", ha="center", va="center", fontsize=FONT_SIZE - 0.5,
                        color=seg.text_color, fontweight="bold",
                        bbox={"boxstyle": "round,pad=0.15", "fc": seg.color, "ec": "none"} if seg.hatch else None,
                    )
            left = [x0 + w for x0, w in zip(left, widths)]
        ax.set_yticks(list(ys), [_plain(f"{c}\n(n={counts.get(c, 0)})") for c in conditions])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
        ax.set_xlabel("share of answers in the condition")
        ax.set_ylabel("condition")
        ax.set_title(_plain(title), loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        if present:
            fig.legend(loc="outside lower center", ncol=2, frameon=False, fontsize=FONT_SIZE - 0.5, handlelength=1.6)
        svg = figure_svg(fig, key, f"{title}: share of answers per condition")
    return svg


@dataclass(frozen=True)
class IntervalRow:
    """One point with its 95% interval and the limits it is gated on (None: no such limit)."""

    label: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    max_limit: float | None = None
    min_limit: float | None = None
    verdict: str = "no limit"
    note: str = ""


def _xlim(rows: Sequence[IntervalRow]) -> tuple[float, float]:
    seen = [0.0]
    for r in rows:
        seen += [v for v in (r.value, r.ci_low, r.ci_high, r.max_limit, r.min_limit) if v is not None]
    low, high = min(seen), max(seen)
    pad = max(0.05, 0.12 * (high - low))
    return max(-1.05, low - pad), min(1.05, high + pad)


def interval_chart(rows: Sequence[IntervalRow], title: str, xlabel: str, key: str) -> str:
    """Dot and 95% interval per row (top to bottom in the given order), each row's limits drawn
    as short vertical bars across it, zero as a grey line; marker colour and shape show the verdict."""
    with matplotlib.rc_context(_rc(key)):
        fig = _new_figure(key, 7.2, 1.3 + 0.46 * len(rows))
        ax = fig.add_subplot()
        ax.axvline(0.0, color="#999999", linewidth=0.8, zorder=0)
        limit_kinds: list[str] = []
        for y, row in enumerate(rows):
            for limit, style, kind in ((row.max_limit, "--", "max limit"), (row.min_limit, ":", "min limit")):
                if limit is not None:
                    ax.plot([limit, limit], [y - 0.38, y + 0.38], linestyle=style, color=LIMIT_COLOR, linewidth=1.6)
                    if kind not in limit_kinds:
                        limit_kinds.append(kind)
            if row.value is None:
                ax.text(0.0, y, "  not measured", va="center", color="#555555")
                continue
            color, marker = VERDICT_STYLE.get(row.verdict, VERDICT_STYLE["no limit"])
            if row.ci_low is not None and row.ci_high is not None:
                ax.plot([row.ci_low, row.ci_high], [y, y], color=color, linewidth=2.2, solid_capstyle="butt")
                ax.plot([row.ci_low, row.ci_low], [y - 0.12, y + 0.12], color=color, linewidth=1.4)
                ax.plot([row.ci_high, row.ci_high], [y - 0.12, y + 0.12], color=color, linewidth=1.4)
            ax.plot([row.value], [y], marker=marker, markersize=8, color=color, markeredgecolor="white", zorder=3)
            text = f"{row.value:+.3f}" + (f"  {row.note}" if row.note else "")
            ax.annotate(text, (row.value, y), xytext=(0, 7), textcoords="offset points", ha="center",
                        va="bottom", fontsize=FONT_SIZE - 1)
        ax.set_yticks(range(len(rows)), [_plain(r.label) for r in rows])
        ax.set_ylim(len(rows) - 0.45, -0.75)
        ax.set_xlim(*_xlim(rows))
        ax.set_xlabel(_plain(xlabel))
        ax.set_title(_plain(title), loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
        ax.set_axisbelow(True)
        verdicts = [v for v in VERDICT_STYLE if any(r.verdict == v and r.value is not None for r in rows)]
        handles = [
            Line2D([], [], color=VERDICT_STYLE[v][0], marker=VERDICT_STYLE[v][1], linewidth=2.2,
                   markeredgecolor="white", markersize=8, label=f"{v} (95% interval)")
            for v in verdicts
        ]
        handles += [
            Line2D([], [], color=LIMIT_COLOR, linestyle="--" if k == "max limit" else ":", linewidth=1.6, label=k)
            for k in limit_kinds
        ]
        if handles:
            fig.legend(handles=handles, loc="outside lower center", ncol=min(4, len(handles)), frameon=False,
                       fontsize=FONT_SIZE - 0.5)
        svg = figure_svg(fig, key, f"{title}: values with 95% intervals and limits")
    return svg

