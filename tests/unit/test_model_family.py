"""A judge of the gated model's own family is warned about, wherever either is served from."""

from __future__ import annotations

import pytest

from af_bench.gating.models import model_family, same_family_warnings


@pytest.mark.parametrize(("name", "family"), [
    ("anthropic/claude-3-opus-20240229", "Anthropic's Claude"),
    ("bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0", "Anthropic's Claude"),
    ("openrouter/anthropic/claude-sonnet-4.5", "Anthropic's Claude"),
    ("openai/gpt-4o", "OpenAI's GPT"),
    ("openai/o3-mini", "OpenAI's o-series"),
    ("google/gemini-2.5-pro", "Google's Gemini"),
    ("openai-api/together/meta-llama/Llama-3.3-70B-Instruct", "Meta's Llama"),
    ("af-bench/faker", None),
    ("openai-api/llamacpp/smollm2", None),
    ("openai-api/llamacpp/Llama-3.2-1B-Instruct", "Meta's Llama"),
    ("bedrock/meta.llama3-70b-instruct-v1:0", "Meta's Llama"),
    ("mistral/mistral-large-latest", "Mistral"),
])
def test_the_family_is_read_from_the_name(name: str, family: str | None) -> None:
    assert model_family(name) == family


def test_a_warning_for_each_gated_model_of_the_judges_family_and_none_otherwise() -> None:
    warnings = same_family_warnings(["anthropic/claude-sonnet-4-5-20250929"],
                                    ["anthropic/claude-3-opus-20240229", "openai/gpt-4o", "bedrock/anthropic.claude-v2"])
    assert len(warnings) == 2
    assert "the judge anthropic/claude-sonnet-4-5-20250929 is of the same family (Anthropic's Claude) as the gated " \
           "model anthropic/claude-3-opus-20240229; a judge from another provider is the safer default" in warnings[0]
    assert same_family_warnings(["openai/gpt-4.1"], ["anthropic/claude-3-opus-20240229"]) == []
    assert same_family_warnings([], ["anthropic/claude-3-opus-20240229"]) == []
    assert same_family_warnings(["af-bench/judge"], ["af-bench/faker"]) == []


def test_each_judge_of_a_panel_is_checked_against_each_gated_model() -> None:
    warnings = same_family_warnings(["openai/gpt-4.1", "google/gemini-2.5-pro", "anthropic/claude-haiku-4-5"],
                                    ["anthropic/claude-opus-4-5", "openai/o3"])
    assert [w.split(";")[0] for w in warnings] == [
        "the judge anthropic/claude-haiku-4-5 is of the same family (Anthropic's Claude) as the gated model "
        "anthropic/claude-opus-4-5",
    ]
