"""The plugin loads with every pytest run (`pytest --help` included): it must not import inspect
or the plotting library until a gate runs or a report is written."""

import subprocess
import sys


def test_loading_the_plugin_imports_neither_inspect_nor_matplotlib() -> None:
    code = (
        "import sys, af_bench.pytest_plugin.plugin, af_bench.gating.settings\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('inspect_ai', 'matplotlib'))\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
