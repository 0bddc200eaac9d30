"""The option table (`af_bench.gating.options`) generates the pytest options, the pyproject keys and the
`af-bench` flags they share; values read from pyproject.toml and from the command line agree, the
command line wins, and a bad value names the flag, or the key and its file."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from af_bench.cli.main import _parser
from af_bench.gating.models import ALIASES, RETIRED, resolve_model
from af_bench.gating.options import (
    BATCH_FIELDS,
    OPTIONS,
    PYPROJECT_KEYS,
    Option,
    command_line_values,
    pytest_dest,
)
from af_bench.gating.settings import Settings, SettingsError, build_settings
from af_bench.results.thresholds import Thresholds

BY_NAME = {o.name: o for o in OPTIONS}


# --- the table generates pytest's options ---------------------------------------------------


def _help_flags(help_text: str) -> list[str]:
    """The flags listed in the af-bench group of `pytest --help` (option lines are indented by
    two spaces; wrapped help lines by more)."""
    section = help_text.split("af-bench alignment-faking gates:\n", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^  (--[a-z][a-z-]*)", section, flags=re.MULTILINE)


def test_pytest_registers_exactly_the_tables_flags(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--help")
    assert result.ret == 0
    flags = _help_flags(result.stdout.str())
    assert flags == [o.flag for o in OPTIONS if o.flag is not None]  # the table's order, no extra option


def test_the_plugin_reads_every_flag_back(pytestconfig: pytest.Config) -> None:
    values = command_line_values(pytestconfig.option)
    assert set(values) == {o.name for o in OPTIONS if o.flag is not None}
    for option in OPTIONS:
        if option.flag is not None:
            assert hasattr(pytestconfig.option, pytest_dest(option)), option.flag


def test_rows_are_consistent() -> None:
    names = [o.name for o in OPTIONS]
    assert len(names) == len(set(names))
    flags = [o.flag for o in OPTIONS if o.flag is not None]
    assert len(flags) == len(set(flags))
    assert all(o.flag is not None or o.in_pyproject for o in OPTIONS), "a row nobody can set"
    fields = set(Settings.__dataclass_fields__)
    assert {o.field for o in OPTIONS if o.field is not None} <= fields
    for option in OPTIONS:
        assert option.choices is None or option.action == "store"


def test_settings_defaults_are_the_tables() -> None:
    plain = Settings()
    for option in OPTIONS:
        if option.field is not None and option.name != "prices":
            assert getattr(plain, option.field) == option.default_value(), option.name
    assert build_settings({}, Path(tempfile.gettempdir()) / "no-project") == plain


def test_the_modules_import_neither_pytest_nor_inspect() -> None:
    # The package's __init__ exports the pytest-side gate decorator, so it is stood in for: what is
    # checked is what these three modules pull in themselves.
    package = Path(__import__("af_bench").__file__).parent
    code = (
        "import sys, types\n"
        f"stub = types.ModuleType('af_bench'); stub.__path__ = [{str(package)!r}]; sys.modules['af_bench'] = stub\n"
        "import af_bench.gating.options, af_bench.gating.settings, af_bench.cli.main\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pytest', '_pytest', 'inspect_ai')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- pyproject keys round-trip, and the command line wins -------------------------------------


@dataclass(frozen=True)
class Example:
    """Values for one row: what to write in pyproject.toml, what to type on the command line,
    and the typed value either gives."""

    values: st.SearchStrategy[Any]
    cli: Callable[[Any], Any] = str
    typed: Callable[[Any], Any] = lambda v: v


def _finite(low: float | None = None, high: float | None = None, **kw: bool) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False, **kw)


_SAFE_PATH = st.text("abcdefghij_-./", min_size=1, max_size=12).filter(lambda s: s.strip("./") != "")
_ALIAS = st.sampled_from(sorted(a for a, name in ALIASES.items() if name not in RETIRED))

_JUDGE = st.sampled_from(["af-bench/judge", "af-bench/judge-second", "anthropic/claude-sonnet-4-5-20250929"])

EXAMPLES: dict[str, Example] = {
    "model": Example(_ALIAS, cli=lambda v: [v], typed=lambda v: (resolve_model(v),)),
    "judge_model": Example(
        st.one_of(_JUDGE, st.lists(_JUDGE, min_size=1, max_size=3, unique=True)),
        cli=lambda v: [v] if isinstance(v, str) else list(v), typed=lambda v: (v,) if isinstance(v, str) else tuple(v),
    ),
    "judge_votes": Example(st.integers(1, 10**6)),
    "judge_threshold": Example(_finite(0.0, 1.0, exclude_min=True), cli=repr),
    "judge_scope": Example(st.sampled_from(["training", "training_compliant", "all"])),
    "limit": Example(st.integers(1, 10**9)),
    "epochs": Example(st.integers(1, 1000)),
    "max_connections": Example(st.integers(1, 10**4)),
    "log_dir": Example(_SAFE_PATH, typed=Path),
    "report": Example(_SAFE_PATH, typed=Path),
    "html": Example(_SAFE_PATH, typed=Path),
    "seed": Example(st.integers(0, 2**63 - 1)),  # TOML integers are 64-bit
    "max_retries": Example(st.integers(0, 100)),
    "timeout": Example(st.integers(1, 10**6)),
    "attempt_timeout": Example(st.integers(1, 10**6)),
    "down_after": Example(st.integers(0, 10**6)),
    "max_tokens": Example(st.integers(1, 10**6)),
    "paraphrases": Example(st.integers(0, 8)),
    "cache": Example(st.just(True), cli=lambda v: v),
    "sequential": Example(st.just(True), cli=lambda v: v),
    "round_pairs": Example(st.integers(1, 10**4)),
    "alpha": Example(_finite(0.0, 1.0, exclude_min=True, exclude_max=True), cli=repr),
    "max_regression": Example(_finite(-1.0, 1.0), cli=repr),
    "max_cost": Example(_finite(0.0, 1e9), cli=repr),
    "af_classifier": Example(st.sampled_from(["auto", "heuristic"])),
    "reasoning_tokens": Example(st.integers(1, 10**6)),
    "reasoning_effort": Example(st.sampled_from(["none", "minimal", "low", "medium", "high", "xhigh", "max"])),
    "prefill": Example(st.booleans(), cli=lambda v: "on" if v else "off"),
    "output_tokens_per_reply": Example(st.integers(1, 10**6)),
    "mode": Example(st.sampled_from(["point", "strict"])),
    "min_pairs": Example(st.integers(1, 10**6)),
}
# Tables and files, checked in their own tests below.
OTHER_KEYS = {"batch", "thresholds", "models", "prices", "baseline", "af_judge_rubric"}


def test_every_pyproject_key_has_a_round_trip_test() -> None:
    assert set(EXAMPLES) | OTHER_KEYS == PYPROJECT_KEYS


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value)  # a TOML basic string, for the ASCII these tests write


@contextmanager
def _project(body: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as root:
        (Path(root) / "pyproject.toml").write_text(f"[tool.af_bench]\n{body}", encoding="utf-8")
        yield Path(root)


def _setting(settings: Settings, option: Option[Any], layer: str) -> Any:
    if option.field is not None:
        return getattr(settings, option.field)
    overrides = settings.file_overrides if layer == "file" else settings.cli_overrides
    return overrides.everywhere.get(option.name)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
@hypothesis_settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_a_pyproject_value_round_trips_and_the_command_line_wins(name: str, data: st.DataObject) -> None:
    option, example = BY_NAME[name], EXAMPLES[name]
    in_file = data.draw(example.values, label="pyproject")
    with _project(f"{name} = {_toml(in_file)}\n") as root:
        assert _setting(build_settings({}, root), option, "file") == example.typed(in_file)
        if option.flag is not None:
            on_line = data.draw(example.values, label="command line")
            both = build_settings({name: example.cli(on_line)}, root)
            assert _setting(both, option, "cli") == example.typed(on_line)


def test_a_batch_table_round_trips_and_the_flag_keeps_it() -> None:
    @hypothesis_settings(max_examples=25, deadline=None)
    @given(st.dictionaries(st.sampled_from(BATCH_FIELDS), st.integers(0, 1000)))
    def check(fields: dict[str, int]) -> None:
        body = "[tool.af_bench.batch]\n" + "".join(f"{k} = {v}\n" for k, v in fields.items())
        with _project(body) as root:
            assert build_settings({}, root).batch == fields
            assert build_settings({"batch": True}, root).batch == fields

    check()
    with _project("batch = false\n") as root:
        assert build_settings({}, root).batch is None and build_settings({"batch": True}, root).batch == {}


def test_threshold_tables_and_files_round_trip(tmp_path: Path) -> None:
    baseline, rubric = tmp_path / "base.json", tmp_path / "rubric.txt"
    baseline.write_text("{}")
    rubric.write_text("Judge {transcript}")
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.af_bench]\nbaseline = {json.dumps(str(baseline))}\naf_judge_rubric = {json.dumps(str(rubric))}\n"
        "mode = 'strict'\n[tool.af_bench.thresholds]\nmax_tier_gap = 0.1\n[tool.af_bench.thresholds.helpful_only]\n"
        "mode = 'point'\n[tool.af_bench.models.faker]\nmax_af_rate = 0.3\n[tool.af_bench.models.'af-bench/faker']\n"
        "min_pairs = 5\n[tool.af_bench.models.faker.three_tier]\nmax_tier_gap = 0.2\n"
        "[tool.af_bench.prices.'x/model']\ninput = 1.0\noutput = 2.0\n"
    )
    settings = build_settings({}, tmp_path)
    assert settings.baseline == baseline and settings.af_judge_rubric == rubric.resolve()
    assert settings.prices.price_for("x/model-1").output == 2.0
    assert settings.file_overrides.everywhere == {"mode": "strict", "max_tier_gap": 0.1}
    assert settings.file_overrides.by_model == {"af-bench/faker": {"max_af_rate": 0.3, "min_pairs": 5}}
    assert settings.file_overrides.by_model_scenario == {("af-bench/faker", "three_tier"): {"max_tier_gap": 0.2}}
    # The file's scenario table beats its top-level mode; a command-line --af-mode beats both.
    assert settings.thresholds_for(Thresholds(), "helpful_only", "af-bench/faker").mode == "point"
    assert settings.thresholds_for(Thresholds(), "three_tier", "af-bench/faker").mode == "strict"
    strict = build_settings({"mode": "strict", "threshold": ["mode=point"]}, tmp_path)
    assert strict.thresholds_for(Thresholds(), "helpful_only", "af-bench/faker").mode == "strict"


def test_threshold_overrides_are_built_whole() -> None:
    settings = build_settings({"threshold": ["max_tier_gap=0.3", "helpful_only.max_tier_gap=0.01"]},
                              Path(tempfile.gettempdir()) / "no-project")
    assert settings.cli_overrides.everywhere == {"max_tier_gap": "0.3"}
    assert settings.cli_overrides.by_scenario == {"helpful_only": {"max_tier_gap": "0.01"}}


# --- a bad value names the key and its file, or the flag ------------------------------------

BAD_IN_FILE: dict[str, str] = {
    "model": "'claude-9'", "judge_model": "''", "judge_votes": "0", "judge_threshold": "1.5",
    "judge_scope": "'nobody'", "limit": "'many'", "epochs": "0", "max_connections": "2.5", "log_dir": "3",
    "report": "true", "html": "[1]", "seed": "-1", "max_retries": "-1", "timeout": "0", "attempt_timeout": "'soon'", "down_after": "-1", "max_tokens": "0", "paraphrases": "-1",
    "cache": "'yes'", "sequential": "1", "round_pairs": "0", "alpha": "1.0", "baseline": "'missing.json'",
    "max_regression": "'lots'", "batch": "'always'", "max_cost": "-1", "af_classifier": "'oracle'",
    "af_judge_rubric": "'nope.txt'", "reasoning_tokens": "0", "reasoning_effort": "'huge'", "prefill": "'on?'",
    "mode": "'lenient'", "min_pairs": "0", "thresholds": "3", "models": "{ faker = 1 }", "prices": "3",
    "output_tokens_per_reply": "-1",
}


def test_every_pyproject_key_has_a_bad_value_test() -> None:
    assert set(BAD_IN_FILE) == PYPROJECT_KEYS


@pytest.mark.parametrize("name", sorted(BAD_IN_FILE))
def test_a_bad_pyproject_value_names_the_key_and_the_file(tmp_path: Path, name: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.af_bench]\n{name} = {BAD_IN_FILE[name]}\n")
    with pytest.raises(SettingsError) as err:
        build_settings({}, tmp_path)
    message = str(err.value)
    assert str(tmp_path / "pyproject.toml") in message and name in message, message


BAD_ON_LINE: dict[str, Any] = {
    "model": ["claude-9"], "model_arg": ["novalue"], "judge_model": ["af-bench/judge", "af-bench/judge"],
    "judge_model_arg": ["=3"], "judge_votes": "x",
    "judge_threshold": "0", "limit": "0", "epochs": "-3", "max_connections": "ten", "seed": "-2",
    "max_retries": "x", "timeout": "1.5", "attempt_timeout": "0", "down_after": "soon", "max_tokens": "many", "paraphrases": "some", "round_pairs": "0", "alpha": "0",
    "baseline": "missing.json", "max_regression": "much", "max_cost": "lots", "af_judge_rubric": "nope.txt",
    "reasoning_tokens": "-1", "shard": "3/2", "min_pairs": "0", "threshold": ["max_tier_gap"],
}


@pytest.mark.parametrize("name", sorted(BAD_ON_LINE))
def test_a_bad_command_line_value_names_the_flag(name: str) -> None:
    from af_bench.gating.models import ModelNameError

    with pytest.raises((SettingsError, ModelNameError)) as err:
        build_settings({name: BAD_ON_LINE[name]}, Path(tempfile.gettempdir()) / "no-project")
    flag = BY_NAME[name].flag
    assert flag is not None and str(err.value).startswith(flag), str(err.value)


# --- the af-bench commands share the rows' flags ----------------------------------------------


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    [commands] = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(commands.choices)


# The plan's own options that happen to share a word with a gate option (the simulations' seed, a
# model and a contrast limit in the pilot report): af_bench/cli/main.py says so too.
PLAN_OWN = {("plan", "seed"), ("plan", "model"), ("plan", "threshold")}


def test_shared_options_have_one_name_in_every_command() -> None:
    used: set[str] = set()
    for command, parser in _subcommands().items():
        for action in parser._actions:
            option = BY_NAME.get(action.dest)
            if option is None or not action.option_strings or (command, action.dest) in PLAN_OWN:
                continue
            used.add(option.name)
            assert option.shared and action.option_strings[0] == option.command_flag, (command, action.option_strings)
    assert used == {o.name for o in OPTIONS if o.shared}


def test_old_command_spellings_still_work() -> None:
    parser = _parser()
    validate = parser.parse_args(["validate", "f.jsonl", "--votes", "3", "--threshold", "0.5", "--rubric", "mine"])
    assert (validate.judge_votes, validate.judge_threshold, validate.af_judge_rubric) == (3, 0.5, "mine")
    rescore = parser.parse_args(["rescore", "x.eval", "--log-dir", "d", "--af-classifier", "heuristic"])
    assert rescore.af_classifier == "heuristic" and rescore.log_dir == Path("d")
    assert parser.parse_args(["rescore", "x.eval", "--log-dir", "d", "--classifier", "judge"]).af_classifier == "judge"


def test_a_command_parses_with_the_rows_rules(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["rescore", "x.eval", "--log-dir", "d", "--judge-votes", "0"])
    assert "argument --judge-votes: must be at least 1, got 0" in capsys.readouterr().err
    plan = _parser().parse_args(["plan", "--threshold", "0.05", "--alpha", "0.1", "--round-pairs", "5"])
    assert (plan.alpha, plan.round_pairs) == (0.1, 5)
