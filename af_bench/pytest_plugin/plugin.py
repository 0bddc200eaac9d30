"""af-bench's pytest plugin: hooks and fixtures only.

The options come from the table in `af_bench.gating.options`, the run's state and its end-of-run output
from `af_bench.pytest_plugin.session`, a gate's JUnit properties from `af_bench.pytest_plugin.junit`. inspect is imported
lazily (through the runner) so `pytest --help` stays fast.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest

from af_bench.pytest_plugin.gate import GATE_MARKER, MODEL_ARG, VARIANT_ARG, GateSpec, collected_gates
from af_bench.pytest_plugin.junit import junit_properties
from af_bench.gating.models import ModelNameError, same_family_warnings
from af_bench.gating.options import JUDGE_MODEL, MODEL, command_line_values, register_pytest_options
from af_bench.pytest_plugin.session import (
    LEDGER_KEY,
    RECORD_KEY,
    SESSION_KEY,
    AfSession,
    SessionReporter,
    is_worker,
    progress_sink,
)
from af_bench.gating.settings import Settings, SettingsError, build_settings

if TYPE_CHECKING:
    from af_bench.results.schema import GateRecord

NO_MODEL_REASON = (
    "af-bench gates need a model: run `pytest tests/gates --model af-bench/faker` (offline) or "
    "`--model anthropic/<model>` with ANTHROPIC_API_KEY set"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    # Every flag comes from the option table, which settings and the af-bench commands read too.
    register_pytest_options(parser.getgroup("af-bench", "af-bench alignment-faking gates").addoption)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{GATE_MARKER}(spec): an af-bench gate, run once per --model (set by @af_bench.gate)"
    )
    # inspect-ai 0.3.285 passes tenacity a deprecated argument on every model call: one warning
    # per sample would bury the gates' output.
    config.addinivalue_line("filterwarnings", "ignore:The 'initial' parameter is deprecated:DeprecationWarning")
    try:
        settings = build_settings(command_line_values(config.option), config.rootpath)
    except (SettingsError, ModelNameError) as err:
        raise pytest.UsageError(str(err)) from None
    _check_keys(settings)
    _check_outputs(settings)
    session = AfSession.start(settings, getattr(config, "workerinput", {}))
    config.stash[SESSION_KEY] = session
    config.pluginmanager.register(SessionReporter(config, session), "af_bench_session")


def pytest_sessionstart(session: pytest.Session) -> None:
    # pytest's logging plugin is registered last during configure: its handlers exist from here.
    _quiet_inspect_in_captured_logs(session.config)


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(SESSION_KEY, None)
    if session is not None and not is_worker(config):
        session.remove_run_dir()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: every worker charges the controller's ledger, so the cost cap covers the whole run."""
    node.workerinput[LEDGER_KEY] = node.config.stash[SESSION_KEY].ledger_path


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Estimate every gate collected before any request: print it, and refuse a run over the cap.
    Runs before xdist tells the controller a worker has collected, so the first worker's estimate
    is on disk for the controller to print before any test is sent out."""
    af = session.config.stash.get(SESSION_KEY, None)
    gates = collected_gates(session.items)
    if af is None or not af.settings.models or not gates:
        return
    from af_bench.gating.runner import estimate_run, known_scenarios
    from af_bench.gating.settings import check_names

    try:
        check_names(af.settings, known_scenarios(gates))
    except SettingsError as err:
        if is_worker(session.config):
            af.refusal = f"{err}; no request was made"  # every gate of the worker says so
        else:
            raise pytest.UsageError(f"{err}; no request was made") from None
    summary, refusal = estimate_run(gates, af.settings)
    summary += [f"af-bench warning: {w}" for w in same_family_warnings(af.settings.judge_models, [m.name for m in af.settings.models])]
    af.refusal = af.refusal or refusal
    workerinput = getattr(session.config, "workerinput", None)
    if workerinput is not None:
        if workerinput.get("workerid") == "gw0":
            af.share_estimate(summary)
        return
    _print(session.config, summary)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """xdist's controller collects nothing itself: it prints the estimate the first worker wrote."""
    af = node.config.stash.get(SESSION_KEY, None)
    if af is None or progress_sink(node.config) is None:
        return
    lines = af.take_shared_estimate()
    if lines is not None:
        _print(node.config, lines)


def _print(config: pytest.Config, lines: list[str]) -> None:
    sink = progress_sink(config)
    if sink is not None:
        for line in lines:
            sink(line)


