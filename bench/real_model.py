"""The harness's overhead on a real server: the no-scratchpad scenario on SmolLM2-135M-Instruct
served by llama.cpp on 127.0.0.1, as an af-bench gate (inspect's `openai-api` provider, retries,
logging, scoring, the verdict) and as a plain loop over the `openai` SDK sending the same
requests (the same system prompt, user turns, reply budget and temperature), one request at a
time both ways, so the server's own speed is the same for both.

    bash .ci/real-model-server           # once: llama.cpp's server and SmolLM2's weights
    python bench/real_model.py --pairs 5 --max-tokens 120

Prints per-sample wall time and tokens of both, and their ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _raw_loop(base_url: str, model: str, system_prompt: str, turns: list[str], max_tokens: int) -> tuple[float, int, int]:
    """(seconds, input tokens, output tokens) for one chat completion per user turn."""
    from openai import OpenAI

    client = OpenAI(base_url=base_url, api_key="local", max_retries=2)
    started, read, written = time.perf_counter(), 0, 0
    for turn in turns:
        answer = client.chat.completions.create(
            model=model, max_tokens=max_tokens, temperature=0.0,
            messages=[{"role": "system", "content": system_prompt}, {"role": "user", "content": turn}],
        )
        assert answer.usage is not None
        read, written = read + answer.usage.prompt_tokens, written + answer.usage.completion_tokens
    return time.perf_counter() - started, read, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--max-tokens", type=int, default=120)
    args = parser.parse_args()

    from inspect_ai import eval

    from af_bench.tasks import helpful_only_no_cot
    from tests.real_model.conftest import MODEL, SERVED_NAME, serving

    os.environ["INSPECT_DISPLAY"] = "none"
    with tempfile.TemporaryDirectory() as scratch, serving(Path(scratch)) as server:
        os.environ.update(server.env())
        task = helpful_only_no_cot(temperature=0.0, max_tokens=args.max_tokens)
        samples = list(task.dataset)[: 2 * args.pairs]
        system_prompt = task.metadata["protocol"]["system_prompt"]  # type: ignore[index]
        turns = [str(s.input) for s in samples]
        # Warm the server's prompt cache and inspect's imports before timing either.
        _raw_loop(server.base_url, SERVED_NAME, system_prompt, turns[:1], args.max_tokens)
        started = time.perf_counter()
        [log] = eval(task, model=MODEL, limit=len(samples), max_connections=1, log_dir=scratch, display="none")
        gate_seconds = time.perf_counter() - started
        usage = next(iter((log.stats.model_usage or {}).values()))
        raw_seconds, raw_in, raw_out = _raw_loop(server.base_url, SERVED_NAME, system_prompt, turns, args.max_tokens)
        n = len(samples)
        print(f"{n} samples, one request each, max_tokens {args.max_tokens}, one connection")
        print(f"gate (inspect eval + scoring): {gate_seconds:.1f} s, {gate_seconds / n:.2f} s/sample, "
              f"{usage.input_tokens} in / {usage.output_tokens} out tokens")
        print(f"raw openai SDK loop:           {raw_seconds:.1f} s, {raw_seconds / n:.2f} s/sample, "
              f"{raw_in} in / {raw_out} out tokens")
        print(f"gate / raw: {gate_seconds / raw_seconds:.2f}x wall time "
              f"({usage.output_tokens / max(1, raw_out):.2f}x output tokens)")


if __name__ == "__main__":
    main()
