"""Paraphrase families: a shipped system prompt told in other words, order and structure.

A model can learn to behave well on the published wording alone, so a gate can spread its pairs
over the published prompt and its paraphrases (`--af-paraphrases N`). Each family lives in
`datasets/paraphrases/<prompt>/`: `p01.txt`, `p02.txt`, ... and `checklist.yaml`, which names the
facts every wording must state and quotes, for each wording, the sentence that states each fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from af_bench.errors import UserInputError
from af_bench.scenario.datasets import shipped_data
from af_bench.scenario.prompts import read_prompt
from af_bench.scenario.wordings import PUBLISHED


class ParaphraseError(UserInputError):
    """A paraphrase family that cannot be used, naming the file or option at fault."""


class _Checklist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    facts: dict[str, str]
    """Fact id -> what the wording must tell the model."""
    wordings: dict[str, dict[str, str]]
    """Wording id -> fact id -> the quote that states it."""


@dataclass(frozen=True)
class Wording:
    """One way of telling a scenario's system prompt."""

    id: str
    text: str
    quotes: dict[str, str]
    """Fact id -> the sentence of `text` that states it."""

    @property
    def published(self) -> bool:
        return self.id == PUBLISHED


@dataclass(frozen=True)
class ParaphraseFamily:
    prompt: str
    facts: dict[str, str]
    wordings: tuple[Wording, ...]
    """The published wording first, then the paraphrases in id order."""

    @property
    def paraphrases(self) -> tuple[Wording, ...]:
        return tuple(w for w in self.wordings if not w.published)

    def first(self, n: int, option: str = "--af-paraphrases") -> tuple[Wording, ...]:
        """The published wording and the first `n` paraphrases."""
        if n > len(self.paraphrases):
            raise ParaphraseError(f"{option} {n}: {self.prompt} has {len(self.paraphrases)} paraphrases")
        return self.wordings[: n + 1]

    def problems(self) -> list[str]:
        """Where a wording does not keep its checklist: a fact left unquoted, a quote not in its
        text, or markup (tags the reply reader and the cues rely on) that differs from the
        published wording's."""
        found = []
        published_tags = markup(self.wordings[0].text)
        for wording in self.wordings:
            missing = sorted(set(self.facts) - set(wording.quotes))
            extra = sorted(set(wording.quotes) - set(self.facts))
            if missing or extra:
                found.append(f"{self.prompt}/{wording.id}: facts missing {missing}, unknown {extra}")
            text = squeezed(wording.text)
            found += [f"{self.prompt}/{wording.id}: the quote for {fact} is not in the text: {quote[:60]!r}"
                      for fact, quote in sorted(wording.quotes.items()) if squeezed(quote) not in text]
            if markup(wording.text) != published_tags:
                found.append(f"{self.prompt}/{wording.id}: markup {sorted(markup(wording.text) ^ published_tags)} "
                             "differs from the published wording's")
        return found


def markup(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"</?[A-Za-z_]+/?>", text))


def squeezed(text: str) -> str:
    """The text with its whitespace runs made single spaces: how wordings and quotes are compared."""
    return " ".join(text.split())


def paraphrases_dir() -> Path:
    return shipped_data() / "paraphrases"


def shipped_families() -> list[str]:
    return sorted(p.name for p in paraphrases_dir().iterdir() if (p / "checklist.yaml").is_file())


@cache
def paraphrase_family(prompt: str) -> ParaphraseFamily:
    """The shipped family of a shipped prompt (by name)."""
    folder = paraphrases_dir() / prompt
    checklist_path = folder / "checklist.yaml"
    if not checklist_path.is_file():
        raise ParaphraseError(f"--af-paraphrases: no paraphrases ship for the prompt {prompt!r} "
                              f"(they ship for {', '.join(shipped_families())}); a prompt given by path has none")
    try:
        checklist = _Checklist.model_validate(yaml.safe_load(checklist_path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError) as err:
        raise ParaphraseError(f"{checklist_path}: not a paraphrase checklist ({type(err).__name__})") from None
    texts = {PUBLISHED: read_prompt(prompt)} | {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}
    if set(texts) != set(checklist.wordings):
        raise ParaphraseError(f"{checklist_path}: quotes wordings {sorted(checklist.wordings)}, "
                              f"the folder has {sorted(texts)}")
    ordered = [PUBLISHED, *sorted(set(texts) - {PUBLISHED})]
    return ParaphraseFamily(
        prompt, dict(checklist.facts), tuple(Wording(w, texts[w], dict(checklist.wordings[w])) for w in ordered),
    )


def family_of(text: str, what: str) -> ParaphraseFamily:
    """The shipped family whose published wording is `text` (whitespace aside)."""
    wanted = squeezed(text)
    for name in shipped_families():
        family = paraphrase_family(name)
        if squeezed(family.wordings[0].text) == wanted:
            return family
    raise ParaphraseError(
        f"--af-paraphrases: {what} is not a shipped prompt's published wording, and paraphrases ship only for "
        f"those ({', '.join(shipped_families())}); prompt variants and prompts of your own have none"
    )
