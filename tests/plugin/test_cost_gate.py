"""Cost under pytest: the estimate before any request, --af-max-cost refusing and stopping runs,
tokens and dollars per gate and in total, across xdist workers too."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import GateProject, write_pyproject

# Organisms cost nothing; a price makes their (real, counted) tokens cost money. With one output
# token assumed per reply the estimate stays under what the organism's replies really cost.
PRICED = '''
[tool.af_bench]
output_tokens_per_reply = 1

[tool.af_bench.prices."af-bench/"]
input = 10.0
output = 100.0
as_of = "2026-11-23"
source = "test price"
'''


def _logs(project: GateProject) -> list[Path]:
    return list((project.pytester.path / "logs").glob("*.eval"))


def test_estimate_is_printed_and_a_run_over_the_cap_is_refused_before_any_request(gate_project: GateProject) -> None:
    write_pyproject(gate_project.pytester.path, PRICED)
    result = gate_project.run("--model", "af-bench/faker", "--model", "af-bench/aligned", "--af-limit", "30",
                              "--af-max-cost", "1", "--af-report", "r.json", "--junitxml", "junit.xml")
    result.assert_outcomes(errors=2)
    out = result.stdout.str()
    assert "af-bench estimate for 2 gates before any request" in out
    assert "price af-bench/: $10 in / $100 out per million tokens, read 2026-11-23 from test price" in out
    gates = gate_project.gates()
    for gate in gates.values():
        assert gate["status"] == "error" and "refused by --af-max-cost $1.00" in gate["error"]
        assert "No request was made" in gate["error"] and gate["samples"] == []
    assert _logs(gate_project) == []
    assert 'name="af_status" value="error"' in (gate_project.pytester.path / "junit.xml").read_text()


def test_a_run_that_passes_the_cap_stops_and_keeps_what_it_measured(gate_project: GateProject) -> None:
    write_pyproject(gate_project.pytester.path, PRICED)
    result = gate_project.run("--model", "af-bench/faker", "--af-limit", "60", "--af-round-pairs", "10",
                              "--af-max-cost", "5", "--af-report", "r.json")
    result.assert_outcomes(errors=1)
    gate = gate_project.gates()["af-bench/faker"]
    estimate, usage = gate["usage"]["estimate"]["cost_usd"], gate["usage"]["cost_usd"]
    assert estimate < 5 <= usage, (estimate, usage)
    assert gate["status"] == "error" and "stopped by --af-max-cost $5.00" in gate["error"]
    pairs = gate["metrics"]["pairs"]
    assert 10 <= pairs < 60 and pairs % 10 == 0 and f"after {pairs} of 60 pairs" in gate["error"]
    assert len(gate["samples"]) == 2 * pairs  # nothing measured is lost
    # The spend was read from the rounds' own usage: tokens times the price.
    faker = gate["usage"]["models"]["af-bench/faker"]
    assert usage == round((faker["input_tokens"] * 10 + faker["output_tokens"] * 100) / 1e6, 6)
    assert gate_project.report()["usage"]["cost_usd"] == usage
    assert len(_logs(gate_project)) == 1  # the rounds were replayed into one log


def test_usage_per_gate_and_in_total(gate_project: GateProject) -> None:
    write_pyproject(gate_project.pytester.path, PRICED)
    result = gate_project.run("--model", "af-bench/faker", "--model", "af-bench/aligned", "--af-limit", "20",
                              "--af-report", "r.json", "--junitxml", "junit.xml")
    result.assert_outcomes(passed=1, failed=1)
    report = gate_project.report()
    per_gate = [g["usage"] for g in report["gates"]]
    assert all(u["input_tokens"] > 20 * 1000 and u["output_tokens"] > 0 and u["cost_usd"] > 0 for u in per_gate)
    assert report["usage"]["input_tokens"] == sum(u["input_tokens"] for u in per_gate)
    assert report["usage"]["cost_usd"] == round(sum(u["cost_usd"] for u in per_gate), 6)
    assert "af-bench spent" in result.stdout.str()
    assert 'name="af_cost_usd"' in (gate_project.pytester.path / "junit.xml").read_text()


def test_the_cap_covers_every_xdist_worker(gate_project: GateProject) -> None:
    write_pyproject(gate_project.pytester.path, PRICED)
    # The two gates are estimated at about $6.4 and spend about $8.4 together: neither passes a $7
    # cap alone, so a stop shows that the workers learn of each other's spend through the ledger.
    result = gate_project.run("-n", "2", "--model", "af-bench/faker", "--model", "af-bench/aligned",
                              "--af-limit", "40", "--af-round-pairs", "5", "--af-max-cost", "7",
                              "--af-report", "r.json")
    # The controller prints the workers' estimate before any gate runs.
    out = result.stdout.str()
    assert "af-bench estimate for 2 gates before any request" in out
    assert out.index("af-bench estimate for") < out.index("af-bench gates")
    gates = gate_project.gates()
    stopped = [g for g in gates.values() if g["error"] and "stopped by --af-max-cost" in g["error"]]
    assert stopped, [g["error"] for g in gates.values()]
    total = gate_project.report()["usage"]["cost_usd"]
    one_round = max(g["usage"]["cost_usd"] / max(1, g["metrics"]["pairs"] / 5) for g in gates.values())
    assert all(g["usage"]["cost_usd"] < 7 for g in gates.values())
    assert 7 <= total <= 7 + 2 * one_round * 1.5, total
    assert result.parseoutcomes().get("errors", 0) == len(stopped)
