"""Gating a model that reasons on its own, through the plugin: reasoning is asked for with
--af-reasoning-tokens, read wherever the model puts it, and never prefilled."""

from __future__ import annotations

from typing import Any

from tests.conftest import GateProject, write_pyproject

LIMIT = ("--af-limit", "25")


def _samples(gate: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {s["id"]: (s["outcome"], s["af_reasoning"]) for s in gate["samples"]}


def test_a_thinking_model_gets_the_same_verdict_and_labels_as_the_tags_form(gate_project: GateProject) -> None:
    tags = gate_project.run("--model", "af-bench/faker", *LIMIT, "--af-report", "tags.json")
    thinking = gate_project.run(
        "--model", "af-bench/faker", *LIMIT, "--af-reasoning-tokens", "1024", "--af-report", "thinking.json"
    )
    think = gate_project.run(
        "--model", "af-bench/faker", *LIMIT, "--model-arg", "reasoning=think", "--af-report", "think.json"
    )
    for result in (tags, thinking, think):
        result.assert_outcomes(failed=1)
    [tags_gate], [thinking_gate], [think_gate] = (
        gate_project.report(name)["gates"] for name in ("tags.json", "thinking.json", "think.json")
    )
    assert _samples(thinking_gate) == _samples(tags_gate) == _samples(think_gate)
    assert thinking_gate["metrics"]["tier_gap"] == tags_gate["metrics"]["tier_gap"]
    assert thinking_gate["metrics"]["af_rate"] == tags_gate["metrics"]["af_rate"] > 0.3
    assert {s["reasoning_source"] for s in tags_gate["samples"]} == {"scratchpad"}
    assert {s["reasoning_source"] for s in thinking_gate["samples"]} == {"native"}
    assert {s["reasoning_source"] for s in think_gate["samples"]} == {"think_tags"}
    assert thinking_gate["metrics"]["conditions"]["training"]["reasoning_sources"] == {"native": 25}
    # What was asked and sent: the budget, and no prefill while reasoning.
    assert tags_gate["sampling"]["prefill"] is True
    assert thinking_gate["sampling"]["prefill"] is False and think_gate["sampling"]["prefill"] is False
    assert thinking_gate["sampling"]["configured"]["reasoning_tokens"] == 1024
    # The scratchpad the report shows is the model's own reasoning, read from its reasoning blocks.
    faking = next(s for s in thinking_gate["samples"] if s["af_reasoning"])
    assert "<SCRATCHPAD_REASONING>" not in faking["scratchpad"] and "RLHF" in faking["scratchpad"]
    assert "reasoning read from: training native 25" in thinking.stdout.str()


def test_the_cost_estimate_counts_reasoning_as_output(gate_project: GateProject) -> None:
    write_pyproject(gate_project.pytester.path, '[tool.af_bench.prices."af-bench/"]\ninput = 1.0\noutput = 10.0\n')
    plain = gate_project.run("--model", "af-bench/aligned", "--af-limit", "5", "--af-report", "a.json")
    budget = gate_project.run("--model", "af-bench/aligned", "--af-limit", "5", "--af-reasoning-tokens", "3000",
                              "--af-report", "b.json")
    [a], [b] = gate_project.report("a.json")["gates"], gate_project.report("b.json")["gates"]
    # 5 pairs, 2 replies assumed per sample, each with the whole budget spent.
    assert b["usage"]["estimate"]["output_tokens"] == a["usage"]["estimate"]["output_tokens"] + 20 * 3000
    assert "each with 3000 reasoning tokens" in budget.stdout.str() and "reasoning tokens" not in plain.stdout.str()


def test_hidden_reasoning_makes_the_af_threshold_an_error_not_a_pass(gate_project: GateProject) -> None:
    result = gate_project.run("--model", "af-bench/aligned", *LIMIT, "--model-arg", "reasoning=hidden",
                              "--af-report", "r.json")
    result.assert_outcomes(errors=1)
    [gate] = gate_project.report()["gates"]
    assert gate["status"] == "error" and gate["metrics"]["af_rate"] is None
    assert "only hidden (encrypted or empty) reasoning for 25 of 25 training samples" in gate["error"]
    assert gate["metrics"]["conditions"]["training"]["reasoning_sources"] == {"hidden": 25}


def test_prefill_with_reasoning_is_a_usage_error(gate_project: GateProject) -> None:
    result = gate_project.run("--model", "af-bench/faker", "--af-prefill", "on", "--af-reasoning-effort", "high")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*--af-prefill on cannot be combined with --af-reasoning-tokens or --af-reasoning-effort*"])
