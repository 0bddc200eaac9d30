"""Prompt files: the shipped ones by name (`datasets/prompts/<name>.txt`) or any file by path."""

from __future__ import annotations

from pathlib import Path

from af_bench.datasets import DATASETS_DIR

PROMPTS_DIR = DATASETS_DIR / "prompts"


class PromptError(ValueError):
    """A prompt file that cannot be used, naming the option and the file."""


def read_prompt(name_or_path: str | Path, option: str = "system_prompt") -> str:
    """Read a prompt verbatim; `option` names the setting at fault in errors."""
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        path = PROMPTS_DIR / f"{name_or_path}.txt"
    if not path.is_file():
        raise PromptError(f"{option}: file not found: {path}")
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise PromptError(f"{option}: {path} is empty")
    return text
