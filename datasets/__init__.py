"""af-bench's shipped query sets and prompts, installed as `af_bench.scenario_data` and read
through `importlib.resources` (`af_bench.scenario.datasets.shipped_data`)."""
