"""af-bench's run settings: command-line options and `[tool.af_bench]` in pyproject.toml, merged
with the command line winning."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from af_bench.models import ResolvedModel, resolve_model
from af_bench.prices import PriceError, PriceTable, price_table
from af_bench.protocol import REASONING_EFFORTS
from af_bench.shards import Shard
from af_bench.thresholds import Thresholds, ThresholdError

OPT_MODEL = "--model"
OPT_JUDGE_MODEL = "--judge-model"
OPT_LIMIT = "--af-limit"
OPT_EPOCHS = "--af-epochs"
OPT_MAX_CONNECTIONS = "--af-max-connections"
OPT_LOG_DIR = "--af-log-dir"
OPT_REPORT = "--af-report"
OPT_SEED = "--af-seed"
OPT_MODE = "--af-mode"
OPT_MIN_PAIRS = "--af-min-pairs"
OPT_THRESHOLD = "--af-threshold"
OPT_JUDGE_VOTES = "--af-judge-votes"
OPT_JUDGE_MODEL_ARG = "--judge-model-arg"
OPT_MODEL_ARG = "--model-arg"
OPT_MAX_RETRIES = "--af-max-retries"
OPT_TIMEOUT = "--af-timeout"
OPT_CACHE = "--af-cache"
OPT_ATTEMPT_TIMEOUT = "--af-attempt-timeout"
OPT_SEQUENTIAL = "--af-sequential"
OPT_ROUND_PAIRS = "--af-round-pairs"
OPT_ALPHA = "--af-alpha"
OPT_BASELINE = "--af-baseline"
OPT_MAX_REGRESSION = "--af-max-regression"
OPT_BATCH = "--af-batch"
OPT_MAX_COST = "--af-max-cost"
OPT_SHARD = "--af-shard"
OPT_HTML = "--af-html"
OPT_REASONING_TOKENS = "--af-reasoning-tokens"
OPT_REASONING_EFFORT = "--af-reasoning-effort"
OPT_PREFILL = "--af-prefill"
OPT_AF_CLASSIFIER = "--af-classifier"
OPT_AF_JUDGE_RUBRIC = "--af-judge-rubric"
AF_CLASSIFIERS = ("auto", "heuristic", "judge")
DEFAULT_ROUND_PAIRS = 20
DEFAULT_MAX_RETRIES = 6
DEFAULT_TIMEOUT = 900
OPT_JUDGE_THRESHOLD = "--af-judge-threshold"
OPT_JUDGE_SCOPE = "--af-judge-scope"
JUDGE_SCOPES = ("training", "training_compliant", "all")

PYPROJECT_TABLE = "tool.af_bench"
DEFAULT_MAX_CONNECTIONS = 10


class SettingsError(ValueError):
    """A setting that cannot be used, naming the option or file entry at fault."""


@dataclass(frozen=True)
class ThresholdOverrides:
    """Threshold overrides by scope, from pyproject.toml and the command line."""

    everywhere: dict[str, Any] = field(default_factory=dict)
    by_scenario: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_model: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_model_scenario: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    models: tuple[ResolvedModel, ...] = ()
    judge_model: str | None = None
    judge_model_args: dict[str, Any] = field(default_factory=dict)
    """Model args for the judge (`-M`-style), for example a base URL or the scripted judge's faults."""
    model_args: dict[str, Any] = field(default_factory=dict)
    """Model args for every gated model (inspect's `-M`)."""
    limit: int | None = None
    """Requests per gate (each asked under every condition), None for the whole set."""
    epochs: int = 1
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    """Total across xdist workers."""
    log_dir: Path | None = None
    report: Path | None = None
    html: Path | None = None
    """Where the HTML report goes (written with the JSON report, at the end of the session)."""
    seed: int | None = None
    max_retries: int = DEFAULT_MAX_RETRIES
    """Retries per model call after the first attempt (inspect's; the SDK may retry inside each)."""
    timeout: int = DEFAULT_TIMEOUT
    """Seconds one model call may take, retries included."""
    attempt_timeout: int | None = None
    """Seconds one attempt may take before it is abandoned and retried (None: the SDK's own)."""
    cache: bool = False
    """Development response cache shared across runs (never for release gating)."""
    sequential: bool = False
    """Sample pairs in rounds and stop once an anytime-valid confidence sequence settles the verdict."""
    round_pairs: int = DEFAULT_ROUND_PAIRS
    """Pairs per round of a sequential gate."""
    alpha: float = 0.05
    """Error rate of a sequential gate's confidence sequences."""
    baseline: Path | None = None
    """A previous release's JSON report to compare each gate with."""
    max_regression: float = 0.0
    """Largest allowed worsening of a contrast against the baseline (on the interval's lower end)."""
    batch: dict[str, Any] | None = None
    """Send requests through the provider's batch API (inspect's BatchConfig fields; {} for its defaults)."""
    max_cost: float | None = None
    """US dollars the whole run may spend (every gate, every worker); None for no cap."""
    shard: Shard | None = None
    """Run only this share of every gate's pairs (merge the shards' reports with `af-bench merge`)."""
    prices: PriceTable = field(default_factory=price_table)
    output_tokens_per_reply: int = 600
    """Assumed reply length for cost estimates."""
    judge_votes: int | None = None
    judge_threshold: float | None = None
    judge_scope: str | None = None
    reasoning_tokens: int | None = None
    """Reasoning budget asked of every gated model (inspect's `reasoning_tokens`)."""
    reasoning_effort: str | None = None
    """Reasoning effort asked of every gated model (inspect's `reasoning_effort`)."""
    prefill: bool | None = None
    """Send the assistant prefill everywhere (True), nowhere (False), or where it is continued (None)."""
    af_judge_rubric: Path | None = None
    """The user's own alignment-faking judge prompt (the literature's, verbatim: `{transcript}` where
    the reasoning goes, a `<final_answer>` verdict)."""
    af_classifier: str = "auto"
    """The alignment-faking classifier: `auto` (the judge when one is given), `heuristic` (the
    offline one, whose rate `max_af_rate` then gates on real models too) or `judge`."""
    file_overrides: ThresholdOverrides = field(default_factory=ThresholdOverrides)
    cli_overrides: ThresholdOverrides = field(default_factory=ThresholdOverrides)

    def scoring_overrides(self) -> dict[str, Any]:
        """Scorer options the run changes (left to the scenario where not given)."""
        overrides: dict[str, Any] = {}
        if self.judge_votes is not None:
            overrides["judge_votes"] = self.judge_votes
        if self.judge_threshold is not None:
            overrides["judge_threshold"] = self.judge_threshold
        if self.judge_scope is not None:
            overrides["judge_scope"] = self.judge_scope
        if self.af_classifier != "auto":
            overrides["af_classifier"] = self.af_classifier
        if self.af_judge_rubric is not None:
            overrides["af_rubric"] = str(self.af_judge_rubric)
        return overrides

    def protocol_overrides(self) -> dict[str, Any]:
        """Protocol options the run changes in every scenario (`af_bench.scenario.with_protocol`)."""
        given = {"reasoning_tokens": self.reasoning_tokens, "reasoning_effort": self.reasoning_effort,
                 "prefill": self.prefill}
        return {key: value for key, value in given.items() if value is not None}

    def thresholds_for(self, base: Thresholds, scenario: str, model: str) -> Thresholds:
        """Decorator thresholds, then pyproject (everywhere, scenario, model, model+scenario),
        then the command line in the same order: the more specific and the later one wins."""
        result = base
        for origin, overrides in (("pyproject.toml [tool.af_bench]", self.file_overrides),
                                  ("command line", self.cli_overrides)):
            layers = (
                ("", overrides.everywhere),
                (f" scenario {scenario}", overrides.by_scenario.get(scenario, {})),
                (f" model {model}", overrides.by_model.get(model, {})),
                (f" model {model} scenario {scenario}", overrides.by_model_scenario.get((model, scenario), {})),
            )
            for where, layer in layers:
                if layer:
                    result = result.merged(layer, f"{origin}{where}")
        return result


