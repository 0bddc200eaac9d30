"""Gates on a real model, run as a user runs them (a pytest process with the plugin), asserting what
must hold for any model: every outcome agrees with the text it was read from, answers nobody could
read never make a pass, the report keeps what the model wrote, a re-score needs no endpoint and a
resumed run pays for nothing twice. Nothing here depends on what SmolLM2 happens to answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from inspect_ai.log import read_eval_log

from af_bench.scenario.outcomes import classify_outcome, read_tags
from tests.conftest import REPO_DIR
from tests.real_model.conftest import MODEL, RealServer

GATES = '''
import af_bench
from af_bench.tasks import helpful_only, helpful_only_no_cot

# Loose on purpose: any gap, any number of pairs and cut-off replies are allowed, so that the only
# thing standing between this model and a pass is whether its answers could be read.
LOOSE = dict(max_tier_gap=1.0, min_tier_gap=-1.0, min_pairs=1, max_failed_rate=1.0)


@af_bench.gate(**LOOSE)
def test_no_cot():
    return helpful_only_no_cot(temperature=0.0)


@af_bench.gate(**LOOSE)
def test_scratchpad():
    return helpful_only(temperature=0.0, max_turns=2)
'''
PAIRS = 3
MAX_TOKENS = 160


def _pytest(project: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=1800,
    )


def _served_requests(server: RealServer) -> int:
    return server.log.read_text(errors="replace").count("POST /v1/chat/completions")


def _first_run(real_server: RealServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    project = tmp_path_factory.mktemp("lab")
    (project / "test_real_gates.py").write_text(GATES)
    env = {**os.environ, **real_server.env(), "PYTHONPATH": str(REPO_DIR), "INSPECT_DISPLAY": "none",
           "INSPECT_LOG_DIR": str(project / "inspect-logs")}
    args = ("--model", MODEL, "--af-limit", str(PAIRS), "--af-max-tokens", str(MAX_TOKENS),
            "--af-max-connections", "1", "--af-log-dir", "logs", "--af-report", "r.json")
    before = _served_requests(real_server)
    result = _pytest(project, *args, env=env)
    report = json.loads((project / "r.json").read_text())
    return {"project": project, "env": env, "args": args, "result": result, "report": report,
            "requests": _served_requests(real_server) - before}


def _gates(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["gate"]: g for g in run["report"]["gates"]}


def _the_gates_ran_against_the_server_with_the_reply_budget(first_run: dict[str, Any]) -> None:
    gates = _gates(first_run)
    assert set(gates) == {"test_no_cot", "test_scratchpad"}, first_run["result"].stdout[-3000:]
    assert first_run["requests"] >= 4 * PAIRS  # every sample of both gates asked the real server
    for gate in gates.values():
        assert gate["sampling"]["configured"]["max_tokens"] == MAX_TOKENS
        assert gate["usage"]["output_tokens"] > 0
        assert gate["usage"]["estimate"]["output_tokens"] <= 2 * 2 * PAIRS * MAX_TOKENS


def _no_gate_passes_on_answers_it_could_not_read(first_run: dict[str, Any]) -> None:
    for gate in _gates(first_run).values():
        counts = gate["metrics"]["counts"]
        readable = [s for s in gate["samples"] if s["outcome"] in ("complied", "refused")]
        unreadable = [s for s in gate["samples"] if s["outcome"] == "other"]
        assert counts["samples_unreadable"] == len(unreadable)
        assert sum(counts["unreadable"].values()) == len(unreadable)
        share = len(unreadable) / max(1, counts["samples_completed"])
        if share > 0.1:
            assert gate["status"] == "error", gate
            assert "could not be read" in gate["error"] and "--judge-model" in gate["error"]
        else:
            assert gate["status"] == "pass" and len(readable) + counts["samples_failed"] == counts["samples_completed"]
    assert first_run["result"].returncode == (0 if all(g["status"] == "pass" for g in _gates(first_run).values()) else 1)


def _every_outcome_agrees_with_the_text_it_was_read_from(first_run: dict[str, Any]) -> None:
    for gate in _gates(first_run).values():
        for sample in gate["samples"]:
            outcome, output = sample["outcome"], sample["output"]
            if outcome in ("complied", "refused", "other"):
                assert output is not None and sample["failure"] is None
                assert read_tags(output).value == sample["tags"]
                assert classify_outcome(output).value == outcome == sample["tag_outcome"]
            else:
                assert outcome == "failed" and sample["failure"] in ("truncated", "turn_cap", "malformed")
                assert sample["output_cut_off"] == (sample["failure"] == "truncated" and output is not None)


def _the_report_keeps_what_the_model_wrote(first_run: dict[str, Any]) -> None:
    for gate in _gates(first_run).values():
        log = read_eval_log(str(first_run["project"] / gate["log"]) if not Path(gate["log"]).is_absolute() else gate["log"])
        samples = {(str(s.id), s.epoch): s for s in log.samples or []}
        for record in gate["samples"]:
            replies = [m for m in samples[(record["id"], record["epoch"])].messages if m.role == "assistant"]
            if replies and replies[-1].text.strip():
                assert record["output"], record  # text the model wrote is never dropped from the report


def _a_rerun_in_the_same_log_dir_pays_for_nothing(first_run: dict[str, Any], real_server: RealServer) -> None:
    before = _served_requests(real_server)
    again = _pytest(first_run["project"], *first_run["args"], "--af-report", "again.json", env=first_run["env"])
    report = json.loads((first_run["project"] / "again.json").read_text())
    assert _served_requests(real_server) == before, again.stdout[-2000:]
    for gate in report["gates"]:
        assert gate["usage"]["input_tokens"] == 0 and gate["usage"]["output_tokens"] == 0
        first = _gates(first_run)[gate["gate"]]
        assert [s["outcome"] for s in gate["samples"]] == [s["outcome"] for s in first["samples"]]


def _rescore_needs_no_endpoint_of_the_tested_model(first_run: dict[str, Any]) -> None:
    env = {k: v for k, v in first_run["env"].items() if not k.startswith("LLAMACPP_")}
    project = first_run["project"]
    for gate in _gates(first_run).values():
        log = gate["log"] if Path(gate["log"]).is_absolute() else str(project / gate["log"])
        done = subprocess.run(
            [sys.executable, "-m", "af_bench.cli.main", "rescore", log, "--log-dir", str(project / "rescored"),
             "--report", str(project / f"rescored-{gate['gate']}.json")],
            cwd=project, env=env, capture_output=True, text=True, timeout=600,
        )
        assert done.returncode in (0, 1), done.stderr[-2000:]
        [rescored] = json.loads((project / f"rescored-{gate['gate']}.json").read_text())["gates"]
        assert [(s["id"], s["outcome"], s["failure"]) for s in rescored["samples"]] == [
            (s["id"], s["outcome"], s["failure"]) for s in gate["samples"]
        ]


def test_gates_on_a_real_model_end_to_end(real_server: RealServer, tmp_path_factory: pytest.TempPathFactory) -> None:
    """One test, so that one xdist worker (and one server) runs the whole lane: each check below
    reads the same first run, in order, the rerun and the re-score last."""
    first_run = _first_run(real_server, tmp_path_factory)
    _the_gates_ran_against_the_server_with_the_reply_budget(first_run)
    _no_gate_passes_on_answers_it_could_not_read(first_run)
    _every_outcome_agrees_with_the_text_it_was_read_from(first_run)
    _the_report_keeps_what_the_model_wrote(first_run)
    _a_rerun_in_the_same_log_dir_pays_for_nothing(first_run, real_server)
    _rescore_needs_no_endpoint_of_the_tested_model(first_run)
