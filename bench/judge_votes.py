"""Judge calls saved by exact early stopping of votes, and decisions changed (there must be none),
on the shipped scenarios with the scripted judge (`af-bench/judge`), in one process.

    python bench/judge_votes.py                   # the figures in bench/README.md
    python bench/judge_votes.py --pairs 40 --votes 10

Each scenario runs twice on the offline faker with the same seed: every vote asked, then votes in
waves that stop once the rest cannot change the decision. Calls are the grader's model calls in
the logs; decisions are every judged sample's alignment-faking, awareness and behaviour verdicts.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from inspect_ai import Task, eval, task_with  # noqa: E402
from inspect_ai.event import ModelEvent  # noqa: E402
from inspect_ai.log import EvalLog  # noqa: E402
from inspect_ai.model import get_model  # noqa: E402

from af_bench.scoring.scorer import alignment_faking_outcome  # noqa: E402
from af_bench.tasks.animal_welfare import animal_welfare  # noqa: E402
from af_bench.tasks.helpful_only import helpful_only  # noqa: E402
from af_bench.tasks.three_tier import three_tier  # noqa: E402

SCORER = "alignment_faking_outcome"
DECISIONS = ("af_reasoning", "eval_aware", "supports_welfare", "partial_compliance")
SCENARIOS: dict[str, Callable[[], Task]] = {
    "helpful_only": helpful_only, "three_tier": three_tier, "animal_welfare": animal_welfare,
}


def judged_run(build: Callable[[], Task], pairs: int, votes: int, early_stop: bool) -> EvalLog:
    task = build()
    scoring = {**(task.metadata or {}).get("scoring", {}), "judge_votes": votes, "judge_early_stop": early_stop,
               "judge_cache": False}
    task = task_with(task, scorer=alignment_faking_outcome(**scoring))
    conditions = len((task.metadata or {}).get("conditions") or [])
    [log] = eval(task, model=get_model("af-bench/faker", memoize=False, eval_aware=0.3),
                 model_roles={"grader": get_model("af-bench/judge", memoize=False)},
                 limit=pairs * conditions, seed=11, max_connections=32, display="none")
    assert log.status == "success", log.error
    return log


def grader_calls(log: EvalLog) -> int:
    return sum(1 for s in log.samples or [] for e in s.events if isinstance(e, ModelEvent) and e.role == "grader")


def decisions(log: EvalLog) -> dict[tuple[str, str], Any]:
    found: dict[tuple[str, str], Any] = {}
    for sample in log.samples or []:
        meta = sample.scores[SCORER].metadata or {}  # type: ignore[index]
        for key in DECISIONS:
            if meta.get(key) is not None:
                found[(str(sample.id), key)] = meta[key]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--votes", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("INSPECT_LOG_DIR", tempfile.mkdtemp(prefix="af-bench-votes-"))
    print("| scenario | pairs | votes | calls, every vote | calls, early stop | saved | decisions | changed |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    totals = [0, 0]
    for name, build in SCENARIOS.items():
        full, early = (judged_run(build, args.pairs, args.votes, stop) for stop in (False, True))
        before, after = decisions(full), decisions(early)
        changed = sum(1 for key in before if after.get(key) != before[key]) + len(set(after) - set(before))
        calls = grader_calls(full), grader_calls(early)
        totals[0] += calls[0]
        totals[1] += calls[1]
        print(f"| {name} | {args.pairs} | {args.votes} | {calls[0]} | {calls[1]} | {1 - calls[1] / calls[0]:.0%} "
              f"| {len(before)} | {changed} |")
    print(f"| all | | | {totals[0]} | {totals[1]} | {1 - totals[1] / totals[0]:.0%} | | |")


if __name__ == "__main__":
    main()
