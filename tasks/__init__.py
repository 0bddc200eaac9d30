"""af-bench's scenarios as inspect tasks: `inspect eval af_bench/<scenario>`, or import them
(`from af_bench.tasks import helpful_only`). Installed as `af_bench.tasks`.

Each module here is one scenario: its `ScenarioSpec` (named after the module) and the `@task` of the
same name. They are found, not listed, so a new scenario is one new file."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from inspect_ai import Task

from af_bench.scenarios.build import ScenarioSpec


def _declared() -> dict[str, tuple[ScenarioSpec, Callable[..., Task]]]:
    found: dict[str, tuple[ScenarioSpec, Callable[..., Task]]] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        name = module_info.name
        module = importlib.import_module(f"{__name__}.{name}")
        specs = [v for v in vars(module).values() if isinstance(v, ScenarioSpec) and v.name == name]
        build = getattr(module, name, None)
        if len(specs) != 1 or not callable(build):
            raise ImportError(f"{module.__file__}: a scenario module declares one ScenarioSpec named {name!r} "
                              f"and an @task {name}")
        found[name] = (specs[0], build)
    return found


_SHIPPED = _declared()
SPECS: dict[str, ScenarioSpec] = {name: spec for name, (spec, _) in _SHIPPED.items()}
"""Every shipped scenario's declaration, by name."""
SCENARIOS: tuple[str, ...] = tuple(SPECS)
# The tasks, importable from here as before (`from af_bench.tasks import helpful_only`).
globals().update({name: build for name, (_, build) in _SHIPPED.items()})
__all__ = ["SCENARIOS", "SPECS", *SCENARIOS]
