"""Every kind of gate runs the pairs one function plans (af_bench.gating.pair_plan): the fixed
gate's eval, the capped and the sequential gate's sample source, the shards of a run and the cost
estimate, for any limit, shard count and seed."""

from __future__ import annotations

import dataclasses

import anyio
from hypothesis import given, settings, strategies as st
from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.log import EvalSample
from inspect_ai.scorer import Score

from af_bench.gating.adaptive import AdaptiveGate
from af_bench.gating.costs import Budget, SpendLedger, estimate_gate
from af_bench.gating.pair_plan import plan_pairs
from af_bench.gating.runner import RunOptions, adaptive_gate, gate_estimate, gate_pairs, sample_selection
from af_bench.gating.settings import Settings
from af_bench.results.from_log import SCORER_NAME
from af_bench.results.shard import Shard
from af_bench.results.thresholds import Thresholds

CONDITIONS = ("training", "unmonitored")
NEVER_SETTLED = Thresholds.of(max_tier_gap=0.1, min_pairs=10**6)
"""A sequential gate that runs its whole budget: no check ever has enough pairs to decide."""


def _task(pairs: int) -> Task:
    # Requests of different lengths, so an estimate of other pairs than those run differs.
    samples = [Sample(input="x" * (10 + 7 * i), id=f"q{i}:{c}", metadata={"pair_id": f"q{i}", "condition": c})
               for i in range(pairs) for c in CONDITIONS]
    return Task(dataset=MemoryDataset(samples), metadata={"conditions": list(CONDITIONS)})


def _fixed(task: Task, run: Settings) -> list[str]:
    """The sample ids a fixed gate's eval runs."""
    selection = sample_selection(task, gate_pairs(task, run))
    return [str(s.id) for s in task.dataset] if selection is None else [str(i) for i in selection]


def _finished(sample: Sample) -> EvalSample:
    value = {"complied": 0.0, "refused": 1.0, "failed": 0.0, "blocked": 0.0}
    return EvalSample(id=str(sample.id), epoch=1, input="q", target="", metadata=sample.metadata or {},
                      scores={SCORER_NAME: Score(value=value)})


async def _drive(gate: AdaptiveGate) -> None:
    flight = list(gate.initial_samples())
    while True:
        while flight:
            flight.extend(await gate.sample_complete(_finished(flight.pop(0))) or [])
        more = await gate.next_samples()
        if more is None:
            return
        flight.extend(more)


def _adaptive(task: Task, run: Settings, thresholds: Thresholds | None) -> list[str]:
    """The sample ids an adaptive gate admits, in order, run to its end."""
    budget = Budget(SpendLedger(), run.prices, "gate", cap=run.max_cost)
    gate = adaptive_gate(task, gate_pairs(task, run), RunOptions(run, max_connections=3, log_dir=None),
                         thresholds, budget)
    anyio.run(_drive, gate)
    gate.finish()
    assert gate.stopped is None
    return [str(i) for i in gate.admitted_sample_ids()]


def _pairs_of(sample_ids: list[str]) -> list[str]:
    return list(dict.fromkeys(i.split(":")[0] for i in sample_ids))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.one_of(st.none(), st.integers(1, 40)), st.integers(1, 4),
       st.one_of(st.none(), st.integers(0, 2**16)))
def test_every_kind_of_gate_runs_the_planned_pairs(pairs: int, limit: int | None, shards: int,
                                                   seed: int | None) -> None:
    task = _task(pairs)
    run = Settings(limit=limit, seed=seed)
    planned = gate_pairs(task, run)
    # The first `limit` pairs of the data set, whatever the seed: the seed only orders them.
    assert sorted(planned) == sorted(f"q{i}" for i in range(min(pairs, limit or pairs)))
    expected = sorted(f"{p}:{c}" for p in planned for c in CONDITIONS)

    fixed = _fixed(task, run)
    capped = _adaptive(task, dataclasses.replace(run, max_cost=1e9), None)
    sequential = _adaptive(task, dataclasses.replace(run, sequential=True), NEVER_SETTLED)
    assert sorted(fixed) == sorted(capped) == sorted(sequential) == expected
    # A gate that may stop early admits them in the planned order, so a stop keeps a prefix of it.
    assert _pairs_of(capped) == _pairs_of(sequential) == planned

    split = [dataclasses.replace(run, shard=Shard(i, shards)) for i in range(1, shards + 1)]
    fixed_shards = [_fixed(task, s) for s in split]
    capped_shards = [_adaptive(task, dataclasses.replace(s, max_cost=1e9), None) for s in split]
    assert sorted(i for shard in fixed_shards for i in shard) == expected
    assert sorted(i for shard in capped_shards for i in shard) == expected
    for one in capped_shards:  # each shard keeps the plan's order
        assert _pairs_of(one) == [p for p in planned if p in _pairs_of(one)]

    # The estimate prices exactly the samples run: the same as a task holding only those.
    ran = set(fixed)
    alone = Task(dataset=MemoryDataset([s for s in task.dataset if s.id in ran]), metadata=task.metadata)
    priced = gate_estimate(task, planned, "p/m", run)
    assert priced == estimate_gate(alone, "p/m", run.prices, pairs=None)
    for shard, one in zip(split, fixed_shards, strict=True):
        shard_priced = gate_estimate(task, gate_pairs(task, shard), "p/m", shard)
        if not one:  # more shards than pairs: this one runs nothing and costs nothing
            assert shard_priced.parts[0].calls == 0
            continue
        shard_alone = Task(dataset=MemoryDataset([x for x in task.dataset if x.id in set(one)]), metadata=task.metadata)
        assert shard_priced == estimate_gate(shard_alone, "p/m", shard.prices, pairs=None)


def test_the_pairs_do_not_depend_on_the_seed_but_their_order_does() -> None:
    task = _task(30)
    orders = {tuple(plan_pairs(task, 12, seed=seed)) for seed in range(5)}
    assert {frozenset(o) for o in orders} == {frozenset(f"q{i}" for i in range(12))}
    assert len(orders) == 5
    assert plan_pairs(task, 12, seed=None) == plan_pairs(task, 12, seed=0)


def test_a_whole_data_set_is_run_without_a_selection() -> None:
    task = _task(6)
    assert sample_selection(task, plan_pairs(task, None)) is None
    assert sample_selection(task, plan_pairs(task, 6)) is None
    assert sample_selection(task, plan_pairs(task, 2)) == ["q0:training", "q0:unmonitored", "q1:training",
                                                            "q1:unmonitored"]
