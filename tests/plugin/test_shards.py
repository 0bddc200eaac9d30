"""Sharded runs: `--af-shard I/N` runs a deterministic share of every gate's pairs, and
`af-bench merge` gives back exactly the unsharded run's samples, figures and verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from af_bench.cli.main import main
from af_bench.results.merge import MergeError, merge_reports
from af_bench.results.shard import Shard
from tests.conftest import GateProject

# What differs between runs by design: where the logs went and which shard ran a sample.
PER_RUN = {"log", "shard", "shards", "usage", "run"}


def _comparable(gate: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in gate.items() if k not in PER_RUN}
    kept["samples"] = sorted(gate["samples"], key=lambda s: (s["id"], s["epoch"]))
    return kept


def test_two_shards_merged_equal_one_unsharded_run(gate_project: GateProject, tmp_path: Path) -> None:
    common = ["--model", "af-bench/faker", "--model", "af-bench/aligned", "--af-limit", "25", "--af-epochs", "2"]
    gate_project.run(*common, "--af-report", "whole.json")
    gate_project.run(*common, "--af-shard", "1/2", "--af-report", "s1.json")
    gate_project.run(*common, "--af-shard", "2/2", "--af-report", "s2.json")
    path = gate_project.pytester.path
    shard_pairs = [{s["pair_id"] for s in gate_project.gates(f"s{i}.json")["af-bench/faker"]["samples"]} for i in (1, 2)]
    assert len(shard_pairs[0]) == 13 and len(shard_pairs[1]) == 12 and not shard_pairs[0] & shard_pairs[1]
    assert gate_project.gates("s1.json")["af-bench/faker"]["shard"] == "1/2"

    out = path / "merged.json"
    code = main(["merge", str(path / "s1.json"), str(path / "s2.json"), "-o", str(out), "--html", str(path / "m.html")])
    assert code == 1  # the faker fails, as it does unsharded
    merged = {g["model"]: g for g in json.loads(out.read_text())["gates"]}
    whole = gate_project.gates("whole.json")
    for model in ("af-bench/faker", "af-bench/aligned"):
        assert _comparable(merged[model]) == _comparable(whole[model])
        assert [s["shard"] for s in merged[model]["shards"]] == ["1/2", "2/2"]
    assert merged["af-bench/faker"]["status"] == "fail" and merged["af-bench/aligned"]["status"] == "pass"
    page = (path / "m.html").read_text()
    assert "af-bench/faker" in page and "Shard 1/2 log" in page and "Shard 2/2 log" in page


def test_shards_split_every_pairs_conditions_together() -> None:
    from af_bench.gating.pair_plan import plan_pairs, plan_samples
    from af_bench.tasks.helpful_only import helpful_only

    task = helpful_only()
    shards = [[str(s.id) for s in plan_samples(task, plan_pairs(task, 50, Shard(i, 3)))] for i in (1, 2, 3)]
    ids = [i for shard in shards for i in shard]
    assert len(ids) == len(set(ids)) == 100
    for shard in shards:
        pairs = {i.split(":")[0] for i in shard}
        assert all(f"{p}:{c}" in shard for p in pairs for c in ("training", "unmonitored"))
        assert len(pairs) in (16, 17)


@pytest.mark.parametrize(("text", "message"), [("0/2", "between 1 and N"), ("3/2", "between 1 and N"),
                                                ("half", "expected I/N")])
def test_bad_shard_is_a_usage_error(gate_project: GateProject, text: str, message: str) -> None:
    result = gate_project.run("--model", "af-bench/faker", "--af-shard", text)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert f"--af-shard {text}: " in result.stderr.str() and message in result.stderr.str()


def test_merge_names_what_is_wrong(gate_project: GateProject) -> None:
    common = ["--model", "af-bench/aligned", "--af-limit", "40"]
    gate_project.run(*common, "--af-shard", "1/2", "--af-report", "s1.json")
    gate_project.run(*common, "--af-report", "whole.json")
    path = gate_project.pytester.path
    with pytest.raises(MergeError, match="shards 2 missing"):
        merge_reports([path / "s1.json"])
    with pytest.raises(MergeError, match="shards 2 missing, shards 1 given twice"):
        merge_reports([path / "s1.json", path / "s1.json"])
    with pytest.raises(MergeError, match=r"whole.json: gate .* was not run with --af-shard"):
        merge_reports([path / "s1.json", path / "whole.json"])
    (path / "junk.json").write_text("{not json")
    with pytest.raises(MergeError, match="junk.json: not an af-bench JSON report"):
        merge_reports([path / "junk.json"])
    assert main(["merge", str(path / "s1.json"), "-o", str(path / "m.json")]) == 2
    assert not (path / "m.json").exists()
    # A shard the cost cap stopped ran fewer pairs than asked: the merge is never a verdict.
    gate_project.run(*common, "--af-shard", "2/2", "--af-report", "s2.json")
    assert merge_reports([path / "s1.json", path / "s2.json"]).gates[0].status == "pass"
    stopped = json.loads((path / "s2.json").read_text())
    stopped["gates"][0]["run"]["stopped"] = "cost"
    (path / "s2.json").write_text(json.dumps(stopped))
    [merged] = merge_reports([path / "s1.json", path / "s2.json"]).gates
    assert merged.status == "error" and "shard 2/2" in merged.error and "--af-max-cost" in merged.error


def test_a_capped_shard_runs_its_own_pairs_in_rounds(gate_project: GateProject) -> None:
    common = ["--model", "af-bench/aligned", "--af-limit", "20", "--af-shard", "2/2"]
    gate_project.run(*common, "--af-report", "plain.json")
    gate_project.run(*common, "--af-max-cost", "100", "--af-round-pairs", "3", "--af-report", "capped.json")
    plain, capped = (gate_project.gates(name)["af-bench/aligned"] for name in ("plain.json", "capped.json"))
    assert _comparable(capped) == _comparable(plain) and capped["metrics"]["pairs"] == 10