class _BelowWarningFromInspect(logging.Filter):
    """Drops inspect's own records under WARNING: it sets the root logger to TRACE for its trace
    file, so without a `log_level` pytest would capture `Model: generate (enter)` and every cache
    lookup under each failed gate (1,360 of a 22-gate run's 3,334 lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.name.startswith("inspect_ai")


def _quiet_inspect_in_captured_logs(config: pytest.Config) -> None:
    """In any repository, unless the user asked pytest for a log level of their own."""
    if config.getoption("log_level", None) or config.getini("log_level"):
        return
    logging_plugin = config.pluginmanager.get_plugin("logging-plugin")
    for name in ("caplog_handler", "report_handler"):
        handler = getattr(logging_plugin, name, None)
        if isinstance(handler, logging.Handler):
            handler.addFilter(_BelowWarningFromInspect())


def _check_outputs(settings: Settings) -> None:
    """Where the reports and logs go must be writable before the first request, not after the last."""
    from af_bench.files import unwritable
    from af_bench.gating.options import HTML, LOG_DIR, REPORT

    for option, path, directory in ((REPORT, settings.report, False), (HTML, settings.html, False),
                                    (LOG_DIR, settings.log_dir, True)):
        problem = unwritable(path, directory=directory) if path is not None else None
        if problem:
            raise pytest.UsageError(f"{option.flag} {path}: {problem}; no request was made")


def _check_keys(settings: Settings) -> None:
    """Every model's key and address must be there before the first request, not discovered mid-run."""
    from af_bench.gating.providers import endpoint_problem, missing_key

    named = [(MODEL.flag, m.name) for m in settings.models]
    if "api_key" not in settings.judge_model_args:
        named += [(JUDGE_MODEL.flag, judge) for judge in settings.judge_models]
    for option, model in named:
        missing = missing_key(model)
        if missing:
            raise pytest.UsageError(f"{option} {model}: {missing} is not set; no request was made")
        problem = endpoint_problem(model) if "base_url" not in (
            settings.judge_model_args if option == JUDGE_MODEL.flag else settings.model_args) else None
        if problem:
            raise pytest.UsageError(f"{option} {model}: {problem}; no request was made")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker(GATE_MARKER) is None:
        return
    models = metafunc.config.stash[SESSION_KEY].settings.models
    spec: GateSpec = metafunc.definition.get_closest_marker(GATE_MARKER).kwargs["spec"]  # type: ignore[union-attr]
    if models and spec.variants:
        metafunc.parametrize(VARIANT_ARG, spec.variants, ids=list(spec.variants))
    if models:
        metafunc.parametrize(MODEL_ARG, [m.name for m in models], ids=[m.name for m in models])
    else:
        metafunc.parametrize(
            MODEL_ARG, [pytest.param(None, id="no-model", marks=pytest.mark.skip(reason=NO_MODEL_REASON))]
        )


@pytest.fixture
def af_variant() -> str | None:
    """The prompt variant of this item; gates declared with `variants=` parametrize it."""
    return None


@pytest.fixture
def af_gate_result(request: pytest.FixtureRequest, af_model: str, af_variant: str | None) -> GateRecord:
    """Run this item's gate on its model; an incomplete run errors here, in setup."""
    from af_bench.pytest_plugin.gate import verdict_text
    from af_bench.gating.progress import watch
    from af_bench.gating.runner import GateInterrupted, RunOptions, run_gate

    marker = request.node.get_closest_marker(GATE_MARKER)
    assert marker is not None
    spec: GateSpec = marker.kwargs["spec"]
    session = request.config.stash[SESSION_KEY]
    if session.refusal is not None:
        from af_bench.results.schema import GateRecord

        record = GateRecord(gate=spec.name, nodeid=request.node.nodeid, scenario=spec.name, model=af_model,
                            variant=af_variant,
                            thresholds=spec.thresholds, error=session.refusal)
        request.node.stash[RECORD_KEY] = record
        request.node.user_properties.extend(junit_properties(record))
        pytest.fail(verdict_text(record), pytrace=False)
    options = RunOptions(
        settings=session.settings,
        max_connections=session.max_connections,
        log_dir=session.settings.log_dir,
        ledger=session.ledger(),
        endpoints=session.endpoints,
    )
    sink = progress_sink(request.config)
    try:
        if sink is not None:
            with watch(af_model, sink):
                record = run_gate(spec, af_model, request.node.nodeid, options, af_variant)
        else:
            record = run_gate(spec, af_model, request.node.nodeid, options, af_variant)
    except GateInterrupted as stop:
        # pytest makes no report for an interrupted item: the record goes straight to the run's
        # reports, so what was spent and finished is written before the session ends (exit 2).
        session.records[request.node.nodeid] = stop.record
        raise
    request.node.stash[RECORD_KEY] = record
    request.node.user_properties.extend(junit_properties(record))
    if record.status == "error":
        pytest.fail(verdict_text(record), pytrace=False)
    return record


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    record = item.stash.get(RECORD_KEY, None)
    if record is not None and (report.when == "call" or (report.when == "setup" and report.failed)):
        # Plain attributes of a report travel from xdist workers to the controller.
        report.af_gate = record.model_dump(mode="json")
    return report
