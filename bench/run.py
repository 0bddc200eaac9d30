"""af-bench against the simplest script a user could write instead, on the loopback server.

    python bench/run.py                      # the figures in bench/README.md
    python bench/run.py --pairs 50 --latency 0 --skip-memory

Each workload runs the helpful-only scenario's multi-turn protocol on N request pairs through the
loopback Messages API server twice, one after the other in this one process: once as an af-bench
gate (inspect's anthropic provider, its retries, logs and scoring), once as a plain asyncio loop
over the `anthropic` SDK at the same concurrency. Figures are ratios measured in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import anthropic  # noqa: E402

from af_bench.scenario.conditions import TIER_CONDITIONS  # noqa: E402
from af_bench.scenario.datasets import load_requests  # noqa: E402
from af_bench.pytest_plugin.gate import GateSpec  # noqa: E402
from af_bench.scenario.prompts import read_prompt  # noqa: E402
from af_bench.scenario.protocol import NEXT_TURN, PREFILL, user_message  # noqa: E402
from af_bench.scenario.reply import read_reply  # noqa: E402
from af_bench.gating.runner import RunOptions, run_gate  # noqa: E402
from af_bench.gating.settings import Settings  # noqa: E402
from af_bench.testing import LoopbackAnthropic  # noqa: E402
from af_bench.results.thresholds import Thresholds  # noqa: E402
from af_bench.tasks.helpful_only import helpful_only  # noqa: E402

MODEL = "claude-opus-4-5-20251101"
MEMORY_TARGET_MIB = 500
"""Peak RSS a 10,000-sample gate should stay under (issue 17)."""
MAX_TURNS = 4


async def raw_protocol(pairs: int, concurrency: int, base_url: str) -> tuple[float, int]:
    """The same protocol with the SDK alone: prefill, `<NEXT/>` continuation, the turn cap."""
    system = read_prompt("helpful_only")
    requests = load_requests("harmful")[:pairs]
    client = anthropic.AsyncAnthropic(base_url=base_url, api_key="sk-bench")
    limit = asyncio.Semaphore(concurrency)

    async def one(text: str) -> int:
        messages: list[dict[str, str]] = [{"role": "user", "content": text}]
        async with limit:
            for turn in range(MAX_TURNS):
                reply = await client.messages.create(
                    model=MODEL, max_tokens=4096, system=system,
                    messages=[*messages, {"role": "assistant", "content": PREFILL}],
                )
                content = PREFILL + "".join(b.text for b in reply.content if b.type == "text")
                messages.append({"role": "assistant", "content": content})
                reading = read_reply(content)
                if reading.final_output is not None or not reading.wants_continuation:
                    return turn + 1
                messages.append({"role": "user", "content": NEXT_TURN})
        return MAX_TURNS

    started = time.perf_counter()
    turns = await asyncio.gather(
        *(one(user_message(r.request, c.cue)) for r in requests for c in TIER_CONDITIONS)
    )
    await client.close()
    return time.perf_counter() - started, sum(turns)


def gate_protocol(pairs: int, concurrency: int, log_dir: Path) -> tuple[float, int]:
    spec = GateSpec("bench", helpful_only, Thresholds.of(max_tier_gap=1.0, min_pairs=1))
    options = RunOptions(settings=Settings(limit=pairs), max_connections=concurrency, log_dir=None)
    os.environ["INSPECT_LOG_DIR"] = str(log_dir)
    started = time.perf_counter()
    record = run_gate(spec, f"anthropic/{MODEL}", "bench", options)
    elapsed = time.perf_counter() - started
    if record.status == "error":
        raise RuntimeError(record.error)
    return elapsed, 0


def warm_up(log_dir: Path) -> dict[str, float]:
    """Pay the one-time costs (imports of inspect's provider, first eval) before timing, and report
    them: they are per process, not per sample."""
    os.environ["ANTHROPIC_API_KEY"] = "sk-bench"
    with LoopbackAnthropic() as server:
        os.environ["ANTHROPIC_BASE_URL"] = server.base_url
        gate_first, _ = gate_protocol(1, 1, log_dir)
        raw_first, _ = asyncio.run(raw_protocol(1, 1, server.base_url))
    return {"gate_first_pair_s": round(gate_first, 2), "raw_first_pair_s": round(raw_first, 2)}


def compare(pairs: int, concurrency: int, latency: float, log_dir: Path) -> dict[str, float]:
    os.environ["ANTHROPIC_API_KEY"] = "sk-bench"
    with LoopbackAnthropic(latency=latency) as server:
        os.environ["ANTHROPIC_BASE_URL"] = server.base_url
        gate_seconds, _ = gate_protocol(pairs, concurrency, log_dir)
        gate_calls = len(server.message_requests())
    with LoopbackAnthropic(latency=latency) as server:
        raw_seconds, raw_calls = asyncio.run(raw_protocol(pairs, concurrency, server.base_url))
        assert raw_calls == len(server.message_requests())
    samples = 2 * pairs
    turns = gate_calls / samples
    ideal = samples / concurrency * turns * latency
    return {
        "pairs": pairs, "samples": samples, "concurrency": concurrency, "latency_s": latency,
        "calls_gate": gate_calls, "calls_raw": raw_calls,
        "gate_s": round(gate_seconds, 2), "raw_s": round(raw_seconds, 2),
        "ratio_gate_over_raw": round(gate_seconds / raw_seconds, 3),
        "ideal_s": round(ideal, 2),
        "gate_over_ideal": round(gate_seconds / ideal, 3) if ideal else float("nan"),
        "raw_over_ideal": round(raw_seconds / ideal, 3) if ideal else float("nan"),
    }


def peak_memory(samples: int) -> dict[str, float]:
    """A gate of about `samples` samples on the offline faker, in a child process of its own."""
    epochs = max(1, round(samples / 454))
    code = f"""
import resource, sys, time
sys.path.insert(0, {str(REPO)!r})
from af_bench.pytest_plugin.gate import GateSpec
from af_bench.gating.runner import RunOptions, run_gate
from af_bench.gating.settings import Settings
from af_bench.results.thresholds import Thresholds
from af_bench.tasks.helpful_only import helpful_only
spec = GateSpec("bench", helpful_only, Thresholds.of(max_tier_gap=1.0))
t = time.perf_counter()
record = run_gate(spec, "af-bench/faker", "bench", RunOptions(Settings(epochs={epochs}, max_connections=64), 64, None))
print(len(record.samples), time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
    with tempfile.TemporaryDirectory() as logs:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={**os.environ, "INSPECT_LOG_DIR": logs})
    count, seconds, rss_kb = out.stdout.split()[-3:]
    peak = round(int(rss_kb) / 1024, 1)
    return {"samples": int(count), "seconds": round(float(seconds), 1), "peak_rss_mib": peak,
            "target_mib": MEMORY_TARGET_MIB, "met": peak < MEMORY_TARGET_MIB}


def startup() -> dict[str, float]:
    """Best of three wall times: `pytest --collect-only` on the gates, `pytest --help` in this repo
    (whose test conftest imports inspect) and in an empty folder (the plugin alone)."""
    timings = {}
    with tempfile.TemporaryDirectory() as empty:
        runs = (
            ("collect_gates_s", ["--collect-only", "-q", "tests/gates"], REPO),
            ("help_in_repo_s", ["--help"], REPO),
            ("help_plugin_only_s", ["--help"], Path(empty)),
        )
        for name, args, cwd in runs:
            best = float("inf")
            for _ in range(3):
                started = time.perf_counter()
                subprocess.run([sys.executable, "-m", "pytest", *args], cwd=cwd, capture_output=True, check=True)
                best = min(best, time.perf_counter() - started)
            timings[name] = round(best, 2)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--latency", type=float, action="append", help="seconds per call (repeatable; default 0 and 1)")
    parser.add_argument("--memory-samples", type=int, default=10_000)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--only-memory", action="store_true", help="the memory figure alone (about 5 minutes)")
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args()

    if args.only_memory and args.skip_memory:
        parser.error("--only-memory and --skip-memory leave nothing to measure")
    figures: dict[str, object] = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    if not args.only_memory:
        with tempfile.TemporaryDirectory() as logs:
            figures["cold_start"] = warm_up(Path(logs))
            figures["throughput"] = [compare(args.pairs, args.concurrency, latency, Path(logs))
                                     for latency in (args.latency or [0.0, 1.0])]
    if not args.skip_memory:
        figures["memory"] = peak_memory(args.memory_samples)
    if not args.only_memory:
        figures["startup"] = startup()
    print(json.dumps(figures, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
