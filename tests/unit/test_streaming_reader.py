"""A gate's records read from a header and a stream of samples equal those read from the whole log."""

from __future__ import annotations

from pathlib import Path

from inspect_ai import eval
from inspect_ai.log import read_eval_log

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
