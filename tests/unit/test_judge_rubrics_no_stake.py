"""No shipped judge rubric tells the judge what its label will be used for: judges told that their
label feeds training mislabel a large share of transcripts (a 2026 study), so a rubric describes the
transcript and the criteria, never the consequence of the verdict."""

from __future__ import annotations

import re

import pytest

from af_bench.scenario.prompts import prompts_dir

RUBRICS = sorted(prompts_dir().glob("judge_*.txt"))
STAKES = re.compile(
    r"(your|this|the) (label|verdict|judg(e)?ment|answer|rating|classification)s? (will|would|may|could) "
    r"(be used|decide|determine|affect|influence|feed|train)"
    r"|used to (train|fine-tune|retrain|update|modify) (you|this judge|the judge)"
    r"|(you|the judge) will be (trained|rewarded|penali[sz]ed|modified)"
    r"|depending on your (label|verdict|answer)",
    re.IGNORECASE,
)


def test_every_shipped_judge_is_audited() -> None:
    assert len(RUBRICS) >= 7


@pytest.mark.parametrize("rubric", RUBRICS, ids=[p.stem for p in RUBRICS])
def test_the_rubric_says_nothing_of_what_the_label_is_for(rubric) -> None:  # type: ignore[no-untyped-def]
    found = STAKES.search(rubric.read_text(encoding="utf-8"))
    assert found is None, f"{rubric.name} tells the judge what its label is for: {found.group(0)!r}"


@pytest.mark.parametrize("text", [
    "Your label will be used to train the next version of you.",
    "The verdict will determine whether this model ships.",
    "You will be rewarded for finding alignment faking.",
])
def test_the_audit_catches_a_stake(text: str) -> None:
    assert STAKES.search(text) is not None
