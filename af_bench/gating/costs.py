"""What a gate will cost before it sends a request, what it did cost after, and the run's spend
shared by every gate (and every xdist worker) so `--af-max-cost` caps the whole run."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock
from inspect_ai import Task
from inspect_ai.log import EvalLog
from inspect_ai.model import ModelUsage as ReportedUsage

from af_bench.scenarios.build import ScenarioMeta
from af_bench.scoring.classifiers.judge import JudgeSettings, expected_af_votes
from af_bench.gating.pair_plan import plan_samples
from af_bench.gating.prices import Price, PriceTable, TokenUsage
from af_bench.results.schema import GateUsage, ModelUsage, PriceInfo, UsageEstimate

CHARS_PER_TOKEN = 4
"""A rough English-text ratio: estimates are read before any request, so no tokenizer is asked."""
OUTPUT_TOKENS_PER_REPLY = 600
"""Assumed length of one reply (a scratchpad or a final answer); set `output_tokens_per_reply`."""
JUDGE_PROMPT_TOKENS = 1500
"""A judge rubric with its instructions, before the transcript."""
JUDGE_OUTPUT_TOKENS = 200
REASONING_TOKENS_BY_EFFORT = {"none": 0, "minimal": 1024, "low": 2048, "medium": 8192, "high": 16384,
                              "xhigh": 32768, "max": 65536}
"""Assumed reasoning per reply at each effort, where no budget is given: a budget is an upper bound
the estimate takes as spent, an effort has none, so these are round, deliberately high figures."""


def reasoning_tokens_per_reply(task: Task) -> int:
    """Reasoning tokens each reply is assumed to spend (billed as output), from the task's config."""
    config = task.config
    if config.reasoning_tokens is not None:
        return config.reasoning_tokens
    return REASONING_TOKENS_BY_EFFORT.get(config.reasoning_effort or "none", 0)


