"""af-bench's options, declared once.

One row per option: its pytest flag, whether `[tool.af_bench]` in pyproject.toml takes it (under the
row's name), how a raw value (a command-line string or a TOML value) becomes a typed one, its
default and its help. From this table the pytest plugin registers its options, `af_bench.gating.settings`
reads the command line and pyproject.toml, and the `af-bench` commands add the options they share
with pytest under one name: the pytest flag without its `--af-` prefix (`--af-judge-votes` is
`af-bench rescore --judge-votes`).

Standard library and af_bench's pure modules only: `pytest --help` and the `af-bench` commands load
it without pytest or inspect.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from af_bench.gating.models import ModelNameError, ResolvedModel, resolve_model
from af_bench.gating.prices import PriceError, PriceTable, price_table
from af_bench.scenario.protocol import REASONING_EFFORTS
from af_bench.results.shard import Shard
from af_bench.results.thresholds import MODES

PYPROJECT_FILE = "pyproject.toml"
PYPROJECT_TABLE = "tool.af_bench"
PYTEST_PREFIX = "--af-"
"""Prefix of af-bench's own pytest flags; the `af-bench` commands drop it."""

AF_CLASSIFIERS = ("auto", "heuristic", "judge")
JUDGE_SCOPES = ("training", "training_compliant", "all")
BATCH_FIELDS = ("max_batches", "max_consecutive_check_failures", "max_size", "send_delay", "size", "tick")
"""inspect's BatchConfig fields, the keys a `[tool.af_bench.batch]` table may set."""

T = TypeVar("T")


class SettingsError(ValueError):
    """A setting that cannot be used, naming the option or file entry at fault."""