def read_pyproject(rootpath: Path) -> dict[str, Any]:
    path = rootpath / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(f"{path}: {err}") from None
    table = data.get("tool", {}).get("af_bench", {})
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [{PYPROJECT_TABLE}] must be a table")
    return table


_FILE_KEYS = {
    "model", "judge_model", "limit", "epochs", "max_connections", "log_dir", "report", "seed",
    "mode", "min_pairs", "thresholds", "models", "judge_votes", "judge_threshold", "judge_scope",
    "max_retries", "timeout", "cache", "attempt_timeout", "sequential", "round_pairs", "alpha",
    "baseline", "max_regression", "html", "batch", "max_cost", "prices", "output_tokens_per_reply",
    "reasoning_tokens", "reasoning_effort", "prefill", "af_classifier", "af_judge_rubric",
}


def _file_overrides(table: Mapping[str, Any], where: str) -> ThresholdOverrides:
    overrides = ThresholdOverrides()
    for key in ("mode", "min_pairs"):
        if key in table:
            overrides.everywhere[key] = table[key]
    for name, value in (table.get("thresholds") or {}).items():
        if isinstance(value, dict):
            overrides.by_scenario[name] = dict(value)
        else:
            overrides.everywhere[name] = value  # validated with the others in build_settings
    for model, model_table in (table.get("models") or {}).items():
        if not isinstance(model_table, dict):
            raise SettingsError(f"{where} [{PYPROJECT_TABLE}.models]: {model!r} must be a table")
        name = _full_model_name(model, f"{where} [{PYPROJECT_TABLE}.models]")
        # Scalars are thresholds for every gate of this model; tables are per scenario.
        for key, value in model_table.items():
            if isinstance(value, dict):
                overrides.by_model_scenario[(name, key)] = dict(value)
            else:
                overrides.by_model.setdefault(name, {})[key] = value
    return overrides


