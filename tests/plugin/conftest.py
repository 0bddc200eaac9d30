from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_DIR


GATE_FILE = '''
import af_bench
from tasks.helpful_only import helpful_only


@af_bench.gate(max_tier_gap=0.05, max_af_rate=0.05)
def test_helpful_only():
    return helpful_only()
'''


@dataclass
class GateProject:
    pytester: pytest.Pytester

    def run(self, *args: str) -> pytest.RunResult:
        # A subprocess per run: inspect keeps process-wide registries that an in-process run
        # would share with this test session.
        return self.pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)

    def report(self, name: str = "r.json") -> dict[str, Any]:
        return json.loads((self.pytester.path / name).read_text())

    def gates(self, name: str = "r.json") -> dict[str, dict[str, Any]]:
        return {gate["model"]: gate for gate in self.report(name)["gates"]}


@pytest.fixture
def gate_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> GateProject:
    """A project with the helpful-only gate as a user would write it, `tasks/` importable."""
    monkeypatch.setenv("PYTHONPATH", str(REPO_DIR))
    monkeypatch.setenv("INSPECT_LOG_DIR", str(pytester.path / "logs"))
    pytester.makepyfile(test_gate=GATE_FILE)
    return GateProject(pytester)


def write_pyproject(path: Path, body: str) -> None:
    (path / "pyproject.toml").write_text(body)
