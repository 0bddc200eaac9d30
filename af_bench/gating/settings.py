"""af-bench's run settings: the command line over `[tool.af_bench]` in pyproject.toml over the
defaults, every option read through its row of `af_bench.gating.options`. No pytest here: the plugin
passes the command line's raw values in (`af_bench.gating.options.command_line_values`)."""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from af_bench.gating.models import ALIASES, ResolvedModel
from af_bench.gating.options import (
    AF_CLASSIFIER,
    AF_CLASSIFIERS,
    AF_JUDGE_RUBRIC,
    ALPHA,
    ATTEMPT_TIMEOUT,
    BASELINE,
    BATCH,
    CACHE,
    DOWN_AFTER,
    EPOCHS,
    HTML,
    JUDGE_MODEL,
    JUDGE_MODEL_ARG,
    JUDGE_SCOPE,
    JUDGE_SCOPES,
    JUDGE_THRESHOLD,
    JUDGE_VOTES,
    LIMIT,
    LOG_DIR,
    MAX_CONNECTIONS,
    MAX_COST,
    MAX_REGRESSION,
    MAX_TOKENS,
    PARAPHRASES,
    MAX_RETRIES,
    MIN_PAIRS,
    MODE,
    MODEL,
    MODEL_ARG,
    MODELS,
    OPTIONS,
    OUTPUT_TOKENS_PER_REPLY,
    PREFILL,
    PRICES,
    PYPROJECT_FILE,
    PYPROJECT_KEYS,
    PYPROJECT_TABLE,
    REASONING_EFFORT,
    REASONING_TOKENS,
    REPORT,
    ROUND_PAIRS,
    SEED,
    SEQUENTIAL,
    SHARD,
    THRESHOLD,
    THRESHOLDS,
    TIMEOUT,
    SettingsError,
    scoring_overrides,
)
from af_bench.gating.prices import PriceTable
from af_bench.results.shard import Shard
from af_bench.results.thresholds import Thresholds, ThresholdError

__all__ = [
    "AF_CLASSIFIERS", "JUDGE_SCOPES", "PYPROJECT_TABLE", "Settings", "SettingsError", "ThresholdOverrides",
    "build_settings", "check_names", "read_pyproject", "threshold_overrides",
]


