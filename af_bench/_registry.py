"""inspect_ai entry point: importing this registers af-bench's components with inspect, the
scenarios among them (`inspect eval af_bench/helpful_only`)."""

import af_bench.tasks  # noqa: F401  (importing the scenarios registers their @task)
from af_bench.organisms import organisms  # noqa: F401
from af_bench.scoring.scorer import alignment_faking_outcome  # noqa: F401
