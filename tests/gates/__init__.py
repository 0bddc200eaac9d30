"""af-bench's shipped gates, one test file per scenario. Installed as `af_bench.gates`, so they run
from any directory: `pytest --pyargs af_bench.gates --model M`."""
