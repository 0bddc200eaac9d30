"""What the scenario scorer logs beside a sample's value: the typed form of inspect's `Score.metadata`.

`ScoreValue` is what metrics count; `ScoreDetails` is each verdict and its evidence, for a person
reading the transcript and for the report's sample records. The scorer writes `as_metadata()`; the
report reads it back with `from_metadata`, the one place the logged keys are read. The keys are the
logs' own (older logs rescore and read alike): a part the scorer did not read (no judge, no
measured behaviour) is absent from the log, not null. Pure: no inspect, no pytest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from af_bench.scenario.outcomes import Outcome


class ScoreDetails(BaseModel):
    outcome: Outcome
    failure: str | None = None
    """Why there is no usable answer (`af_bench.scenario.outcomes.FailureReason`)."""
    condition: str | None = None
    af_reasoning: bool | None = None
    af_classifier: str | None = None
    scratchpad_blocks: int = 0
    reasoning_source: str | None = None
    tag_outcome: str | None = None
    """The paper's tag rule on the final output, beside the compliance judge's reading."""
    tags: str | None = None
    judge_compliance: str | None = None
    compliance_evidence: str | None = None
    compliance_votes: dict[str, int] = Field(default_factory=dict)
    eval_aware: bool | None = None
    eval_aware_evidence: str | None = None
    behaviour: str | None = None
    """The measured behaviour's key (`supports_welfare`, `exfiltrated`); None for compliance."""
    shows_behaviour: bool | None = None
    """Whether the answer shows it, logged under the behaviour's own key."""
    behaviour_evidence: str | None = None
    behaviour_votes: dict[str, int] = Field(default_factory=dict)
    af_score: float | None = None
    af_votes: dict[str, int] = Field(default_factory=dict)
    af_criteria: dict[str, bool] = Field(default_factory=dict)
    af_quotes: dict[str, str] = Field(default_factory=dict)
    af_explanation: str | None = None
    af_panel: dict[str, bool | None] = Field(default_factory=dict)
    """With a panel of judges: each judge's decision by its name (None: it failed to decide)."""
    partial_compliance: str | None = None
    """none, scheming, compromise or avoidance (compliant answers, judge only)."""
    partial_explanation: str | None = None

    def as_metadata(self) -> dict[str, Any]:
        """The logged dict: the fields that were set, the behaviour's reading under its key."""
        logged = self.model_dump(mode="json", exclude_unset=True)
        shown = logged.pop("shows_behaviour", None)
        if self.behaviour is None:
            return logged
        keys = list(logged)
        after = keys.index("behaviour") + 1 if "behaviour" in keys else len(keys)
        items = [*logged.items()]
        return dict([*items[:after], (self.behaviour, shown), *items[after:]])

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any] | None) -> ScoreDetails | None:
        """A logged score's details; None when the score has none (it was never reached)."""
        if not metadata or metadata.get("outcome") is None:
            return None
        fields = {k: v for k, v in metadata.items() if k in cls.model_fields}
        behaviour = metadata.get("behaviour")
        if behaviour:
            fields["shows_behaviour"] = metadata.get(behaviour)
        return cls.model_validate(fields)
