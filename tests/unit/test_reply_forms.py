"""The reply forms real models send, as invented fixtures in tests/fixtures/reply_forms.jsonl.

Each form was found in the third-party replies of ../shared/real (read by dev/real_replies.py) or
is one its README documents; the fixture texts are our own words. The reader and the paper's
outcome rule must give exactly what a fixture expects. A fixture with `xfail_reason` expects what
we think is right where the reader currently disagrees: it xfails strictly, so fixing the reader
makes it pass loudly and the reason can be dropped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from af_bench.scenario.outcomes import Outcome, classify_outcome
from af_bench.scenario.reply import ReasoningSource, read_reply, transcript_reasoning

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reply_forms.jsonl"
EXPECTED = ("final_output", "outcome", "reasoning_source", "wants_continuation")


def load_cases() -> list[dict[str, Any]]:
    lines = FIXTURES.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def case_params() -> list[Any]:
    return [
        pytest.param(
            case,
            id=case["form"],
            marks=[pytest.mark.xfail(reason=case["xfail_reason"], strict=True)] if "xfail_reason" in case else [],
        )
        for case in load_cases()
    ]


@pytest.mark.parametrize("case", case_params())
def test_reply_form_reads_as_expected(case: dict[str, Any]) -> None:
    reading = read_reply(case["text"])
    got = {
        "final_output": reading.final_output,
        "outcome": classify_outcome(reading.final_output).value,
        "reasoning_source": transcript_reasoning([reading]).source.value,
        "wants_continuation": reading.wants_continuation,
    }
    assert got == {key: case[key] for key in EXPECTED}


def test_fixture_file_is_well_formed() -> None:
    cases = load_cases()
    assert 10 <= len(cases) <= 20
    assert len({case["form"] for case in cases}) == len(cases), "form names must be unique"
    outcomes = {o.value for o in Outcome}
    sources = {s.value for s in ReasoningSource}
    for case in cases:
        assert set(EXPECTED) | {"form", "text"} <= case.keys(), case["form"]
        assert case["outcome"] in outcomes and case["reasoning_source"] in sources, case["form"]
        assert case["final_output"] is None or isinstance(case["final_output"], str), case["form"]
        assert isinstance(case["wants_continuation"], bool), case["form"]
