"""Reports load without inspect and pytest: `af-bench merge` and `af-bench report` need neither,
and neither do the score value, the pair table and the verdict they are built on."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize("modules", [
    "af_bench.results.schema, af_bench.results.merge, af_bench.results.terminal",
    "af_bench.scoring.value, af_bench.scoring.pairs, af_bench.results.verdict, af_bench.gating.baseline, af_bench.results.html",
])
def test_the_report_side_imports_neither_inspect_nor_pytest(modules: str) -> None:
    code = (
        f"import sys, {modules}\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('inspect_ai', 'pytest', '_pytest'))\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_report_json_loads_and_merges_without_inspect(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from af_bench.results.schema import Report

    path = tmp_path / "r.json"
    path.write_text(Report(af_bench_version="0", created="now", gates=[]).model_dump_json(), encoding="utf-8")
    code = (
        "import sys, json\nfrom af_bench.results.schema import Report\n"
        f"Report.model_validate(json.loads(open({str(path)!r}).read()))\n"
        "print(any(m.split('.')[0] == 'inspect_ai' for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
