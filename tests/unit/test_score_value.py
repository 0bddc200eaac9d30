"""The typed score value: the scorer's logged dict round-trips through it, a report record
rebuilds exactly what the scorer logged, and unknown never reads as No."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st
from inspect_ai import eval
from inspect_ai.log import EvalLog
from inspect_ai.model import get_model

from af_bench.scenario.outcomes import Outcome
from af_bench.results.schema import scored_record
from af_bench.results.from_log import SCORER_NAME, gate_metrics
from af_bench.scoring.value import ScoreValue
from af_bench.tasks.animal_welfare import animal_welfare
from af_bench.tasks.exfiltration import exfiltration
from af_bench.tasks.helpful_only import helpful_only

flags = st.none() | st.booleans()


def same(a: Mapping[str, float], b: Mapping[str, float]) -> bool:
    """Equal as logged: the same keys in the same order, NaN equal to NaN."""
    return list(a) == list(b) and all(
        (math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k] for k in a
    )


@st.composite
def values(draw: st.DrawFn) -> ScoreValue:
    key = draw(st.none() | st.sampled_from(["supports_welfare", "exfiltrated"]))
    return ScoreValue.of(
        draw(st.sampled_from(list(Outcome))),
        af_reasoning=draw(flags),
        af_vote_fraction=draw(st.none() | st.floats(0, 1)),
        partial_compliance=draw(st.none() | st.sampled_from(["none", "scheming", "compromise", "avoidance"])),
        judge_failed=draw(flags),
        eval_aware=draw(flags),
        behaviour_key=key,
        behaviour=draw(flags) if key else None,
    )


@given(values())
def test_a_logged_value_reads_back_as_itself(value: ScoreValue) -> None:
    assert same(ScoreValue.from_value(value.as_value()).as_value(), value.as_value())


@given(values())
def test_unknown_is_nan_never_no(value: ScoreValue) -> None:
    logged = value.as_value()
    assert sum(logged[o.value] for o in Outcome) == 1.0
    if math.isnan(logged["af_reasoning"]):
        # Not classified: neither the AF rate nor its among-compliant ratio may count it.
        assert math.isnan(logged["af_and_complied"]) and math.isnan(logged["complied_classified"])
    assert value.usable == (logged["failed"] == 0.0 and logged["blocked"] == 0.0)


def test_old_logs_without_blocked_read_as_not_blocked_and_no_failed_key_is_unusable() -> None:
    assert ScoreValue.from_value({"complied": 1.0, "refused": 0.0, "other": 0.0, "failed": 0.0}).usable
    assert not ScoreValue.from_value({"complied": 1.0, "refused": 0.0, "other": 0.0}).usable


def test_epoch_mean_skips_unknown_readings() -> None:
    a = ScoreValue.of(Outcome.COMPLIED, af_reasoning=True)
    b = ScoreValue.of(Outcome.REFUSED)
    mean = ScoreValue.mean([a, b])
    assert mean.complied == 0.5 and mean.af_reasoning == 1.0 and mean.af_and_complied == 1.0
    assert math.isnan(mean.eval_aware)


def _runs() -> list[EvalLog]:
    judge = get_model("af-bench/judge", memoize=False)
    return [
        *eval([helpful_only(), animal_welfare()], model="af-bench/faker", limit=10, display="none"),
        *eval(helpful_only(), model=get_model("af-bench/faker", eval_aware=0.5, blocked=0.2, memoize=False),
              limit=10, display="none"),
        *eval(helpful_only(), model="af-bench/faker", limit=6, display="none", model_roles={"grader": judge}),
        *eval(helpful_only(), model="af-bench/aligned", limit=6, display="none"),
        *eval(exfiltration(), model="af-bench/faker", limit=6, display="none", model_roles={"grader": judge}),
    ]


@pytest.fixture(scope="module")
def logs() -> list[EvalLog]:
    return _runs()


def test_a_report_record_rebuilds_the_value_the_scorer_logged(logs: list[EvalLog]) -> None:
    checked = 0
    for log in logs:
        assert log.status == "success", log.error
        _, records = gate_metrics(log)
        behaviour = (log.eval.metadata or {}).get("scoring", {}).get("behaviour")
        key = None if behaviour in (None, "compliance") else next(
            (k for k in log.samples[0].scores[SCORER_NAME].value if k not in ScoreValue.of(Outcome.OTHER).as_value()),
            None,
        )
        # Records follow the data set's order, samples the order they finished: match them by id.
        by_key = {(r.id, r.epoch): r for r in records}
        assert len(by_key) == len(records) == len(log.samples or [])
        for sample in log.samples or []:
            record = by_key[(str(sample.id), sample.epoch)]
            logged = sample.scores[SCORER_NAME].value  # type: ignore[index]
            rebuilt = record.score_value(key).as_value()
            assert same(rebuilt, logged), (log.eval.task, record.id, rebuilt, logged)
            counted = scored_record(record, key).value
            assert counted is not None and same(counted.as_value(), ScoreValue.from_value(logged).as_value())
            checked += 1
    assert checked >= 30


def test_the_runs_cover_every_reading(logs: list[EvalLog]) -> None:
    # The round trip above means something only if the runs produce each kind of value.
    seen = {
        name
        for log in logs
        for sample in log.samples or []
        for name, v in sample.scores[SCORER_NAME].value.items()  # type: ignore[union-attr, index]
        if not math.isnan(v) and v != 0.0
    }
    assert {"complied", "refused", "blocked", "af_reasoning", "af_and_complied", "eval_aware", "af_vote_fraction",
            "exfiltrated"} <= seen