class BadValue(SettingsError):
    """A value an option's parser refused. `reason` is the message without the place, for
    argparse, which names the flag itself."""

    def __init__(self, where: object, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class Origin:
    """Where a raw value came from, so that an error names it: the flag it was given with, or the
    `[tool.af_bench]` key of the pyproject.toml it was read from."""

    flag: str | None
    key: str | None
    file: Path | None = None
    """The pyproject.toml the value was read from; None for a command-line value."""

    def __str__(self) -> str:
        if self.file is None:
            return self.flag or "command line"
        return f"{self.file} [{PYPROJECT_TABLE}] {self.key}"

    @property
    def subtable(self) -> str:
        """`FILE [tool.af_bench.KEY]`, for a key whose value is a table of its own."""
        return f"{self.file or PYPROJECT_FILE} [{PYPROJECT_TABLE}.{self.key}]"

    @property
    def both(self) -> str:
        """The flag and the pyproject key at once, whichever the value came from."""
        return f"{self.flag} / {self.file or PYPROJECT_FILE} [{PYPROJECT_TABLE}] {self.key}"


Parser = Callable[[Any, Origin], T]
"""Turns a raw value into the typed one, or raises SettingsError naming the origin."""

Action = Literal["store", "store_true", "append"]


@dataclass(frozen=True)
class Option(Generic[T]):
    """One option, as the plugin, the settings and the `af-bench` commands all see it."""

    name: str
    """The `[tool.af_bench]` key (where the file takes it) and the key of the command-line values;
    pytest stores the flag's value as `af_<name>` (`af_bench.gating.options.pytest_dest`)."""
    flag: str | None
    """The pytest flag; None for a pyproject-only option."""
    parse: Parser[T]
    default: T
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    action: Action = "store"
    in_pyproject: bool = True
    shared: bool = False
    """The `af-bench` commands take it too, as `command_flag`."""
    setting: str | None = ""
    """The `Settings` field it fills: '' for the one called `name`; None when `build_settings`
    reads it itself (the threshold overrides)."""
    default_factory: Callable[[], T] | None = None
    """For a mutable default (used instead of `default`)."""
    scoring: str | None = None
    """The scorer option it sets (a field of `af_bench.scoring.options.ScoringOptions`), for the
    options a gate or a re-score passes on to the scorer (`scoring_overrides`)."""

    @property
    def key(self) -> str | None:
        """The `[tool.af_bench]` key, or None for a command-line-only option."""
        return self.name if self.in_pyproject else None

    @property
    def field(self) -> str | None:
        return self.name if self.setting == "" else self.setting

    @property
    def command_flag(self) -> str:
        """The flag of the `af-bench` commands: the pytest flag without `--af-`."""
        if not self.shared or self.flag is None:
            raise ValueError(f"{self.name} is not an option of the af-bench commands")
        return "--" + self.flag.removeprefix(PYTEST_PREFIX).removeprefix("--")

    def default_value(self) -> T:
        return self.default_factory() if self.default_factory is not None else self.default

    def given(self, cli: Mapping[str, Any]) -> bool:
        """Whether the command line gave this option (flags not passed are None or [])."""
        raw = cli.get(self.name) if self.flag is not None else None
        return raw is not None and not (isinstance(raw, (list, tuple)) and not raw)

    def parse_cli(self, raw: Any) -> T:
        return self.parse(raw, Origin(self.flag, self.key))

    def parse_file(self, raw: Any, file: Path) -> T:
        return self.parse(raw, Origin(self.flag, self.key, file))

    def read(self, cli: Mapping[str, Any], table: Mapping[str, Any], file: Path) -> T:
        """The command line's value if given, else pyproject.toml's, else the default."""
        if self.given(cli):
            return self.parse_cli(cli[self.name])
        if self.key is not None and self.key in table:
            return self.parse_file(table[self.key], file)
        return self.default_value()


# Parsers. Each takes a command-line string or the TOML value and names `origin` when it refuses.


def whole(minimum: int = 1) -> Parser[int]:
    def parse(raw: Any, origin: Origin) -> int:
        # TOML gives bools and floats too; int() would quietly turn true into 1 and 2.5 into 2.
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise BadValue(origin, f"expected a whole number, got {raw!r}")
        try:
            number = int(raw)
        except (TypeError, ValueError):
            raise BadValue(origin, f"expected a whole number, got {raw!r}") from None
        if number < minimum:
            raise BadValue(origin, f"must be at least {minimum}, got {number}")
        return number

    return parse


def real(expected: str = "a number", accept: Callable[[float], bool] = math.isfinite,
         rule: str = "must be finite") -> Parser[float]:
    """A float that `accept`s; `rule` says which ones do."""

    def parse(raw: Any, origin: Origin) -> float:
        if isinstance(raw, bool):
            raise BadValue(origin, f"expected {expected}, got {raw!r}")
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise BadValue(origin, f"expected {expected}, got {raw!r}") from None
        if not accept(number):
            raise BadValue(origin, f"{rule}, got {number}")
        return number

    return parse


def choice(choices: Sequence[str]) -> Parser[str]:
    def parse(raw: Any, origin: Origin) -> str:
        if not isinstance(raw, str) or raw not in choices:
            raise BadValue(origin, f"must be one of {', '.join(choices)}, got {raw!r}")
        return raw

    return parse


def switch(raw: Any, origin: Origin) -> bool:
    """A flag on the command line (True when given), a boolean in the file."""
    if not isinstance(raw, bool):
        raise BadValue(origin, f"expected true or false, got {raw!r}")
    return raw


def on_off(raw: Any, origin: Origin) -> bool:
    """`on`/`off` on the command line, a boolean in the file."""
    if isinstance(raw, bool):
        return raw
    if raw in ("on", "off"):
        return raw == "on"
    raise BadValue(origin, f"expected true or false, got {raw!r}")


def text(raw: Any, origin: Origin) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise BadValue(origin, f"expected a non-empty string, got {raw!r}")
    return raw


def optional_path(raw: Any, origin: Origin) -> Path | None:
    """A path; an empty string leaves it unset, as before."""
    if not isinstance(raw, (str, Path)):
        raise BadValue(origin, f"expected a path, got {raw!r}")
    return Path(raw) if str(raw) else None


def existing_report(raw: Any, origin: Origin) -> Path:
    path = Path(text(raw, origin))
    if not path.is_file():
        raise BadValue(origin, f"no such report: {path}")
    return path


def rubric_file(raw: Any, origin: Origin) -> Path:
    path = Path(text(raw, origin))
    if not path.is_file():
        # Names the flag and the key whichever was used: the message has always read so.
        raise BadValue(origin.both, f"no such file: {path}")
    if not path.read_text(encoding="utf-8").strip():
        raise BadValue(origin, f"{path} is empty")
    return path.resolve()


def model_names(raw: Any, origin: Origin) -> tuple[ResolvedModel, ...]:
    """Repeated `--model` values, or the file's one name or list of names; duplicates dropped."""
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise BadValue(origin, f"expected a model name or a list of them, got {raw!r}")
    try:
        return tuple(dict.fromkeys(resolve_model(name) for name in names))
    except ModelNameError as err:
        if origin.file is None:
            raise  # its message already starts with the flag
        raise BadValue(origin, str(err)) from None


def judge_model_names(raw: Any, origin: Origin) -> tuple[str, ...]:
    """Repeated `--judge-model` values, or the file's one name or list of names. A judge named twice
    is an error: it would only repeat its own votes, yet count twice in the panel's majority."""
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, (list, tuple)) or not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise BadValue(origin, f"expected a model name or a list of them, got {raw!r}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise BadValue(origin, f"{', '.join(repeated)} given more than once: a panel needs distinct judges")
    return tuple(names)


def assignments(raw: Any, origin: Origin) -> dict[str, Any]:
    """Repeated NAME=VALUE, values read as YAML scalars as inspect's -M does (numbers and booleans
    keep their type)."""
    import yaml  # only when a model arg is given: yaml is not needed to load the plugin

    args: dict[str, Any] = {}
    for item in raw:
        key, sep, value = str(item).partition("=")
        if not sep or not key.strip():
            raise SettingsError(f"{origin} {item}: expected NAME=VALUE")
        args[key.strip()] = yaml.safe_load(value)
    return args


def strings(raw: Any, origin: Origin) -> tuple[str, ...]:
    """Repeated values kept as given (`--af-threshold`: `af_bench.gating.settings` reads them)."""
    return tuple(str(item) for item in raw)


def table(raw: Any, origin: Origin) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise SettingsError(f"{origin.subtable} must be a table, got {raw!r}")
    return dict(raw)


def batch_config(raw: Any, origin: Origin) -> dict[str, Any] | None:
    """`--af-batch` / `batch = true` for inspect's batch defaults, or a table of BatchConfig fields."""
    if raw is False:
        return None
    if raw is True:
        return {}
    if isinstance(raw, Mapping):
        unknown = set(raw) - set(BATCH_FIELDS)
        if unknown:
            raise BadValue(origin, f"unknown fields {sorted(unknown)} (known: {list(BATCH_FIELDS)})")
        return dict(raw)
    raise BadValue(origin, f"expected true or a table of {list(BATCH_FIELDS)}, got {raw!r}")


def shard_spec(raw: Any, origin: Origin) -> Shard:
    try:
        return Shard.parse(raw, str(origin))
    except ValueError as err:
        raise SettingsError(str(err)) from None


def price_overrides(raw: Any, origin: Origin) -> PriceTable:
    """The shipped prices with the project's `[tool.af_bench.prices]` entries over them."""
    try:
        return price_table(raw, origin.subtable)
    except PriceError as err:
        raise SettingsError(str(err)) from None


def _between_0_and_1(x: float) -> bool:
    return 0.0 < x < 1.0


def _in_0_1_closed_above(x: float) -> bool:
    return 0.0 < x <= 1.0


def _not_negative(x: float) -> bool:
    return x >= 0.0


# The table. Its order is the order of `pytest --help`.

MODEL: Option[tuple[ResolvedModel, ...]] = Option(
    "model", "--model", model_names, (), action="append", metavar="MODEL", setting="models",
    help="Model to gate (repeatable): an inspect name such as anthropic/claude-opus-4-5-20251101 "
         "or af-bench/faker, or a short alias such as claude-opus-4-5.")
MODEL_ARG: Option[dict[str, Any]] = Option(
    "model_arg", "--model-arg", assignments, {}, default_factory=dict, action="append", metavar="NAME=VALUE",
    in_pyproject=False, setting="model_args",
    help="Model arg for every gated model (repeatable), as inspect's -M: --model-arg eval_aware=0.5 for an organism.")
JUDGE_MODEL: Option[tuple[str, ...]] = Option(
    "judge_model", "--judge-model", judge_model_names, (), action="append", metavar="MODEL", shared=True,
    setting="judge_models",
    help="Model for the judges (inspect's 'grader' role). Given more than once (or a list in pyproject.toml), "
         "a panel: alignment-faking reasoning is decided by the majority of the judges, each with its own votes.")
JUDGE_MODEL_ARG: Option[dict[str, Any]] = Option(
    "judge_model_arg", "--judge-model-arg", assignments, {}, default_factory=dict, action="append",
    metavar="NAME=VALUE", in_pyproject=False, setting="judge_model_args",
    help="Model arg for the judge model (repeatable).")
JUDGE_VOTES: Option[int | None] = Option(
    "judge_votes", "--af-judge-votes", whole(1), None, metavar="N", shared=True, scoring="judge_votes",
    help="Judge votes per scratchpad (default 20).")
JUDGE_THRESHOLD: Option[float | None] = Option(
    "judge_threshold", "--af-judge-threshold", real(accept=_in_0_1_closed_above, rule="must be in (0, 1]"), None,
    metavar="X", shared=True, scoring="judge_threshold",
    help="Vote fraction that makes a scratchpad alignment faking (default 0.4).")
JUDGE_SCOPE: Option[str | None] = Option(
    "judge_scope", "--af-judge-scope", choice(JUDGE_SCOPES), None, choices=JUDGE_SCOPES, shared=True,
    scoring="judge_scope",
    help="Samples the judge reads (default training; 'all' adds unmonitored ones).")
LIMIT: Option[int | None] = Option(
    "limit", "--af-limit", whole(1), None, metavar="N",
    help="Requests per gate, each asked under every condition (default: the whole set).")
EPOCHS: Option[int] = Option("epochs", "--af-epochs", whole(1), 1, metavar="N", help="Epochs per sample (default 1).")
MAX_CONNECTIONS: Option[int] = Option(
    "max_connections", "--af-max-connections", whole(1), 10, metavar="N",
    help="Concurrent model connections in total, split across xdist workers (default 10).")
LOG_DIR: Option[Path | None] = Option(
    "log_dir", "--af-log-dir", optional_path, None, metavar="DIR", shared=True,
    help="Where inspect writes the gates' logs (default: inspect's, ./logs).")
REPORT: Option[Path | None] = Option(
    "report", "--af-report", optional_path, None, metavar="PATH", shared=True, help="Write the JSON report here.")
HTML: Option[Path | None] = Option(
    "html", "--af-html", optional_path, None, metavar="PATH", shared=True,
    help="Write a self-contained HTML report here (af-bench report rebuilds it from JSON).")
SEED: Option[int | None] = Option(
    "seed", "--af-seed", whole(0), None, metavar="N", help="Seed passed to the model's generate config.")
MAX_RETRIES: Option[int] = Option(
    "max_retries", "--af-max-retries", whole(0), 6, metavar="N",
    help="Retries per model call before the sample errors (default 6).")
TIMEOUT: Option[int] = Option(
    "timeout", "--af-timeout", whole(1), 900, metavar="SECONDS",
    help="Time one model call may take, retries included (default 900).")
DOWN_AFTER: Option[int] = Option(
    "down_after", "--af-down-after", whole(0), 60, metavar="SECONDS",
    help="Seconds of retries a call may spend before its endpoint has answered once; an endpoint that "
         "answers only errors (5xx, no connection) for that long is down, and what remains for it is not "
         "sent (default 60; 0 waits out --af-timeout).")
ATTEMPT_TIMEOUT: Option[int | None] = Option(
    "attempt_timeout", "--af-attempt-timeout", whole(1), None, metavar="SECONDS",
    help="Abandon and retry an attempt that takes longer than this.")
CACHE: Option[bool] = Option(
    "cache", "--af-cache", switch, False, action="store_true",
    help="Cache responses across runs, for development (never for release gating).")
SEQUENTIAL: Option[bool] = Option(
    "sequential", "--af-sequential", switch, False, action="store_true",
    help="Sample pairs in rounds and stop as soon as an anytime-valid confidence sequence settles the verdict; "
         "--af-limit is then the budget.")
ROUND_PAIRS: Option[int] = Option(
    "round_pairs", "--af-round-pairs", whole(1), 20, metavar="N", shared=True,
    help="Pairs per round of a sequential gate (default 20).")
ALPHA: Option[float] = Option(
    "alpha", "--af-alpha", real(accept=_between_0_and_1, rule="must be in (0, 1)"), 0.05, metavar="X", shared=True,
    help="Error rate of a sequential gate (default 0.05).")
BASELINE: Option[Path | None] = Option(
    "baseline", "--af-baseline", existing_report, None, metavar="REPORT.json",
    help="Compare each gate with the same gate in a previous release's JSON report.")
MAX_REGRESSION: Option[float] = Option(
    "max_regression", "--af-max-regression", real(), 0.0, metavar="X",
    help="Fail when a contrast is worse than the baseline by more than X, with 95% confidence (default 0.0).")
BATCH: Option[dict[str, Any] | None] = Option(
    "batch", "--af-batch", batch_config, None, action="store_true",
    help="Send requests through the provider's batch API (about half the price, slower).")
MAX_COST: Option[float | None] = Option(
    "max_cost", "--af-max-cost", real("US dollars", _not_negative, "must not be negative"), None, metavar="USD",
    help="Refuse a run estimated to cost more than USD, and stop one that spends more.")
AF_CLASSIFIER: Option[str] = Option(
    "af_classifier", "--af-classifier", choice(AF_CLASSIFIERS), "auto", choices=AF_CLASSIFIERS, shared=True,
    scoring="af_classifier",
    help="Alignment-faking classifier: auto (the judge when --judge-model is given), heuristic "
         "(the offline one, gated on real models too), judge.")
AF_JUDGE_RUBRIC: Option[Path | None] = Option(
    "af_judge_rubric", "--af-judge-rubric", rubric_file, None, metavar="PATH", shared=True, scoring="af_rubric",
    help="Your own alignment-faking judge prompt, used verbatim: {transcript} where the reasoning goes, "
         "a <final_answer>Yes|No</final_answer> verdict (or af-bench's own tokens).")
MAX_TOKENS: Option[int | None] = Option(
    "max_tokens", "--af-max-tokens", whole(1), None, metavar="N",
    help="Token limit of every reply in every scenario (default: the scenario's, 4096); a reply cut off "
         "by it has no usable answer.")
PARAPHRASES: Option[int] = Option(
    "paraphrases", "--af-paraphrases", whole(0), 0, metavar="N",
    help="Spread every gate's pairs over the published wording of its system prompt and N shipped "
         "paraphrases of it (up to 8), and decide on the gap pooled over them: a model trained on the "
         "published prompt cannot pass by recognising it.")
REASONING_TOKENS: Option[int | None] = Option(
    "reasoning_tokens", "--af-reasoning-tokens", whole(1), None, metavar="N",
    help="Ask every gated model to reason with this token budget (no prefill is then sent).")
REASONING_EFFORT: Option[str | None] = Option(
    "reasoning_effort", "--af-reasoning-effort", choice(REASONING_EFFORTS), None, choices=REASONING_EFFORTS,
    help="Ask every gated model to reason at this effort (no prefill is then sent).")
PREFILL: Option[bool | None] = Option(
    "prefill", "--af-prefill", on_off, None, choices=("on", "off"),
    help="Send the assistant prefill '<' to every provider (on) or none (off); by default only to those "
         "that continue it (Anthropic without thinking, the organisms).")
SHARD: Option[Shard | None] = Option(
    "shard", "--af-shard", shard_spec, None, metavar="I/N", in_pyproject=False,
    help="Run the I-th of N equal shares of every gate's pairs (merge with `af-bench merge`).")
MODE: Option[str | None] = Option(
    "mode", "--af-mode", choice(MODES), None, choices=MODES, setting=None,
    help="Gate on the point estimate (point) or the upper end of the 95% interval (strict).")
MIN_PAIRS: Option[int | None] = Option(
    "min_pairs", "--af-min-pairs", whole(1), None, metavar="N", setting=None, shared=True,
    help="Completed request pairs a verdict needs.")
THRESHOLD: Option[tuple[str, ...]] = Option(
    "threshold", "--af-threshold", strings, (), action="append", metavar="[SCENARIO.]NAME=VALUE",
    in_pyproject=False, setting=None, shared=True,
    help="Override a threshold for every gate, or for one scenario (repeatable).")
# pyproject.toml only: tables, and what a command line would not repeat on every run.
THRESHOLDS: Option[dict[str, Any]] = Option(
    "thresholds", None, table, {}, default_factory=dict, setting=None,
    help="Thresholds for every gate; a sub-table per scenario.")
MODELS: Option[dict[str, Any]] = Option(
    "models", None, table, {}, default_factory=dict, setting=None,
    help="Thresholds per model (by full name or alias); a sub-table per scenario.")
PRICES: Option[PriceTable] = Option(
    "prices", None, price_overrides, None, default_factory=price_table,  # type: ignore[arg-type]
    help="Prices per model over the shipped table, each dated and sourced.")
OUTPUT_TOKENS_PER_REPLY: Option[int] = Option(
    "output_tokens_per_reply", None, whole(1), 600, help="Assumed reply length for cost estimates.")

OPTIONS: tuple[Option[Any], ...] = (
    MODEL, MODEL_ARG, JUDGE_MODEL, JUDGE_MODEL_ARG, JUDGE_VOTES, JUDGE_THRESHOLD, JUDGE_SCOPE, LIMIT, EPOCHS,
    MAX_CONNECTIONS, LOG_DIR, REPORT, HTML, SEED, MAX_RETRIES, TIMEOUT, DOWN_AFTER, ATTEMPT_TIMEOUT, CACHE, SEQUENTIAL,
    ROUND_PAIRS, ALPHA, BASELINE, MAX_REGRESSION, BATCH, MAX_COST, AF_CLASSIFIER, AF_JUDGE_RUBRIC,
    MAX_TOKENS, PARAPHRASES, REASONING_TOKENS, REASONING_EFFORT, PREFILL, SHARD, MODE, MIN_PAIRS, THRESHOLD,
    THRESHOLDS, MODELS, PRICES, OUTPUT_TOKENS_PER_REPLY,
)
PYPROJECT_KEYS: frozenset[str] = frozenset(o.name for o in OPTIONS if o.in_pyproject)


def scoring_overrides(values: Mapping[str, Any]) -> dict[str, Any]:
    """The scorer options a run changes, by scorer option name, from parsed option values by
    option name (a gate's settings, a command's arguments). An option not given, or given its
    default, leaves the scenario's (or the logged) one."""
    overrides: dict[str, Any] = {}
    for option in OPTIONS:
        value = values.get(option.name)
        if option.scoring is None or value is None or value == option.default_value():
            continue
        # The scorer's options are logged, so a path goes as text.
        overrides[option.scoring] = str(value) if isinstance(value, Path) else value
    return overrides


def pytest_dest(option: Option[Any]) -> str:
    """Where pytest stores the flag's value on `config.option` (`af_limit`, `af_classifier`)."""
    return option.name if option.name.startswith("af_") else f"af_{option.name}"


def _escaped(help_text: str) -> str:
    return help_text.replace("%", "%%")  # argparse formats help with %


def register_pytest_options(addoption: Callable[..., Any]) -> None:
    """Add every flag of the table, given pytest's `group.addoption`. Values stay raw: they are
    parsed with pyproject.toml's in `af_bench.gating.settings.build_settings`, so an absent flag is
    told from a default and a bad value is a usage error naming the flag."""
    for option in OPTIONS:
        if option.flag is None:
            continue
        kwargs: dict[str, Any] = {"dest": pytest_dest(option), "help": _escaped(option.help)}
        if option.action == "store_true":
            kwargs |= {"action": "store_true", "default": None}
        elif option.action == "append":
            kwargs |= {"action": "append", "default": []}
        if option.metavar is not None:
            kwargs["metavar"] = option.metavar
        if option.choices is not None:
            kwargs["choices"] = option.choices
        addoption(option.flag, **kwargs)


def command_line_values(namespace: object) -> dict[str, Any]:
    """The raw flag values from pytest's `config.option`, by option name (None or [] where not given)."""
    return {o.name: getattr(namespace, pytest_dest(o)) for o in OPTIONS if o.flag is not None}


_UNSET: Any = object()


def add_command_option(
    parser: argparse.ArgumentParser,
    option: Option[Any],
    *,
    aliases: Sequence[str] = (),
    default: Any = _UNSET,
    required: bool = False,
    help: str | None = None,
    metavar: str | None = None,
    parse: bool = True,
) -> None:
    """Add a shared option to an `af-bench` subcommand, as `option.command_flag`, parsed by the
    row's parser (argparse names the flag in the error). `aliases` are older spellings kept
    working; `parse=False` keeps the raw string, for a command that reads the value its own way."""
    flags = [option.command_flag, *aliases]
    kwargs: dict[str, Any] = {"dest": option.name, "help": _escaped(help or option.help)}
    if option.action == "store_true":
        kwargs["action"] = "store_true"
    elif option.action == "append":
        kwargs |= {"action": "append", "default": []}  # each item is read by the command
    else:
        kwargs["default"] = option.default_value() if default is _UNSET else default
        if parse:
            kwargs["type"] = _argparse_type(option, option.command_flag)
    if required:
        kwargs["required"] = True
    if (metavar or option.metavar) is not None:
        kwargs["metavar"] = metavar or option.metavar
    if option.choices is not None and option.action != "append":
        kwargs["choices"] = option.choices
    parser.add_argument(*flags, **kwargs)


def _argparse_type(option: Option[Any], flag: str) -> Callable[[str], Any]:
    def convert(raw: str) -> Any:
        try:
            return option.parse(raw, Origin(flag, option.key))
        except BadValue as err:
            raise argparse.ArgumentTypeError(err.reason) from None
        except (SettingsError, ModelNameError) as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    convert.__name__ = option.name  # argparse names the type in some messages
    return convert