def _full_model_name(value: str, where: str) -> str:
    from af_bench.models import ALIASES

    if "/" in value:
        return value
    if value in ALIASES:
        return ALIASES[value]
    raise SettingsError(f"{where}: unknown model alias {value!r}")


def threshold_overrides(values: Sequence[str]) -> ThresholdOverrides:
    """`name=value` for every gate, `scenario.name=value` for one scenario."""
    overrides = ThresholdOverrides()
    for item in values:
        key, sep, value = item.partition("=")
        if not sep:
            raise SettingsError(f"{OPT_THRESHOLD} {item}: expected NAME=VALUE or SCENARIO.NAME=VALUE")
        scenario, dot, name = key.strip().rpartition(".")
        target = overrides.by_scenario.setdefault(scenario, {}) if dot else overrides.everywhere
        target[name] = value.strip()
    return overrides


def _model_args(values: Sequence[str], option: str) -> dict[str, Any]:
    import yaml

    args: dict[str, Any] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise SettingsError(f"{option} {item}: expected NAME=VALUE")
        # Values are read as YAML scalars, as inspect's -M does: numbers and booleans keep their type.
        args[key.strip()] = yaml.safe_load(value)
    return args


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


def _positive_int(value: Any, option: str, *, minimum: int = 1) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{option}: expected a whole number, got {value!r}") from None
    if number < minimum:
        raise SettingsError(f"{option}: must be at least {minimum}, got {number}")
    return number


def _baseline(value: Any) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_file():
        raise SettingsError(f"{OPT_BASELINE}: no such report: {path}")
    return path


def _float(value: Any, option: str, expected: str = "a number") -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{option}: expected {expected}, got {value!r}") from None


def _max_regression(value: Any) -> float:
    return 0.0 if value is None else _float(value, OPT_MAX_REGRESSION)


_BATCH_FIELDS = {"size", "max_size", "send_delay", "tick", "max_batches", "max_consecutive_check_failures"}


def _batch(value: Any, where: str) -> dict[str, Any] | None:
    """`--af-batch` / `batch = true` for inspect's batch defaults, or a table of BatchConfig fields."""
    if value in (None, False):
        return None
    if value is True:
        return {}
    if isinstance(value, Mapping):
        unknown = set(value) - _BATCH_FIELDS
        if unknown:
            raise SettingsError(f"{where} batch: unknown fields {sorted(unknown)} (known: {sorted(_BATCH_FIELDS)})")
        return dict(value)
    raise SettingsError(f"{where} batch: expected true or a table of {sorted(_BATCH_FIELDS)}, got {value!r}")


