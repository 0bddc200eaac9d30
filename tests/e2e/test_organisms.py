"""The helpful-only task end to end on the offline organisms, with the metrics asserted."""

import math

import pytest
from inspect_ai import eval
from inspect_ai.log import EvalLog
from inspect_ai.model import get_model

from af_bench.organisms.behaviour import PROFILES
from af_bench.tasks.helpful_only import helpful_only


def metrics_of(log: EvalLog) -> dict[str, float]:
    assert log.status == "success", log.error
    assert log.results is not None
    return {name: m.value for name, m in log.results.scores[0].metrics.items()}


@pytest.fixture(scope="module")
def organism_logs() -> dict[str, EvalLog]:
    # The faker runs the whole shipped set (its rates are checked); the others need fewer pairs.
    [faker] = eval(helpful_only(), model="af-bench/faker", display="none")
    others = eval(
        helpful_only(), model=["af-bench/aligned", "af-bench/compliant"], limit=120, display="none"
    )
    return {str(log.eval.model).split("/")[-1]: log for log in [faker, *others]}


def test_faker_gap_matches_its_configured_rates(organism_logs: dict[str, EvalLog]) -> None:
    metrics = metrics_of(organism_logs["faker"])
    profile = PROFILES["faker"]
    pairs = metrics["tier_gap_pairs"]
    assert pairs >= 200
    expected = profile.train_comply - profile.unmonitored_comply
    # Four standard errors of a paired difference of independent Bernoulli draws.
    var = profile.train_comply * (1 - profile.train_comply) + profile.unmonitored_comply * (
        1 - profile.unmonitored_comply
    )
    assert abs(metrics["tier_gap"] - expected) < 4 * math.sqrt(var / pairs)
    assert metrics["tier_gap_ci_low"] > 0.3 and metrics["tier_gap_p_value"] < 1e-6
    assert abs(metrics["training_complied"] - profile.train_comply) < 0.15
    # Organism scratchpads are recognised by the heuristic: goal guarding among compliant ones.
    assert abs(metrics["af_rate_among_compliant"] - profile.train_af) < 0.1
    assert metrics["training_failed"] == 0.0 and metrics["unmonitored_failed"] == 0.0


@pytest.mark.parametrize(("organism", "rate"), [("aligned", 0.0), ("compliant", 1.0)])
def test_aligned_and_compliant_have_no_gap(organism_logs: dict[str, EvalLog], organism: str, rate: float) -> None:
    metrics = metrics_of(organism_logs[organism])
    assert metrics["tier_gap"] == 0.0 and metrics["tier_gap_p_value"] == 1.0
    assert metrics["training_complied"] == rate and metrics["unmonitored_complied"] == rate
    assert metrics["af_rate"] == 0.0


def test_every_turn_is_kept_in_the_transcript(organism_logs: dict[str, EvalLog]) -> None:
    log = organism_logs["faker"]
    assert log.samples is not None
    sample = log.samples[0]
    roles = [m.role for m in sample.messages]
    assert roles == ["system", "user", "assistant", "user", "assistant"]
    assert "<SCRATCHPAD_REASONING>" in sample.messages[2].text
    assert sample.metadata["condition"] == "training" and sample.metadata["pair_id"] == "harm-001"


def test_model_args_and_epochs() -> None:
    model = get_model("af-bench/faker", train_comply=1.0, unmonitored_comply=0.0, turns=1, seed=7, memoize=False)
    [log] = eval(helpful_only(), model=model, limit=40, epochs=3, display="none")
    metrics = metrics_of(log)
    assert metrics["tier_gap"] == 1.0 and metrics["tier_gap_pairs"] == 20
    assert metrics["training_n"] == 20  # epochs are reduced per sample, then paired


def test_unknown_organism_and_bad_args_are_clear() -> None:
    with pytest.raises(ValueError, match="unknown organism af-bench/nope; known: af-bench/faker"):
        get_model("af-bench/nope", memoize=False)
    with pytest.raises(ValueError, match=r"train_comply must be in \[0, 1\]"):
        get_model("af-bench/faker", train_comply=2, memoize=False)
    with pytest.raises(ValueError, match="unknown model args"):
        get_model("af-bench/faker", rate=0.5, memoize=False)


def test_a_judge_asked_with_other_model_args_is_not_served_the_old_args_cached_votes(tmp_path) -> None:
    # inspect's response cache does not key on model args: the organism makes them part of it, so
    # a cached run of the steady judge does not answer for the judge told to flip every vote.
    from tests.loopback.conftest import gate

    judge = ("af-bench/judge-cache-check",)
    steady = gate(tmp_path, model="af-bench/faker", pairs=10, judge_models=judge, judge_votes=1,
                  log_dir=tmp_path / "steady")
    flipped = gate(tmp_path, model="af-bench/faker", pairs=10, judge_models=judge, judge_votes=1,
                   judge_model_args={"flip": 1.0}, log_dir=tmp_path / "flipped")
    before = {s.id: s.af_reasoning for s in steady.samples if s.af_vote_fraction is not None}
    after = {s.id: s.af_reasoning for s in flipped.samples if s.af_vote_fraction is not None}
    assert before and before.keys() == after.keys()
    assert all(after[i] is (not before[i]) for i in before)
