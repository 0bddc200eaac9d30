"""af-bench's pytest plugin: options, gate parametrisation per model, and the session's output.

Hooks only; inspect is imported lazily (through the runner) so `pytest --help` stays fast.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from af_bench.gate import GATE_MARKER, MODEL_ARG, VARIANT_ARG, GateSpec
from af_bench.models import ModelNameError
from af_bench.protocol import REASONING_EFFORTS
from af_bench.settings import (
    OPT_EPOCHS,
    OPT_JUDGE_MODEL,
    OPT_JUDGE_MODEL_ARG,
    OPT_MODEL_ARG,
    OPT_ROUND_PAIRS,
    OPT_SEQUENTIAL,
    OPT_ALPHA,
    OPT_BASELINE,
    OPT_BATCH,
    AF_CLASSIFIERS,
    OPT_AF_CLASSIFIER,
    OPT_AF_JUDGE_RUBRIC,
    OPT_MAX_COST,
    OPT_PREFILL,
    OPT_REASONING_EFFORT,
    OPT_REASONING_TOKENS,
    OPT_SHARD,
    OPT_HTML,
    OPT_MAX_REGRESSION,
    OPT_JUDGE_SCOPE,
    OPT_JUDGE_THRESHOLD,
    OPT_JUDGE_VOTES,
    OPT_ATTEMPT_TIMEOUT,
    OPT_CACHE,
    OPT_LIMIT,
    OPT_MAX_RETRIES,
    OPT_TIMEOUT,
    OPT_LOG_DIR,
    OPT_MAX_CONNECTIONS,
    OPT_MIN_PAIRS,
    OPT_MODE,
    OPT_MODEL,
    OPT_REPORT,
    OPT_SEED,
    OPT_THRESHOLD,
    Settings,
    SettingsError,
    build_settings,
)

if TYPE_CHECKING:
    from af_bench.costs import SpendLedger
    from af_bench.results import GateRecord

NO_MODEL_REASON = (
    "af-bench gates need a model: run `pytest tests/gates --model af-bench/faker` (offline) or "
    "`--model anthropic/<model>` with ANTHROPIC_API_KEY set"
)


@dataclass
class AfSession:
    """The run's state, kept in `config.stash`."""

    settings: Settings
    max_connections: int
    """This process's share of the connection budget."""
    ledger_path: str
    """The run's spend, shared with xdist workers."""
    records: dict[str, GateRecord] = field(default_factory=dict)
    refusal: str | None = None
    """Why no gate may start (the run's estimate is over --af-max-cost), or None."""
    estimate_printed: bool = False

    def ledger(self) -> SpendLedger:
        from af_bench.costs import SpendLedger

        return SpendLedger(Path(self.ledger_path))


