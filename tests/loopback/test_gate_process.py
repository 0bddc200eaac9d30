"""The gate as a process: keys checked before any request, keys never written, and a killed
run resumed without paying twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from af_bench.testing import FaultPlan, LoopbackAnthropic
from tests.conftest import REPO_DIR, GateProject
from tests.loopback.conftest import API_KEY, MODEL


def test_missing_key_is_reported_before_any_request(
    gate_project: GateProject, loopback: Callable[..., LoopbackAnthropic], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = loopback()
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    result = gate_project.run("--model", MODEL)
    assert result.ret == 4
    assert (
        f"--model {MODEL}: ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN is not set; no request was made"
        in result.stderr.str()
    )
    assert server.requests == []


def _written_text(root: Path) -> str:
    chunks: list[str] = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".eval":
            with zipfile.ZipFile(path) as archive:
                chunks += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
        else:
            chunks.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(chunks)


def test_the_api_key_is_never_written(gate_project: GateProject, loopback: Callable[..., LoopbackAnthropic]) -> None:
    loopback(FaultPlan(rates={"400": 0.1, "429": 0.1, "500": 0.1}, seed=5))
    result = gate_project.run(
        "--model", MODEL, "--af-limit", "15", "--af-log-dir", "af-logs",
        "--af-report", "r.json", "--junitxml", "junit.xml",
    )
    result.assert_outcomes(errors=1)  # the 400s make the gate an error, with messages written
    written = _written_text(gate_project.pytester.path)
    assert "loopback server rejects this request" in written  # the errors did reach the files
    assert len(list((gate_project.pytester.path / "af-logs").glob("*.eval"))) == 1
    assert API_KEY not in written
    assert API_KEY not in result.stdout.str() + result.stderr.str()


def _gate_command(log_dir: Path) -> list[str]:
    return [
        sys.executable, "-m", "pytest", "test_gate.py", "-p", "no:cacheprovider", "-q",
        "--model", MODEL, "--af-limit", "40", "--af-max-connections", "4",
        "--af-log-dir", str(log_dir), "--af-report", str(log_dir / "r.json"),
        "--af-threshold", "max_tier_gap=1", "--af-threshold", "max_af_rate=1",
    ]


def test_killed_run_resumes_without_re_requesting_finished_samples(
    gate_project: GateProject, loopback: Callable[..., LoopbackAnthropic], monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd = gate_project.pytester.path
    monkeypatch.setenv("PYTHONPATH", str(REPO_DIR))
    monkeypatch.setenv("INSPECT_CACHE_DIR", str(cwd / "cache"))

    reference_server = loopback(vary_repeats=False)
    subprocess.run(_gate_command(cwd / "reference"), cwd=cwd, check=True, capture_output=True)
    reference = json.loads((cwd / "reference" / "r.json").read_text())["gates"][0]
    assert len(reference_server.message_requests()) == 160

    server = loopback(vary_repeats=False, latency=0.05)
    run_dir = cwd / "interrupted"
    process = subprocess.Popen(_gate_command(run_dir), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(server.message_requests()) < 70 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    paid_before = len(server.message_requests())
    assert 70 <= paid_before < 160, "the run was not interrupted mid-way"

    result = subprocess.run(_gate_command(run_dir), cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:]
    resumed = json.loads((run_dir / "r.json").read_text())["gates"][0]
    # Only replies in flight when the process died (at most one per connection) are paid twice.
    assert server.repeated_conversations() <= 4
    assert len(server.message_requests()) <= 160 + 4
    assert resumed["metrics"] == reference["metrics"]
    assert {s["id"]: s["outcome"] for s in resumed["samples"]} == {s["id"]: s["outcome"] for s in reference["samples"]}
    assert resumed["run"]["cache"] == "resume"


def test_dev_cache_is_reported_and_off_by_default(gate_project: GateProject) -> None:
    gate_project.run("--model", "af-bench/aligned", "--af-limit", "20", "--af-report", "off.json")
    gate_project.run("--model", "af-bench/aligned", "--af-limit", "20", "--af-cache", "--af-report", "dev.json")
    assert gate_project.report("off.json")["gates"][0]["run"]["cache"] == "off"
    assert gate_project.report("dev.json")["gates"][0]["run"]["cache"] == "dev"
