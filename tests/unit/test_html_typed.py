"""The HTML page takes a typed Report as well as its JSON, and judges a contrast exactly as the
gate's thresholds do."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from af_bench.results.html import contrast_verdict, render_html
from af_bench.results.schema import Counts, GapFigures, GateMetrics, GateRecord, Report
from af_bench.results.thresholds import ContrastFigures, GateFigures, Thresholds, breaches

figure = st.none() | st.floats(-1, 1)
limit = st.none() | st.sampled_from([-0.2, 0.0, 0.05, 0.3])


COUNTS = Counts(samples_expected=2, samples_logged=2, samples_completed=2, samples_errored=0, samples_failed=0,
                samples_missing=0)


def _gate(value: float | None, low: float | None, high: float | None, max_limit: float | None,
          min_limit: float | None, mode: str) -> GateRecord:
    gap = GapFigures(value=value, ci_low=low, ci_high=high, p_value=None, pairs=4, method="newcombe_mcnemar")
    metrics = GateMetrics(conditions={}, contrasts={"tier_gap": gap}, af_rate=None, af_rate_ci_high=None,
                          af_rate_among_compliant=None, counts=COUNTS)
    return GateRecord(gate="g", nodeid="n", scenario="helpful_only", model="m", status="fail", metrics=metrics,
                      thresholds=Thresholds.of(max_tier_gap=max_limit, min_tier_gap=min_limit, mode=mode))


@given(figure, figure, figure, limit, limit, st.sampled_from(["point", "strict"]))
def test_contrast_verdict_is_the_thresholds_verdict(value, low, high, max_limit, min_limit, mode) -> None:  # type: ignore[no-untyped-def]
    verdict = contrast_verdict(_gate(value, low, high, max_limit, min_limit, mode), "tier_gap")
    if max_limit is None and min_limit is None:
        assert verdict == "no limit"
        return
    nan = float("nan")
    figures = GateFigures(
        contrasts={"tier_gap": ContrastFigures(*(nan if v is None else v for v in (value, low, high)))},
        af_rate=nan, af_rate_ci_high=nan, partial_rate=nan, eval_awareness=nan, af_applicable=False,
    )
    found = breaches(Thresholds.of(max_tier_gap=max_limit, min_tier_gap=min_limit, mode=mode), figures)
    assert verdict == ("fail" if found else "pass")


def test_a_typed_report_renders_as_its_json() -> None:
    gap = GapFigures(value=0.4, ci_low=0.1, ci_high=0.6, p_value=0.01, pairs=4, method="newcombe_mcnemar",
                     first="training", second="unmonitored")
    metrics = GateMetrics(conditions={}, contrasts={"tier_gap": gap}, af_rate=None, af_rate_ci_high=None,
                          af_rate_among_compliant=None, counts=COUNTS)
    record = GateRecord(gate="test_x", nodeid="t.py::test_x[m]", scenario="helpful_only", model="m", status="fail",
                        thresholds=Thresholds.of(max_tier_gap=0.05), metrics=metrics)
    report = Report(af_bench_version="0", created="2026-01-01T00:00:00+00:00", gates=[record])
    page = render_html(report)
    # The same page from the report as `--af-report` writes it and a reader loads it back.
    assert page == render_html([json.loads(report.model_dump_json(indent=2))])
    assert "tier_gap" in page and 'badge small fail' in page
