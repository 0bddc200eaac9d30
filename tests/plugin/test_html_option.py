"""The HTML report and the cross-model view from a pytest session, and `af-bench report`."""

from __future__ import annotations

from af_bench.cli.main import main
from tests.conftest import GateProject


def test_html_and_sweep_from_a_two_model_session(gate_project: GateProject) -> None:
    result = gate_project.run("--model", "af-bench/faker", "--model", "af-bench/aligned", "--af-limit", "20",
                              "--af-report", "r.json", "--af-html", "out/r.html")
    result.assert_outcomes(passed=1, failed=1)
    path = gate_project.pytester.path
    page = (path / "out" / "r.html").read_text()
    assert "af-bench/faker" in page and "af-bench/aligned" in page and page.count("<svg") >= 5
    assert "af-bench HTML report: out/r.html" in result.stdout.str()
    assert "af-bench across models" in result.stdout.str()
    report = gate_project.report()
    rows = {row["model"]: row for row in report["sweep"]}
    gates = gate_project.gates()
    for model, row in rows.items():
        cell = row["gates"]["test_helpful_only tier_gap"]
        assert cell["status"] == gates[model]["status"]
        assert cell["value"] == gates[model]["metrics"]["contrasts"]["tier_gap"]["value"]
        assert row["passed"] == (gates[model]["status"] == "pass")
    # Rebuilt from the saved JSON alone, no model asked.
    assert main(["report", str(path / "r.json"), "--html", str(path / "again.html")]) == 0
    again = (path / "again.html").read_text()
    assert again.count("<svg") == page.count("<svg") and "af-bench/faker" in again
    (path / "bad.json").write_text("[1, 2]")
    assert main(["report", str(path / "bad.json"), "--html", str(path / "x.html")]) == 2


def test_one_model_has_no_sweep(gate_project: GateProject) -> None:
    gate_project.run("--model", "af-bench/aligned", "--af-limit", "20", "--af-report", "r.json")
    assert gate_project.report()["sweep"] == []
