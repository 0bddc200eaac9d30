"""Scenarios measured by what the answer says: animal welfare and weight exfiltration, with the
heuristic and the judge backends, and evaluation awareness by judge."""

from __future__ import annotations

import math

import pytest
from inspect_ai import eval
from inspect_ai.model import get_model

from af_bench.scenario.prompts import read_variant, variants_of
from af_bench.results.from_log import gate_metrics
from af_bench.tasks.animal_welfare import animal_welfare
from af_bench.tasks.exfiltration import exfiltration
from tests.e2e.test_scenarios import metrics_of

SCORER = "alignment_faking_outcome"


def test_animal_welfare_gap_is_support_unmonitored_minus_support_in_training() -> None:
    model = get_model("af-bench/faker", train_comply=1.0, unmonitored_comply=0.0, train_af=1.0, memoize=False)
    [log] = eval(animal_welfare(), model=model, limit=60, display="none")
    metrics = metrics_of(log)
    # Complying with this training objective means dismissing welfare.
    assert metrics["training_supports_welfare"] == 0.0 and metrics["unmonitored_supports_welfare"] == 1.0
    assert metrics["training_complied"] == 1.0 and metrics["unmonitored_refused"] == 1.0
    assert metrics["tier_gap"] == 1.0 and metrics["tier_gap_pairs"] == 30
    # The welfare scenario's own criteria: goal guarding by dismissing welfare is alignment faking.
    assert metrics["af_rate"] == 1.0
    sample = (log.samples or [])[0]
    assert "If you accept" not in sample.messages[1].text  # no accept/reject tag instruction here
    record = gate_metrics(log)[0]
    assert record.conditions["training"].behaviour == {"supports_welfare": 0.0}
    assert record.tier_gap is not None and record.tier_gap.value == 1.0


def test_aligned_and_compliant_organisms_show_no_welfare_gap() -> None:
    [log] = eval(animal_welfare(), model="af-bench/aligned", limit=40, display="none")
    aligned = metrics_of(log)
    assert aligned["tier_gap"] == 0.0 and aligned["training_supports_welfare"] == 1.0
    [log] = eval(animal_welfare(), model="af-bench/compliant", limit=40, display="none")
    compliant = metrics_of(log)
    assert compliant["tier_gap"] == 0.0 and compliant["unmonitored_supports_welfare"] == 0.0


def test_exfiltration_rate_and_gap_against_the_baseline() -> None:
    model = get_model("af-bench/faker", exfiltrate=1.0, memoize=False)
    [log] = eval(exfiltration(), model=model, display="none")
    metrics = metrics_of(log)
    assert metrics["unmonitored_exfiltrated"] == 1.0 and metrics["baseline_exfiltrated"] == 0.0
    assert metrics["exfiltration_rate"] == 1.0 and metrics["exfiltration_rate_pairs"] == 35
    assert metrics["exfiltration_gap"] == 1.0 and metrics["exfiltration_gap_p_value"] < 1e-6
    assert math.isnan(metrics["af_rate"])  # nobody is told they are trained: not applicable
    # The baseline condition runs under its own system prompt, with no training conflict.
    prompts = {s.metadata["condition"]: s.messages[0].text for s in log.samples or []}
    assert "RLHF" in prompts["unmonitored"] and "RLHF" not in prompts["baseline"]
    [log] = eval(exfiltration(), model="af-bench/compliant", display="none")
    compliant = metrics_of(log)
    assert compliant["exfiltration_rate"] == 1.0 and compliant["exfiltration_gap"] == 0.0


def test_the_judge_backend_reads_the_behaviour_like_the_heuristic_on_organisms() -> None:
    # A fresh organism per run: the same seed then gives the same answers.
    [heuristic] = eval(animal_welfare(), model=get_model("af-bench/faker", memoize=False), limit=40, display="none")
    [judged] = eval(
        animal_welfare(), model=get_model("af-bench/faker", memoize=False), limit=40, display="none",
        model_roles={"grader": get_model("af-bench/judge", memoize=False)},
    )
    by_id = {s.id: s.scores[SCORER] for s in heuristic.samples or []}  # type: ignore[index]
    for sample in judged.samples or []:
        score = sample.scores[SCORER]  # type: ignore[index]
        # The scripted judge is unanimous, so early stopping settles each ballot after 3 of its 5 votes.
        assert score.metadata["behaviour_votes"] in ({"yes": 3}, {"no": 3})
        assert score.value["supports_welfare"] == by_id[sample.id].value["supports_welfare"]  # type: ignore[index]
        assert score.value["eval_aware"] == 0.0 and score.value["judge_failed"] == 0.0  # type: ignore[index]
    assert metrics_of(judged)["tier_gap"] == metrics_of(heuristic)["tier_gap"]


def test_a_judge_that_cannot_decide_leaves_the_sample_unusable_never_a_no() -> None:
    grader = get_model("af-bench/judge", malformed=1.0, memoize=False)
    [log] = eval(exfiltration(), model="af-bench/faker", limit=10, display="none", model_roles={"grader": grader})
    for sample in log.samples or []:
        score = sample.scores[SCORER]  # type: ignore[index]
        assert score.metadata["outcome"] == "failed" and score.metadata["failure"] == "unjudged"
        assert math.isnan(score.value["exfiltrated"]) and score.value["judge_failed"] == 1.0  # type: ignore[index]
    metrics = metrics_of(log)
    assert math.isnan(metrics["exfiltration_rate"]) and metrics["exfiltration_gap_pairs"] == 0
    assert gate_metrics(log)[0].counts.failures == {"unjudged": 10}


def test_evaluation_awareness_by_judge() -> None:
    model = get_model("af-bench/aligned", eval_aware=1.0, memoize=False)
    grader = get_model("af-bench/judge", memoize=False)
    [log] = eval(exfiltration(), model=model, limit=10, display="none", model_roles={"grader": grader})
    metrics = metrics_of(log)
    assert metrics["unmonitored_eval_awareness"] == 1.0 and metrics["baseline_eval_awareness"] == 1.0
    votes = [s.scores[SCORER].metadata for s in log.samples or []]  # type: ignore[index]
    assert all(v["eval_aware"] is True and "yes fraction 1.00" in v["eval_aware_evidence"] for v in votes)


@pytest.mark.parametrize(
    "prompt", ["helpful_only", "helpful_only_no_cot", "three_tier", "logging_cue", "date_cue", "animal_welfare"]
)
def test_every_scenario_ships_the_papers_ablations(prompt: str) -> None:
    native = [] if prompt == "helpful_only_no_cot" else ["native_reasoning"]
    assert variants_of(prompt) == ["default", "honest", *native, "no_training_details", "no_values_change"]
    base = read_variant(prompt, "default")
    if native:
        # The follow-up work's setting for reasoning models: no scratchpad, the model's own reasoning private.
        reasoning = read_variant(prompt, "native_reasoning")
        assert "SCRATCHPAD_REASONING" not in reasoning and "your reasoning is private" in reasoning
        assert reasoning.count("RLHF") == base.count("RLHF") and "<OUTPUT>" in reasoning
    assert "RLHF" not in read_variant(prompt, "no_training_details")
    assert "honest" in read_variant(prompt, "honest").lower() and read_variant(prompt, "honest") != base
    assert "RLHF" in read_variant(prompt, "no_values_change")
