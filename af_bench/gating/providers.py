"""What af-bench needs to know about model providers before it sends anything: which key a
model needs (where it will reach is `af_bench.endpoint.endpoint`)."""

from __future__ import annotations

import os

from af_bench.endpoint import service_prefix

# Providers whose models need no key (offline, local or scripted).
KEYLESS = {"af-bench", "mockllm", "none", "hf", "vllm", "sglang", "ollama", "llama-cpp-python", "transformer_lens"}

KEY_VARS: dict[str, tuple[str, ...]] = {
    "anthropic": ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"),
    "openai": ("OPENAI_API_KEY",),
    "google": ("GOOGLE_API_KEY", "GEMINI_API_KEY"),
    "mistral": ("MISTRAL_API_KEY",),
    "grok": ("XAI_API_KEY",),
    "groq": ("GROQ_API_KEY",),
    "together": ("TOGETHER_API_KEY",),
    "fireworks": ("FIREWORKS_API_KEY",),
    "deepseek": ("DEEPSEEK_API_KEY",),
    "perplexity": ("PERPLEXITY_API_KEY",),
    "openrouter": ("OPENROUTER_API_KEY",),
}


def missing_key(model: str) -> str | None:
    """The environment variable a model needs and lacks, or None."""
    provider, prefix = service_prefix(model)
    if provider in KEYLESS:
        return None
    names = KEY_VARS.get(provider, (f"{prefix}_API_KEY",) if provider == "openai-api" else ())
    if not names or any(os.environ.get(name) for name in names):
        return None
    return " or ".join(names)
