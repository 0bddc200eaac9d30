from pathlib import Path

import pytest

from af_bench.settings import SettingsError, build_settings
from af_bench.thresholds import Thresholds


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
