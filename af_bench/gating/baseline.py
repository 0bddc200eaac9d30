"""Regression against a previous release: each gate's contrasts compared with the same gate in an
earlier JSON report, request by request.

Where both runs asked the same requests (matched by request id), each request gives the change of
its paired difference, (first − second)_new − (first − second)_baseline, and the regression is
their mean with a t interval over requests. A gate fails when the interval's lower end lies above
`max_regression`: the new model is worse by more than allowed, with 95% confidence.

A comparison on no shared request, or on fewer than the gate's `min_pairs`, could never find a
regression: it is an error, not a pass (runs with different `--af-limit` share few requests).
"""

from __future__ import annotations

from pathlib import Path

from af_bench.scoring import pairs
from af_bench.stats.paired import mean_difference
from af_bench.scenario.contrasts import Contrast
from af_bench.results.schema import (
    BaselineComparison, GapFigures, GateRecord, Regression, Report, SampleRecord, records_table,
)


class BaselineError(ValueError):
    """A baseline report that cannot be compared with, naming the file."""


def load_baseline(path: Path) -> Report:
    try:
        return Report.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise BaselineError(f"--af-baseline {path}: not a readable af-bench report ({type(err).__name__})") from None


def pair_differences(samples: list[SampleRecord], figures: GapFigures) -> dict[str, float]:
    """Per request id, first − second (each averaged over epochs), from the pairs the contrast
    itself is computed on (af_bench.scoring.pairs: usable in both conditions)."""
    if figures.first is None or figures.second is None:
        return {}
    behaviour = figures.behaviour or "complied"
    key = None if behaviour == "complied" else behaviour
    contrast = Contrast("baseline", figures.first, figures.second, behaviour)
    return pairs.pair_differences(records_table(samples, key), contrast)


def regression(current: GateRecord, baseline: GateRecord, name: str) -> Regression:
    now = current.metrics.contrasts.get(name) if current.metrics else None
    before = baseline.metrics.contrasts.get(name) if baseline.metrics else None
    if now is None or before is None or now.second is None:
        return Regression(baseline=before.value if before else None, current=now.value if now else None,
                          regression=None, ci_low=None, ci_high=None, pairs=0)
    new, old = pair_differences(current.samples, now), pair_differences(baseline.samples, before)
    changes = [new[k] - old[k] for k in sorted(new.keys() & old.keys())]
    n = len(changes)
    if n == 0:
        return Regression(baseline=before.value, current=now.value, regression=None, ci_low=None, ci_high=None, pairs=0)
    change = mean_difference(changes, bound=2.0)  # each change of a difference in [-1, 1] is in [-2, 2]
    return Regression(baseline=before.value, current=now.value, regression=change.mean, ci_low=change.low,
                      ci_high=change.high, pairs=n)


def _gate_named(record: GateRecord) -> str:
    variant = f" (variant {record.variant})" if record.variant else ""
    return f"gate {record.gate}{variant} on {record.model}"


def _requests(record: GateRecord) -> set[str]:
    return {s.pair_id or s.id for s in record.samples}


def compare(current: GateRecord, report: Report, source: str, max_regression: float) -> BaselineComparison:
    """The gate's regression against the same gate (and variant) in the baseline report; a
    baseline that shares no request with the gate is an error naming both."""
    matches = [g for g in report.gates if g.gate == current.gate and g.variant == current.variant and g.metrics]
    if not matches:
        raise BaselineError(f"--af-baseline {source}: no gate {current.gate} with results to compare with")
    base = matches[0]
    if base.scenario_version and current.scenario_version and base.scenario_version != current.scenario_version:
        raise BaselineError(
            f"--af-baseline {source}: gate {current.gate} measured scenario version {base.scenario_version} there "
            f"and {current.scenario_version} here (its prompts, queries or scoring changed): not comparable"
        )
    here, there = _requests(current), _requests(base)
    if not here & there:
        raise BaselineError(
            f"--af-baseline {source}: {_gate_named(current)} shares no request with {_gate_named(base)} there "
            f"({len(here)} requests here, {len(there)} there): nothing to compare; run both with the same --af-limit"
        )
    names = list(current.metrics.contrasts) if current.metrics else []
    contrasts = {name: regression(current, base, name) for name in names}
    breaches = [
        f"{name} regression {r.regression:+.3f} [95% CI {r.ci_low:+.3f}, {r.ci_high:+.3f}] against "
        f"{base.model} ({r.baseline:.3f} -> {r.current:.3f}) > max_regression {max_regression:.3f}"
        for name, r in contrasts.items()
        if r.ci_low is not None and r.regression is not None and r.baseline is not None
        and r.current is not None and r.ci_low > max_regression
    ]
    return BaselineComparison(report=source, model=base.model, max_regression=max_regression,
                              contrasts=contrasts, breaches=breaches)


def too_few_pairs(current: GateRecord, comparison: BaselineComparison, min_pairs: int) -> str | None:
    """Why the comparison is no verdict, or None: a paired contrast of both reports compared on
    fewer shared requests than `min_pairs` (its interval is then too wide to find a regression)."""
    paired = {name for name, gap in (current.metrics.contrasts if current.metrics else {}).items()
              if gap.second is not None}
    short = [f"{name} on {r.pairs}" for name, r in comparison.contrasts.items()
             if name in paired and r.baseline is not None and r.pairs < min_pairs]
    if not short:
        return None
    return (f"--af-baseline {comparison.report}: {_gate_named(current)} shares too few requests with "
            f"{comparison.model} there to find a regression ({', '.join(short)}, fewer than min_pairs "
            f"{min_pairs}); run both with the same --af-limit")
