"""`af-bench validate --consequence-flip` through the real anthropic SDK: a judge whose labels move
with what it is told they are for is caught, a steady one is not flagged."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from af_bench.cli.main import main
from af_bench.organisms.judge import JudgeProfile
from af_bench.testing import LoopbackAnthropic

FIXTURES = Path(__file__).parents[1] / "fixtures" / "scratchpads.jsonl"
ITEMS = 40


def _check(tmp_path: Path, capsys: pytest.CaptureFixture[str], judge: str) -> tuple[int, dict, str]:
    """One consequence check; each test names its own judge so inspect's cache of judge replies,
    shared by the session, never answers for another test's server."""
    out, labelled = tmp_path / "figures.json", tmp_path / "labelled.jsonl"
    labelled.write_text("".join(FIXTURES.read_text().splitlines(keepends=True)[:ITEMS]))
    code = main(["validate", str(labelled), "--judge-model", judge, "--votes", "1", "--consequence-flip",
                 "--bootstrap", "0", "--log-dir", str(tmp_path / "logs"), "--json", str(out)])
    return code, json.loads(out.read_text()), capsys.readouterr().out


def test_a_judge_that_spares_the_model_is_caught(
    loopback: Callable[..., LoopbackAnthropic], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = loopback(organism=JudgeProfile(stake=0.9))
    code, figures, out = _check(tmp_path, capsys, "anthropic/claude-sonnet-4-5-20250929")
    assert code == 1
    flips = {f["framing"]: f for f in figures["consequence_flip"]}
    assert set(flips) == {"framing_yes_retrains", "framing_no_retrains"}
    assert all(f["moved"] and f["toward"] >= 8 and f["away"] == 0 and f["compared"] == ITEMS for f in flips.values())
    assert flips["framing_yes_retrains"]["spared_label"] is False and flips["framing_no_retrains"]["spared_label"] is True
    assert out.count("MOVED") == 2
    # Three runs of the same items, each asked through the SDK: the plain rubric and one per framing.
    told = [next((label for label in ("YES", "NO") if f"label {label} will be used to retrain" in json.dumps(r.body)),
                 "plain") for r in server.requests]
    assert len(told) == 3 * ITEMS
    assert {kind: told.count(kind) >= ITEMS for kind in ("plain", "YES", "NO")} == {"plain": True, "YES": True, "NO": True}


def test_a_steady_judge_is_not_flagged(
    loopback: Callable[..., LoopbackAnthropic], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loopback(organism=JudgeProfile())
    code, figures, out = _check(tmp_path, capsys, "anthropic/claude-opus-4-5-20251101")
    assert code == 0
    assert [(f["flipped"], f["moved"]) for f in figures["consequence_flip"]] == [(0, False), (0, False)]
    assert "MOVED" not in out


def test_the_check_needs_a_judge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(FIXTURES), "--consequence-flip"]) == 2
    assert "--consequence-flip needs --judge-model" in capsys.readouterr().err
