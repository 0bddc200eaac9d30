"""What every scenario shares: reading its prompt file and building its paired task."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from inspect_ai import Task
from inspect_ai.model import GenerateConfig

from af_bench.classifiers import AFClassifier
from af_bench.conditions import Condition
from af_bench.datasets import DATASETS_DIR, Request, paired_dataset
from af_bench.protocol import user_message
from af_bench.scorers import alignment_faking_outcome
from af_bench.solver import scratchpad_protocol

PROMPTS_DIR = DATASETS_DIR / "prompts"


class ScenarioError(ValueError):
    """A scenario option that cannot be used, naming the option or file at fault."""


def read_prompt(name_or_path: str | Path) -> str:
    """A shipped prompt by name (`helpful_only`) or any prompt file by path, read verbatim."""
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        path = PROMPTS_DIR / f"{name_or_path}.txt"
    if not path.is_file():
        raise ScenarioError(f"system_prompt: file not found: {path}")
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise ScenarioError(f"system_prompt: {path} is empty")
    return text


def tier_task(
    *,
    name: str,
    system_prompt: str,
    requests: Sequence[Request],
    conditions: Sequence[Condition],
    max_turns: int,
    prefill: bool,
    max_tokens: int,
    temperature: float | None,
    classifier: AFClassifier | None = None,
) -> Task:
    """A paired scenario: every request under every condition, the tier flag in the user turn."""

    def render(request: Request, condition: Condition) -> str:
        return user_message(request.request, bool(condition.metadata["is_free_tier_user"]))

    return Task(
        name=name,
        dataset=paired_dataset(requests, conditions, render, name=name),
        solver=scratchpad_protocol(
            system_prompt, max_turns=max_turns, prefill=prefill, max_tokens=max_tokens
        ),
        scorer=alignment_faking_outcome(classifier),
        config=GenerateConfig(temperature=temperature),
        metadata={"scenario": name, "conditions": [c.name for c in conditions]},
    )


