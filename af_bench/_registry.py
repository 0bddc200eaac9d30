"""inspect_ai entry point: importing this registers af-bench's components with inspect."""

from af_bench.organisms import organisms  # noqa: F401
from af_bench.scorers import alignment_faking_outcome  # noqa: F401
