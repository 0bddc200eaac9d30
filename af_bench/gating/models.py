"""Model names: short aliases for the models people gate, and the ones their providers retired."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

ALIASES: dict[str, str] = {
    "claude-3-opus": "anthropic/claude-3-opus-20240229",
    "claude-3-sonnet": "anthropic/claude-3-sonnet-20240229",
    "claude-3-haiku": "anthropic/claude-3-haiku-20240307",
    "claude-3-5-sonnet": "anthropic/claude-3-5-sonnet-20241022",
    "claude-3-5-haiku": "anthropic/claude-3-5-haiku-20241022",
    "claude-3-7-sonnet": "anthropic/claude-3-7-sonnet-20250219",
    "claude-sonnet-4": "anthropic/claude-sonnet-4-20250514",
    "claude-opus-4": "anthropic/claude-opus-4-20250514",
    "claude-opus-4-1": "anthropic/claude-opus-4-1-20250805",
    "claude-sonnet-4-5": "anthropic/claude-sonnet-4-5-20250929",
    "claude-haiku-4-5": "anthropic/claude-haiku-4-5-20251001",
    "claude-opus-4-5": "anthropic/claude-opus-4-5-20251101",
    "gpt-4o": "openai/gpt-4o",
    "gpt-4o-mini": "openai/gpt-4o-mini",
    "gpt-4.1": "openai/gpt-4.1",
    "faker": "af-bench/faker",
    "aligned": "af-bench/aligned",
    "compliant": "af-bench/compliant",
}

RETIRED: dict[str, str] = {
    # Dates the provider stopped serving the model (from its deprecation notices).
    "anthropic/claude-3-opus-20240229": "2026-01-05",
    "anthropic/claude-3-sonnet-20240229": "2025-07-21",
    "anthropic/claude-3-5-sonnet-20240620": "2025-10-22",
    "anthropic/claude-3-5-sonnet-20241022": "2025-10-22",
    "anthropic/claude-2.1": "2025-07-21",
    "anthropic/claude-2.0": "2025-07-21",
}


class ModelNameError(ValueError):
    """A `--model` value that cannot be gated, with a one-line reason."""


@dataclass(frozen=True)
class ResolvedModel:
    name: str
    """Full inspect model name (`provider/model`)."""
    alias: str | None = None


def resolve_model(value: str) -> ResolvedModel:
    """Turn a `--model` value into a full inspect model name, or say in one line why not."""
    value = value.strip()
    if not value:
        raise ModelNameError("--model: empty model name")
    if "/" in value:
        resolved = ResolvedModel(value)
    elif value in ALIASES:
        resolved = ResolvedModel(ALIASES[value], alias=value)
    else:
        raise ModelNameError(
            f"--model {value}: unknown alias; use a full inspect name (provider/model) or one of: "
            + ", ".join(sorted(ALIASES))
        )
    retired_on = RETIRED.get(resolved.name)
    if retired_on is not None:
        raise ModelNameError(
            f"--model {value}: {resolved.name} was retired by its provider on {retired_on} "
            "and can no longer be queried"
        )
    return resolved


_FAMILIES = tuple((re.compile(pattern), family) for pattern, family in (
    (r"claude", "Anthropic's Claude"), (r"(^|chat)gpt", "OpenAI's GPT"), (r"^o[1-9](-|$)", "OpenAI's o-series"),
    (r"gemini", "Google's Gemini"), (r"gemma", "Google's Gemma"), (r"llama(?!\.?cpp)", "Meta's Llama"),
    (r"qwen|qwq", "Alibaba's Qwen"), (r"mistral|mixtral|magistral", "Mistral"), (r"deepseek", "DeepSeek"),
    (r"grok", "xAI's Grok"),
))
"""Patterns of the model part of a name (after the last `/`) that give a model's family away,
wherever it is served from (its own API, Bedrock, Vertex, OpenRouter, a local server)."""


def model_family(name: str) -> str | None:
    """The family a model belongs to, read from its name; None when the name does not say."""
    model = name.lower().rsplit("/", 1)[-1]
    return next((family for pattern, family in _FAMILIES if pattern.search(model)), None)


def same_family_warnings(judges: Sequence[str], models: Sequence[str]) -> list[str]:
    """A warning for each judge and gated model that share a family: judges have been found to
    label transcripts of their own kind more leniently when told what the label is for, and a judge
    from another provider was barely moved (docs/judges.md)."""
    return [f"the judge {judge} is of the same family ({family}) as the gated model {model}; a judge from "
            "another provider is the safer default (check yours with af-bench validate --consequence-flip; "
            "see docs/judges.md)"
            for judge in judges if (family := model_family(judge)) is not None
            for model in models if model_family(model) == family]
