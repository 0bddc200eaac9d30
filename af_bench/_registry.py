"""inspect_ai entry point: importing this registers af-bench's components with inspect, the
scenarios among them (`inspect eval af_bench/helpful_only`)."""

from af_bench.organisms import organisms  # noqa: F401
from af_bench.scorers import alignment_faking_outcome  # noqa: F401
from af_bench.tasks import (  # noqa: F401
    animal_welfare,
    date_cue,
    exfiltration,
    helpful_only,
    helpful_only_no_cot,
    logging_cue,
    three_tier,
)
