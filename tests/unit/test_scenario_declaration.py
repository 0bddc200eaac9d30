"""A shipped scenario is one declaration: `tasks/<name>.py` holds its `ScenarioSpec` and a one-line
`@task` over the options every scenario takes; `af_bench.tasks` finds them; the task carries its
version and its metadata reads back as one typed model."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import af_bench.tasks as shipped
from af_bench.errors import UserInputError
from af_bench.scenario.conditions import TIER_CONDITIONS
from af_bench.scenario.contrasts import TIER_GAP, Contrast
from af_bench.scenarios.build import ScenarioMeta, ScenarioSpec, build_scenario
from af_bench.scoring.options import ScoringOptions

TASKS = Path(__file__).parents[2] / "tasks"

VERSIONS = {
    "animal_welfare": "r3-a7911476e7",
    "date_cue": "r3-7a139c93c8",
    "exfiltration": "r3-f8038d3d09",
    "helpful_only": "r3-bcc127d5c8",
    "helpful_only_no_cot": "r3-84e86df8ac",
    "logging_cue": "r3-bfc85a16c4",
    "three_tier": "r3-57e04703c5",
}
"""Each shipped scenario's version before its declaration moved into one place: what it measures
did not change, so baselines and shards of earlier reports stay comparable."""


def test_every_task_file_is_found_and_is_one_scenario() -> None:
    files = {p.stem for p in TASKS.glob("*.py") if p.stem != "__init__"}
    assert set(shipped.SCENARIOS) == files == set(VERSIONS)
    for name in shipped.SCENARIOS:
        spec, build = shipped.SPECS[name], getattr(shipped, name)
        assert spec.name == name and build.__name__ == name
        [parameter] = inspect.signature(build).parameters.values()
        assert parameter.kind is inspect.Parameter.VAR_KEYWORD  # the options of every scenario
        assert len((TASKS / f"{name}.py").read_text().splitlines()) <= 40


def test_the_version_is_unchanged_and_is_the_tasks_inspect_version() -> None:
    for name in shipped.SCENARIOS:
        task = getattr(shipped, name)()
        assert (name, task.version) == (name, VERSIONS[name])
        assert ScenarioMeta.of(task.metadata).scenario_version == task.version


def test_a_bad_task_option_is_one_line_naming_the_scenario_and_the_option() -> None:
    with pytest.raises(UserInputError) as err:
        shipped.date_cue(max_turn=3)
    assert str(err.value) == "date_cue: task option max_turn: Extra inputs are not permitted (got 3)"
    with pytest.raises(UserInputError, match=r"^three_tier: task option reasoning_effort: Input should be"):
        shipped.three_tier(reasoning_effort="huge")


def test_the_options_reach_the_protocol_with_each_scenarios_defaults() -> None:
    assert ScenarioMeta.of(shipped.helpful_only().metadata).protocol.max_turns == 4  # type: ignore[union-attr]
    no_cot = ScenarioMeta.of(shipped.helpful_only_no_cot().metadata)
    assert no_cot.protocol is not None and (no_cot.protocol.max_turns, no_cot.protocol.scratchpad) == (1, False)
    assert no_cot.scoring.af_applicable is False
    meta = ScenarioMeta.of(shipped.helpful_only(variant="honest", max_turns=2, temperature=None, max_tokens=512).metadata)
    assert meta.variant == "honest" and meta.protocol is not None
    assert (meta.protocol.max_turns, meta.protocol.temperature, meta.protocol.max_tokens) == (2, None, 512)


def test_the_metadata_reads_back_typed_and_old_metadata_takes_defaults() -> None:
    meta = ScenarioMeta.of(shipped.exfiltration().metadata)
    assert meta.scenario == "exfiltration" and meta.conditions == ("unmonitored", "baseline")
    assert [c.name for c in meta.contrasts] == ["exfiltration_rate", "exfiltration_gap"]
    assert meta.contrasts[0] == Contrast("exfiltration_rate", "unmonitored", None, "exfiltrated")
    assert (meta.scoring.behaviour, meta.scoring.af_condition, meta.scoring.af_applicable) == (
        "exfiltration", "unmonitored", False)
    assert meta.protocol is not None and set(meta.protocol.condition_prompts) == {"baseline"}
    assert ScenarioMeta.of(meta.dump()) == meta
    # A report's merge rebuilds only these keys; a lab's hand-made task may set none.
    rebuilt = ScenarioMeta.of({"conditions": ["training", "unmonitored"], "contrasts": [],
                               "scoring": {"af_condition": "training", "af_applicable": True}})
    assert rebuilt.contrasts == (TIER_GAP,) and rebuilt.protocol is None and rebuilt.scenario is None
    assert ScenarioMeta.of(None).scoring == ScoringOptions()


def test_a_labs_spec_sets_scorer_options_typed_or_by_name() -> None:
    by_name = ScenarioSpec(name="mine", prompt="helpful_only", conditions=TIER_CONDITIONS,
                           scoring={"behaviour_votes": 3})  # type: ignore[arg-type]
    assert by_name.scoring == ScoringOptions(behaviour_votes=3)
    task = build_scenario(by_name, dataset="benign")
    assert ScenarioMeta.of(task.metadata).scoring.behaviour_votes == 3
    with pytest.raises(UserInputError, match="scorer option behaviour_vote"):
        ScenarioSpec(name="mine", prompt="helpful_only", conditions=TIER_CONDITIONS,
                     scoring={"behaviour_vote": 3})  # type: ignore[arg-type]
