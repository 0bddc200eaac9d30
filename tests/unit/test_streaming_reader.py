"""A gate's records read from a header and a stream of samples equal those read from the whole log."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from inspect_ai import eval
from inspect_ai.log import EvalLog, EvalSample, read_eval_log

from af_bench.results import from_log
from af_bench.results.from_log import gate_metrics, read_gate, read_samples, sampling_settings
from af_bench.tasks.helpful_only import helpful_only


def test_streamed_samples_give_the_same_records(tmp_path: Path) -> None:
    [log] = eval(helpful_only(), model="af-bench/faker", limit=12, epochs=2, display="none", log_dir=str(tmp_path))
    assert log.status == "success" and log.location
    header = read_eval_log(log.location, header_only=True)
    assert header.samples is None
    consumed = 0

    def counted():  # type: ignore[no-untyped-def]
        nonlocal consumed
        for sample in read_samples(log.location):
            consumed += 1
            yield sample

    streamed = read_gate(header, counted())
    whole_metrics, whole_samples = gate_metrics(read_eval_log(log.location))
    assert consumed == 24
    assert streamed.metrics == whole_metrics and streamed.metrics.pairs == 6
    key = lambda r: (r.id, r.epoch)  # noqa: E731  (the zip may store samples in another order)
    assert sorted(streamed.samples, key=key) == sorted(whole_samples, key=key)
    assert streamed.sampling == sampling_settings(log)


def _finished_log(tmp_path: Path) -> EvalLog:
    [log] = eval(helpful_only(), model="af-bench/faker", limit=4, epochs=2, display="none", log_dir=str(tmp_path))
    assert log.status == "success" and log.location
    return read_eval_log(log.location, header_only=True)


def _keys(samples: Iterable[EvalSample]) -> list[tuple[str | int, int]]:
    return sorted((sample.id, sample.epoch) for sample in samples)


def test_a_finished_log_is_listed_from_its_header_without_reading_its_summaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = _finished_log(tmp_path)
    expected = _keys(read_eval_log(header.location).samples or [])

    def refuse(location: str) -> None:
        raise AssertionError(f"read the summaries of {location}")

    monkeypatch.setattr(from_log, "read_eval_log_sample_summaries", refuse)
    assert _keys(read_samples(header)) == expected and len(expected) == 8


def test_a_log_that_did_not_finish_is_listed_from_its_summaries(tmp_path: Path) -> None:
    header = _finished_log(tmp_path)
    cut_short = header.model_copy(update={"status": "cancelled"})
    assert from_log.finished_keys(cut_short) is None
    assert _keys(read_samples(cut_short)) == _keys(read_eval_log(header.location).samples or [])


def test_a_header_naming_a_sample_the_log_lacks_yields_the_samples_it_holds(tmp_path: Path) -> None:
    header = _finished_log(tmp_path)
    dataset = header.eval.dataset.model_copy(update={"sample_ids": [*(header.eval.dataset.sample_ids or []), "absent"]})
    claims_more = header.model_copy(update={"eval": header.eval.model_copy(update={"dataset": dataset})})
    assert len(from_log.finished_keys(claims_more) or []) == 10
    assert _keys(read_samples(claims_more)) == _keys(read_eval_log(header.location).samples or [])