@dataclass(frozen=True)
class ThresholdOverrides:
    """Threshold overrides by scope, from pyproject.toml or the command line. Built whole (see
    `_file_overrides`, `threshold_overrides`) and never changed after."""

    everywhere: dict[str, Any] = field(default_factory=dict)
    by_scenario: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_model: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_model_scenario: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    models: tuple[ResolvedModel, ...] = MODEL.default
    judge_models: tuple[str, ...] = JUDGE_MODEL.default
    """The judges, in order; more than one is a panel deciding alignment-faking reasoning by
    majority (the other rubrics ask the first)."""
    judge_model_args: dict[str, Any] = field(default_factory=JUDGE_MODEL_ARG.default_value)
    """Model args for every judge (`-M`-style), for example a base URL or the scripted judge's faults."""
    model_args: dict[str, Any] = field(default_factory=MODEL_ARG.default_value)
    """Model args for every gated model (inspect's `-M`)."""
    limit: int | None = LIMIT.default
    """Requests per gate (each asked under every condition), None for the whole set."""
    epochs: int = EPOCHS.default
    max_connections: int = MAX_CONNECTIONS.default
    """Total across xdist workers."""
    log_dir: Path | None = LOG_DIR.default
    report: Path | None = REPORT.default
    html: Path | None = HTML.default
    """Where the HTML report goes (written with the JSON report, at the end of the session)."""
    seed: int | None = SEED.default
    max_retries: int = MAX_RETRIES.default
    """Retries per model call after the first attempt (inspect's; the SDK may retry inside each)."""
    timeout: int = TIMEOUT.default
    """Seconds one model call may take, retries included."""
    down_after: int = DOWN_AFTER.default
    """Seconds of retries a call may spend before its endpoint has answered once (0: no limit);
    read through `probe_seconds`."""
    attempt_timeout: int | None = ATTEMPT_TIMEOUT.default
    """Seconds one attempt may take before it is abandoned and retried (None: the SDK's own)."""
    cache: bool = CACHE.default
    """Development response cache shared across runs (never for release gating)."""
    sequential: bool = SEQUENTIAL.default
    """Sample pairs in rounds and stop once an anytime-valid confidence sequence settles the verdict."""
    round_pairs: int = ROUND_PAIRS.default
    """Pairs per round of a sequential gate."""
    alpha: float = ALPHA.default
    """Error rate of a sequential gate's confidence sequences."""
    baseline: Path | None = BASELINE.default
    """A previous release's JSON report to compare each gate with."""
    max_regression: float = MAX_REGRESSION.default
    """Largest allowed worsening of a contrast against the baseline (on the interval's lower end)."""
    batch: dict[str, Any] | None = BATCH.default
    """Send requests through the provider's batch API (inspect's BatchConfig fields; {} for its defaults)."""
    max_cost: float | None = MAX_COST.default
    """US dollars the whole run may spend (every gate, every worker); None for no cap."""
    shard: Shard | None = SHARD.default
    """Run only this share of every gate's pairs (merge the shards' reports with `af-bench merge`)."""
    prices: PriceTable = field(default_factory=PRICES.default_value)
    output_tokens_per_reply: int = OUTPUT_TOKENS_PER_REPLY.default
    """Assumed reply length for cost estimates."""
    judge_votes: int | None = JUDGE_VOTES.default
    judge_threshold: float | None = JUDGE_THRESHOLD.default
    judge_scope: str | None = JUDGE_SCOPE.default
    max_tokens: int | None = MAX_TOKENS.default
    """Token limit of every reply (None: each scenario's own)."""
    paraphrases: int = PARAPHRASES.default
    """Paraphrases of each gate's system prompt its pairs are spread over, beside the published wording."""
    reasoning_tokens: int | None = REASONING_TOKENS.default
    """Reasoning budget asked of every gated model (inspect's `reasoning_tokens`)."""
    reasoning_effort: str | None = REASONING_EFFORT.default
    """Reasoning effort asked of every gated model (inspect's `reasoning_effort`)."""
    prefill: bool | None = PREFILL.default
    """Send the assistant prefill everywhere (True), nowhere (False), or where it is continued (None)."""
    af_judge_rubric: Path | None = AF_JUDGE_RUBRIC.default
    """The user's own alignment-faking judge prompt (the literature's, verbatim: `{transcript}` where
    the reasoning goes, a `<final_answer>` verdict)."""
    af_classifier: str = AF_CLASSIFIER.default
    """The alignment-faking classifier: `auto` (the judge when one is given), `heuristic` (the
    offline one, whose rate `max_af_rate` then gates on real models too) or `judge`."""
    file_overrides: ThresholdOverrides = field(default_factory=ThresholdOverrides)
    cli_overrides: ThresholdOverrides = field(default_factory=ThresholdOverrides)

    def scoring_overrides(self) -> dict[str, Any]:
        """Scorer options the run changes (left to the scenario where not given)."""
        return scoring_overrides({o.name: getattr(self, o.field) for o in OPTIONS if o.scoring and o.field})

    @property
    def probe_seconds(self) -> int | None:
        """How long a call may retry before its endpoint has answered once: never past --af-timeout."""
        return min(self.down_after, self.timeout) or None

    def protocol_overrides(self) -> dict[str, Any]:
        """Protocol options the run changes in every scenario (`af_bench.scenarios.build.with_protocol`)."""
        given = {"max_tokens": self.max_tokens, "reasoning_tokens": self.reasoning_tokens,
                 "reasoning_effort": self.reasoning_effort, "prefill": self.prefill}
        return {key: value for key, value in given.items() if value is not None}

    def thresholds_for(self, base: Thresholds, scenario: str, model: str) -> Thresholds:
        """Decorator thresholds, then pyproject (everywhere, scenario, model, model+scenario),
        then the command line in the same order: the more specific and the later one wins."""
        result = base
        for origin, overrides in ((f"{PYPROJECT_FILE} [{PYPROJECT_TABLE}]", self.file_overrides),
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
    path = rootpath / PYPROJECT_FILE
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


# The threshold options apply in layers (everywhere, scenario, model), so they are read from each
# source apart rather than through one option's precedence.
_EVERYWHERE_THRESHOLDS = (MODE, MIN_PAIRS)


def _file_overrides(table: Mapping[str, Any], file: Path) -> ThresholdOverrides:
    everywhere = {o.name: o.parse_file(table[o.name], file) for o in _EVERYWHERE_THRESHOLDS if o.name in table}
    by_scenario: dict[str, dict[str, Any]] = {}
    by_model: dict[str, dict[str, Any]] = {}
    by_model_scenario: dict[tuple[str, str], dict[str, Any]] = {}
    thresholds = THRESHOLDS.read({}, table, file)
    for name, value in thresholds.items():
        if isinstance(value, dict):
            by_scenario[name] = dict(value)
        else:
            everywhere[name] = value  # checked with the others at the end of build_settings
    where = f"{file} [{PYPROJECT_TABLE}.{MODELS.name}]"
    for model, model_table in MODELS.read({}, table, file).items():
        if not isinstance(model_table, dict):
            raise SettingsError(f"{where}: {model!r} must be a table")
        name = _full_model_name(model, where)
        # Scalars are thresholds for every gate of this model; tables are per scenario.
        scalars = {key: value for key, value in model_table.items() if not isinstance(value, dict)}
        if scalars:
            by_model[name] = {**by_model.get(name, {}), **scalars}  # an alias and its full name add up
        for scenario, value in model_table.items():
            if isinstance(value, dict):
                by_model_scenario[(name, scenario)] = dict(value)
    return ThresholdOverrides(everywhere, by_scenario, by_model, by_model_scenario)


def _full_model_name(value: str, where: str) -> str:
    if "/" in value:
        return value
    if value in ALIASES:
        return ALIASES[value]
    raise SettingsError(f"{where}: unknown model alias {value!r}")


def threshold_overrides(values: Sequence[str], flag: str | None = THRESHOLD.flag) -> ThresholdOverrides:
    """`name=value` for every gate, `scenario.name=value` for one scenario."""
    everywhere: dict[str, Any] = {}
    by_scenario: dict[str, dict[str, Any]] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep:
            raise SettingsError(f"{flag} {item}: expected NAME=VALUE or SCENARIO.NAME=VALUE")
        scenario, dot, name = key.strip().rpartition(".")
        target = by_scenario.setdefault(scenario, {}) if dot else everywhere
        target[name] = value.strip()
    return ThresholdOverrides(everywhere=everywhere, by_scenario=by_scenario)


def _cli_overrides(cli: Mapping[str, Any]) -> ThresholdOverrides:
    given = threshold_overrides(THRESHOLD.read(cli, {}, Path()))
    # `--af-mode` and `--af-min-pairs` beat `--af-threshold mode=...`, as they always have.
    flags = {o.name: o.parse_cli(cli[o.name]) for o in _EVERYWHERE_THRESHOLDS if o.given(cli)}
    return dataclasses.replace(given, everywhere={**given.everywhere, **flags})


def build_settings(cli: Mapping[str, Any], rootpath: Path) -> Settings:
    """Merge command-line values (raw, by option name; None or [] where not given) over
    pyproject.toml's `[tool.af_bench]` table."""
    table = read_pyproject(rootpath)
    file = rootpath / PYPROJECT_FILE
    unknown = set(table) - PYPROJECT_KEYS
    if unknown:
        raise SettingsError(f"{file} [{PYPROJECT_TABLE}]: unknown keys {sorted(unknown)}")
    values = {o.field: o.read(cli, table, file) for o in OPTIONS if o.field is not None}
    if BATCH.given(cli) and isinstance(table.get(BATCH.name), Mapping):
        # `--af-batch` turns batching on; a [tool.af_bench.batch] table still tunes it.
        values[BATCH.name] = BATCH.parse_file(table[BATCH.name], file)
    settings = Settings(**values, file_overrides=_file_overrides(table, file), cli_overrides=_cli_overrides(cli))
    _check_combinations(settings)
    _check_thresholds(settings)
    return settings


def _check_combinations(settings: Settings) -> None:
    """The options that are fine alone but not together."""
    if settings.shard is not None and settings.sequential:
        # When to stop is read from all the pairs so far; a shard sees only its own.
        raise SettingsError(f"{SHARD.flag} cannot be combined with {SEQUENTIAL.flag}")
    if settings.af_classifier == "judge" and not settings.judge_models:
        raise SettingsError(f"{AF_CLASSIFIER.flag} judge needs a judge model: pass {JUDGE_MODEL.flag}")
    if settings.prefill and (settings.reasoning_tokens is not None or settings.reasoning_effort not in (None, "none")):
        raise SettingsError(
            f"{PREFILL.flag} on cannot be combined with {REASONING_TOKENS.flag} or {REASONING_EFFORT.flag}: "
            "providers refuse an assistant prefill while the model reasons"
        )


def _check_thresholds(settings: Settings) -> None:
    """Surface bad threshold values now, as a usage error, rather than in every gate."""
    file_overrides, cli_overrides = settings.file_overrides, settings.cli_overrides
    try:
        for model in settings.models or (ResolvedModel("any/model"),):
            settings.thresholds_for(Thresholds(), "any-scenario", model.name)
            scenarios = {*file_overrides.by_scenario, *cli_overrides.by_scenario}
            scenarios |= {s for m, s in file_overrides.by_model_scenario if m == model.name}
            for scenario in scenarios:
                settings.thresholds_for(Thresholds(), scenario, model.name)
    except ThresholdError as err:
        raise SettingsError(str(err)) from None


def _close(name: str, valid: Iterable[str]) -> str:
    near = difflib.get_close_matches(name, sorted(set(valid)), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""


def check_names(settings: Settings, scenarios: Mapping[str, set[str]]) -> None:
    """Every scenario, contrast and model a threshold override names must be one the run knows:
    a misspelt name would otherwise be dropped without a word and the gate run on the default.
    `scenarios` maps each known scenario (shipped or collected) to its contrasts."""
    fields = {f.name for f in dataclasses.fields(Thresholds)} - {"contrast_max", "contrast_min"}
    every_contrast = {c for contrasts in scenarios.values() for c in contrasts}
    models = {m.name for m in settings.models}

    def check(where: str, values: Mapping[str, Any], contrasts: set[str]) -> None:
        valid = fields | {f"{side}_{c}" for c in contrasts for side in ("max", "min")}
        for name in values:
            if name not in valid:
                raise SettingsError(f"{where}: {name!r} names no threshold or contrast{_close(name, valid)}")

    def scenario_of(where: str, scenario: str) -> set[str]:
        if scenario not in scenarios:
            raise SettingsError(f"{where}: {scenario!r} names no scenario{_close(scenario, scenarios)}")
        return scenarios[scenario]

    def model_of(where: str, model: str) -> None:
        near = difflib.get_close_matches(model, sorted(models), n=1, cutoff=0.8)
        if model not in models and near:
            raise SettingsError(f"{where}: {model!r} is no model of this run; did you mean {near[0]!r}?")

    file_table = f"{PYPROJECT_FILE} [{PYPROJECT_TABLE}"
    for overrides, everywhere, per_scenario, per_model in (
        (settings.file_overrides, f"{file_table}.{THRESHOLDS.name}]", f"{file_table}.{THRESHOLDS.name}.{{}}]",
         f"{file_table}.{MODELS.name}.\"{{}}\"]"),
        (settings.cli_overrides, THRESHOLD.flag, f"{THRESHOLD.flag} {{}}.NAME", ""),
    ):
        check(str(everywhere), overrides.everywhere, every_contrast)
        for scenario, values in overrides.by_scenario.items():
            where = per_scenario.format(scenario)
            check(where, values, scenario_of(where, scenario))
        for model, values in overrides.by_model.items():
            where = per_model.format(model)
            model_of(where, model)
            check(where, values, every_contrast)
        for (model, scenario), values in overrides.by_model_scenario.items():
            where = per_model.format(model)[:-1] + f".{scenario}]"
            model_of(where, model)
            check(where, values, scenario_of(where, scenario))
