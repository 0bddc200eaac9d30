"""Test kit: loopback servers that speak real provider APIs and serve the scripted organisms."""

from af_bench.testing.anthropic_server import FaultPlan, LoopbackAnthropic

__all__ = ["FaultPlan", "LoopbackAnthropic"]
