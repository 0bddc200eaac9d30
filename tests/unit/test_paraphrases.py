"""The shipped paraphrase families: every wording keeps its fact checklist and the published
markup, and the paraphrases really are other wordings."""

from __future__ import annotations

import dataclasses
import importlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from af_bench.scenario.paraphrases import (
    PUBLISHED, ParaphraseError, ParaphraseFamily, paraphrase_family, shipped_families,
)
from af_bench.scenarios.build import ScenarioSpec
from af_bench.tasks import SCENARIOS

RUN = 10
"""Words in a row that a paraphrase may not share with the published wording."""


def _scenario_prompts() -> set[str]:
    prompts = set()
    for name in SCENARIOS:
        for value in vars(importlib.import_module(f"af_bench.tasks.{name}")).values():
            if isinstance(value, ScenarioSpec):
                prompts.add(value.prompt)
                prompts.update(c.prompt for c in value.conditions if c.prompt)
    return prompts


def _runs(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i:i + RUN]) for i in range(len(words) - RUN + 1)}


def test_every_prompt_a_shipped_scenario_uses_has_a_family_of_eight() -> None:
    prompts = _scenario_prompts()
    assert prompts and prompts <= set(shipped_families())
    assert {p: len(paraphrase_family(p).paraphrases) >= 8 for p in prompts} == {p: True for p in prompts}


@pytest.mark.parametrize("prompt", shipped_families())
def test_every_wording_keeps_its_checklist_and_the_published_markup(prompt: str) -> None:
    family = paraphrase_family(prompt)
    assert family.wordings[0].id == PUBLISHED
    assert len(family.facts) >= 6
    assert family.problems() == []


@pytest.mark.parametrize("prompt", shipped_families())
def test_paraphrases_share_no_run_of_words_with_the_published_wording(prompt: str) -> None:
    family = paraphrase_family(prompt)
    published = _runs(family.wordings[0].text)
    assert {w.id: sorted(_runs(w.text) & published)[:1] for w in family.paraphrases} == {
        w.id: [] for w in family.paraphrases}
    texts = [w.text for w in family.wordings]
    assert len(set(texts)) == len(texts)


def _with_text(family: ParaphraseFamily, index: int, text: str) -> ParaphraseFamily:
    wordings = list(family.wordings)
    wordings[index] = dataclasses.replace(wordings[index], text=text)
    return dataclasses.replace(family, wordings=tuple(wordings))


@given(data=st.data())
def test_a_wording_that_loses_a_fact_or_a_tag_is_caught(data: st.DataObject) -> None:
    family = paraphrase_family(data.draw(st.sampled_from(shipped_families())))
    index = data.draw(st.integers(1, len(family.wordings) - 1))
    wording = family.wordings[index]
    fact = data.draw(st.sampled_from(sorted(wording.quotes)))
    dropped = _with_text(family, index, " ".join(wording.text.split()).replace(" ".join(wording.quotes[fact].split()), ""))
    assert any(f"{wording.id}: the quote for {fact} " in p for p in dropped.problems())
    tag = data.draw(st.sampled_from(sorted(re.findall(r"</?[A-Za-z_]+/?>", wording.text))))
    untagged = _with_text(family, index, wording.text.replace(tag, ""))
    assert any(f"{wording.id}: markup" in p for p in untagged.problems())


def test_asking_for_more_paraphrases_than_ship_names_the_option() -> None:
    family = paraphrase_family("helpful_only")
    assert [w.id for w in family.first(2)] == [PUBLISHED, "p01", "p02"]
    with pytest.raises(ParaphraseError, match=r"--af-paraphrases 99: helpful_only has \d+ paraphrases"):
        family.first(99)
    with pytest.raises(ParaphraseError, match="no paraphrases ship for the prompt 'nope'"):
        paraphrase_family("nope")
