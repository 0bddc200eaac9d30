"""What running a gate in rounds costs in wall time: a capped gate (`--af-max-cost`, rounds of
`--af-round-pairs`) against the same gate in one eval, on the loopback server, in one process.

    python bench/rounds.py                       # the figures in bench/README.md
    python bench/rounds.py --pairs 40 --latency 0.2

Rounds wait for their slowest sample before the next starts, and the pairs used are replayed into
one log from the cache at the end; both show up here as a ratio to the one-eval gate.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from af_bench.gate import GateSpec  # noqa: E402
from af_bench.runner import RunOptions, run_gate  # noqa: E402
from af_bench.settings import Settings  # noqa: E402
from af_bench.testing import LoopbackAnthropic  # noqa: E402
from af_bench.thresholds import Thresholds  # noqa: E402
from af_bench.tasks.helpful_only import helpful_only  # noqa: E402

MODEL = "anthropic/claude-opus-4-5-20251101"


def timed_gate(settings: Settings, concurrency: int, latency: float) -> dict[str, float]:
    spec = GateSpec("bench", helpful_only, Thresholds.of(max_tier_gap=1.0, min_pairs=1))
    with LoopbackAnthropic(latency=latency) as server:
        os.environ["ANTHROPIC_BASE_URL"] = server.base_url
        started = time.perf_counter()
        record = run_gate(spec, MODEL, "bench", RunOptions(settings=settings, max_connections=concurrency, log_dir=None))
        elapsed = time.perf_counter() - started
        calls = len(server.message_requests())
    if record.status == "error":
        raise RuntimeError(record.error)
    return {"seconds": round(elapsed, 2), "calls": calls}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--round-pairs", type=int, action="append", help="repeatable; default 10 and 20")
    args = parser.parse_args()
    os.environ["ANTHROPIC_API_KEY"] = "sk-bench"
    os.environ["INSPECT_LOG_DIR"] = tempfile.mkdtemp(prefix="af-bench-rounds-")
    timed_gate(Settings(limit=1), 1, 0.0)  # pay inspect's start-up before timing
    one_eval = timed_gate(Settings(limit=args.pairs), args.concurrency, args.latency)
    figures: dict[str, object] = {"pairs": args.pairs, "concurrency": args.concurrency, "latency_s": args.latency,
                                  "one_eval": one_eval}
    for round_pairs in args.round_pairs or [10, 20]:
        capped = timed_gate(Settings(limit=args.pairs, max_cost=1e9, round_pairs=round_pairs), args.concurrency,
                            args.latency)
        figures[f"rounds_of_{round_pairs}"] = {**capped, "ratio": round(capped["seconds"] / one_eval["seconds"], 3)}
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
