"""An OpenAI-compatible endpoint set up wrong is a usage error before any request, in one line
without markup; the reply budget is set from the command line."""

from __future__ import annotations

import pytest

from tests.conftest import GateProject

MODEL = "openai-api/llamacpp/smollm2"


def test_a_missing_base_url_is_a_usage_error_saying_what_to_set(
    gate_project: GateProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LLAMACPP_BASE_URL", raising=False)
    monkeypatch.setenv("LLAMACPP_API_KEY", "local")
    result = gate_project.run("--model", MODEL)
    assert result.ret == 4
    err = result.stderr.str()
    assert (f"--model {MODEL}: LLAMACPP_BASE_URL is not set: set it to the server's OpenAI-compatible address, "
            "for example LLAMACPP_BASE_URL=http://127.0.0.1:8000/v1; no request was made") in err
    assert "[bold]" not in err and "Traceback" not in err


def test_a_base_url_without_its_version_path_is_a_usage_error(
    gate_project: GateProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLAMACPP_BASE_URL", "http://127.0.0.1:8080/")
    monkeypatch.setenv("LLAMACPP_API_KEY", "local")
    result = gate_project.run("--model", MODEL)
    assert result.ret == 4
    assert ("LLAMACPP_BASE_URL=http://127.0.0.1:8080/ has no version path: OpenAI-compatible servers answer "
            "under /v1, so set LLAMACPP_BASE_URL=http://127.0.0.1:8080/v1; no request was made") in result.stderr.str()


def test_the_reply_budget_comes_from_the_command_line(gate_project: GateProject) -> None:
    result = gate_project.run("--model", "af-bench/faker", "--af-limit", "2", "--af-max-tokens", "300",
                              "--af-report", "r.json")
    assert result.ret == 1
    gate = gate_project.gates()["af-bench/faker"]
    assert gate["sampling"]["configured"]["max_tokens"] == 300
    # The estimate never assumes a reply longer than the budget: 2 replies a sample, 4 samples.
    assert gate["usage"]["estimate"]["models"]["af-bench/faker"]["output_tokens"] == 2 * 4 * 300
