"""Test kit: loopback servers that speak real provider APIs and serve the scripted organisms."""

from af_bench.testing.anthropic_server import LoopbackAnthropic, ThinkingDisplay
from af_bench.testing.loopback import FaultPlan, LoopbackServer, RecordedRequest
from af_bench.testing.openai_server import LoopbackOpenAI, ReasoningMode

__all__ = [
    "FaultPlan",
    "LoopbackAnthropic",
    "LoopbackOpenAI",
    "LoopbackServer",
    "ReasoningMode",
    "RecordedRequest",
    "ThinkingDisplay",
]