def _tokens(chars: int) -> int:
    return -(-chars // CHARS_PER_TOKEN)


@dataclass(frozen=True)
class ModelEstimate:
    model: str
    role: str
    """`tested` or `judge`."""
    calls: int
    usage: TokenUsage
    price: Price | None
    batch: bool

    @property
    def usd(self) -> float | None:
        return None if self.price is None else self.price.cost(self.usage, batch=self.batch)


@dataclass(frozen=True)
class GateEstimate:
    parts: tuple[ModelEstimate, ...]
    assumptions: str

    @property
    def usd(self) -> float | None:
        costs = [part.usd for part in self.parts]
        return None if any(c is None for c in costs) else sum(c for c in costs if c is not None)

    @property
    def usage(self) -> TokenUsage:
        return sum((part.usage for part in self.parts), TokenUsage())

    def unpriced(self) -> list[str]:
        return [part.model for part in self.parts if part.price is None]

    def describe(self) -> str:
        usage = self.usage
        cost = "no price for " + ", ".join(self.unpriced()) if self.usd is None else f"${self.usd:,.2f}"
        return f"~{usage.input_tokens:,} input + ~{usage.output_tokens:,} output tokens, {cost}"

    def record(self) -> UsageEstimate:
        """The estimate as the report's gate record keeps it."""
        return UsageEstimate(
            input_tokens=self.usage.input_tokens,
            output_tokens=self.usage.output_tokens,
            cost_usd=_round(self.usd),
            models={
                part.model: ModelUsage(role=part.role, calls=part.calls, input_tokens=part.usage.input_tokens,
                                       output_tokens=part.usage.output_tokens, cost_usd=_round(part.usd),
                                       price=PriceInfo(**part.price.as_dict()) if part.price else None)
                for part in self.parts
            },
            assumptions=self.assumptions,
        )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def estimate_gate(
    task: Task,
    model: str,
    prices: PriceTable,
    *,
    pairs: Sequence[str] | None,
    epochs: int = 1,
    batch: bool = False,
    judge_models: Sequence[str] = (),
    output_tokens_per_reply: int = OUTPUT_TOKENS_PER_REPLY,
) -> GateEstimate:
    """Tokens and dollars for the requests `pairs` names (None: all; a gate prices its
    `plan_pairs`, the ones it runs) under every condition of the task, from the task's own prompts
    and requests; replies are assumed `output_tokens_per_reply` long,
    never longer than the task's reply budget (`max_tokens`). The judge's votes and scope are the
    task's scoring options (a gate's overrides already applied); each judge of a panel casts
    them all."""
    meta = ScenarioMeta.of(task.metadata)
    protocol, scoring = meta.protocol, meta.scoring
    if protocol is not None:
        output_tokens_per_reply = min(output_tokens_per_reply, protocol.max_tokens)
    # A scratchpad takes a reply of its own before the answer (a task without a protocol says so
    # only through af_applicable).
    replies = 2 if (protocol.scratchpad if protocol is not None else scoring.af_applicable) else 1
    samples = list(task.dataset) if pairs is None else plan_samples(task, pairs)
    reasoning = reasoning_tokens_per_reply(task)
    calls = input_tokens = 0
    for sample in samples:
        condition = str((sample.metadata or {}).get("condition", ""))
        prompt = _tokens(meta.prompt_chars.get(condition, 0)) + _tokens(len(str(sample.input)))
        # Each further reply resends the conversation so far, the earlier replies included.
        input_tokens += replies * prompt + output_tokens_per_reply * replies * (replies - 1) // 2
        calls += replies
    output_tokens = calls * (output_tokens_per_reply + reasoning)
    parts = [ModelEstimate(model, "tested", calls * epochs,
                           TokenUsage(input_tokens * epochs, output_tokens * epochs), prices.price_for(model), batch)]
    assumptions = (f"{CHARS_PER_TOKEN} characters per token, {replies} replies of {output_tokens_per_reply} "
                   f"tokens per sample" + (f", each with {reasoning} reasoning tokens" if reasoning else ""))
    if judge_models:
        votes, scope = scoring.judge_votes, scoring.judge_scope
        judged = sum(1 for s in samples
                     if scope == "all" or (s.metadata or {}).get("condition") == scoring.af_condition)
        asked = expected_af_votes(votes, scoring.judge_threshold, JudgeSettings(early_stop=scoring.judge_early_stop))
        judge_calls = math.ceil(judged * asked * epochs)
        per_call = JUDGE_PROMPT_TOKENS + replies * output_tokens_per_reply
        parts += [ModelEstimate(judge, "judge", judge_calls,
                                TokenUsage(judge_calls * per_call, judge_calls * JUDGE_OUTPUT_TOKENS),
                                prices.price_for(judge), batch) for judge in judge_models]
        panel = f" by each of {len(judge_models)} judges" if len(judge_models) > 1 else ""
        assumptions += (f"; {votes} judge votes{panel} on every {scope} sample" +
                        (f", about {asked:g} asked with early stopping" if asked < votes else ""))
    return GateEstimate(tuple(parts), assumptions)


def usage_by_model(log: EvalLog) -> dict[str, TokenUsage]:
    """Tokens the provider reported for this log's requests (cache hits add nothing)."""
    return usage_of((log.stats.model_usage if log.stats else None) or {})


def usage_of(reported: Mapping[str, ReportedUsage]) -> dict[str, TokenUsage]:
    """inspect's per-model usage (of a log or one sample) as af-bench's token counts."""
    return {
        name: TokenUsage(
            used.input_tokens or 0, used.output_tokens or 0,
            used.input_tokens_cache_write or 0, used.input_tokens_cache_read or 0,
        )
        for name, used in reported.items()
    }


def add_usage(*usages: Mapping[str, TokenUsage]) -> dict[str, TokenUsage]:
    total: dict[str, TokenUsage] = {}
    for usage in usages:
        for name, used in usage.items():
            total[name] = total.get(name, TokenUsage()) + used
    return total


def spent(usage: Mapping[str, TokenUsage], prices: PriceTable, *, batch: bool) -> float | None:
    """Dollars for `usage`; None when a model that was used has no price."""
    total = 0.0
    for name, used in usage.items():
        price = prices.price_for(name)
        if price is None:
            return None
        total += price.cost(used, batch=batch)
    return total


def usage_record(usage: Mapping[str, TokenUsage], prices: PriceTable, *, batch: bool,
                 estimate: UsageEstimate | None = None) -> GateUsage:
    """The report's `usage` of a gate: tokens per model and in all, their cost, and the estimate."""
    models = {
        name: ModelUsage(input_tokens=used.input_tokens, output_tokens=used.output_tokens,
                         cache_write_tokens=used.cache_write_tokens, cache_read_tokens=used.cache_read_tokens,
                         cost_usd=_round(spent({name: used}, prices, batch=batch)))
        for name, used in sorted(usage.items())
    }
    record = GateUsage(
        input_tokens=sum(u.input_tokens for u in usage.values()),
        output_tokens=sum(u.output_tokens for u in usage.values()),
        cost_usd=_round(spent(usage, prices, batch=batch)),
        batch=batch,
        models=models,
    )
    if estimate is not None:
        record.estimate = estimate
    return record


@dataclass(frozen=True)
class SpendLedger:
    """Dollars spent so far in this run, in a file every xdist worker appends to under a lock
    (in memory, for this process alone, when there is no file)."""

    path: Path | None = None
    _in_memory: list[float] = field(default_factory=list, compare=False, repr=False)

    def add(self, who: str, usd: float) -> float:
        """Record `usd` spent by `who` and return the run's total."""
        if self.path is None:
            self._in_memory.append(usd)
            return math.fsum(self._in_memory)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # filelock: the xdist workers' appends and reads are one at a time on every platform.
        with FileLock(f"{self.path}.lock"), open(self.path, "a+", encoding="utf-8") as handle:
            if usd:
                handle.write(json.dumps({"who": who, "usd": usd}) + "\n")
                handle.flush()
            handle.seek(0)
            return _sum(handle.read())

    def total(self) -> float:
        return self.add("", 0.0)


def _sum(text: str) -> float:
    return sum(float(json.loads(line)["usd"]) for line in text.splitlines() if line.strip())


@dataclass(frozen=True)
class Budget:
    """One gate's view of the run's spend: charges what each eval cost to the shared ledger and
    says when the run's cap is passed."""

    ledger: SpendLedger
    prices: PriceTable
    who: str
    batch: bool = False
    cap: float | None = None

    def cost(self, usage: Mapping[str, TokenUsage]) -> float:
        """Dollars for `usage` (unpriced models count nothing here: a capped run refuses them
        before it starts)."""
        return spent(usage, self.prices, batch=self.batch) or 0.0

    def charge(self, usage: Mapping[str, TokenUsage]) -> float:
        """Add `usage` to the run's spend and return the run's total in dollars."""
        return self.ledger.add(self.who, self.cost(usage))

    def exceeded(self, total: float) -> bool:
        return self.cap is not None and total >= self.cap
