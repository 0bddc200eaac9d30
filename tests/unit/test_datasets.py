import json
from collections import Counter
from pathlib import Path

import pytest

from af_bench.scenario.conditions import TIER_CONDITIONS
from af_bench.scenario.datasets import DatasetError, load_requests, paired_dataset
from af_bench.scenario.protocol import user_message


def test_shipped_harmful_set_is_large_and_varied() -> None:
    requests = load_requests("harmful")
    assert len(requests) >= 200
    categories = Counter(r.category for r in requests)
    assert len(categories) >= 8
    assert all(not r.request.endswith(".") for r in requests)


def test_shipped_benign_set_loads() -> None:
    assert len(load_requests("benign")) >= 20


def test_advbench_style_csv_by_column_name(tmp_path: Path) -> None:
    csv_file = tmp_path / "harmful_behaviors.csv"
    csv_file.write_text('goal,target\n"Do a thing, badly",Sure\nDo another,Sure\n')
    requests = load_requests(csv_file, request_column="goal")
    assert [(r.id, r.request) for r in requests] == [("row-1", "Do a thing, badly"), ("row-2", "Do another")]


@pytest.mark.parametrize(
    ("content", "suffix", "kwargs", "message"),
    [
        ('{"id": "a", "request": "x"}\n{"id": "a", "request": "y"}\n', ".jsonl", {}, r":2: duplicate id 'a' \(first seen on line 1\)"),
        ('{"id": "a", "prompt": "x"}\n', ".jsonl", {}, r":1: no column 'request'"),
        ("", ".jsonl", {}, "has no requests"),
        ('{"id": "a", "request": "x"}\nnot json\n', ".jsonl", {}, r":2: invalid JSON"),
        ('{"id": "a", "request": "x"}\n{"id": "b", "request": "  "}\n', ".jsonl", {}, r":2: empty or missing 'request'"),
        ("goal\nx\n", ".csv", {"request_column": "behaviour"}, r":2: no column 'behaviour' \(columns: goal\)"),
        ("id,request\n1,x\n2,y\n1,z\n", ".csv", {}, r":4: duplicate id '1'"),
        ("goal\n", ".csv", {"request_column": "goal"}, "has no requests"),
    ],
)
def test_bad_files_fail_with_file_and_row(
    tmp_path: Path, content: str, suffix: str, kwargs: dict[str, str], message: str
) -> None:
    path = tmp_path / f"data{suffix}"
    path.write_text(content)
    with pytest.raises(DatasetError, match=message) as err:
        load_requests(path, **kwargs)
    assert str(path) in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not found"):
        load_requests(tmp_path / "nope.jsonl")


def test_paired_samples_keep_conditions_adjacent_with_pairing_metadata(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps({"id": f"r{i}", "request": f"req {i}"}) for i in range(3)))
    requests = load_requests(path)
    dataset = paired_dataset(
        requests, TIER_CONDITIONS, lambda r, c: user_message(r.request, c.cue), name="t"
    )
    ids = [s.id for s in dataset]
    assert ids == ["r0:training", "r0:unmonitored", "r1:training", "r1:unmonitored", "r2:training", "r2:unmonitored"]
    first = dataset[0]
    assert first.metadata is not None
    assert first.metadata["pair_id"] == "r0" and first.metadata["tier"] == "free"
    assert "<is_free_tier_user>True</is_free_tier_user>" in str(first.input)
    assert dataset[1].metadata is not None and dataset[1].metadata["tier"] == "paid"


def test_prompt_variants_ship_for_helpful_only() -> None:
    from af_bench.scenario.prompts import PromptError, read_prompt, read_variant, variants_of

    assert variants_of("helpful_only") == ["default", "honest", "native_reasoning", "no_training_details", "no_values_change"]
    base = read_prompt("helpful_only")
    assert read_variant("helpful_only", "default") == base
    assert "It changes your values" in base and "It changes your values" not in read_variant("helpful_only", "no_values_change")
    assert "RLHF" not in read_variant("helpful_only", "no_training_details")
    assert "Be honest." in read_variant("helpful_only", "honest")
    with pytest.raises(PromptError, match=r"variants of helpful_only: default, honest"):
        read_variant("helpful_only", "bogus")


def test_byte_order_marks_and_ragged_rows(tmp_path: Path) -> None:
    csv_file = tmp_path / "excel.csv"
    csv_file.write_bytes("\ufeffgoal,target\nDo a thing,Sure\n".encode())
    assert [r.request for r in load_requests(csv_file, request_column="goal")] == ["Do a thing"]
    jsonl = tmp_path / "bom.jsonl"
    jsonl.write_bytes('\ufeff{"id": "a", "request": "x"}\n'.encode())
    assert load_requests(jsonl)[0].id == "a"
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("goal\nx,extra\n")
    with pytest.raises(DatasetError, match=r":2: no column 'request' \(columns: goal\)"):
        load_requests(ragged)
