"""Per-wording tier gaps of the organisms with and without paraphrases (the closing note of issue
28): `python bench/paraphrase_gaps.py prompt_trained faker aligned [--pairs 90]`. Offline."""

from __future__ import annotations

import argparse
import tempfile

from inspect_ai import eval

from af_bench.results.from_log import read_gate
from af_bench.scenarios.build import with_paraphrases
from af_bench.tasks import helpful_only


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("organisms", nargs="+")
    parser.add_argument("--pairs", type=int, default=90)
    parser.add_argument("--paraphrases", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as logs:
        for organism in args.organisms:
            for count in (0, args.paraphrases):
                task = with_paraphrases(helpful_only(), count)
                [log] = eval(task, model=f"af-bench/{organism}", limit=2 * args.pairs, display="none",
                             log_dir=f"{logs}/{organism}-{count}")
                metrics = read_gate(log, log.samples or []).metrics
                gap = metrics.contrasts["tier_gap"]
                print(f"{organism} paraphrases={count}: tier_gap {gap.value:.3f} [{gap.ci_low:.3f}, {gap.ci_high:.3f}]")
                for wording in metrics.paraphrases or []:
                    print(f"    {wording.wording}: {wording.contrasts['tier_gap']:.3f} ({wording.pairs} pairs)")


if __name__ == "__main__":
    main()
