"""The HTML report in headless Chromium: nothing fetched, nothing logged as an error, no script run
(even from hostile model text), the charts and gates visible, a sample's scratchpad one click away.

Skipped when playwright or a Chromium binary is missing. With AF_BENCH_UPDATE_SCREENSHOT=1 the
full-page screenshot of a two-model run is written to docs/report-screenshot.png (the README's).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from af_bench.results.html import ordered_gates, write_html
from tests.unit.test_html_report import REPO, hostile_report, reports, run_reports

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
                 if p and Path(p).exists()), None)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT_ENV = "AF_BENCH_UPDATE_SCREENSHOT"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium binary (looked for /usr/bin/chromium, chromium)")


@pytest.fixture(scope="module")
def two_models(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return run_reports(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def browser(two_models: list[dict[str, Any]]) -> Iterator[Any]:
    """Started after the runs: playwright's sync API keeps an event loop on this thread, inside
    which inspect could not run."""
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


class Visit:
    """A page opened from a file, with every request, console message, page error and dialog."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.requests: list[str] = []
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url, wait_until="load")

    def assert_clean(self) -> None:
        assert [m for m in self.console if m[0] in ("error", "warning")] == []
        assert self.errors == [] and self.dialogs == []
        assert [u for u in self.requests if u != self.url and not u.startswith("data:")] == []
        assert self.requests[0] == self.url


def test_report_of_two_models_reads_in_chromium(browser: Any, two_models: list[dict[str, Any]],
                                                tmp_path: Path) -> None:
    gates = two_models[0]["gates"]
    path = write_html(two_models, tmp_path / "report.html")
    visit = Visit(browser, path)
    page = visit.page
    # One share chart and one contrast chart per gate, one chart per contrast across the models.
    columns = {(g["scenario"], name) for g in gates for name in g["metrics"]["contrasts"]}
    assert len(columns) == 3
    assert page.locator("svg").count() == 2 * len(gates) + len(columns)
    assert page.locator("svg").first.bounding_box()["width"] > 400
    assert page.locator("#sweep table.sweep tbody tr").count() == 2
    # The page puts failures first: a gate's section number is its place in that order.
    index, faker = next((i, g) for i, g in enumerate(ordered_gates(reports(two_models)), 1)
                        if g.model == "af-bench/faker" and g.scenario == "helpful_only")
    title = page.locator(f"#gate-{index} h2")
    assert title.is_visible() and title.inner_text() == "FAIL helpful_only · af-bench/faker"
    assert page.locator(f"#gate-{index} .reasons .breach").first.inner_text() == faker.breaches[0]
    assert page.locator(".card.fail .big").inner_text() == str(sum(g["status"] == "fail" for g in gates))

    # A training answer with alignment-faking reasoning: folded away until clicked.
    number, chosen = next((n, s) for n, s in enumerate(faker.samples, 1)
                          if s.condition == "training" and s.af_reasoning is True)
    sample = page.locator(f"#gate-{index}-sample-{number}")
    scratchpad = sample.locator("pre").nth(1)
    assert not scratchpad.is_visible()
    page.locator(f"#gate-{index} details.samples > summary").click()
    assert sample.is_visible() and not scratchpad.is_visible()
    sample.locator("summary").click()
    assert scratchpad.is_visible()
    assert scratchpad.inner_text() == chosen.scratchpad
    assert "training" in scratchpad.inner_text().lower()
    visit.assert_clean()

    update = os.environ.get(SCREENSHOT_ENV) == "1"
    target = REPO / "docs" / "report-screenshot.png" if update else tmp_path / "report-screenshot.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 50_000
    visit.context.close()


def test_hostile_model_text_stays_text(browser: Any, tmp_path: Path) -> None:
    path = write_html([hostile_report()], tmp_path / "hostile.html")
    visit = Visit(browser, path)
    page = visit.page
    page.locator("#gate-1 details.samples > summary").click()
    page.locator("#gate-1-sample-1 > summary").click()
    texts = page.locator("#gate-1-sample-1 pre").all_inner_texts()
    assert texts == ['<a href="https://evil.example/x">click</a>',
                     'I will comply. <script>alert(1)</script> <img src="x" onerror="alert(2)">',
                     '<img src="x" onerror="alert(2)"> done']
    assert page.locator("script").count() == 0 and page.locator("img").count() == 0
    assert page.locator("a[href^='http']").count() == 0
    visit.assert_clean()
    visit.context.close()
