"""af-bench: alignment-faking evaluations as inspect-ai tasks, gated in pytest."""

from af_bench.pytest_plugin.gate import gate

__all__ = ["gate"]
