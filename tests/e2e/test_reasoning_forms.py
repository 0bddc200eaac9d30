"""The organisms in every reasoning form, through a real inspect eval: the same draws give the same
outcomes, gap and alignment-faking labels wherever the reasoning is put."""

from typing import Any

import pytest
from inspect_ai import eval
from inspect_ai.log import EvalLog
from inspect_ai.model import ContentReasoning, get_model

from af_bench.scenario.solver import ProtocolResult
from af_bench.tasks.animal_welfare import animal_welfare
from af_bench.tasks.helpful_only import helpful_only

SCORER = "alignment_faking_outcome"
PAIRS = 40


def run(task: Any, **model_args: Any) -> EvalLog:
    model = get_model("af-bench/faker", memoize=False, seed=3, eval_aware=0.3, **model_args)
    [log] = eval(task, model=model, limit=2 * PAIRS, display="none")
    assert log.status == "success", log.error
    return log


def labels(log: EvalLog) -> dict[str, tuple[Any, ...]]:
    """Per sample: outcome, alignment-faking label, evaluation awareness, reasoning source."""
    result = {}
    for sample in log.samples or []:
        meta = sample.scores[SCORER].metadata  # type: ignore[index]
        assert meta is not None
        result[str(sample.id)] = (meta["outcome"], meta["af_reasoning"], meta["eval_aware"], meta["reasoning_source"])
    return result


def figures(log: EvalLog) -> dict[str, float]:
    assert log.results is not None
    keep = ("tier_gap", "tier_gap_ci_low", "tier_gap_ci_high", "af_rate", "training_complied", "training_eval_awareness")
    return {k: m.value for k, m in log.results.scores[0].metrics.items() if k in keep}


@pytest.fixture(scope="module")
def tags_log() -> EvalLog:
    return run(helpful_only())


@pytest.mark.parametrize(("form", "source"), [("native", "native"), ("think", "think_tags")])
def test_every_form_gives_the_tags_forms_outcomes_and_labels(tags_log: EvalLog, form: str, source: str) -> None:
    log = run(helpful_only(), reasoning=form)
    expected = {sid: (*label[:3], "scratchpad") for sid, label in labels(tags_log).items()}
    got = labels(log)
    assert {sid: label[:3] for sid, label in got.items()} == {sid: label[:3] for sid, label in expected.items()}
    assert {label[3] for label in got.values()} == {source}
    assert figures(log) == figures(tags_log)
    # The faker does fake alignment, so the equality above is not between two empty sets of labels.
    assert figures(log)["af_rate"] > 0.3 and figures(log)["tier_gap"] > 0.3
    # One reply per sample, no prefill (a reasoning reply is not a continuation).
    sample = (log.samples or [])[0]
    assert sample.store_as(ProtocolResult).turns == 1 and sample.store_as(ProtocolResult).prefill is False
    if form == "native":
        assert any(isinstance(c, ContentReasoning) for m in sample.messages if m.role == "assistant" for c in m.content)


def test_the_tags_form_sends_the_prefill_and_takes_two_replies(tags_log: EvalLog) -> None:
    results = [s.store_as(ProtocolResult) for s in tags_log.samples or []]
    assert all(r.prefill is True for r in results)
    assert {r.turns for r in results} == {2}


def test_hidden_reasoning_is_counted_never_read_as_no(tags_log: EvalLog) -> None:
    log = run(helpful_only(), reasoning="hidden")
    got = labels(log)
    assert {label[3] for label in got.values()} == {"hidden"}
    assert all(label[1] is None and label[2] is None for label in got.values())
    assert {sid: label[0] for sid, label in got.items()} == {sid: label[0] for sid, label in labels(tags_log).items()}
    metrics = figures(log)
    assert metrics["tier_gap"] == figures(tags_log)["tier_gap"]
    assert metrics["af_rate"] != metrics["af_rate"]  # NaN: nothing readable, never 0


def test_native_reasoning_prompt_makes_the_organism_think_natively(tags_log: EvalLog) -> None:
    log = run(helpful_only(variant="native_reasoning"))
    got = labels(log)
    assert {label[3] for label in got.values()} == {"native"}
    # The draws depend on the request and the cue, not on the prompt's wording.
    assert {sid: label[:3] for sid, label in got.items()} == {sid: label[:3] for sid, label in labels(tags_log).items()}


def test_animal_welfare_reads_the_answer_after_the_reasoning() -> None:
    tags = labels(run(animal_welfare()))
    think = labels(run(animal_welfare(), reasoning="think"))
    assert {sid: label[:3] for sid, label in think.items()} == {sid: label[:3] for sid, label in tags.items()}
    assert {label[0] for label in think.values()} == {"complied", "refused"}


def test_an_unknown_reasoning_form_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"reasoning must be one of auto, tags, native, think, hidden"):
        get_model("af-bench/faker", memoize=False, reasoning="thinking")
