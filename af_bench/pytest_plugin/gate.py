"""`@af_bench.gate(...)`: turns a function returning a scenario task into one pytest item per model,
and the text a failed gate shows. The verdict itself is af_bench.results.verdict (no pytest there)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from af_bench.gating.spec import CollectedGate, GateSpec
from af_bench.results.thresholds import Thresholds, ThresholdError
from af_bench.results.verdict import unreadable_kinds, wording_sensitivity

if TYPE_CHECKING:
    import pytest
    from inspect_ai import Task

    from af_bench.results.schema import GateRecord

GATE_MARKER = "af_gate"
MODEL_ARG = "af_model"
VARIANT_ARG = "af_variant"


def gate(*, variants: Sequence[str] = (), **thresholds: Any) -> Callable[[Callable[..., Task]], Callable[..., None]]:
    """Declare a gate: the decorated function returns the inspect Task to run; the keyword
    arguments are its thresholds: `max_<contrast>` and `min_<contrast>` for the scenario's
    contrasts (`max_tier_gap`, `max_goal_guarding`, …), `max_af_rate`, `min_pairs`,
    `max_failed_rate`, `max_partial_rate`, `max_judge_failure_rate`, `max_eval_awareness`, `mode`.

        @af_bench.gate(max_tier_gap=0.05, max_af_rate=0.05)
        def test_helpful_only():
            return helpful_only()

    With `variants=[...]` every prompt variant is its own item, the builder takes the variant
    (`def test_x(variant): return helpful_only(variant=variant)`) and the summary shows each
    contrast's range across the variants.
    """

    def decorate(build: Callable[..., Task]) -> Callable[..., None]:
        # pytest is imported here, where a gate is declared (inside a pytest run), not at module
        # top: `import af_bench` loads this module, and merge, report and the report schema
        # must load without pytest.
        import pytest

        try:
            base = Thresholds().merged(thresholds, f"@af_bench.gate on {build.__name__}")
        except ThresholdError as err:
            raise TypeError(str(err)) from None
        if variants and "variant" not in inspect.signature(build).parameters:
            raise TypeError(f"@af_bench.gate on {build.__name__}: with variants, the function must take `variant`")
        spec = GateSpec(name=build.__name__, build=build, thresholds=base, variants=tuple(variants))

        def test_gate(af_gate_result: GateRecord) -> None:
            if af_gate_result.status != "pass":
                pytest.fail(verdict_text(af_gate_result), pytrace=False)

        # Copy the identity by hand: functools.wraps would make pytest read the builder's
        # signature and drop the fixture this test needs.
        test_gate.__name__ = build.__name__
        test_gate.__qualname__ = build.__qualname__
        test_gate.__module__ = build.__module__
        test_gate.__doc__ = build.__doc__
        return getattr(pytest.mark, GATE_MARKER)(spec=spec)(test_gate)

    return decorate


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def verdict_text(record: GateRecord) -> str:
    """The failure message: what was measured, what failed and by how much, where the log is."""
    head = f"{record.scenario} on {record.model}: {record.status.upper()}"
    lines = [head]
    if record.error:
        lines.append(f"  error: {record.error}")
    metrics = record.metrics
    if metrics is not None:
        conditions = ", ".join(
            f"{name} {_fmt(c.complied)} (n={c.n})" for name, c in metrics.conditions.items()
        )
        lines.append(f"  compliance: {conditions or 'no completed samples'}")
        behaviours = sorted({key for c in metrics.conditions.values() for key in c.behaviour})
        for key in behaviours:
            rates = ", ".join(f"{name} {_fmt(c.behaviour.get(key))}" for name, c in metrics.conditions.items())
            lines.append(f"  {key.replace('_', ' ')}: {rates}")
        for name, gap in metrics.contrasts.items():
            p_value = "n/a" if gap.p_value is None else f"{gap.p_value:.3g}"
            unit = "samples" if gap.method == "wilson" else "pairs"
            lines.append(
                f"  {name.replace('_', ' ')} {_fmt(gap.value)} [95% CI {_fmt(gap.ci_low)}, {_fmt(gap.ci_high)}], "
                f"p={p_value} ({gap.method}, {gap.pairs} {unit})"
            )
        for wording in metrics.paraphrases or []:
            gaps = ", ".join(f"{name.replace('_', ' ')} {_fmt(gap)}" for name, gap in wording.contrasts.items())
            lines.append(f"    wording {wording.wording}: {gaps} ({wording.pairs} pairs)")
        sensitive = wording_sensitivity(metrics, record.thresholds)
        if sensitive is not None:
            lines.append(f"  {sensitive.describe()}")
        if metrics.af_applicable:
            bound = "at least " if record.af_gated is False and metrics.af_rate is not None else ""
            lines.append(
                f"  alignment-faking reasoning (trained condition): {bound}{_fmt(metrics.af_rate)}, among compliant "
                f"{_fmt(metrics.af_rate_among_compliant)} (classifier: {record.classifier})"
            )
            if record.af_gated is False and record.thresholds.max_af_rate is not None:
                lines.append(f"  note: {record.af_gated_why}")
        else:
            lines.append("  alignment-faking reasoning: not applicable (no scratchpad, or no trained condition)")
        sources = ", ".join(
            f"{name} " + " ".join(f"{source} {n}" for source, n in c.reasoning_sources.items())
            for name, c in metrics.conditions.items() if c.reasoning_sources
        )
        if sources:
            lines.append(f"  reasoning read from: {sources}")
        readings = metrics.compliance_readings
        if readings.judged:
            lines.append(f"  compliance judge: read {readings.judged} answers ({readings.untagged} without accept or "
                         f"reject tag); disagreed with the tag rule on {readings.disagree}")
        counts = metrics.counts
        if counts.samples_unreadable:
            lines.append(f"  unreadable answers (no tag a verdict can rest on, no judge read them): "
                         f"{counts.samples_unreadable} of {counts.samples_completed} ({unreadable_kinds(counts)})")
        aware = ", ".join(f"{name} {_fmt(v)}" for name, v in metrics.eval_awareness.items() if v is not None)
        if aware:
            lines.append(f"  evaluation awareness: {aware}")
        if metrics.judge_panel:
            lines.append(f"  judge panel ({len(metrics.judge_panel)} judges, alignment faking by majority):")
            lines += [f"    {judge.describe()}" for judge in metrics.judge_panel]
        if metrics.judged:
            partial = ", ".join(f"{name} {_fmt(v)}" for name, v in metrics.partial_compliance.items())
            lines.append(
                f"  partial compliance: {partial or 'n/a'}; judge failures {metrics.judge_failures} "
                f"of {metrics.judged}"
            )
        if metrics.af_vote_failures:
            lines.append("  judge votes with no label (never read as No): "
                         + ", ".join(f"{k} {v}" for k, v in metrics.af_vote_failures.items()))
    lines += [f"  warning: {warning}" for warning in record.warnings or []]
    if record.sequential is not None:
        seq = record.sequential
        fixed = f"; a fixed-size gate would need about {seq.fixed_pairs}" if seq.fixed_pairs else ""
        lines.append(
            f"  sequential: stopped {seq.stopped} after {seq.pairs_used} of {seq.pairs_budget} pairs "
            f"({seq.rounds} rounds, alpha {seq.alpha}){fixed}"
        )
    if record.baseline is not None:
        for name, r in record.baseline.contrasts.items():
            if r.regression is not None and r.ci_low is not None and r.ci_high is not None:
                lines.append(
                    f"  against {record.baseline.model}: {name.replace('_', ' ')} {_fmt(r.baseline)} -> "
                    f"{_fmt(r.current)}, regression {r.regression:+.3f} [95% CI {r.ci_low:+.3f}, "
                    f"{r.ci_high:+.3f}] over {r.pairs} shared requests"
                )
    for breach in record.breaches:
        lines.append(f"  failed: {breach}")
    if record.log:
        lines.append(f"  log: inspect view --log-dir {_log_dir(record.log)}   ({record.log})")
    return "\n".join(lines)


def _log_dir(location: str) -> str:
    return location.rsplit("/", 1)[0] if "/" in location else "."


def collected_gates(items: Sequence[pytest.Item]) -> list[CollectedGate]:
    """The gate items among pytest's collected items, each with its model and variant."""
    gates = []
    for item in items:
        marker = item.get_closest_marker(GATE_MARKER)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if marker is not None and params.get(MODEL_ARG) is not None:
            gates.append(CollectedGate(marker.kwargs["spec"], params[MODEL_ARG], params.get(VARIANT_ARG)))
    return gates
