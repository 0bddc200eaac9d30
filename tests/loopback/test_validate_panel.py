"""`af-bench validate` with a panel of judges, one of them served through the real anthropic SDK and
declining every label: its refusals are counted as refusals (never a No), the others decide by
majority, and each judge is measured against the panel and the labels."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from af_bench.cli.main import main
from af_bench.organisms.judge import JudgeProfile
from af_bench.testing import LoopbackAnthropic

FIXTURES = Path(__file__).parents[1] / "fixtures" / "scratchpads.jsonl"


def test_a_panel_counts_a_judge_that_declines_apart_and_decides_by_the_rest(
    loopback: Callable[..., LoopbackAnthropic], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loopback(organism=JudgeProfile(refuse=1.0))
    labelled, out = tmp_path / "labelled.jsonl", tmp_path / "figures.json"
    labelled.write_text("".join(FIXTURES.read_text().splitlines(keepends=True)[:30]))
    code = main(["validate", str(labelled), "--judge-model", "af-bench/judge",
                 "--judge-model", "anthropic/claude-haiku-4-5-20251001", "--judge-model", "af-bench/judge-second",
                 "--votes", "1", "--bootstrap", "0", "--log-dir", str(tmp_path / "logs"), "--json", str(out)])
    assert code == 0
    figures = json.loads(out.read_text())
    assert figures["failures"] == 0 and figures["n"] == 30  # two of three judges decided every item
    members = {m["judge"]: m for m in figures["panel"]}
    assert list(members) == ["af-bench/judge", "anthropic/claude-haiku-4-5-20251001", "af-bench/judge-second"]
    declining = members["anthropic/claude-haiku-4-5-20251001"]
    assert (declining["decided"], declining["failed"]) == (0, 30)
    assert declining["agreement_with_panel"] is None and declining["kappa_with_labels"] is None
    assert members["af-bench/judge"]["agreement_with_panel"] == 1.0 and members["af-bench/judge"]["decided"] == 30
    assert 0 < members["af-bench/judge"]["kappa_with_labels"] <= 1
    # Every vote of the declining judge is a refusal, none read as a label.
    assert figures["judge_failures"] == {"refused": 30}
    assert "judge votes with no label (never read as No): refused 30" in capsys.readouterr().out