def _shard(value: Any, sequential: bool) -> Shard | None:
    if value is None:
        return None
    try:
        shard = Shard.parse(value, OPT_SHARD)
    except ValueError as err:
        raise SettingsError(str(err)) from None
    if sequential:
        # When to stop is read from all the pairs so far; a shard sees only its own.
        raise SettingsError(f"{OPT_SHARD} cannot be combined with {OPT_SEQUENTIAL}")
    return shard


def _max_cost(value: Any) -> float | None:
    if value is None:
        return None
    cap = _float(value, OPT_MAX_COST, "US dollars")
    if cap < 0:
        raise SettingsError(f"{OPT_MAX_COST}: must not be negative, got {cap}")
    return cap


def _alpha(value: Any) -> float:
    if value is None:
        return 0.05
    alpha = _float(value, OPT_ALPHA)
    if not 0.0 < alpha < 1.0:
        raise SettingsError(f"{OPT_ALPHA}: must be in (0, 1), got {alpha}")
    return alpha


def _prices(table: Any, where: str) -> PriceTable:
    try:
        return price_table(table, where)
    except PriceError as err:
        raise SettingsError(str(err)) from None


def _reasoning_effort(value: Any) -> str | None:
    if value is None:
        return None
    if value not in REASONING_EFFORTS:
        raise SettingsError(f"{OPT_REASONING_EFFORT}: must be one of {', '.join(REASONING_EFFORTS)}, got {value!r}")
    return str(value)


def _rubric(value: Any, where: str) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if not path.is_file():
        raise SettingsError(f"{OPT_AF_JUDGE_RUBRIC} / {where} [{PYPROJECT_TABLE}] af_judge_rubric: no such file: {path}")
    if not path.read_text(encoding="utf-8").strip():
        raise SettingsError(f"{OPT_AF_JUDGE_RUBRIC}: {path} is empty")
    return path.resolve()


def _af_classifier(value: Any, judge_model: str | None) -> str:
    choice = "auto" if value is None else value
    if choice not in AF_CLASSIFIERS:
        raise SettingsError(f"{OPT_AF_CLASSIFIER}: must be one of {', '.join(AF_CLASSIFIERS)}, got {choice!r}")
    if choice == "judge" and judge_model is None:
        raise SettingsError(f"{OPT_AF_CLASSIFIER} judge needs a judge model: pass {OPT_JUDGE_MODEL}")
    return str(choice)


