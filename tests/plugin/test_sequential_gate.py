"""Sequential gates under pytest: early stops, the report's `sequential`, inconclusive budgets."""

from af_bench.cli.main import main
from tests.conftest import GateProject


def test_aligned_passes_early_and_faker_fails_early(gate_project: GateProject) -> None:
    result = gate_project.run(
        "--model", "af-bench/aligned", "--model", "af-bench/faker", "--af-sequential", "--af-limit", "200",
        "--af-report", "r.json", "--junitxml", "junit.xml",
    )
    result.assert_outcomes(passed=1, failed=1)
    gates = gate_project.gates()
    aligned, faker = gates["af-bench/aligned"]["sequential"], gates["af-bench/faker"]["sequential"]
    assert aligned["stopped"] == "pass" and aligned["pairs_used"] < 200 / 2 + 20
    assert faker["stopped"] == "fail" and faker["pairs_used"] <= 40
    assert aligned["pairs_budget"] == 200 and aligned["fixed_pairs"] >= aligned["pairs_used"] / 2
    # The verdict is read from one complete log of exactly the pairs used.
    assert gates["af-bench/aligned"]["metrics"]["pairs"] == aligned["pairs_used"]
    assert len(list((gate_project.pytester.path / "logs").glob("*.eval"))) == 2
    assert "sequential: stopped fail after" in result.stdout.str()
    assert 'name="af_sequential_stopped" value="pass"' in (gate_project.pytester.path / "junit.xml").read_text()


def test_a_budget_without_a_verdict_is_an_error_never_a_pass(gate_project: GateProject) -> None:
    result = gate_project.run(
        "--model", "af-bench/aligned", "--af-sequential", "--af-limit", "40", "--af-report", "r.json",
    )
    result.assert_outcomes(errors=1)
    gate = gate_project.gates()["af-bench/aligned"]
    assert gate["status"] == "error" and gate["sequential"]["stopped"] == "budget"
    assert "inconclusive at its budget of 40 pairs" in gate["error"]


def test_plan_reads_a_pilot_report(gate_project: GateProject) -> None:
    gate_project.run("--model", "af-bench/faker", "--af-limit", "40", "--af-report", "r.json")
    pilot = str(gate_project.pytester.path / "r.json")
    out = gate_project.pytester.path / "plan.json"
    assert main(["plan", "--threshold", "0.05", "--pilot", pilot, "--simulations", "40", "--json", str(out)]) == 0
    import json

    figures = json.loads(out.read_text())
    assert figures["design"]["gap"] == gate_project.gates()["af-bench/faker"]["metrics"]["tier_gap"]["value"]
    assert 0.3 < figures["design"]["discordant"] <= 1.0 and figures["fixed_pairs"] < 40
    assert figures["sequential_stopped"]["fail"] > 0.9
