"""What an adaptive gate (`--af-sequential`, `--af-max-cost`) costs in wall time against a fixed
gate on the same pairs, on the loopback server, in one process.

    python bench/adaptive.py                     # the figures in bench/README.md
    python bench/adaptive.py --pairs 40 --latency 0.2

An adaptive gate is one inspect eval whose samples come from af-bench's sample source: it admits
pairs as others finish and decides on the completed prefix of its pair order. Run to its budget
(a cap it never reaches; a sequential rule that cannot decide), it runs exactly the fixed gate's
pairs, so the ratio is the price of admitting samples one by one instead of all at once. A
sequential gate that does stop is timed too, with the pairs it used and ran.
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

from af_bench.pytest_plugin.gate import GateSpec  # noqa: E402
from af_bench.gating.runner import RunOptions, run_gate  # noqa: E402
from af_bench.gating.settings import Settings  # noqa: E402
from af_bench.testing import LoopbackAnthropic  # noqa: E402
from af_bench.results.thresholds import Thresholds  # noqa: E402
from af_bench.tasks.helpful_only import helpful_only  # noqa: E402

MODEL = "anthropic/claude-opus-4-5-20251101"
NEVER_DECIDES = Thresholds.of(max_tier_gap=0.1, min_pairs=10_000)
DECIDES = Thresholds.of(max_tier_gap=0.1, min_pairs=10)


def timed_gate(settings: Settings, concurrency: int, latency: float,
               thresholds: Thresholds = Thresholds.of(max_tier_gap=1.0, min_pairs=1)) -> dict[str, object]:
    spec = GateSpec("bench", helpful_only, thresholds)
    with LoopbackAnthropic(latency=latency, organism="aligned") as server:
        os.environ["ANTHROPIC_BASE_URL"] = server.base_url
        started = time.perf_counter()
        record = run_gate(spec, MODEL, "bench", RunOptions(settings=settings, max_connections=concurrency, log_dir=None))
        elapsed = time.perf_counter() - started
        calls = len(server.message_requests())
    if record.metrics is None:
        raise RuntimeError(record.error)
    figures: dict[str, object] = {"seconds": round(elapsed, 2), "calls": calls, "pairs": record.metrics.pairs}
    if record.sequential is not None:
        figures |= {k: record.sequential[k] for k in ("stopped", "pairs_used", "pairs_run")}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--round-pairs", type=int, default=20)
    args = parser.parse_args()
    os.environ["ANTHROPIC_API_KEY"] = "sk-bench"
    os.environ["INSPECT_LOG_DIR"] = tempfile.mkdtemp(prefix="af-bench-adaptive-")
    os.environ["INSPECT_CACHE_DIR"] = tempfile.mkdtemp(prefix="af-bench-adaptive-cache-")
    timed_gate(Settings(limit=1), 1, 0.0)  # pay inspect's start-up before timing
    fixed = timed_gate(Settings(limit=args.pairs), args.concurrency, args.latency)
    run = {"pairs": args.pairs, "concurrency": args.concurrency, "latency_s": args.latency}
    capped = timed_gate(Settings(limit=args.pairs, max_cost=1e9, round_pairs=args.round_pairs),
                        args.concurrency, args.latency)
    sequential = timed_gate(Settings(limit=args.pairs, sequential=True, round_pairs=args.round_pairs),
                            args.concurrency, args.latency, NEVER_DECIDES)
    stopping = timed_gate(Settings(limit=args.pairs, sequential=True, round_pairs=args.round_pairs),
                          args.concurrency, args.latency, DECIDES)
    figures = {
        **run,
        "fixed": fixed,
        "capped_to_budget": {**capped, "ratio": round(float(capped["seconds"]) / float(fixed["seconds"]), 3)},
        "sequential_to_budget": {**sequential,
                                 "ratio": round(float(sequential["seconds"]) / float(fixed["seconds"]), 3)},
        "sequential_stopping": stopping,
        "target_ratio": 1.1,
        "inspect_cache_files": sum(1 for p in Path(os.environ["INSPECT_CACHE_DIR"]).rglob("*") if p.is_file()),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
