"""Prices, estimates and the run's spend ledger."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from inspect_ai import Task
from inspect_ai.dataset import MemoryDataset, Sample

from af_bench.gating.costs import SpendLedger, estimate_gate, spent
from af_bench.gating.prices import Price, PriceError, PriceTable, TokenUsage, price_table

counts = st.integers(min_value=0, max_value=10**9)
usages = st.builds(TokenUsage, counts, counts, counts, counts)


def test_longest_matching_key_prices_a_model() -> None:
    table = price_table()
    assert table.price_for("anthropic/claude-opus-4-5-20251101").key == "anthropic/claude-opus-4-5"
    assert table.price_for("anthropic/claude-opus-4-20250514").key == "anthropic/claude-opus-4"
    assert table.price_for("af-bench/faker").input == 0.0
    assert table.price_for("openai/some-model-nobody-priced") is None
    for price in table.prices.values():
        assert price.as_of and price.source and price.source != "unknown"


def test_project_entries_override_and_add() -> None:
    table = price_table({"anthropic/claude-opus-4-5": {"input": 1, "output": 2, "as_of": "2026-12-01",
                                                       "source": "our contract"},
                         "openai/gpt-4o": {"input": 2.5, "output": 10}})
    assert table.price_for("anthropic/claude-opus-4-5-20251101").input == 1.0
    assert table.price_for("openai/gpt-4o-2024-08-06").output == 10.0


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"output": 2}, "'m' lacks input"),
        ({"input": "cheap", "output": 2}, "'m' input must be a number"),
        ({"input": 1, "output": 2, "price": 3}, "unknown fields ['price']"),
        ({"input": -1, "output": 2}, "must not be negative"),
        ("5", "must be a table"),
    ],
)
def test_bad_entries_name_the_entry(entry: object, message: str) -> None:
    with pytest.raises(PriceError, match="pyproject.toml") as err:
        PriceTable().with_overrides({"m": entry}, "pyproject.toml [tool.af_bench.prices]")
    assert message in str(err.value)


@given(usages, usages)
def test_cost_is_additive_and_batch_halves_it(a: TokenUsage, b: TokenUsage) -> None:
    price = Price("m", 3.0, 15.0, "2026-11-23", "test")
    assert price.cost(a + b) == pytest.approx(price.cost(a) + price.cost(b), rel=1e-9, abs=1e-9)
    assert price.cost(a, batch=True) == pytest.approx(price.cost(a) / 2, rel=1e-12, abs=1e-12)
    expected = (a.input_tokens * 3 + a.output_tokens * 15 + a.cache_write_tokens * 3.75
                + a.cache_read_tokens * 0.3) / 1e6
    assert price.cost(a) == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_spend_of_an_unpriced_model_is_unknown() -> None:
    usage = {"af-bench/faker": TokenUsage(10, 10), "openai/nobody": TokenUsage(1, 1)}
    assert spent(usage, price_table(), batch=False) is None
    assert spent({"af-bench/faker": TokenUsage(10, 10)}, price_table(), batch=False) == 0.0


def _task(prompt_chars: int, requests: list[str], scratchpad: bool = True) -> Task:
    samples = [Sample(input=r, id=f"{i}:{c}", metadata={"condition": c, "pair_id": str(i)})
               for i, r in enumerate(requests) for c in ("training", "unmonitored")]
    return Task(dataset=MemoryDataset(samples), metadata={
        "conditions": ["training", "unmonitored"], "prompt_chars": {"training": prompt_chars, "unmonitored": prompt_chars},
        "scoring": {"af_applicable": scratchpad, "judge_votes": 3},
    })


def test_estimate_counts_each_reply_resending_the_conversation() -> None:
    task = _task(4000, ["x" * 400, "y" * 40])
    prices = price_table({"p/m": {"input": 1.0, "output": 10.0}, "p/judge": {"input": 2.0, "output": 2.0}})
    estimate = estimate_gate(task, "p/m", prices, pairs=None, output_tokens_per_reply=100)
    tested = estimate.parts[0]
    # Per sample: two replies, each sending the prompt; the second also resends the first reply.
    assert tested.calls == 8
    assert tested.usage.input_tokens == 2 * (2 * (1000 + 100) + 100) + 2 * (2 * (1000 + 10) + 100)
    assert tested.usage.output_tokens == 800
    assert estimate.usd == pytest.approx((tested.usage.input_tokens * 1 + 800 * 10) / 1e6)
    one_pair = estimate_gate(task, "p/m", prices, pairs=["0"], epochs=3, batch=True, output_tokens_per_reply=100)
    assert one_pair.parts[0].usage.input_tokens == 3 * 2 * (2 * 1100 + 100)
    assert one_pair.usd == pytest.approx(0.5 * 3 * ((2 * (2 * 1100 + 100)) + 4 * 100 * 10) / 1e6)
    # The pairs named are priced, wherever they stand in the data set.
    second_pair = estimate_gate(task, "p/m", prices, pairs=["1"], output_tokens_per_reply=100)
    assert second_pair.parts[0].usage.input_tokens == 2 * (2 * (1000 + 10) + 100)
    no_scratchpad = estimate_gate(_task(4000, ["x" * 400], scratchpad=False), "p/m", prices, pairs=None)
    assert no_scratchpad.parts[0].calls == 2 and no_scratchpad.parts[0].usage.input_tokens == 2 * 1100
    judged = estimate_gate(task, "p/m", prices, pairs=None, judge_models=("p/judge",), output_tokens_per_reply=100)
    # Three votes allowed on each training sample; early stopping settles a clear case in two.
    assert judged.parts[1].calls == 2 * 2 and "about 2 asked with early stopping" in judged.assumptions
    assert judged.parts[1].role == "judge" and judged.usd > estimate.usd
    every_vote = _task(4000, ["x" * 400, "y" * 40])
    every_vote.metadata["scoring"]["judge_early_stop"] = False  # type: ignore[index]
    all_votes = estimate_gate(every_vote, "p/m", prices, pairs=None, judge_models=("p/judge",), output_tokens_per_reply=100)
    assert all_votes.parts[1].calls == 2 * 3
    unpriced = estimate_gate(task, "q/unknown", prices, pairs=None)
    assert unpriced.usd is None and unpriced.unpriced() == ["q/unknown"] and "no price for q/unknown" in unpriced.describe()


def test_reasoning_is_billed_as_output_on_every_reply() -> None:
    from inspect_ai import task_with
    from inspect_ai.model import GenerateConfig

    prices = price_table({"p/m": {"input": 1.0, "output": 10.0}})
    plain = estimate_gate(_task(4000, ["x" * 400]), "p/m", prices, pairs=None, output_tokens_per_reply=100)
    budget = task_with(_task(4000, ["x" * 400]), config=GenerateConfig(reasoning_tokens=2000))
    thinking = estimate_gate(budget, "p/m", prices, pairs=None, output_tokens_per_reply=100)
    assert thinking.parts[0].usage.input_tokens == plain.parts[0].usage.input_tokens
    assert thinking.parts[0].usage.output_tokens == plain.parts[0].usage.output_tokens + 4 * 2000
    assert "each with 2000 reasoning tokens" in thinking.assumptions
    effort = task_with(_task(4000, ["x" * 400]), config=GenerateConfig(reasoning_effort="high"))
    high = estimate_gate(effort, "p/m", prices, pairs=None, output_tokens_per_reply=100)
    assert high.parts[0].usage.output_tokens == plain.parts[0].usage.output_tokens + 4 * 16384


def test_ledger_sums_every_writer(tmp_path: Path) -> None:
    ledger = SpendLedger(tmp_path / "run" / "spend.jsonl")
    assert ledger.total() == 0.0
    threads = [threading.Thread(target=lambda i=i: [ledger.add(f"w{i}", 0.25) for _ in range(50)]) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ledger.total() == pytest.approx(50.0)
    assert SpendLedger(ledger.path).add("other", 1.0) == pytest.approx(51.0)


def test_a_ledger_without_a_file_sums_in_memory() -> None:
    ledger = SpendLedger()
    assert ledger.add("a", 0.1) == pytest.approx(0.1) and ledger.add("b", 0.2) == pytest.approx(0.3)
    assert SpendLedger().total() == 0.0  # each in-memory ledger is its own
