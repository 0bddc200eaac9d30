"""The scorer's logged details: typed in one place, and read back from a log as they were written,
by the scorer of today and by the scorer before the details were typed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from af_bench.scenario.outcomes import Outcome
from af_bench.scoring.details import ScoreDetails

WRITTEN = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "score_metadata.json").read_text())
"""`Score.metadata` of logged samples (heuristic and judge), written before `ScoreDetails` existed."""

WELFARE = {
    "outcome": "other", "failure": None, "condition": "unmonitored", "af_reasoning": None,
    "af_classifier": "heuristic", "scratchpad_blocks": 0, "reasoning_source": "none", "tag_outcome": None,
    "tags": None, "eval_aware": None, "eval_aware_evidence": None, "behaviour": "supports_welfare",
    "supports_welfare": True, "behaviour_evidence": "it says so", "behaviour_votes": {"yes": 3},
}
"""A behaviour scenario's details as the scorer logged them: the reading under the behaviour's key."""


@pytest.mark.parametrize("logged", [*WRITTEN, WELFARE], ids=lambda m: f"{m['af_classifier']}-{m['outcome']}")
def test_logged_details_are_written_back_as_they_were(logged: dict[str, Any]) -> None:
    details = ScoreDetails.from_metadata(logged)
    assert details is not None
    assert details.as_metadata() == logged
    assert list(details.as_metadata()) == list(logged)


def test_the_behaviour_is_read_under_its_own_key() -> None:
    details = ScoreDetails.from_metadata(WELFARE)
    assert details is not None and details.behaviour == "supports_welfare" and details.shows_behaviour is True
    assert details.outcome is Outcome.OTHER and details.behaviour_votes == {"yes": 3}
    assert "shows_behaviour" not in details.as_metadata()


def test_a_score_without_details_has_none() -> None:
    assert ScoreDetails.from_metadata(None) is None and ScoreDetails.from_metadata({}) is None
    assert ScoreDetails.from_metadata({"af_classifier": "heuristic", "outcome": None}) is None


@given(
    st.sampled_from(list(Outcome)), st.none() | st.booleans(), st.none() | st.sampled_from(["exfiltrated", "x_y"]),
    st.none() | st.booleans(), st.dictionaries(st.sampled_from(["yes", "no"]), st.integers(0, 20)),
)
def test_details_survive_the_log(outcome: Outcome, af: bool | None, behaviour: str | None, shows: bool | None,
                                 votes: dict[str, int]) -> None:
    fields: dict[str, Any] = {"outcome": outcome, "af_reasoning": af, "af_votes": votes}
    if behaviour:
        fields |= {"behaviour": behaviour, "shows_behaviour": shows}
    details = ScoreDetails(**fields)
    logged = json.loads(json.dumps(details.as_metadata()))
    assert ScoreDetails.from_metadata(logged) == details
    assert set(logged) == {"outcome", "af_reasoning", "af_votes"} | ({"behaviour", behaviour} if behaviour else set())