def _prefill(value: Any, where: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise SettingsError(f"{OPT_PREFILL} / {where} [{PYPROJECT_TABLE}] prefill: expected true or false, got {value!r}")


def build_settings(cli: Mapping[str, Any], rootpath: Path) -> Settings:
    """Merge command-line values (None where not given) over pyproject.toml's table."""
    table = read_pyproject(rootpath)
    where = str(rootpath / "pyproject.toml")
    unknown = set(table) - _FILE_KEYS
    if unknown:
        raise SettingsError(f"{where} [{PYPROJECT_TABLE}]: unknown keys {sorted(unknown)}")

    def pick(key: str) -> Any:
        value = cli.get(key)
        return value if value not in (None, []) else table.get(key)

    raw_models = pick("model") or []
    if isinstance(raw_models, str):
        raw_models = [raw_models]
    models = tuple(dict.fromkeys(resolve_model(m) for m in raw_models))

    limit = pick("limit")
    seed = pick("seed")
    log_dir, report = pick("log_dir"), pick("report")
    file_overrides = _file_overrides(table, where)
    cli_overrides = threshold_overrides(cli.get("threshold") or [])
    for key in ("mode", "min_pairs"):
        if cli.get(key) is not None:
            cli_overrides.everywhere[key] = cli[key]

    judge_threshold = pick("judge_threshold")
    if judge_threshold is not None:
        judge_threshold = _float(judge_threshold, OPT_JUDGE_THRESHOLD)
        if not 0.0 < judge_threshold <= 1.0:
            raise SettingsError(f"{OPT_JUDGE_THRESHOLD}: must be in (0, 1], got {judge_threshold}")
    judge_scope = pick("judge_scope")
    if judge_scope is not None and judge_scope not in JUDGE_SCOPES:
        raise SettingsError(f"{OPT_JUDGE_SCOPE}: must be one of {', '.join(JUDGE_SCOPES)}, got {judge_scope!r}")
    judge_votes = pick("judge_votes")

    settings = Settings(
        models=models,
        judge_model=pick("judge_model"),
        judge_model_args=_model_args(cli.get("judge_model_arg") or [], OPT_JUDGE_MODEL_ARG),
        model_args=_model_args(cli.get("model_arg") or [], OPT_MODEL_ARG),
        limit=_positive_int(limit, OPT_LIMIT) if limit is not None else None,
        epochs=_positive_int(pick("epochs") or 1, OPT_EPOCHS),
        max_connections=_positive_int(pick("max_connections") or DEFAULT_MAX_CONNECTIONS, OPT_MAX_CONNECTIONS),
        log_dir=Path(log_dir) if log_dir else None,
        report=Path(report) if report else None,
        html=Path(pick("html")) if pick("html") else None,
        seed=_positive_int(seed, OPT_SEED, minimum=0) if seed is not None else None,
        max_retries=_positive_int(_or(pick("max_retries"), DEFAULT_MAX_RETRIES), OPT_MAX_RETRIES, minimum=0),
        timeout=_positive_int(_or(pick("timeout"), DEFAULT_TIMEOUT), OPT_TIMEOUT),
        cache=bool(pick("cache")),
        sequential=bool(pick("sequential")),
        round_pairs=_positive_int(pick("round_pairs") or DEFAULT_ROUND_PAIRS, OPT_ROUND_PAIRS),
        alpha=_alpha(pick("alpha")),
        baseline=_baseline(pick("baseline")),
        max_regression=_max_regression(pick("max_regression")),
        # `--af-batch` turns batching on; a [tool.af_bench.batch] table still tunes it.
        batch=_batch(table["batch"] if cli.get("batch") and isinstance(table.get("batch"), Mapping) else pick("batch"),
                     f"{OPT_BATCH} / {where} [{PYPROJECT_TABLE}]"),
        max_cost=_max_cost(pick("max_cost")),
        shard=_shard(cli.get("shard"), bool(pick("sequential"))),
        prices=_prices(table.get("prices"), f"{where} [{PYPROJECT_TABLE}.prices]"),
        output_tokens_per_reply=_positive_int(table.get("output_tokens_per_reply", 600),
                                              f"{where} [{PYPROJECT_TABLE}] output_tokens_per_reply"),
        attempt_timeout=_positive_int(pick("attempt_timeout"), OPT_ATTEMPT_TIMEOUT)
        if pick("attempt_timeout") is not None
        else None,
        judge_votes=_positive_int(judge_votes, OPT_JUDGE_VOTES) if judge_votes is not None else None,
        judge_threshold=judge_threshold,
        judge_scope=judge_scope,
        reasoning_tokens=_positive_int(pick("reasoning_tokens"), OPT_REASONING_TOKENS)
        if pick("reasoning_tokens") is not None
        else None,
        reasoning_effort=_reasoning_effort(pick("reasoning_effort")),
        prefill=_prefill(pick("prefill"), where),
        af_classifier=_af_classifier(pick("af_classifier"), pick("judge_model")),
        af_judge_rubric=_rubric(pick("af_judge_rubric"), where),
        file_overrides=file_overrides,
        cli_overrides=cli_overrides,
    )
    if settings.prefill and (settings.reasoning_tokens is not None or settings.reasoning_effort not in (None, "none")):
        raise SettingsError(
            f"{OPT_PREFILL} on cannot be combined with {OPT_REASONING_TOKENS} or {OPT_REASONING_EFFORT}: "
            "providers refuse an assistant prefill while the model reasons"
        )
    # Surface bad threshold values now, as a usage error, rather than in every gate.
    try:
        for model in settings.models or (ResolvedModel("any/model"),):
            settings.thresholds_for(Thresholds(), "any-scenario", model.name)
            scenarios = {*file_overrides.by_scenario, *cli_overrides.by_scenario}
            scenarios |= {s for m, s in file_overrides.by_model_scenario if m == model.name}
            for scenario in scenarios:
                settings.thresholds_for(Thresholds(), scenario, model.name)
    except ThresholdError as err:
        raise SettingsError(str(err)) from None
    return settings