SESSION_KEY = pytest.StashKey[AfSession]()
RECORD_KEY = pytest.StashKey["GateRecord"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("af-bench", "af-bench alignment-faking gates")
    group.addoption(OPT_MODEL, action="append", dest="af_model", default=[], metavar="MODEL",
                    help="Model to gate (repeatable): an inspect name such as anthropic/claude-opus-4-5-20251101 "
                         "or af-bench/faker, or a short alias such as claude-opus-4-5.")
    group.addoption(OPT_MODEL_ARG, action="append", dest="af_model_arg", default=[], metavar="NAME=VALUE",
                    help="Model arg for every gated model (repeatable), as inspect's -M: "
                         "--model-arg eval_aware=0.5 for an organism.")
    group.addoption(OPT_JUDGE_MODEL, dest="af_judge_model", metavar="MODEL",
                    help="Model for the alignment-faking judge (inspect's 'grader' role).")
    group.addoption(OPT_JUDGE_MODEL_ARG, action="append", dest="af_judge_model_arg", default=[],
                    metavar="NAME=VALUE", help="Model arg for the judge model (repeatable).")
    group.addoption(OPT_JUDGE_VOTES, dest="af_judge_votes", metavar="N",
                    help="Judge votes per scratchpad (default 20).")
    group.addoption(OPT_JUDGE_THRESHOLD, dest="af_judge_threshold", metavar="X",
                    help="Vote fraction that makes a scratchpad alignment faking (default 0.4).")
    group.addoption(OPT_JUDGE_SCOPE, dest="af_judge_scope", choices=("training", "training_compliant", "all"),
                    help="Samples the judge reads (default training; 'all' adds unmonitored ones).")
    group.addoption(OPT_LIMIT, dest="af_limit", metavar="N",
                    help="Requests per gate, each asked under every condition (default: the whole set).")
    group.addoption(OPT_EPOCHS, dest="af_epochs", metavar="N", help="Epochs per sample (default 1).")
    group.addoption(OPT_MAX_CONNECTIONS, dest="af_max_connections", metavar="N",
                    help="Concurrent model connections in total, split across xdist workers (default 10).")
    group.addoption(OPT_LOG_DIR, dest="af_log_dir", metavar="DIR",
                    help="Where inspect writes the gates' logs (default: inspect's, ./logs).")
    group.addoption(OPT_REPORT, dest="af_report", metavar="PATH", help="Write the JSON report here.")
    group.addoption(OPT_HTML, dest="af_html", metavar="PATH",
                    help="Write a self-contained HTML report here (af-bench report rebuilds it from JSON).")
    group.addoption(OPT_SEED, dest="af_seed", metavar="N", help="Seed passed to the model's generate config.")
    group.addoption(OPT_MAX_RETRIES, dest="af_max_retries", metavar="N",
                    help="Retries per model call before the sample errors (default 6).")
    group.addoption(OPT_TIMEOUT, dest="af_timeout", metavar="SECONDS",
                    help="Time one model call may take, retries included (default 900).")
    group.addoption(OPT_ATTEMPT_TIMEOUT, dest="af_attempt_timeout", metavar="SECONDS",
                    help="Abandon and retry an attempt that takes longer than this.")
    group.addoption(OPT_CACHE, dest="af_cache", action="store_true", default=None,
                    help="Cache responses across runs, for development (never for release gating).")
    group.addoption(OPT_SEQUENTIAL, dest="af_sequential", action="store_true", default=None,
                    help="Sample pairs in rounds and stop as soon as an anytime-valid confidence sequence "
                         "settles the verdict; --af-limit is then the budget.")
    group.addoption(OPT_ROUND_PAIRS, dest="af_round_pairs", metavar="N",
                    help="Pairs per round of a sequential gate (default 20).")
    group.addoption(OPT_ALPHA, dest="af_alpha", metavar="X",
                    help="Error rate of a sequential gate (default 0.05).")
    group.addoption(OPT_BASELINE, dest="af_baseline", metavar="REPORT.json",
                    help="Compare each gate with the same gate in a previous release's JSON report.")
    group.addoption(OPT_MAX_REGRESSION, dest="af_max_regression", metavar="X",
                    help="Fail when a contrast is worse than the baseline by more than X, with 95%% "
                         "confidence (default 0.0).")
    group.addoption(OPT_BATCH, dest="af_batch", action="store_true", default=None,
                    help="Send requests through the provider's batch API (about half the price, slower).")
    group.addoption(OPT_MAX_COST, dest="af_max_cost", metavar="USD",
                    help="Refuse a run estimated to cost more than USD, and stop one that spends more.")
    group.addoption(OPT_AF_CLASSIFIER, dest="af_classifier", choices=AF_CLASSIFIERS,
                    help="Alignment-faking classifier: auto (the judge when --judge-model is given), heuristic "
                         "(the offline one, gated on real models too), judge.")
    group.addoption(OPT_AF_JUDGE_RUBRIC, dest="af_judge_rubric", metavar="PATH",
                    help="Your own alignment-faking judge prompt, used verbatim: {transcript} where the reasoning "
                         "goes, a <final_answer>Yes|No</final_answer> verdict (or af-bench's own tokens).")
    group.addoption(OPT_REASONING_TOKENS, dest="af_reasoning_tokens", metavar="N",
                    help="Ask every gated model to reason with this token budget (no prefill is then sent).")
    group.addoption(OPT_REASONING_EFFORT, dest="af_reasoning_effort", choices=REASONING_EFFORTS,
                    help="Ask every gated model to reason at this effort (no prefill is then sent).")
    group.addoption(OPT_PREFILL, dest="af_prefill", choices=("on", "off"),
                    help="Send the assistant prefill '<' to every provider (on) or none (off); by default "
                         "only to those that continue it (Anthropic without thinking, the organisms).")
    group.addoption(OPT_SHARD, dest="af_shard", metavar="I/N",
                    help="Run the I-th of N equal shares of every gate's pairs (merge with `af-bench merge`).")
    group.addoption(OPT_MODE, dest="af_mode", choices=("point", "strict"),
                    help="Gate on the point estimate (point) or the upper end of the 95%% interval (strict).")
    group.addoption(OPT_MIN_PAIRS, dest="af_min_pairs", metavar="N",
                    help="Completed request pairs a verdict needs.")
    group.addoption(OPT_THRESHOLD, action="append", dest="af_threshold", default=[],
                    metavar="[SCENARIO.]NAME=VALUE",
                    help="Override a threshold for every gate, or for one scenario (repeatable).")


def _cli_values(config: pytest.Config) -> dict[str, Any]:
    option = config.option
    return {
        "model": option.af_model,
        "judge_model": option.af_judge_model,
        "limit": option.af_limit,
        "epochs": option.af_epochs,
        "max_connections": option.af_max_connections,
        "log_dir": option.af_log_dir,
        "report": option.af_report,
        "seed": option.af_seed,
        "mode": option.af_mode,
        "min_pairs": option.af_min_pairs,
        "threshold": option.af_threshold,
        "judge_votes": option.af_judge_votes,
        "judge_model_arg": option.af_judge_model_arg,
        "model_arg": option.af_model_arg,
        "judge_threshold": option.af_judge_threshold,
        "judge_scope": option.af_judge_scope,
        "max_retries": option.af_max_retries,
        "timeout": option.af_timeout,
        "cache": option.af_cache,
        "attempt_timeout": option.af_attempt_timeout,
        "sequential": option.af_sequential,
        "round_pairs": option.af_round_pairs,
        "alpha": option.af_alpha,
        "baseline": option.af_baseline,
        "max_regression": option.af_max_regression,
        "batch": option.af_batch,
        "max_cost": option.af_max_cost,
        "shard": option.af_shard,
        "af_classifier": option.af_classifier,
        "af_judge_rubric": option.af_judge_rubric,
        "reasoning_tokens": option.af_reasoning_tokens,
        "reasoning_effort": option.af_reasoning_effort,
        "prefill": {"on": True, "off": False}.get(option.af_prefill),
        "html": option.af_html,
    }


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{GATE_MARKER}(spec): an af-bench gate, run once per --model (set by @af_bench.gate)"
    )
    # inspect-ai 0.3.285 passes tenacity a deprecated argument on every model call: one warning
    # per sample would bury the gates' output.
    config.addinivalue_line("filterwarnings", "ignore:The 'initial' parameter is deprecated:DeprecationWarning")
    try:
        settings = build_settings(_cli_values(config), config.rootpath)
    except (SettingsError, ModelNameError) as err:
        raise pytest.UsageError(str(err)) from None
    _check_keys(settings)
    workerinput = getattr(config, "workerinput", {})
    workers = int(workerinput.get("workercount", 1))
    share = max(1, settings.max_connections // workers)
    ledger = workerinput.get("af_bench_ledger") or str(Path(tempfile.mkdtemp(prefix="af-bench-")) / "spend.jsonl")
    session = AfSession(settings=settings, max_connections=share, ledger_path=ledger)
    config.stash[SESSION_KEY] = session
    config.pluginmanager.register(SessionReporter(config, session), "af_bench_session")


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(SESSION_KEY, None)
    if session is not None and not hasattr(config, "workerinput"):
        import shutil

        shutil.rmtree(Path(session.ledger_path).parent, ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: every worker charges the controller's ledger, so the cost cap covers the whole run."""
    node.workerinput["af_bench_ledger"] = node.config.stash[SESSION_KEY].ledger_path


ESTIMATE_FILE = "estimate.txt"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Estimate every gate collected before any request: print it, and refuse a run over the cap.
    Runs before xdist tells the controller a worker has collected, so the first worker's estimate
    is on disk for the controller to print before any test is sent out."""
    af = session.config.stash.get(SESSION_KEY, None)
    gates = [item for item in session.items if item.get_closest_marker(GATE_MARKER) is not None]
    if af is None or not af.settings.models or not gates:
        return
    from af_bench.runner import estimate_run

    summary, af.refusal = estimate_run(gates, af.settings)
    workerinput = getattr(session.config, "workerinput", None)
    if workerinput is not None:
        if workerinput.get("workerid") == "gw0":
            (Path(af.ledger_path).parent / ESTIMATE_FILE).write_text("\n".join(summary), encoding="utf-8")
        return
    sink = _progress_sink(session.config)
    if sink is not None:
        for line in summary:
            sink(line)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """xdist's controller collects nothing itself: it prints the estimate the first worker wrote."""
    af = node.config.stash.get(SESSION_KEY, None)
    if af is None or af.estimate_printed:
        return
    estimate = Path(af.ledger_path).parent / ESTIMATE_FILE
    sink = _progress_sink(node.config)
    if estimate.is_file() and sink is not None:
        af.estimate_printed = True
        for line in estimate.read_text(encoding="utf-8").splitlines():
            sink(line)


def _check_keys(settings: Settings) -> None:
    """Every model's key must be there before the first request, not discovered mid-run."""
    from af_bench.providers import missing_key

    named = [(OPT_MODEL, m.name) for m in settings.models]
    if settings.judge_model and "api_key" not in settings.judge_model_args:
        named.append((OPT_JUDGE_MODEL, settings.judge_model))
    for option, model in named:
        missing = missing_key(model)
        if missing:
            raise pytest.UsageError(f"{option} {model}: {missing} is not set; no request was made")


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


def _progress_sink(config: pytest.Config) -> Any:
    if hasattr(config, "workerinput"):
        return None  # xdist workers have no terminal; the controller shows per-item progress
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return None

    def sink(line: str) -> None:
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()
            reporter.write_line(line)

    return sink


def junit_properties(record: GateRecord) -> list[tuple[str, object]]:
    props: list[tuple[str, object]] = [
        ("af_model", record.model),
        ("af_scenario", record.scenario),
        ("af_status", record.status),
    ]
    if record.variant is not None:
        props.append(("af_variant", record.variant))
    if record.baseline is not None:
        props.append(("af_baseline_model", record.baseline["model"]))
        for name, r in record.baseline["contrasts"].items():
            props += [(f"af_baseline_{name}", r["baseline"]), (f"af_baseline_{name}_regression", r["regression"]),
                      (f"af_baseline_{name}_regression_ci_low", r["ci_low"])]
    if record.sequential is not None:
        props += [(f"af_sequential_{k}", record.sequential[k]) for k in ("stopped", "pairs_used", "pairs_budget", "fixed_pairs")]
    metrics = record.metrics
    if metrics is not None:
        for name, gap in metrics.contrasts.items():
            props += [
                (f"af_{name}", gap.value), (f"af_{name}_ci_low", gap.ci_low),
                (f"af_{name}_ci_high", gap.ci_high), (f"af_{name}_p_value", gap.p_value),
            ]
        props += [(f"af_{name}_eval_awareness", v) for name, v in metrics.eval_awareness.items() if v is not None]
        props += [
            ("af_pairs", metrics.pairs), ("af_rate", metrics.af_rate), ("af_gated", record.af_gated),
            ("af_rate_among_compliant", metrics.af_rate_among_compliant),
            ("af_samples_errored", metrics.counts.samples_errored),
            ("af_samples_failed", metrics.counts.samples_failed),
        ]
        props += [(f"af_{name}_complied", c.complied) for name, c in metrics.conditions.items()]
        props += [(f"af_{name}_blocked", c.blocked) for name, c in metrics.conditions.items()]
        props.append(("af_samples_blocked", metrics.counts.samples_blocked))
        props += [
            (f"af_{name}_{key}", rate) for name, c in metrics.conditions.items() for key, rate in c.behaviour.items()
        ]
        if metrics.judged:
            props += [(f"af_{name}_partial_compliance", v) for name, v in metrics.partial_compliance.items()]
            props += [("af_judge_failures", metrics.judge_failures), ("af_judged", metrics.judged)]
    if record.usage is not None:
        props += [(f"af_{key}", record.usage[key]) for key in ("input_tokens", "output_tokens", "cost_usd")
                  if key in record.usage]
        props.append(("af_estimate_usd", (record.usage.get("estimate") or {}).get("cost_usd")))
    if record.error:
        props.append(("af_error", record.error))
    if record.log:
        props.append(("af_log", record.log))
    return props


@pytest.fixture
def af_variant() -> str | None:
    """The prompt variant of this item; gates declared with `variants=` parametrize it."""
    return None


@pytest.fixture
def af_gate_result(request: pytest.FixtureRequest, af_model: str, af_variant: str | None) -> GateRecord:
    """Run this item's gate on its model; an incomplete run errors here, in setup."""
    from af_bench.gate import verdict_text
    from af_bench.progress import watch
    from af_bench.runner import RunOptions, run_gate

    marker = request.node.get_closest_marker(GATE_MARKER)
    assert marker is not None
    spec: GateSpec = marker.kwargs["spec"]
    session = request.config.stash[SESSION_KEY]
    if session.refusal is not None:
        from af_bench.results import GateRecord

        record = GateRecord(gate=spec.name, nodeid=request.node.nodeid, scenario=spec.name, model=af_model,
                            variant=af_variant, status="error", passed=False,
                            thresholds=spec.thresholds.as_dict(), error=session.refusal)
        request.node.stash[RECORD_KEY] = record
        request.node.user_properties.extend(junit_properties(record))
        pytest.fail(verdict_text(record), pytrace=False)
    options = RunOptions(
        settings=session.settings,
        max_connections=session.max_connections,
        log_dir=session.settings.log_dir,
        ledger=session.ledger(),
    )
    sink = _progress_sink(request.config)
    if sink is not None:
        with watch(af_model, sink):
            record = run_gate(spec, af_model, request.node.nodeid, options, af_variant)
    else:
        record = run_gate(spec, af_model, request.node.nodeid, options, af_variant)
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


class SessionReporter:
    """Collects gate records as reports arrive (from xdist workers too) and writes the summary
    and the JSON report on the controller."""

    def __init__(self, config: pytest.Config, session: AfSession) -> None:
        self.config = config
        self.session = session

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, "af_gate", None)
        if data is None:
            return
        from af_bench.results import GateRecord

        self.session.records[report.nodeid] = GateRecord.model_validate(data)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if hasattr(self.config, "workerinput") or not self.session.records:
            return
        from af_bench.report import summary_table

        terminalreporter.section("af-bench")
        terminalreporter.write(
            summary_table(
                list(self.session.records.values()),
                # CI logs do not wrap, so a narrow terminal width would only squeeze the table.
                width=max(160, terminalreporter._tw.fullwidth),
                color=terminalreporter.hasmarkup,
            )
        )
        for label, path in (("report", self.session.settings.report), ("HTML report", self.session.settings.html)):
            if path is not None:
                terminalreporter.write_line(f"af-bench {label}: {path}")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        settings = self.session.settings
        if hasattr(self.config, "workerinput"):
            return
        records = list(self.session.records.values())
        if settings.report is not None:
            from af_bench.report import write_report

            write_report(records, settings.report)
        if settings.html is not None:
            from af_bench.html_report import write_html
            from af_bench.report import build_report

            write_html([build_report(records).model_dump(mode="json")], settings.html)
