"""Model prices: the shipped table (`af_bench/data/prices.toml`) with the project's own entries
from `[tool.af_bench.prices]` over it, each dated and sourced."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib.resources import files
from typing import Any

MILLION = 1_000_000


class PriceError(ValueError):
    """A price entry that cannot be used, naming the file and entry at fault."""


@dataclass(frozen=True)
class TokenUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
        )


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens."""

    key: str
    input: float
    output: float
    as_of: str
    source: str
    cache_write: float | None = None
    cache_read: float | None = None
    batch_discount: float = 0.5
    """Share of the price the provider's batch API takes off."""

    def cost(self, usage: TokenUsage, *, batch: bool = False) -> float:
        cache_write = self.input * 1.25 if self.cache_write is None else self.cache_write
        cache_read = self.input * 0.1 if self.cache_read is None else self.cache_read
        dollars = (
            usage.input_tokens * self.input
            + usage.output_tokens * self.output
            + usage.cache_write_tokens * cache_write
            + usage.cache_read_tokens * cache_read
        ) / MILLION
        return dollars * (1.0 - self.batch_discount) if batch else dollars

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "input": self.input, "output": self.output, "as_of": self.as_of,
                "source": self.source, "batch_discount": self.batch_discount}


_FIELDS = {"input", "output", "as_of", "source", "cache_write", "cache_read", "batch_discount"}


def _price(key: str, entry: Any, where: str) -> Price:
    if not isinstance(entry, Mapping):
        raise PriceError(f"{where}: {key!r} must be a table with input, output, as_of and source")
    unknown = set(entry) - _FIELDS
    if unknown:
        raise PriceError(f"{where}: {key!r} has unknown fields {sorted(unknown)} (known: {sorted(_FIELDS)})")
    missing = [name for name in ("input", "output") if name not in entry]
    if missing:
        raise PriceError(f"{where}: {key!r} lacks {', '.join(missing)} (US dollars per million tokens)")
    numbers: dict[str, float] = {}
    for name in ("input", "output", "cache_write", "cache_read", "batch_discount"):
        if name in entry:
            try:
                numbers[name] = float(entry[name])
            except (TypeError, ValueError):
                raise PriceError(f"{where}: {key!r} {name} must be a number, got {entry[name]!r}") from None
            if numbers[name] < 0:
                raise PriceError(f"{where}: {key!r} {name} must not be negative, got {numbers[name]}")
    if numbers.get("batch_discount", 0.0) > 1.0:
        raise PriceError(f"{where}: {key!r} batch_discount is a share of the price, at most 1")
    return Price(key=key, as_of=str(entry.get("as_of", "unknown")), source=str(entry.get("source", "unknown")),
                 **numbers)


@dataclass(frozen=True)
class PriceTable:
    prices: dict[str, Price] = field(default_factory=dict)

    def price_for(self, model: str) -> Price | None:
        """The entry with the longest key that `model` starts with."""
        keys = [key for key in self.prices if model.startswith(key)]
        return self.prices[max(keys, key=len)] if keys else None

    def with_overrides(self, table: Mapping[str, Any], where: str) -> PriceTable:
        merged = dict(self.prices)
        for key, entry in table.items():
            merged[key] = _price(key, entry, where)
        return replace(self, prices=merged)


def shipped_prices() -> PriceTable:
    source = files("af_bench").joinpath("data/prices.toml")
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    return PriceTable().with_overrides(data.get("models", {}), "af_bench/data/prices.toml")


def price_table(overrides: Mapping[str, Any] | None = None, where: str = "[tool.af_bench.prices]") -> PriceTable:
    """The shipped prices with the project's entries over them."""
    table = shipped_prices()
    if overrides:
        if not isinstance(overrides, Mapping):
            raise PriceError(f"{where} must be a table of model name to price")
        table = table.with_overrides(overrides, where)
    return table
