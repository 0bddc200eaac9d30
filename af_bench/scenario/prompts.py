"""Prompt files: the shipped ones by name (`datasets/prompts/<name>.txt`) or any file by path."""

from __future__ import annotations

from pathlib import Path

from af_bench.errors import UserInputError
from af_bench.scenario.datasets import shipped_data


def prompts_dir() -> Path:
    return shipped_data() / "prompts"


class PromptError(UserInputError):
    """A prompt file that cannot be used, naming the option and the file."""


def read_prompt(name_or_path: str | Path, option: str = "system_prompt") -> str:
    """Read a prompt verbatim; `option` names the setting at fault in errors."""
    path = Path(name_or_path)
    if not path.suffix and not path.exists():
        path = prompts_dir() / f"{name_or_path}.txt"
    if not path.is_file():
        looked = path if path.is_absolute() else f"{path} (from {Path.cwd()})"
        raise PromptError(f"{option}: file not found: {looked}; shipped prompts by name: {', '.join(shipped_prompts())}")
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise PromptError(f"{option}: {path} is empty")
    return text


DEFAULT_VARIANT = "default"


def variants_of(prompt: str) -> list[str]:
    """The shipped variants of a prompt: `datasets/prompts/<prompt>__<variant>.txt`."""
    return [DEFAULT_VARIANT] + sorted(p.stem.split("__", 1)[1] for p in prompts_dir().glob(f"{prompt}__*.txt"))


def shipped_prompts() -> list[str]:
    """The names of the shipped prompts (variants aside)."""
    return sorted(p.stem for p in prompts_dir().glob("*.txt") if "__" not in p.stem)


def read_variant(prompt: str | Path, variant: str) -> str:
    """A prompt in one of its variants (the paper's ablations ship for `helpful_only`)."""
    if variant == DEFAULT_VARIANT:
        return read_prompt(prompt)
    path = Path(prompt)
    candidate = path.with_name(f"{path.stem}__{variant}{path.suffix}") if path.suffix else prompts_dir() / f"{prompt}__{variant}.txt"
    if not candidate.is_file():
        known = variants_of(str(prompt)) if not path.suffix else [DEFAULT_VARIANT]
        raise PromptError(f"variant: no prompt {candidate} (variants of {prompt}: {', '.join(known)})")
    return read_prompt(candidate)
