"""Offline model organisms, served to inspect as `af-bench/<name>`."""

from inspect_ai.model import modelapi


@modelapi(name="af-bench")
def organisms() -> type:
    from af_bench.organisms.provider import OrganismAPI

    return OrganismAPI
