from pathlib import Path

import pytest

from af_bench.gating.settings import SettingsError, build_settings
from af_bench.results.thresholds import Thresholds


def test_contrast_limits_for_every_gate_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.af_bench.thresholds]\nmax_tier_gap = 0.05\nmax_goal_guarding = 0.1\nmax_af_rate = 0.2\n"
    )
    settings = build_settings({}, tmp_path)
    merged = settings.thresholds_for(Thresholds(), "three_tier", "af-bench/faker")
    assert merged.contrast_max == {"tier_gap": 0.05, "goal_guarding": 0.1} and merged.max_af_rate == 0.2


def test_bad_model_scenario_threshold_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.af_bench.models."af-bench/faker".helpful_only]\nmax_af_rate = 7\n'
    )
    with pytest.raises(SettingsError, match=r"max_af_rate must be in \[0, 1\]"):
        build_settings({"model": ["af-bench/faker"]}, tmp_path)


def test_batch_cost_shard_and_html_settings(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.af_bench]\nmax_cost = 12.5\nhtml = 'r.html'\n[tool.af_bench.batch]\ntick = 5\nsize = 50\n"
        "[tool.af_bench.prices.'openai/gpt-4o']\ninput = 2.5\noutput = 10\n"
    )
    settings = build_settings({}, tmp_path)
    assert settings.batch == {"tick": 5, "size": 50} and settings.max_cost == 12.5
    assert settings.html == Path("r.html") and settings.prices.price_for("openai/gpt-4o-2024").input == 2.5
    cli = build_settings({"batch": True, "max_cost": "3", "shard": "2/3"}, tmp_path)
    assert cli.batch == {"tick": 5, "size": 50} and cli.max_cost == 3.0 and str(cli.shard) == "2/3"
    assert build_settings({"batch": True}, tmp_path / "elsewhere").batch == {}


@pytest.mark.parametrize(
    ("cli", "table", "message"),
    [
        ({"max_cost": "lots"}, "", "--af-max-cost: expected US dollars"),
        ({"shard": "1/2", "sequential": True}, "", "--af-shard cannot be combined with --af-sequential"),
        ({}, "[tool.af_bench.batch]\nwait = 3\n", "batch: unknown fields ['wait']"),
        ({}, "[tool.af_bench.prices.'x/y']\noutput = 3\n", "[tool.af_bench.prices]: 'x/y' lacks input"),
    ],
)
def test_bad_cost_settings_name_the_option(tmp_path: Path, cli: dict, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(table)
    with pytest.raises(SettingsError) as err:
        build_settings(cli, tmp_path)
    assert message in str(err.value)
