"""The state of one pytest run of af-bench gates, shared by the plugin's hooks: the settings, this
process's share of the connection budget, the spend ledger and the cost estimate every xdist
process sees, the gate records as they arrive, and the end-of-run summary and reports.

The hooks themselves are in `af_bench.pytest_plugin.plugin`; inspect and the report writers are imported only
when a gate runs or a report is written.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from af_bench.endpoint import EndpointWatches
from af_bench.files import write_text_atomically
from af_bench.gating.settings import Settings

if TYPE_CHECKING:
    from af_bench.gating.costs import SpendLedger
    from af_bench.results.schema import GateRecord

LEDGER_KEY = "af_bench_ledger"
"""The `workerinput` entry that hands the controller's ledger to xdist workers."""
ESTIMATE_FILE = "estimate.txt"
"""Beside the ledger: the first worker's cost estimate, for the controller to print."""

Sink = Callable[[str], None]


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
    write_errors: list[str] = field(default_factory=list)
    """Reports that could not be written at the end, said after the summary (never instead of it)."""
    endpoints: EndpointWatches = field(default_factory=EndpointWatches)
    """Which endpoints this process has found answering, or down (then its later gates do not run)."""

    @classmethod
    def start(cls, settings: Settings, workerinput: Mapping[str, Any]) -> AfSession:
        """A controller (or a run without xdist) makes the run's directory; a worker joins the
        controller's, so the cost cap covers every worker."""
        workers = int(workerinput.get("workercount", 1))
        ledger = workerinput.get(LEDGER_KEY) or str(Path(tempfile.mkdtemp(prefix="af-bench-")) / "spend.jsonl")
        return cls(settings=settings, max_connections=max(1, settings.max_connections // workers), ledger_path=ledger,
                   endpoints=EndpointWatches(settings.probe_seconds, settings.max_retries))

    @property
    def run_dir(self) -> Path:
        return Path(self.ledger_path).parent

    def ledger(self) -> SpendLedger:
        from af_bench.gating.costs import SpendLedger

        return SpendLedger(Path(self.ledger_path))

    def share_estimate(self, lines: list[str]) -> None:
        """A worker's estimate, left for the controller, which collects nothing itself. Written
        whole or not at all: the controller may look while it is being written, and a partial
        file read then would count as the estimate printed."""
        write_text_atomically(self.run_dir / ESTIMATE_FILE, "\n".join(lines))

    def take_shared_estimate(self) -> list[str] | None:
        """The workers' estimate the first time it is on disk, else None (printed once per run)."""
        estimate = self.run_dir / ESTIMATE_FILE
        if self.estimate_printed or not estimate.is_file():
            return None
        self.estimate_printed = True
        return estimate.read_text(encoding="utf-8").splitlines()

    def remove_run_dir(self) -> None:
        shutil.rmtree(self.run_dir, ignore_errors=True)


SESSION_KEY = pytest.StashKey[AfSession]()
RECORD_KEY = pytest.StashKey["GateRecord"]()


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def progress_sink(config: pytest.Config) -> Sink | None:
    """Writes a line to the terminal past pytest's capture; None where there is no terminal."""
    if is_worker(config):
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


def _write_json(records: list[GateRecord], path: Path) -> None:
    from af_bench.results.terminal import write_report

    write_report(records, path)


def _write_html(records: list[GateRecord], path: Path) -> None:
    from af_bench.results.html import write_html
    from af_bench.results.terminal import build_report

    write_html([build_report(records)], path)


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
        from af_bench.results.schema import GateRecord

        self.session.records[report.nodeid] = GateRecord.model_validate(data)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if is_worker(self.config) or not self.session.records:
            return
        from af_bench.results.terminal import summary_table

        terminalreporter.section("af-bench")
        terminalreporter.write(
            summary_table(
                list(self.session.records.values()),
                width=shutil.get_terminal_size(fallback=(120, 24)).columns,
                color=terminalreporter.hasmarkup,
            )
        )
        for label, path in (("report", self.session.settings.report), ("HTML report", self.session.settings.html)):
            if path is not None and not any(error.startswith(str(path)) for error in self.session.write_errors):
                terminalreporter.write_line(f"af-bench {label}: {path}")
        for error in self.session.write_errors:
            terminalreporter.write_line(f"af-bench could not write {error}", red=True)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        settings = self.session.settings
        if is_worker(self.config):
            return
        records = list(self.session.records.values())
        for path, write in ((settings.report, _write_json), (settings.html, _write_html)):
            if path is None:
                continue
            try:
                write(records, path)
            except OSError as err:
                self.session.write_errors.append(f"{path}: {err.strerror or err}")
                if session.exitstatus == pytest.ExitCode.OK:
                    session.exitstatus = pytest.ExitCode.TESTS_FAILED
