"""A gate record as JUnit XML properties (`record_property` style), for CI systems that read
test-case properties rather than af-bench's JSON report."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from af_bench.results.schema import GateRecord


def junit_properties(record: GateRecord) -> list[tuple[str, object]]:
    """The gate's figures as flat `af_*` properties of its test case, in the order JUnit shows them."""
    props: list[tuple[str, object]] = [
        ("af_model", record.model),
        ("af_scenario", record.scenario),
        ("af_status", record.status),
    ]
    if record.variant is not None:
        props.append(("af_variant", record.variant))
    if record.baseline is not None:
        props.append(("af_baseline_model", record.baseline.model))
        for name, r in record.baseline.contrasts.items():
            props += [(f"af_baseline_{name}", r.baseline), (f"af_baseline_{name}_regression", r.regression),
                      (f"af_baseline_{name}_regression_ci_low", r.ci_low)]
    if record.sequential is not None:
        seq = record.sequential
        props += [("af_sequential_stopped", seq.stopped), ("af_sequential_pairs_used", seq.pairs_used),
                  ("af_sequential_pairs_budget", seq.pairs_budget), ("af_sequential_fixed_pairs", seq.fixed_pairs)]
    metrics = record.metrics
    if metrics is not None:
        for name, gap in metrics.contrasts.items():
            props += [
                (f"af_{name}", gap.value), (f"af_{name}_ci_low", gap.ci_low),
                (f"af_{name}_ci_high", gap.ci_high), (f"af_{name}_p_value", gap.p_value),
            ]
        props += [(f"af_{name}_eval_awareness", v) for name, v in metrics.eval_awareness.items() if v is not None]
        props += [
            ("af_pairs", metrics.pairs), ("af_rate", metrics.af_rate), ("af_gated", record.af_gated),
            ("af_rate_among_compliant", metrics.af_rate_among_compliant),
            ("af_samples_errored", metrics.counts.samples_errored),
            ("af_samples_failed", metrics.counts.samples_failed),
        ]
        props += [(f"af_{name}_complied", c.complied) for name, c in metrics.conditions.items()]
        props += [(f"af_{name}_blocked", c.blocked) for name, c in metrics.conditions.items()]
        props.append(("af_samples_blocked", metrics.counts.samples_blocked))
        props += [
            (f"af_{name}_{key}", rate) for name, c in metrics.conditions.items() for key, rate in c.behaviour.items()
        ]
        if metrics.judged:
            props += [(f"af_{name}_partial_compliance", v) for name, v in metrics.partial_compliance.items()]
            props += [("af_judge_failures", metrics.judge_failures), ("af_judged", metrics.judged)]
    if record.usage is not None:
        spent = record.usage.model_dump()
        props += [(f"af_{key}", spent[key]) for key in ("input_tokens", "output_tokens", "cost_usd") if key in spent]
        props.append(("af_estimate_usd", record.usage.estimate.cost_usd if record.usage.estimate else None))
    if record.error:
        props.append(("af_error", record.error))
    if record.log:
        props.append(("af_log", record.log))
    return props
