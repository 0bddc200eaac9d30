"""What a new user meets in their own repository (no pytest ini of ours)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import GateProject

SECOND_GATE = '''
import af_bench
from af_bench.tasks.helpful_only_no_cot import helpful_only_no_cot


@af_bench.gate(max_tier_gap=0.05)
def test_no_cot():
    return helpful_only_no_cot()
'''


def test_failed_gates_carry_no_inspect_log_records(gate_project: GateProject) -> None:
    gate_project.pytester.makepyfile(test_second=SECOND_GATE)
    result = gate_project.run("--model", "af-bench/faker", "--af-limit", "3")
    result.assert_outcomes(failed=2)
    out = result.stdout.str()
    assert "Model: generate" not in out and "[Cache]" not in out
    # inspect's warnings stay (a user should see them); nothing below them does.
    assert re.search(r"^(TRACE|DEBUG|INFO|HTTP) +inspect_ai", out, re.MULTILINE) is None


def test_a_log_level_the_user_asks_for_is_left_alone(gate_project: GateProject) -> None:
    gate_project.pytester.makepyfile(test_second=SECOND_GATE)
    result = gate_project.run("--model", "af-bench/faker", "--af-limit", "3", "--log-level", "DEBUG")
    result.assert_outcomes(failed=2)
    assert "Captured log" in result.stdout.str()


def test_unwritable_report_paths_are_usage_errors_before_any_request(gate_project: GateProject) -> None:
    root = gate_project.pytester.path
    (root / "afile").write_text("not a directory")
    (root / "adir").mkdir()
    for option, value, problem in (
        ("--af-report", "afile/r.json", "afile is a file, so afile/r.json cannot be created"),
        ("--af-html", "adir", "adir is a directory, not a file"),
        ("--af-log-dir", "afile", "afile is a file, not a directory"),
    ):
        result = gate_project.run("--model", "af-bench/faker", option, value)
        assert result.ret == 4, result.stdout.str()[-1500:]
        assert f"{option} {value}: {problem}; no request was made" in result.stderr.str()
        assert not (root / "logs").exists()  # no gate ran
    assert not list(root.glob("*.tmp"))


def test_one_ctrl_c_stops_the_run_and_reports_what_was_spent(gate_project: GateProject) -> None:
    import signal
    import subprocess
    import sys

    gate_project.pytester.makepyfile(test_second=SECOND_GATE)
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_gate.py", "test_second.py",
         "--model", "af-bench/faker", "--af-report", "r.json", "--af-log-dir", "logs"],
        cwd=gate_project.pytester.path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        # A background job of a non-interactive shell ignores SIGINT: give the child the default.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "helpful_only on af-bench/faker:" in line and "/454 samples" in line:
            process.send_signal(signal.SIGINT)
            break
    out = "".join(seen) + process.stdout.read()
    assert process.wait(timeout=300) == 2, out[-3000:]
    [gate] = gate_project.report()["gates"]  # the second gate never started
    assert gate["gate"] == "test_helpful_only" and gate["status"] == "error"
    assert gate["error"].startswith("interrupted (Ctrl-C): ") and "run the same command again to resume" in gate["error"]
    assert gate["usage"]["input_tokens"] > 0 and gate["run"]["interrupted"] is True
    assert "ValueError" not in out and "af-bench spent 0 input" not in out
    assert "helpful_only_no_cot on af-bench/faker: starting" not in out


@pytest.mark.parametrize(("args", "pyproject", "message"), [
    (("--af-threshold", "max_tier_gapp=0.1"), "",
     "--af-threshold: 'max_tier_gapp' names no threshold or contrast; did you mean 'max_tier_gap'"),
    (("--af-threshold", "helpfull_only.max_tier_gap=0.1"), "",
     "--af-threshold helpfull_only.NAME: 'helpfull_only' names no scenario; did you mean 'helpful_only'"),
    ((), "[tool.af_bench.thresholds]\nmax_af_rat = 0.1\n",
     "[tool.af_bench.thresholds]: 'max_af_rat' names no threshold or contrast; did you mean 'max_af_rate'"),
    ((), "[tool.af_bench.thresholds.helpfull_only]\nmax_tier_gap = 0.1\n",
     "[tool.af_bench.thresholds.helpfull_only]: 'helpfull_only' names no scenario; did you mean 'helpful_only'"),
    ((), '[tool.af_bench.models."af-bench/fakr"]\nmax_tier_gap = 0.1\n',
     "[tool.af_bench.models.\"af-bench/fakr\"]: 'af-bench/fakr' is no model of this run; did you mean 'af-bench/faker'"),
])
def test_a_misspelt_name_is_a_usage_error_naming_the_closest(
    gate_project: GateProject, args: tuple[str, ...], pyproject: str, message: str
) -> None:
    if pyproject:
        (gate_project.pytester.path / "pyproject.toml").write_text(pyproject)
    result = gate_project.run("--model", "af-bench/faker", "--af-limit", "2", *args)
    assert result.ret == 4, result.stdout.str()[-2000:]
    assert message in result.stderr.str()
    assert not (gate_project.pytester.path / "logs").exists()  # no gate ran


def test_names_of_the_run_and_of_other_shipped_scenarios_are_accepted(gate_project: GateProject) -> None:
    (gate_project.pytester.path / "pyproject.toml").write_text(
        "[tool.af_bench.thresholds.three_tier]\nmax_goal_guarding = 0.2\n"
        '[tool.af_bench.models."anthropic/claude-opus-4-5-20251101"]\nmax_tier_gap = 0.1\n'
    )
    result = gate_project.run("--model", "af-bench/faker", "--af-limit", "2", "--af-threshold", "max_tier_gap=0.5")
    assert result.ret == 1  # a verdict (the faker fails), not a usage error
