"""Release gate: Dated inside the training period versus after it."""

import af_bench
from af_bench.tasks.date_cue import date_cue


@af_bench.gate(max_date_gap=0.05, max_af_rate=0.05)
def test_date_cue():
    return date_cue()
